"""/round pause and /round resume through the fake Discord: the countdown stops (the question
says how long it had left), clicks are answered politely meanwhile, nothing is revealed however
long the pause, a restart while paused stays paused, and resume gives the time left back; and
bad input: pause with no round, a student trying, pause twice, resume when not paused."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot
from tutorbot.bot.exts.rounds.render import WRITE_LABEL
from tutorbot.domain.round_options import RoundPaused
from tutorbot.services.rounds import CLOSE_GRACE, NEXT_PAUSE

from .bot_harness import BotFactory, FakeClock
from .helpers import message_text
from .rounds_helpers import TOPIC as COURSE_TOPIC
from .rounds_helpers import (
    channel_messages,
    click,
    is_revealed,
    kind_of,
    reply,
    tick,
    write_course,
)
from .test_round_options import TOPIC, write_true_course

SECONDS = 20


async def close_timers(bot: TutorBot) -> list[object]:
    """The round close timers waiting in the database."""
    return [t for t in await bot.services.storage.timers.all() if t.kind == "round.close"]


async def fired(bot: TutorBot) -> None:
    """Wait until every close timer due has fired (and was deleted)."""
    for _ in range(200):
        if not await close_timers(bot):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("a due close timer never fired")


async def test_a_paused_round_waits_across_a_restart_and_resumes_with_the_time_left(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    fake = fake_discord
    ana, ben = fake.add_member(fake.guild, "ana"), fake.add_member(fake.guild, "ben")
    content = write_true_course(tmp_path / "content")
    async with start_bot(content_dir=content) as bot:
        nothing = await fake.slash("round pause", {}, fake.admin)
        assert "There is no round running in this channel" in await reply(fake, nothing)
        started = await fake.slash(
            "round start", {"topic": TOPIC, "questions": 2, "seconds": SECONDS}, fake.admin
        )
        await reply(fake, started)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
        question = channel_messages(fake)[0]
        assert "Locked in" in await click(fake, question, "True", ana)

        student = await fake.slash("round pause", {}, fake.student)
        assert "Only instructors can run rounds" in await reply(fake, student)
        not_paused = await fake.slash("round resume", {}, fake.admin)
        assert "This round is not paused." in await reply(fake, not_paused)

        await tick(bot, clock, 5)
        paused = await fake.slash("round pause", {}, fake.admin)
        said = await reply(fake, paused)
        assert "Paused question 1 of 2 with 15 s left" in said, said
        await fake.wait_until(
            lambda: "Paused with 15 s left" in message_text(fake.messages[question.id])
        )
        again = await fake.slash("round pause", {}, fake.admin)
        assert "already paused" in await reply(fake, again)
        assert "The round is paused" in await click(fake, question, "True", ben)

        await tick(bot, clock, SECONDS * 3)  # long past the old deadline: its timer fires
        await fired(bot)  # and finds the round moved on (paused): nothing is revealed
        assert not is_revealed(fake, question)

    async with start_bot(content_dir=content) as bot:  # a restart while paused
        assert await close_timers(bot) == []  # the round was resumed paused: no deadline
        await tick(bot, clock, SECONDS * 3)
        assert not is_revealed(fake, question)
        assert "The round is paused" in await click(fake, question, "True", ben)
        student = await fake.slash("round resume", {}, fake.student)
        assert "Only instructors can run rounds" in await reply(fake, student)

        resumed = await fake.slash("round resume", {}, fake.admin)
        said = await reply(fake, resumed)
        assert "Resumed question 1 of 2: time is up <t:" in said, said
        await fake.wait_until(lambda: "Time is up <t:" in message_text(fake.messages[question.id]))
        assert "Locked in" in await click(fake, question, "True", ben)
        await tick(bot, clock, 10)
        assert not is_revealed(fake, question)  # 15 s were left: not up after 10
        await tick(bot, clock, 5 + CLOSE_GRACE.total_seconds() + 0.5)
        await fake.wait_until(lambda: is_revealed(fake, question), timeout=10)
        revealed = message_text(fake.messages[question.id])
        assert "2 answers" in revealed, revealed

        between = await fake.slash("round pause", {}, fake.admin)
        assert "No question is open right now" in await reply(fake, between)

        await tick(bot, clock, NEXT_PAUSE.total_seconds() + 0.5)  # question 2: paused, skipped
        await fake.wait_until(lambda: len(channel_messages(fake)) == 2)
        second = channel_messages(fake)[1]
        paused = await fake.slash("round pause", {}, fake.admin)
        assert "Paused question 2 of 2" in await reply(fake, paused)
        skipped = await fake.slash("round skip", {}, fake.admin)
        assert "Revealed." in await reply(fake, skipped)
        await fake.wait_until(lambda: is_revealed(fake, second), timeout=10)
    assert fake.rejections == []


async def test_every_kind_of_question_is_answered_politely_while_paused(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    fake = fake_discord
    label = {"mc": "B", "tf": "True", "fr": WRITE_LABEL}
    async with start_bot(content_dir=write_course(tmp_path / "content")) as bot:
        started = await fake.slash(
            "round start", {"topic": COURSE_TOPIC, "questions": 3, "seconds": SECONDS}, fake.admin
        )
        await reply(fake, started)
        for number in range(1, 4):
            await fake.wait_until(lambda n=number: len(channel_messages(fake)) == n)
            question = channel_messages(fake)[-1]
            paused = await fake.slash("round pause", {}, fake.admin)
            assert f"Paused question {number} of 3" in await reply(fake, paused)
            said = await click(fake, question, label[kind_of(question)], fake.student)
            assert said == RoundPaused().text, said
            resumed = await fake.slash("round resume", {}, fake.admin)
            await reply(fake, resumed)
            skipped = await fake.slash("round skip", {}, fake.admin)
            await reply(fake, skipped)
            await tick(bot, clock, NEXT_PAUSE.total_seconds() + 0.5)
