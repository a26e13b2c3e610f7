"""Memory cards and their reviews (migration 0010): what spaced review reads and writes.

The rules (FSRS, implicit credit) are the domain's; storage reads the cards an answer touches and
writes what the rules decided, inside the answer's own write (`record_practice`), so a review
is committed with the answer the student was told about, or not at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Protocol

from tutorbot.storage._time import from_db, opt_from_db, opt_to_db, to_db
from tutorbot.storage.backend import Dialect, dialect_of
from tutorbot.storage.db import Database


@dataclass(frozen=True, slots=True)
class CardRow:
    """One row of memory_cards (fields as domain.memory.MemoryCard names them)."""

    topic_id: str
    question_id: str
    due: datetime
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    last_review: datetime | None
    reps: int
    lapses: int
    credit: float


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One row of memory_reviews: an answer, or implicit credit with its weight."""

    topic_id: str
    question_id: str
    rating: int
    source: str
    weight: float
    reviewed_at: datetime


@dataclass(frozen=True)
class PracticeWrites:
    """What an answer's review writes: cards, review rows, and the local day it counts for."""

    cards: Sequence[CardRow]
    reviews: Sequence[ReviewRow]
    day: str | None
    """The student's local date (YYYY-MM-DD) to count in review_days, or None."""


class PracticeStep(Protocol):
    """An answer's review, decided by the rules from the cards storage reads for it."""

    @property
    def topic_id(self) -> str:
        """The answered question's topic."""

    @property
    def question_id(self) -> str:
        """The answered question."""

    @property
    def credit_topics(self) -> Sequence[str]:
        """Topics whose cards may take implicit credit."""

    @property
    def credit_before(self) -> datetime:
        """Of those, only cards due before this are read."""

    @property
    def lapse_topics(self) -> Sequence[str]:
        """Topics whose cards the answer may make due now."""

    def decide(
        self,
        answered: CardRow | None,
        credited: list[CardRow],
        lapsed: list[CardRow],
        timezone: str | None,
    ) -> PracticeWrites:
        """The writes, from the answered question's card (None for a first answer), the
        credit topics' cards due before `credit_before`, the lapse topics' cards, and the
        student's time zone (None: UTC)."""


_COLUMNS = (
    "topic_id, question_id, due, state, step, stability, difficulty, last_review, reps, "
    "lapses, credit"
)


def _card(row: Any) -> CardRow:
    return CardRow(
        topic_id=row["topic_id"],
        question_id=row["question_id"],
        due=from_db(row["due"]),
        state=row["state"],
        step=row["step"],
        stability=row["stability"],
        difficulty=row["difficulty"],
        last_review=opt_from_db(row["last_review"]),
        reps=row["reps"],
        lapses=row["lapses"],
        credit=row["credit"],
    )


@cache
def _of_topics(dialect: Dialect) -> str:
    """The SELECT of a student's cards of some topics (`user_id` and `member_of` bound)."""
    topics, _ = dialect.member_of(())
    return f"SELECT {_COLUMNS} FROM memory_cards WHERE user_id = ? AND topic_id {topics}"


@cache
def _of_pairs(dialect: Dialect) -> str:
    """The SELECT of a student's cards of some (topic id, question id) pairs (`user_id` and
    `pairs_in` bound)."""
    pairs, _ = dialect.pairs_in(())
    return (
        f"SELECT {_COLUMNS} FROM memory_cards WHERE user_id = ? AND (topic_id, question_id) {pairs}"
    )


def record_practice(conn: sqlite3.Connection, user_id: int, step: PracticeStep) -> None:
    """Inside an answer's write (the user row exists): read the cards `step` names, let it
    decide, and write its cards, review rows and day."""
    answered, credited, lapsed, zone = _practice_reads(conn, user_id, step)
    writes = step.decide(answered, credited, lapsed, zone)
    _write(conn, user_id, writes)


_ANSWERED, _CREDITED, _LAPSED, _ZONE = range(4)
"""Which of `_practice_reads`' parts a row belongs to (its first column)."""


