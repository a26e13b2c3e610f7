"""Rounds and buttons under a hostile client and a failing Discord (issue 12, items 9 and 11-15):
a host's /forgetme, forged numbers too big for SQLite, /round forged in a DM, a click answered
after Discord's 3 s window, reveal edits that Discord refuses for a while, and a failed followup.

Each goes through the real bot against the fake Discord; refusals leave the database as it was.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from db_inspect import Target, places_of, snapshot
from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot
from tutorbot.services.round_reveals import TIMER_REVEAL
from tutorbot.services.rounds import CLOSE_GRACE, NEXT_PAUSE
from tutorbot.storage.timers import Timer

from .bot_harness import BotFactory, FakeClock
from .helpers import buttons, enabled, message_text
from .rounds_helpers import (
    BASE,
    TOPIC,
    channel_messages,
    click,
    is_revealed,
    kind_of,
    reply,
    tick,
    write_course,
)

OOPS = "went wrong on our side"
SECONDS = 20
AFTER_DEADLINE = SECONDS + CLOSE_GRACE.total_seconds() + 0.5
TOO_BIG = ["99999999999999999999", str(2**63), str(2**64), "²"]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_course(tmp_path / "content")


@pytest.fixture
async def small(start_bot: BotFactory, course: Path) -> Any:
    async with start_bot(content_dir=course) as running_bot:
        yield running_bot


def _db(bot: TutorBot) -> Target:
    return bot.settings.database


async def _private(fake: FakeDiscord, interaction: Any) -> str:
    text = await reply(fake, interaction)
    assert OOPS not in text, text
    return text


async def _start(fake: FakeDiscord, topic: str = BASE, questions: int = 1) -> None:
    started = await fake.slash(
        "round start", {"topic": topic, "questions": questions, "seconds": SECONDS}, fake.admin
    )
    assert "Round started" in await _private(fake, started)
    await fake.wait_until(lambda: len(channel_messages(fake)) >= 1)


# --- 9. /forgetme of a round's host -----------------------------------------------------------


async def test_forgetme_of_a_round_host_leaves_no_trace_and_the_round_plays_on(
    small: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake = fake_discord
    ana = fake.add_member(fake.guild, "ana")
    await _start(fake)
    question = channel_messages(fake)[0]
    assert await click(fake, question, "True", ana) == "Locked in: **True**"
    assert places_of(_db(small), fake.admin.id)  # the host is in the round, as it runs

    confirm = await fake.wait_response(await fake.slash("forgetme", {}, fake.admin))
    assert "rounds you hosted" in (confirm.content or "")
    done = await fake.click(confirm, buttons(confirm.components)["Delete my data"], fake.admin)
    text = (await fake.wait_response(done)).content or ""
    assert "nothing to delete" not in text
    assert "removed as the host of 1 round" in text and "answers in it stay" in text, text
    assert places_of(_db(small), fake.admin.id) == []

    await tick(small, clock, AFTER_DEADLINE)
    await fake.wait_until(lambda: is_revealed(fake, question))
    await tick(small, clock, NEXT_PAUSE.total_seconds())
    await fake.wait_until(lambda: len(channel_messages(fake)) == 2)
    assert "Round over" in message_text(channel_messages(fake)[-1])
    assert "Ana" in message_text(channel_messages(fake)[-1])
    assert fake.dms_with(fake.admin) == []  # nobody to send the report to
    assert places_of(_db(small), fake.admin.id) == []  # the round's later steps kept it out
    (rnd,) = await small.services.storage.rounds.recent_in_guild(fake.guild.id)
    assert rnd.status == "finished" and rnd.host_id is None
    assert [a.user_id for a in await small.services.storage.rounds.answers(rnd.id)] == [ana.id]
    assert fake.rejections == []


# --- 11. numbers too big for SQLite in a custom_id ---------------------------------------------


@pytest.mark.parametrize("number", TOO_BIG)
@pytest.mark.parametrize(
    "template",
    [
        "round:answer:{n}:0:A",
        "round:answer:1:{n}:A",
        "round:write:{n}:0",
        "round:assess:{n}:0:got_it",
        "round:report:{n}",
        "quiz:answer:{n}:0:A",
        "quiz:resume:{n}",
        "quiz:new:sky-colours:{n}",
        "topic:explainer:sky-colours:{n}",
        "data:forget:{n}",
    ],
)
async def test_a_forged_number_past_64_bits_is_refused_like_any_forged_button(
    small: TutorBot, fake_discord: FakeDiscord, template: str, number: str
) -> None:
    fake = fake_discord
    card = await fake.wait_response(await fake.slash("topic", {"topic": TOPIC}, fake.admin))
    await small.services.names.flush()  # /topic stored the admin's name: that write is done
    before = snapshot(_db(small))
    forged = await fake.click(card, template.format(n=number), fake.admin, forged=True)
    assert "no longer active" in await _private(fake, forged)
    assert snapshot(_db(small)) == before
    assert fake.rejections == []


@pytest.mark.parametrize("number", TOO_BIG)
async def test_a_forged_form_with_a_number_past_64_bits_is_refused(
    small: TutorBot, fake_discord: FakeDiscord, number: str
) -> None:
    fake = fake_discord
    before = snapshot(_db(small))
    sent = await fake.modal_submit(
        f"round:written:{number}:0", {"answer": "Blue"}, fake.admin, forged=True
    )
    assert "no longer active" in await _private(fake, sent)
    assert snapshot(_db(small)) == before


# --- 12. /round and /tutoradmin forged in a DM -------------------------------------------------


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("round start", {"topic": TOPIC}),
        ("round skip", {}),
        ("round stop", {}),
        ("round results", {}),
        ("tutoradmin settings", {"questions": 5}),
    ],
)
async def test_server_commands_forged_in_a_dm_are_refused_politely(
    small: TutorBot, fake_discord: FakeDiscord, command: str, options: dict[str, Any]
) -> None:
    fake = fake_discord
    before = snapshot(_db(small))
    text = await _private(fake, await fake.slash(command, options, fake.dm_user))
    assert "only in a server" in text, text
    assert snapshot(_db(small)) == before
    assert fake.messages_in(fake.dm_channel(fake.dm_user)) == []
    assert fake.rejections == []


# --- 13. a click answered after Discord's 3 s window -------------------------------------------


def _problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize("how", ["click", "slash"])
async def test_an_answer_after_the_3_second_window_is_one_warning_line(
    small: TutorBot,
    fake_discord: FakeDiscord,
    caplog: pytest.LogCaptureFixture,
    how: str,
) -> None:
    fake = fake_discord
    await _start(fake)
    question = channel_messages(fake)[0]
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    fake.response_deadline = 0.0  # every answer arrives too late, as after a long pause
    if how == "click":
        await fake.click(question, enabled(question.components)["True"], fake.student)
    else:
        await fake.slash("topic", {"topic": TOPIC}, fake.student)

    def warned() -> list[logging.LogRecord]:
        return [r for r in caplog.records if "10062" in r.getMessage()]

    await fake.wait_until(lambda: bool(warned()))
    [line] = warned()
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert "\n" not in line.getMessage()
    assert _problems(caplog) == []
    assert [(r.status, r.code) for r in fake.rejections] == [(404, 10062)]


# --- 14. a reveal edit that Discord refuses for a while ----------------------------------------


async def _reveal_retries(bot: TutorBot, predicate: Callable[[list[Timer]], bool]) -> list[Timer]:
    """The pending reveal retries (timer rows), once `predicate` holds for them (5 s at most)."""
    deadline = time.perf_counter() + 5.0
    while True:
        found = [t for t in await bot.services.storage.timers.all() if t.kind == TIMER_REVEAL]
        if predicate(found):
            return found
        if time.perf_counter() > deadline:
            raise AssertionError(f"reveal retries never matched: {found}")
        await asyncio.sleep(0.01)


async def test_a_failed_reveal_edit_is_retried_with_backoff_until_discord_answers(
    small: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake = fake_discord
    await _start(fake, TOPIC, questions=2)
    question = channel_messages(fake)[0]
    label = {"mc": "B", "tf": "True"}.get(kind_of(question))
    if label is not None:
        assert "Locked in" in await click(fake, question, label, fake.student)
    edits = rf"/channels/{fake.channel.id}/messages/{question.id}"
    fault = fake.fail_next("PATCH", edits, times=4, status=503)
    await tick(small, clock, AFTER_DEADLINE)
    delays = []
    for attempt in range(1, 5):

        def served(n: int = attempt) -> bool:
            return fault.served == n

        def retried(timers: list[Timer], n: int = attempt) -> bool:
            return len(timers) == 1 and timers[0].payload["attempt"] == n

        await fake.wait_until(served)
        [timer] = await _reveal_retries(small, retried)
        delays.append(round((timer.due_at - timer.created_at).total_seconds()))
        assert not is_revealed(fake, question)
        if attempt == 1:  # meanwhile the round moves on: the database step did not wait
            await tick(small, clock, NEXT_PAUSE.total_seconds())
            await fake.wait_until(lambda: len(channel_messages(fake)) == 2)
        await tick(small, clock, (timer.due_at - clock()).total_seconds() + 0.1)
    assert delays == [5, 10, 20, 40]  # doubling (at most 5 minutes)
    await fake.wait_until(lambda: is_revealed(fake, question))
    text = message_text(fake.messages[question.id])
    assert "Question 1 of 2" in text and "follows" not in text  # no stale "next question" line
    await _reveal_retries(small, lambda ts: ts == [])
    assert "Question 2 of 2" in message_text(channel_messages(fake)[1])
    assert fake.rejections == []


async def test_a_reveal_retry_stops_when_the_message_is_gone(
    small: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake = fake_discord
    await _start(fake, BASE)
    question = channel_messages(fake)[0]
    edits = rf"/channels/{fake.channel.id}/messages/{question.id}"
    fault = fake.fail_next("PATCH", edits, times=1, status=503)
    await tick(small, clock, AFTER_DEADLINE)
    await fake.wait_until(lambda: fault.served == 1)
    await _reveal_retries(small, lambda ts: len(ts) == 1)
    fake.messages[question.id].deleted = True  # someone deleted the question meanwhile

    sent = len(fake.requests)
    await tick(small, clock, 5.1)
    # The retry's own edit (answered 404): its timer is gone as soon as the retry is queued,
    # before the edit is sent, so the timers alone do not say the edit was made.
    await fake.wait_for_request("PATCH", edits, after=sent)
    await _reveal_retries(small, lambda ts: ts == [])
    shown = [message_text(m) for m in channel_messages(fake)]
    assert not any("Correct answer" in text for text in shown), shown  # not posted anew
    assert [(r.status, r.code) for r in fake.rejections] == [(404, 10008)]


# --- 15. the /round start followup fails -------------------------------------------------------


async def test_the_instructor_learns_the_round_started_when_the_followup_fails(
    small: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    fault = fake.fail_next("POST", r"/webhooks/\d+/[^/]+", times=1, status=503)
    started = await fake.slash(
        "round start", {"topic": TOPIC, "questions": 2, "seconds": SECONDS}, fake.admin
    )
    await fake.wait_until(lambda: fault.served == 1)
    await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
    await fake.wait_until(lambda: "Round started" in _content(started.original))
    seen = [started.original, *fake.followups(started)]
    texts = [m.content for m in seen if m is not None]
    assert all(OOPS not in t for t in texts), texts
    told = fake.original(started)
    assert told.ephemeral
    assert f"<#{fake.channel.id}>" in told.content and "Sky Colours" in told.content
    assert len(await small.services.storage.rounds.running()) == 1
    assert fake.rejections == []


def _content(message: Any) -> str:
    return "" if message is None else str(message.content)


@pytest.mark.parametrize("stored", [None, {}], ids=["null", "empty"])
async def test_a_running_round_without_a_stored_state_does_not_block_its_channel(
    small: TutorBot, fake_discord: FakeDiscord, stored: dict[str, Any] | None
) -> None:
    """A running round whose state was never written (or written empty) cannot go on: the channel
    is not held by it. `/round stop` ends it, and `/round start` then starts a new round."""
    fake = fake_discord
    rounds = small.services.storage.rounds
    await rounds.start(
        guild_id=fake.guild.id,
        channel_id=fake.channel.id,
        host_id=fake.admin.id,
        now=small.services.clock(),
        state=stored,
    )
    stopped = await _private(fake, await fake.slash("round stop", {}, fake.admin))
    assert "no round running" not in stopped
    assert await rounds.running_in(fake.channel.id) is None
    started = await _private(fake, await fake.slash("round start", {"topic": TOPIC}, fake.admin))
    assert "Round started" in started
    assert fake.rejections == []
