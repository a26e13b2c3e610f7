"""A day's question claimed but never posted: the bot stops between storing the day and Discord
taking the post (or between closing a question and Discord taking its reveal), and its post (or
reveal) is left held by a process that no longer runs, as a SIGKILL leaves it. The next bot posts
it once that day (answers work, the reveal comes once, with the next day's question), or, when it
is back only after the day, skips the day as if it had been down; it shows a reveal left
unshown once, its buttons closed; and a reveal Discord took before the bot stopped (its message
id stored, its timer not done) is edited by the next bot, never posted a second time.

The death is made exact as in tests/bot/test_takeover.py: Discord fails the post (discord.py is
still trying again when the process stops) and the post's timer is then claimed by "killed"
until its lease runs out. Both backends (`start_bot`)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fakediscord import FakeDiscord
from fakediscord.state import FakeChannel

from tutorbot.domain import daily as rules
from tutorbot.scheduler import LEASE
from tutorbot.services.daily import TIMER_POST, TIMER_PUBLISH, TIMER_REVEAL
from tutorbot.storage import open_storage

from .bot_harness import BotFactory, FakeClock
from .helpers import enabled, message_text
from .test_daily import (
    PAGO_PAGO,
    TOPIC,
    _at,
    _click,
    _fires,
    _questions,
    _reveals,
    _right_and_wrong,
    _set,
)


async def _claim_and_die(
    start_bot: BotFactory, fake: FakeDiscord, channel: FakeChannel, clock: FakeClock
) -> datetime:
    """Set the daily question up; at its first time the day is claimed, Discord fails the post
    and the bot stops meanwhile. Returns the post time."""
    posts = rf"/channels/{channel.id}/messages"
    async with start_bot() as bot:
        await _set(fake, fake.admin, channel, "09:00", PAGO_PAGO, topic=TOPIC)
        first = _at(PAGO_PAGO, 9, 0, clock())
        failing = fake.fail_next("POST", posts, times=100, status=500)
        sent = len(fake.requests)
        await _fires(bot, clock, first)
        await fake.wait_for_request("POST", posts, after=sent)
    failing.remaining = 0
    return first


async def _as_killed(database: Path | str, clock: FakeClock, day: str) -> None:
    """Leave the day's post claimed by the dead process, as a SIGKILL leaves it (a clean stop
    gives its claims back); check the day was claimed and never shown."""
    storage = await open_storage(database)
    try:
        now = clock()
        [held] = await storage.timers.claim("killed", {TIMER_PUBLISH}, now, now + LEASE)
        assert held.payload == {"day": day}
        [guild_id] = {t.guild_id for t in await storage.timers.all() if t.guild_id is not None}
        post = await storage.daily.post(guild_id, day)
        assert post is not None and post.message_id is None  # claimed, never shown
    finally:
        await storage.close()


async def test_a_day_claimed_but_never_posted_is_posted_once_by_the_next_bot(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, database: Path | str
) -> None:
    fake, channel = fake_discord, fake_discord.other_channel
    ana = fake.add_member(fake.guild, "ana")
    first = await _claim_and_die(start_bot, fake, channel, clock)
    zone = ZoneInfo(PAGO_PAGO)
    day = rules.day_key(first, zone)
    await _as_killed(database, clock, day)
    assert _questions(fake, channel) == []

    async with start_bot() as bot:
        clock.advance(LEASE.total_seconds() + 1)  # the dead process's lease runs out
        bot.services.wake()
        await fake.wait_until(lambda: len(_questions(fake, channel)) == 1, timeout=10)
        [question] = _questions(fake, channel)
        assert day in question.embeds[0]["title"]
        right, _ = _right_and_wrong(bot, question)
        assert (await _click(fake, question, right, ana)).startswith("Locked in")
        await _fires(bot, clock, first + timedelta(days=1))
        await fake.wait_until(lambda: len(_questions(fake, channel)) == 2, timeout=10)
        await fake.wait_until(lambda: len(_reveals(fake, channel)) == 1, timeout=10)
        shown = await bot.services.storage.daily.post(fake.guild.id, day)
        assert shown is not None and shown.message_id == question.id
        assert [t for t in await bot.services.storage.timers.all() if t.kind == TIMER_PUBLISH] == []
    assert len(_questions(fake, channel)) == 2  # each day's question once
    assert len(_reveals(fake, channel)) == 1  # the first day's reveal once
    assert "1 answer" in message_text(_reveals(fake, channel)[0])
    assert fake.rejections == []


async def test_a_day_claimed_but_never_posted_is_skipped_once_it_is_over(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, database: Path | str
) -> None:
    fake, channel = fake_discord, fake_discord.other_channel
    first = await _claim_and_die(start_bot, fake, channel, clock)
    zone = ZoneInfo(PAGO_PAGO)
    day = rules.day_key(first, zone)
    await _as_killed(database, clock, day)
    clock.advance((first + timedelta(days=1, hours=1) - clock()).total_seconds())  # down a day

    async with start_bot() as bot:
        await fake.wait_until(lambda: len(_questions(fake, channel)) == 1, timeout=10)
        [question] = _questions(fake, channel)
        assert rules.day_key(clock(), zone) in question.embeds[0]["title"]  # today's, not late
        store = bot.services.storage.daily
        for _ in range(100):  # the dead process's lease ran out long ago: its day is forgotten
            if await store.post(fake.guild.id, day) is None:
                break
            await asyncio.sleep(0.05)
        assert await store.recent_days(fake.guild.id) == [rules.day_key(clock(), zone)]
        assert [t for t in await bot.services.storage.timers.all() if t.kind == TIMER_PUBLISH] == []
    assert _reveals(fake, channel) == []  # nothing to reveal of a day never shown
    assert fake.rejections == []


async def test_a_question_closed_but_never_revealed_is_revealed_once_by_the_next_bot(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, database: Path | str
) -> None:
    fake, channel = fake_discord, fake_discord.other_channel
    ana = fake.add_member(fake.guild, "ana")
    posts = rf"/channels/{channel.id}/messages"
    async with start_bot() as bot:
        await _set(fake, fake.admin, channel, "09:00", PAGO_PAGO, topic=TOPIC, reveal_hours=1)
        first = _at(PAGO_PAGO, 9, 0, clock())
        await _fires(bot, clock, first)
        await fake.wait_until(lambda: len(_questions(fake, channel)) == 1, timeout=10)
        [question] = _questions(fake, channel)
        right, _ = _right_and_wrong(bot, question)
        assert (await _click(fake, question, right, ana)).startswith("Locked in")
        failing = fake.fail_next("POST", posts, times=100, status=500)
        sent = len(fake.requests)
        await _fires(bot, clock, first + timedelta(hours=1))  # closed; Discord fails the reveal
        await fake.wait_for_request("POST", posts, after=sent)
    failing.remaining = 0
    storage = await open_storage(database)
    try:
        now = clock()
        [held] = await storage.timers.claim("killed", {TIMER_REVEAL}, now, now + LEASE)
        assert held.payload == {"day": rules.day_key(first, ZoneInfo(PAGO_PAGO)), "show": True}
    finally:
        await storage.close()
    assert _reveals(fake, channel) == []

    async with start_bot() as bot:
        clock.advance(LEASE.total_seconds() + 1)
        bot.services.wake()
        await fake.wait_until(lambda: len(_reveals(fake, channel)) == 1, timeout=10)
        for _ in range(100):  # the reveal's timer is done once the reveal is posted
            if len(await bot.services.storage.timers.all()) == 1:
                break
            await asyncio.sleep(0.05)
        kinds = [t.kind for t in await bot.services.storage.timers.all()]
        assert kinds == [TIMER_POST]  # the reveal done: only tomorrow's post waits
    assert "1 answer" in message_text(_reveals(fake, channel)[0])
    assert enabled(fake.messages[question.id].components) == {}  # its buttons closed
    assert fake.rejections == []


async def test_a_reveal_posted_but_not_done_is_not_posted_again_by_the_next_bot(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, database: Path | str
) -> None:
    fake, channel = fake_discord, fake_discord.other_channel
    async with start_bot() as bot:
        await _set(fake, fake.admin, channel, "09:00", PAGO_PAGO, topic=TOPIC, reveal_hours=1)
        first = _at(PAGO_PAGO, 9, 0, clock())
        await _fires(bot, clock, first)
        await fake.wait_until(lambda: len(_questions(fake, channel)) == 1, timeout=10)
        [question] = _questions(fake, channel)
        closing = rf"/channels/{channel.id}/messages/{question.id}"
        failing = fake.fail_next("PATCH", closing, times=100, status=500)
        sent = len(fake.requests)
        await _fires(bot, clock, first + timedelta(hours=1))  # Discord takes the reveal, then
        await fake.wait_for_request("PATCH", closing, after=sent)  # fails closing the buttons
        assert len(_reveals(fake, channel)) == 1
    failing.remaining = 0
    day = rules.day_key(first, ZoneInfo(PAGO_PAGO))
    storage = await open_storage(database)
    try:
        now = clock()
        [held] = await storage.timers.claim("killed", {TIMER_REVEAL}, now, now + LEASE)
        assert held.payload == {"day": day, "show": True}  # the reveal's timer not done
        post = await storage.daily.post(fake.guild.id, day)
        assert post is not None and post.reveal_message_id == _reveals(fake, channel)[0].id
    finally:
        await storage.close()
    assert enabled(fake.messages[question.id].components) != {}  # still open to the eye

    async with start_bot() as bot:
        clock.advance(LEASE.total_seconds() + 1)  # the dead process's lease runs out
        bot.services.wake()
        await fake.wait_until(
            lambda: enabled(fake.messages[question.id].components) == {}, timeout=10
        )
        for _ in range(100):  # the reveal's timer is done once the buttons are closed
            if len(await bot.services.storage.timers.all()) == 1:
                break
            await asyncio.sleep(0.05)
        kinds = [t.kind for t in await bot.services.storage.timers.all()]
        assert kinds == [TIMER_POST]
    assert len(_reveals(fake, channel)) == 1  # the retry edited it, never posted another
    assert "0 answers" in message_text(_reveals(fake, channel)[0])
    assert fake.rejections == []
