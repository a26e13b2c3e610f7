"""What the pictures read: a student's answers per day, and a class's marks on topics.

Both reads stay flat as the database grows. Answers per day are counted inside the student's
days (the UTC instants each starts and ends, `domain/activity.py`) by one query whose every day
is a range of the index `answers_user (user_id, answered_at)`: it reads the student's answers of
those days and nothing older, nothing of anyone else. A class's marks are read by the primary key
of `topic_state` (user, topic), for the students asked only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from tutorbot.storage._time import to_db
from tutorbot.storage.backend import Dialect
from tutorbot.storage.db import Database


@cache
def _per_day(days: int) -> str:
    """Answers and right answers in each of `days` ranges of one student's answers.

    The ranges are a `VALUES` list (columns `column1`..`column3` on both SQLite and PostgreSQL:
    day, start, end); each joins the answers by `answers_user`'s (user_id, answered_at) range."""
    ranges = ", ".join(["(?, ?, ?)"] * days)
    return (
        "SELECT d.column1 AS day, COUNT(a.id) AS answered, COALESCE(SUM(a.correct), 0) AS correct "
        f"FROM (VALUES {ranges}) AS d "
        "JOIN answers AS a ON a.user_id = ? AND a.answered_at >= d.column2 "
        "AND a.answered_at < d.column3 "
        "GROUP BY d.column1"
    )


@cache
def _marks_among(dialect: Dialect) -> str:
    """Every topic some students marked known, mastered or were placed on (one parameter for
    any number of students, as `progress._mastered_among`)."""
    users, _ = dialect.member_of(())
    return (
        "SELECT user_id, topic_id, known_at, mastered_at, placed_at FROM topic_state "
        f"WHERE user_id {users} ORDER BY user_id, topic_id"
    )


@dataclass(frozen=True)
class Marks:
    """What some student showed of topics: marked known, mastered by quiz, placed."""

    marked: frozenset[str] = frozenset()
    mastered: frozenset[str] = frozenset()
    placed: frozenset[str] = frozenset()


class ActivityStore:
    """The reads behind the activity chart and the class at a glance."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def answers_per_day(
        self, user_id: int, days: Sequence[tuple[date, datetime, datetime]]
    ) -> dict[date, tuple[int, int]]:
        """(answered, right) on each of these days (date, start, end as UTC instants) with an
        answer; days without one are left out."""
        if not days:
            return {}
        params: list[object] = []
        for day, start, end in days:
            params += [day.isoformat(), to_db(start), to_db(end)]
        rows = await self._db.fetchall(_per_day(len(days)), [*params, user_id])
        return {
            date.fromisoformat(str(r["day"])): (int(r["answered"]), int(r["correct"])) for r in rows
        }

    async def marks_among(self, user_ids: Iterable[int]) -> dict[int, Marks]:
        """Each of these students' marks, by user id, in one read; students with none are left
        out."""
        dialect = self._db.dialect
        wanted = dialect.member_of(sorted(set(user_ids)))[1]
        found: dict[int, tuple[set[str], set[str], set[str]]] = {}
        for row in await self._db.fetchall(_marks_among(dialect), (wanted,)):
            marked, mastered, placed = found.setdefault(int(row["user_id"]), (set(), set(), set()))
            topic = str(row["topic_id"])
            for column, into in (("known_at", marked), ("mastered_at", mastered)):
                if row[column] is not None:
                    into.add(topic)
            if row["placed_at"] is not None:
                placed.add(topic)
        return {
            user: Marks(frozenset(m), frozenset(s), frozenset(p))
            for user, (m, s, p) in found.items()
        }
