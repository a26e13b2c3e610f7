"""Every answer a student gave, and the per-server totals behind stats and leaderboards."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal

from tutorbot.storage._time import from_db, to_db
from tutorbot.storage.backend import SQLITE, dialect_of
from tutorbot.storage.db import Database
from tutorbot.storage.memory import PracticeStep, record_practice
from tutorbot.storage.users import ensure_user

AnswerSource = Literal["quiz", "round", "review"]


@dataclass(frozen=True)
class Answer:
    """One answer as stored, from a private quiz or a round; the history /mydata exports."""

    id: int
    user_id: int
    guild_id: int | None
    topic_id: str
    question_id: str
    answer: str
    correct: bool
    seconds: float | None
    source: AnswerSource
    source_id: int | None
    """The quiz session or round id the answer came from."""
    points: int
    answered_at: datetime


@dataclass(frozen=True)
class UserStats:
    """One student's totals over their answers, everywhere or in one server."""

    user_id: int
    answered: int
    correct: int
    points: int
    topics_practised: int

    @property
    def accuracy(self) -> float:
        """Share of answers that were right, 0.0 when nothing was answered."""
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class ScoreRow:
    """A row of guild_scores: a student's totals in one server."""

    user_id: int
    points: int
    answered: int
    correct: int


DIRECT_MESSAGES = 0
"""`topic_scores.place_id` of answers given outside a server (no Discord id is 0)."""


def place_of(guild_id: int | None) -> int:
    """Where an answer counts in `topic_scores`: its server, or `DIRECT_MESSAGES`."""
    return DIRECT_MESSAGES if guild_id is None else guild_id


def _answer(row: Any) -> Answer:
    return Answer(
        id=row["id"],
        user_id=row["user_id"],
        guild_id=row["guild_id"],
        topic_id=row["topic_id"],
        question_id=row["question_id"],
        answer=row["answer"],
        correct=bool(row["correct"]),
        seconds=row["seconds"],
        source=row["source"],
        source_id=row["source_id"],
        points=row["points"],
        answered_at=from_db(row["answered_at"]),
    )


def insert_answer(
    conn: sqlite3.Connection,
    *,
    user_id: int,
    guild_id: int | None,
    topic_id: str,
    question_id: str,
    answer: str,
    correct: bool,
    seconds: float | None,
    source: AnswerSource,
    source_id: int | None,
    points: int,
    now: datetime,
    stamp: str | None = None,
    user_ensured: bool = False,
    practice: PracticeStep | None = None,
) -> Answer:
    """Inside a write: record one answer, add it to the student's counters (`count_answer`),
    so that nothing reads answers back to count them, and write its `practice` (the review of
    the question's memory card, `memory.record_practice`).

    `stamp` is `to_db(now)` when the caller already has it, and `user_ensured` says the caller
    already ran `ensure_user` in this write (both keep the writer thread short).
    """
    stamp = to_db(now) if stamp is None else stamp
    if not user_ensured:
        ensure_user(conn, user_id, stamp)
    inserted = conn.execute(
        "INSERT INTO answers (user_id, guild_id, topic_id, question_id, answer, correct, "
        "seconds, source, source_id, points, answered_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            user_id,
            guild_id,
            topic_id,
            question_id,
            answer,
            int(correct),
            seconds,
            source,
            source_id,
            points,
            stamp,
        ),
    )
    # SQLite: the id now, which finishes the INSERT (a write statement left open slows every
    # later one). PostgreSQL: last, as in its pipelined batch the reply then comes with the
    # practice's reads instead of costing a round trip of its own.
    answer_id = inserted.fetchone()[0] if dialect_of(conn) is SQLITE else None
    count_answer(conn, user_id, guild_id, topic_id, answered=1, correct=int(correct), points=points)
    if practice is not None:
        record_practice(conn, user_id, practice)
    return Answer(
        inserted.fetchone()[0] if answer_id is None else answer_id,
        user_id,
        guild_id,
        topic_id,
        question_id,
        answer,
        bool(correct),
        seconds,
        source,
        source_id,
        points,
        now.astimezone(UTC),
    )


