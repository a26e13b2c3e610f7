"""The reads behind the pictures: answers per day in a student's own days, a class's marks, and
the plan that keeps answers per day flat as answers grow."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tutorbot.domain.activity import activity, window
from tutorbot.storage import Storage
from tutorbot.storage.activity import ActivityStore, Marks, _per_day
from tutorbot.storage.db import analyze
from tutorbot.storage.progress import upsert_topic_state

NOW = datetime(2025, 3, 30, 12, 0, tzinfo=UTC)
"""Noon UTC on the day Europe/Paris moves its clocks forward (a 23-hour day there)."""


async def _answer(storage: Storage, user: int, at: datetime, correct: bool = True) -> None:
    await storage.answers.record(
        user_id=user,
        guild_id=None,
        topic_id="t",
        question_id="q",
        answer="B",
        correct=correct,
        seconds=1.0,
        source="quiz",
        now=at,
    )


async def _per_day_in(storage: Storage, user: int, zone: str) -> dict[date, tuple[int, int]]:
    days = window(NOW, ZoneInfo(zone))
    found = await ActivityStore(storage.db).answers_per_day(
        user, [(d.day, d.start, d.end) for d in days]
    )
    counted = activity(days, found, zone)
    return {d.day: (d.answered, d.correct) for d in counted.days if d.answered}


async def test_answers_fall_on_the_students_own_days(storage: Storage) -> None:
    late_evening = datetime(2025, 3, 28, 23, 30, tzinfo=UTC)  # 29 March after midnight in Paris
    await _answer(storage, 1, late_evening)
    await _answer(storage, 1, late_evening + timedelta(minutes=10), correct=False)
    await _answer(storage, 1, datetime(2025, 3, 30, 0, 30, tzinfo=UTC))  # 01:30 in Paris
    await _answer(storage, 1, datetime(2025, 3, 30, 11, 30, tzinfo=UTC))  # 04:30 in Los Angeles
    await _answer(storage, 2, late_evening)  # someone else

    assert await _per_day_in(storage, 1, "UTC") == {
        date(2025, 3, 28): (2, 1),
        date(2025, 3, 30): (2, 2),
    }
    assert await _per_day_in(storage, 1, "Europe/Paris") == {
        date(2025, 3, 29): (2, 1),
        date(2025, 3, 30): (2, 2),
    }
    assert await _per_day_in(storage, 1, "America/Los_Angeles") == {
        date(2025, 3, 28): (2, 1),
        date(2025, 3, 29): (1, 1),  # 17:30 on the 29th there
        date(2025, 3, 30): (1, 1),
    }


async def test_only_the_last_thirty_days_count(storage: Storage) -> None:
    await _answer(storage, 1, NOW - timedelta(days=31))
    await _answer(storage, 1, NOW - timedelta(days=29, hours=11))  # the window's first day
    assert await _per_day_in(storage, 1, "UTC") == {date(2025, 3, 1): (1, 1)}


async def test_a_student_without_answers_has_no_days(storage: Storage) -> None:
    assert await _per_day_in(storage, 1, "Asia/Kathmandu") == {}


async def test_a_class_s_marks_are_read_for_the_students_asked(storage: Storage) -> None:
    progress = storage.progress
    await progress.mark_known(1, "a", NOW)
    await progress.mark_known(1, "b", NOW)
    await storage.db.write(lambda conn: upsert_topic_state(conn, "mastered_at", 1, "b", NOW))
    await progress.mark_known(3, "c", NOW)
    found = await ActivityStore(storage.db).marks_among([1, 2])
    assert found == {1: Marks(marked=frozenset({"a", "b"}), mastered=frozenset({"b"}))}


@pytest.mark.sqlite_only("reads SQLite's EXPLAIN QUERY PLAN")
async def test_answers_per_day_searches_the_students_index_range(storage: Storage) -> None:
    for n in range(200):
        await _answer(storage, 1 + n % 20, NOW - timedelta(hours=n))
    await storage.db.write(analyze)
    conn = sqlite3.connect(storage.db.path)
    try:
        params = [x for d in range(30) for x in (f"2025-03-{d + 1:02d}", "a", "b")] + [1]
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {_per_day(30)}", params)]
    finally:
        conn.close()
    answers = [step for step in plan if " a " in f"{step} "]
    assert answers == [
        "SEARCH a USING INDEX answers_user (user_id=? AND answered_at>? AND answered_at<?)"
    ], plan
    assert not any(step.startswith("SCAN a") for step in plan), plan
