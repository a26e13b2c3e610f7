"""The daily question's store on both backends: settings, a day posted once, the cycle, one
answer per person per day, the question's and the reveal's message ids, closing, due reviews
per question, and /forgetme."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta

from tutorbot.storage import Storage
from tutorbot.storage._time import to_db
from tutorbot.storage.daily import DailyAnswer, DailyPost, DailySettings
from tutorbot.storage.timers import StepTimer
from tutorbot.storage.users import ensure_user

from .conftest import rows

GUILD, OTHER_GUILD, CHANNEL = 1001, 1002, 2001
ANNA, BEN = 11, 12


def _settings(**changes: object) -> DailySettings:
    values: dict[str, object] = {
        "guild_id": GUILD,
        "channel_id": CHANNEL,
        "post_at": "09:00",
        "timezone": "Europe/Paris",
        "scope_kind": "topic",
        "scope": "fractions",
        "reveal_hours": None,
        "active": True,
    }
    values.update(changes)
    return DailySettings(**values)  # type: ignore[arg-type]


def _post(now: datetime, day: str, question: str = "q1", cycle: int = 1) -> DailyPost:
    return DailyPost(GUILD, day, CHANNEL, cycle, "fractions", question, "{}", None, now, None, None)


async def test_settings_are_stored_replaced_and_turned_off_with_a_reason(
    storage: Storage, now: datetime
) -> None:
    store = storage.daily
    assert await store.settings(GUILD) is None
    await store.put_settings(_settings(), now)
    assert await store.settings(GUILD) == _settings()
    await store.put_settings(_settings(post_at="18:30", scope_kind="all", scope=None), now)
    assert (await store.settings(GUILD)) == _settings(post_at="18:30", scope_kind="all", scope=None)
    assert await store.turn_off(GUILD, now, "channel_gone")
    assert not await store.turn_off(GUILD, now, "channel_gone")  # already off
    stopped = await store.settings(GUILD)
    assert stopped is not None and not stopped.active
    assert (stopped.stopped_reason, stopped.stopped_at) == ("channel_gone", now)
    await store.clear_notice(GUILD)
    cleared = await store.settings(GUILD)
    assert cleared is not None and cleared.stopped_reason is None
    await store.put_settings(_settings(), now)  # set again: on, no notice
    assert await store.settings(GUILD) == _settings()


async def test_a_day_is_claimed_once_and_the_cycle_lists_its_questions(
    storage: Storage, now: datetime
) -> None:
    store = storage.daily
    assert await store.cycle(GUILD) == (0, [])
    assert await store.claim_post(_post(now, "2026-11-29", "q1")) == []
    assert await store.claim_post(_post(now, "2026-11-29", "q2")) is None  # the day has its own
    assert await store.claim_post(_post(now, "2026-11-30", "q2")) == []
    assert await store.claim_post(_post(now, "2026-12-01", "q1", cycle=2)) == []
    cycle, seen = await store.cycle(GUILD)
    assert (cycle, seen) == (2, [("fractions", "q1")])
    post = await store.post(GUILD, "2026-11-29")
    assert post is not None and post.question_id == "q1" and post.message_id is None
    await store.set_message(GUILD, "2026-11-29", 5555)
    assert await store.post(GUILD, "2026-11-29") == replace(post, message_id=5555)
    assert post.reveal_message_id is None
    await store.set_reveal_message(GUILD, "2026-11-29", 2**62 + 7)  # a Discord id's size
    assert await store.post(GUILD, "2026-11-29") == replace(
        post, message_id=5555, reveal_message_id=2**62 + 7
    )
    latest = await store.latest(GUILD)
    assert latest is not None and latest.day == "2026-12-01"
    assert await store.recent_days(GUILD) == ["2026-12-01", "2026-11-30", "2026-11-29"]
    assert await store.latest(OTHER_GUILD) is None


async def test_one_answer_per_person_per_day_and_none_once_revealed(
    storage: Storage, now: datetime
) -> None:
    store = storage.daily
    day = "2026-11-29"
    assert not await store.add_answer(GUILD, day, DailyAnswer(ANNA, "B", True, now))  # no post
    await store.claim_post(_post(now, day))
    assert await store.add_answer(GUILD, day, DailyAnswer(ANNA, "B", True, now))
    assert not await store.add_answer(GUILD, day, DailyAnswer(ANNA, "C", False, now))
    assert await store.answer_of(GUILD, day, ANNA) == DailyAnswer(ANNA, "B", True, now)
    assert await store.add_answer(GUILD, day, DailyAnswer(BEN, "C", False, now))
    assert await store.answer_count(GUILD, day) == 2
    assert sorted(await store.answers(GUILD, day)) == [("B", True), ("C", False)]
    assert [p.day for p in await store.unrevealed_before(GUILD, "2026-11-30")] == [day]
    show = StepTimer("daily.reveal", now, {"day": day, "show": True}, "k", "me", now)
    held = await store.close(GUILD, day, now, show)
    assert held is not None
    assert await store.close(GUILD, day, now, show) is None  # once, and no second timer
    [timer] = await storage.timers.all()
    assert (timer.id, timer.claimed_by, timer.guild_id) == (held, "me", GUILD)
    assert await store.unrevealed_before(GUILD, "2026-11-30") == []
    late = DailyAnswer(12345, "A", False, now)
    assert not await store.add_answer(GUILD, day, late)  # closed
    assert await store.answers_since(GUILD, day) == {ANNA: {day: True}, BEN: {day: False}}
    assert await store.totals(GUILD) == {ANNA: (1, 1), BEN: (1, 0)}
    assert await store.totals(OTHER_GUILD) == {}


async def test_due_counts_cover_the_servers_members_only(storage: Storage, now: datetime) -> None:
    store = storage.daily
    await storage.names.remember({(GUILD, ANNA): "anna", (OTHER_GUILD, BEN): "ben"}, now)
    due = now - timedelta(days=1)

    def seed(conn: sqlite3.Connection) -> None:
        for user in (ANNA, BEN):
            ensure_user(conn, user, now)
            conn.execute(
                "INSERT INTO memory_cards (user_id, topic_id, question_id, state, due) "
                "VALUES (?, 'fractions', 'q1', 2, ?)",
                (user, to_db(due)),
            )

    await storage.db.write(seed)
    assert await store.due_counts(GUILD, now) == {("fractions", "q1"): 1}
    assert await store.due_counts(GUILD, due - timedelta(seconds=1)) == {}


async def test_forgetme_removes_a_persons_daily_answers_and_nothing_else(
    storage: Storage, now: datetime
) -> None:
    store = storage.daily
    day = "2026-11-29"
    await store.claim_post(_post(now, day))
    await store.add_answer(GUILD, day, DailyAnswer(ANNA, "B", True, now))
    await store.add_answer(GUILD, day, DailyAnswer(BEN, "C", False, now))
    exported = await storage.data_rights.export_user(ANNA)
    assert [a["answer"] for a in exported["daily_answers"]] == ["B"]
    removed = await storage.data_rights.delete_user(ANNA)
    assert removed["daily_answers"] == 1
    assert await rows(storage, "SELECT user_id FROM daily_answers") == [(BEN,)]
    assert await store.post(GUILD, day) is not None


async def test_a_day_and_its_held_timers_are_one_write_and_an_unsent_day_can_be_forgotten(
    storage: Storage, now: datetime
) -> None:
    store = storage.daily
    lease = now + timedelta(seconds=30)
    held = StepTimer("daily.publish", now, {"day": "2026-11-29"}, "k", "me", lease)
    reveal = StepTimer("daily.reveal", now + timedelta(hours=2), {"day": "2026-11-29"})
    ids = await store.claim_post(_post(now, "2026-11-29"), [held, reveal])
    assert ids is not None and len(ids) == 2
    timers = {t.id: t for t in await storage.timers.all()}
    assert (timers[ids[0]].claimed_by, timers[ids[0]].lease_until) == ("me", lease)
    assert (timers[ids[1]].claimed_by, timers[ids[1]].guild_id) == (None, GUILD)
    assert await store.claim_post(_post(now, "2026-11-29"), [held]) is None
    assert len(await storage.timers.all()) == 2  # a day refused stores no timer
    await store.claim_post(_post(now, "2026-11-30"))
    await store.claim_post(_post(now, "2026-12-01"))
    await store.set_message(GUILD, "2026-11-30", 5555)
    assert await store.add_answer(GUILD, "2026-12-01", DailyAnswer(ANNA, "1", True, now))
    assert await store.forget_unsent(GUILD, "2026-11-29")
    assert not await store.forget_unsent(GUILD, "2026-11-30")  # shown: kept
    assert not await store.forget_unsent(GUILD, "2026-12-01")  # answered: kept
    assert await store.recent_days(GUILD) == ["2026-12-01", "2026-11-30"]