def count_answer(
    conn: sqlite3.Connection,
    user_id: int,
    guild_id: int | None,
    topic_id: str,
    *,
    answered: int,
    correct: int,
    points: int,
) -> None:
    """Inside a write: add to the student's counters: per topic and place (`topic_scores`, what
    /stats reads) and, in a server, the server's totals (`guild_scores`, the leaderboard). A
    new answer adds `answered=1`; a later judgement of it adds its credit and points only."""
    conn.execute(
        "INSERT INTO topic_scores (user_id, place_id, topic_id, answered, correct, points) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, place_id, topic_id) DO UPDATE SET "
        "answered = topic_scores.answered + excluded.answered, "
        "correct = topic_scores.correct + excluded.correct, "
        "points = topic_scores.points + excluded.points",
        (user_id, place_of(guild_id), topic_id, answered, correct, points),
    )
    if guild_id is not None:
        conn.execute(
            "INSERT INTO guild_scores (guild_id, user_id, points, answered, correct) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
            "points = guild_scores.points + excluded.points, "
            "answered = guild_scores.answered + excluded.answered, "
            "correct = guild_scores.correct + excluded.correct",
            (guild_id, user_id, points, answered, correct),
        )


class AnswerStore:
    """Recording answers (acknowledged only once committed) and reading them back as stats."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        *,
        user_id: int,
        guild_id: int | None,
        topic_id: str,
        question_id: str,
        answer: str,
        correct: bool,
        seconds: float | None,
        source: AnswerSource,
        now: datetime,
        source_id: int | None = None,
        points: int = 0,
        practice: PracticeStep | None = None,
    ) -> Answer:
        """Record one answer, with its review of the question's memory card (`practice`);
        returns after it is durably committed."""
        # A partial, not a closure: a burst keeps thousands of writes pending, and a closure's
        # dozen cells each are what the garbage collector then walks again and again.
        return await self._db.write(
            partial(
                insert_answer,
                user_id=user_id,
                guild_id=guild_id,
                topic_id=topic_id,
                question_id=question_id,
                answer=answer,
                correct=correct,
                seconds=seconds,
                source=source,
                source_id=source_id,
                points=points,
                now=now,
                stamp=to_db(now),
                practice=practice,
            )
        )

    async def recent(self, user_id: int, limit: int = 20) -> list[Answer]:
        """The user's latest answers, newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM answers WHERE user_id = ? ORDER BY answered_at DESC, id DESC LIMIT ?",
            (user_id, limit),
        )
        return [_answer(r) for r in rows]

    async def user_stats(self, user_id: int, guild_id: int | None = None) -> UserStats:
        """Totals for one user: everywhere, or only in one server when `guild_id` is given.

        Read from the per-topic counters, so the cost grows with the topics the student
        practised, not with their answers."""
        where, params = "user_id = ?", [user_id]
        if guild_id is not None:
            where += " AND place_id = ?"
            params.append(guild_id)
        [row] = await self._db.fetchall(  # an aggregate without GROUP BY: always one row
            # CAST: PostgreSQL sums BIGINTs as NUMERIC (read as Decimal); SQLite as INTEGER
            "SELECT CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, "
            "CAST(COALESCE(SUM(correct), 0) AS BIGINT) AS correct, "
            "CAST(COALESCE(SUM(points), 0) AS BIGINT) AS points, "
            "COUNT(DISTINCT topic_id) AS topics "
            f"FROM topic_scores WHERE {where}",
            params,
        )
        return UserStats(user_id, row["answered"], row["correct"], row["points"], row["topics"])

    async def top_scores(self, guild_id: int, limit: int) -> list[ScoreRow]:
        """The server's best `limit` students, best first by `domain.standings.ranked`'s order
        (points, then right answers, then user id): read along the `guild_scores_rank` index,
        so the cost does not grow with the server."""
        rows = await self._db.fetchall(
            "SELECT user_id, points, answered, correct FROM guild_scores WHERE guild_id = ? "
            "ORDER BY points DESC, correct DESC, user_id LIMIT ?",
            (guild_id, limit),
        )
        return [ScoreRow(r["user_id"], r["points"], r["answered"], r["correct"]) for r in rows]

    async def score_of(self, guild_id: int, user_id: int) -> tuple[ScoreRow, int] | None:
        """A student's totals in a server and how many students are strictly ahead of them
        (more points, or as many points and more right answers); None if they never answered
        there."""
        row = await self._db.fetchone(
            "SELECT user_id, points, answered, correct, (SELECT COUNT(*) FROM guild_scores AS o "
            "WHERE o.guild_id = s.guild_id AND (o.points > s.points OR "
            "(o.points = s.points AND o.correct > s.correct))) AS ahead "
            "FROM guild_scores AS s WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        if row is None:
            return None
        return ScoreRow(row["user_id"], row["points"], row["answered"], row["correct"]), row[
            "ahead"
        ]
