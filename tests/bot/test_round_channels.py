"""Rounds in two channels at once: a channel whose edits Discord serves slowly (a slow or
rate-limited channel) holds up only its own round; the other round's deadline, reveal and next
question are on time, and the slow round's own updates still land in order."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fakediscord import FakeDiscord

from tutorbot.services.rounds import CLOSE_GRACE, NEXT_PAUSE

from .bot_harness import BotFactory, FakeClock
from .rounds_helpers import TOPIC, is_revealed, reply, tick, write_course

SECONDS = 10
SLOW = 5.0
ON_TIME = 1.5
"""A reveal or question shown within this many seconds of its deadline is on time."""


async def test_a_slow_channel_does_not_delay_another_rounds_deadline(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    fake = fake_discord
    slow_room = fake.add_text_channel(fake.guild, "slow-room")
    loop = asyncio.get_running_loop()
    async with start_bot(content_dir=write_course(tmp_path / "content")) as bot:
        for channel in (slow_room, fake.channel):  # the slow room's deadline comes first
            started = await fake.slash(
                "round start",
                {"topic": TOPIC, "questions": 3, "seconds": SECONDS},
                fake.admin,
                channel=channel,
            )
            assert "Round started" in await reply(fake, started)
            clock.advance(1)
        slow_question = fake.messages_in(slow_room)[0]
        fast_question = fake.messages_in(fake.channel)[0]
        delay = fake.slow("PATCH", rf"/channels/{slow_room.id}/messages/\d+", SLOW)

        begun = loop.time()
        await tick(bot, clock, SECONDS + CLOSE_GRACE.total_seconds())  # both deadlines passed
        await fake.wait_until(lambda: is_revealed(fake, fast_question), timeout=ON_TIME)
        assert delay.served == 1  # the slow room's reveal is on its way, held up
        assert not is_revealed(fake, slow_question)

        await tick(bot, clock, NEXT_PAUSE.total_seconds())
        await fake.wait_until(lambda: len(fake.messages_in(fake.channel)) == 2, timeout=ON_TIME)
        assert loop.time() - begun < SLOW
        assert len(fake.messages_in(slow_room)) == 1  # its next question waits for its reveal

        await fake.wait_until(lambda: len(fake.messages_in(slow_room)) == 2, timeout=2 * SLOW)
        assert loop.time() - begun >= SLOW
        assert is_revealed(fake, slow_question)  # first the reveal, then the next question
        slow_posts = [
            q for q in fake.requests if q.path.startswith(f"/channels/{slow_room.id}/messages")
        ]
        assert [q.method for q in slow_posts] == ["POST", "PATCH", "POST"]
        delay.seconds = 0
        assert fake.rejections == []


async def test_a_deadline_that_passes_while_its_question_is_still_being_posted_edits_it(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    """The reveal waits in the round's queue for the slow post, then edits that very message
    (no second message, no question left with live buttons)."""
    fake = fake_discord
    async with start_bot(content_dir=write_course(tmp_path / "content")) as bot:
        started = await fake.slash(
            "round start", {"topic": TOPIC, "questions": 2, "seconds": SECONDS}, fake.admin
        )
        assert "Round started" in await reply(fake, started)
        first = fake.messages_in(fake.channel)[0]
        await tick(bot, clock, SECONDS + CLOSE_GRACE.total_seconds())
        await fake.wait_until(lambda: is_revealed(fake, first))

        posts = fake.slow("POST", rf"/channels/{fake.channel.id}/messages", 2.0)
        await tick(bot, clock, NEXT_PAUSE.total_seconds())
        await fake.wait_until(lambda: posts.served == 1)  # the second question is on its way
        await tick(bot, clock, SECONDS + CLOSE_GRACE.total_seconds())  # and its time is up
        await fake.wait_until(lambda: len(fake.messages_in(fake.channel)) == 2, timeout=2 * SLOW)
        second = fake.messages_in(fake.channel)[1]
        await fake.wait_until(lambda: is_revealed(fake, second), timeout=SLOW)
        posts.seconds = 0
        await tick(bot, clock, NEXT_PAUSE.total_seconds())
        await fake.wait_until(lambda: len(fake.messages_in(fake.channel)) == 3)
        assert "Round over" in str(fake.messages_in(fake.channel)[2].embeds)
        assert fake.rejections == []