def _practice_reads(
    conn: sqlite3.Connection, user_id: int, step: PracticeStep
) -> tuple[CardRow | None, list[CardRow], list[CardRow], str | None]:
    """The answered question's card, the credit topics' cards due before `credit_before`, the
    lapse topics' cards, and the student's time zone: in one statement (a UNION ALL, a part
    per read), as each statement in an answer's write is a round trip on PostgreSQL."""
    dialect = dialect_of(conn)
    topics, _ = dialect.member_of(())

    def cards(part: int, where: str) -> str:
        return (
            f"SELECT {part} AS part, {_COLUMNS}, NULL AS timezone FROM memory_cards "
            f"WHERE user_id = ? AND {where}"
        )

    parts = [cards(_ANSWERED, "topic_id = ? AND question_id = ?")]
    params: list[object] = [user_id, step.topic_id, step.question_id]
    if step.credit_topics:
        parts.append(cards(_CREDITED, f"topic_id {topics} AND due <= ?"))
        params += [user_id, dialect.member_of(step.credit_topics)[1], to_db(step.credit_before)]
    if step.lapse_topics:
        parts.append(cards(_LAPSED, f"topic_id {topics}"))
        params += [user_id, dialect.member_of(step.lapse_topics)[1]]
    no_card = ", ".join(["NULL"] * len(_COLUMNS.split(",")))
    parts.append(f"SELECT {_ZONE}, {no_card}, timezone FROM review_settings WHERE user_id = ?")
    params.append(user_id)
    found: dict[int, list[Any]] = {_ANSWERED: [], _CREDITED: [], _LAPSED: [], _ZONE: []}
    for row in conn.execute(" UNION ALL ".join(parts), params):
        found[row["part"]].append(row)
    answered = found[_ANSWERED][0] if found[_ANSWERED] else None
    return (
        None if answered is None else _card(answered),
        [_card(r) for r in found[_CREDITED]],
        [_card(r) for r in found[_LAPSED]],
        found[_ZONE][0]["timezone"] if found[_ZONE] else None,
    )


INSERT_CARD = (
    f"INSERT INTO memory_cards (user_id, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
)
"""The INSERT of one card, its values as `card_values` gives them; an ON CONFLICT clause
follows."""
UPDATE_CARD = (
    "ON CONFLICT (user_id, topic_id, question_id) DO UPDATE SET due = excluded.due, "
    "state = excluded.state, step = excluded.step, stability = excluded.stability, "
    "difficulty = excluded.difficulty, last_review = excluded.last_review, "
    "reps = excluded.reps, lapses = excluded.lapses, credit = excluded.credit "
)
"""The ON CONFLICT clause that writes the new card over the stored one."""


def card_values(user_id: int, c: CardRow) -> tuple[object, ...]:
    """The values of `INSERT_CARD` for one card."""
    return (
        user_id,
        c.topic_id,
        c.question_id,
        to_db(c.due),
        c.state,
        c.step,
        c.stability,
        c.difficulty,
        opt_to_db(c.last_review),
        c.reps,
        c.lapses,
        c.credit,
    )


def add_new_cards(conn: sqlite3.Connection, user_id: int, cards: Sequence[CardRow]) -> None:
    """Inside a write: these cards, without review rows (no answer was given), for the
    questions that have none yet; a card already there (a concurrent answer's) is kept."""
    conn.executemany(
        INSERT_CARD + "ON CONFLICT (user_id, topic_id, question_id) DO NOTHING",
        [card_values(user_id, c) for c in cards],
    )


def _write(conn: sqlite3.Connection, user_id: int, writes: PracticeWrites) -> None:
    conn.executemany(INSERT_CARD + UPDATE_CARD, [card_values(user_id, c) for c in writes.cards])
    conn.executemany(
        "INSERT INTO memory_reviews (user_id, topic_id, question_id, rating, source, weight, "
        "reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (user_id, r.topic_id, r.question_id, r.rating, r.source, r.weight, to_db(r.reviewed_at))
            for r in writes.reviews
        ],
    )
    if writes.day is not None:
        conn.execute(
            "INSERT INTO review_days (user_id, day, reviews) VALUES (?, ?, 1) "
            "ON CONFLICT (user_id, day) DO UPDATE SET reviews = review_days.reviews + 1",
            (user_id, writes.day),
        )


@dataclass(frozen=True)
class DueCards:
    """A student's cards due by some time (in due order), and how many there are in all."""

    cards: list[CardRow]
    total: int


class MemoryStore:
    """Reads of a student's memory cards and reviews; writes go through `record_practice`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def due(self, user_id: int, until: datetime, limit: int) -> DueCards:
        """The student's cards due by `until`, the `limit` most overdue first (due order), and
        how many are due in all (counted only when there are more than `limit`)."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM memory_cards WHERE user_id = ? AND due <= ? "
            "ORDER BY due LIMIT ?",
            (user_id, to_db(until), limit),
        )
        total = len(rows) if len(rows) < limit else await self._due_total(user_id, until)
        return DueCards([_card(r) for r in rows], total)

    async def due_keys(
        self, user_id: int, until: datetime, limit: int
    ) -> tuple[list[tuple[str, str]], int]:
        """Which questions are due by `until` (the `limit` most overdue, as (topic id, question
        id)) and how many are due in all: `due` without decoding the cards, for a count."""
        rows = await self._db.fetchall(
            "SELECT topic_id, question_id FROM memory_cards WHERE user_id = ? AND due <= ? "
            "ORDER BY due LIMIT ?",
            (user_id, to_db(until), limit),
        )
        total = len(rows) if len(rows) < limit else await self._due_total(user_id, until)
        return [(r["topic_id"], r["question_id"]) for r in rows], total

    async def _due_total(self, user_id: int, until: datetime) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM memory_cards WHERE user_id = ? AND due <= ?",
            (user_id, to_db(until)),
        )
        return 0 if row is None else int(row["n"])

    async def cards(self, user_id: int, keys: Iterable[tuple[str, str]]) -> list[CardRow]:
        """The student's cards of these (topic id, question id) pairs (those that exist)."""
        dialect = self._db.dialect
        rows = await self._db.fetchall(_of_pairs(dialect), (user_id, dialect.pairs_in(keys)[1]))
        return [_card(r) for r in rows]

    async def cards_of_topics(self, user_id: int, topics: Sequence[str]) -> list[CardRow]:
        """The student's cards of these topics."""
        dialect = self._db.dialect
        rows = await self._db.fetchall(_of_topics(dialect), (user_id, dialect.member_of(topics)[1]))
        return [_card(r) for r in rows]

    async def next_due(self, user_id: int, after: datetime | None = None) -> datetime | None:
        """When the student's next card comes due (the first due later than `after`, if given),
        or None without such a card. Without `after` it may be a card long due: one whose
        question left the content, or one past today's limit."""
        sql = "SELECT MIN(due) AS due FROM memory_cards WHERE user_id = ?"
        params: tuple[object, ...] = (user_id,)
        if after is not None:
            sql += " AND due > ?"
            params = (user_id, to_db(after))
        row = await self._db.fetchone(sql, params)
        return None if row is None else opt_from_db(row["due"])

    async def reviews_since(self, user_id: int, since: datetime, source: str) -> int:
        """How many reviews from `source` the student made since `since`."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM memory_reviews WHERE user_id = ? AND reviewed_at >= ? "
            "AND source = ?",
            (user_id, to_db(since), source),
        )
        return 0 if row is None else int(row["n"])

    async def recent_days(self, user_id: int, limit: int) -> list[str]:
        """The newest local days (YYYY-MM-DD) on which the student answered anything."""
        rows = await self._db.fetchall(
            "SELECT day FROM review_days WHERE user_id = ? ORDER BY day DESC LIMIT ?",
            (user_id, limit),
        )
        return [r["day"] for r in rows]
