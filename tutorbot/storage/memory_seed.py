"""Replaying the answers given before migration 0010 into memory cards: its reads and writes.

Migration 0010 noted in `meta` the last answer id of that time (`SEED_UNTIL`). The replay
(`services/memory.py` decides what each answer does) reads those answers in (student, answered
at, id) order a few hundred at a time, on a snapshot connection of its own, and writes each batch
in one short write together with the place it reached (`SEEDED_THROUGH`). A restart resumes
after the last batch written, so no answer is replayed twice; the write checks that the stored
place is still the one the batch started from, so two processes never both replay a batch. The
last write deletes both keys.

A card the replay writes for the first time is inserted only if no live answer made one meanwhile
(the live card wins); a card the replay wrote before is updated only while it is still exactly as
the replay left it (a live answer since then wins too).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from tutorbot.storage._time import from_db, opt_to_db, to_db
from tutorbot.storage.backend import dialect_of
from tutorbot.storage.db import Database
from tutorbot.storage.memory import INSERT_CARD, UPDATE_CARD, CardRow, ReviewRow, card_values

SEED_UNTIL = "memory_seed_until"
"""meta key: the last answer id to replay (written by migration 0010)."""
SEEDED_THROUGH = "memory_seeded_through"
"""meta key: the place (`SeedPlace.text`) of the last answer replayed and written."""

_ANSWER_COLUMNS = "id, user_id, topic_id, question_id, correct, points, source, answered_at"


@dataclass(frozen=True, slots=True, order=True)
class SeedPlace:
    """A place in the replay's order: a student, then the time and id of one of their answers."""

    user_id: int
    stamp: str
    """The answer's answered_at, as stored."""
    answer_id: int

    def text(self) -> str:
        """The place as `meta` keeps it."""
        return json.dumps([self.user_id, self.stamp, self.answer_id])

    @classmethod
    def parse(cls, text: str) -> SeedPlace:
        """The place `text` wrote."""
        user_id, stamp, answer_id = json.loads(text)
        return cls(int(user_id), str(stamp), int(answer_id))


_BEFORE_ALL = SeedPlace(-(2**63), "", -(2**63))


@dataclass(frozen=True, slots=True)
class HistoryAnswer:
    """An answer as the replay reads it."""

    id: int
    user_id: int
    topic_id: str
    question_id: str
    correct: bool
    points: int
    source: str
    stamp: str
    """answered_at, as stored."""

    @property
    def answered_at(self) -> datetime:
        """When the answer was given."""
        return from_db(self.stamp)

    @property
    def place(self) -> SeedPlace:
        """This answer's place in the replay's order."""
        return SeedPlace(self.user_id, self.stamp, self.id)


def _history(row: tuple[int, int, str, str, int, int, str, str]) -> HistoryAnswer:
    answer_id, user_id, topic_id, question_id, correct, points, source, stamp = row
    return HistoryAnswer(
        answer_id, user_id, topic_id, question_id, bool(correct), points, source, stamp
    )


@dataclass(frozen=True)
class SeedPlan:
    """What is left to replay: answers up to id `until`, after `after` (None: from the start)."""

    until: int
    after: SeedPlace | None


@dataclass(frozen=True, slots=True)
class SeededCard:
    """A card the replay writes for a student."""

    user_id: int
    card: CardRow
    replaces: CardRow | None
    """The card as the replay last wrote it (None: it never did). A stored card that differs
    from it was made or changed by a live answer, and is kept as it is."""


@dataclass(frozen=True)
class SeedBatch:
    """One write of the replay: its cards, review rows and days, and the place it reaches."""

    after: SeedPlace | None
    """Where the batch starts: the stored place must still be this one."""
    through: SeedPlace
    cards: Sequence[SeededCard]
    reviews: Sequence[tuple[int, ReviewRow]]
    """(user id, review row) per answer replayed."""
    days: Mapping[tuple[int, str], int]
    """(user id, YYYY-MM-DD) -> answers given that day."""


@dataclass(frozen=True)
class SeedWritten:
    """What a batch write did: the cards it created, and those a live answer had made first."""

    created: int
    kept: int


class MemorySeed:
    """The replay's reads (on snapshot connections) and its batch writes."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def plan(self) -> SeedPlan | None:
        """What is left to replay, or None when nothing is (a new database, or done)."""
        rows = await self._db.fetchall(
            "SELECT key, value FROM meta WHERE key IN (?, ?)", (SEED_UNTIL, SEEDED_THROUGH)
        )
        values = {r["key"]: r["value"] for r in rows}
        until = int(values.get(SEED_UNTIL) or 0)
        if until <= 0:
            return None
        through = values.get(SEEDED_THROUGH)
        return SeedPlan(until, None if through is None else SeedPlace.parse(through))

    async def answers_after(
        self, until: int, after: SeedPlace | None, limit: int
    ) -> list[HistoryAnswer]:
        """The next `limit` answers with ids up to `until`, in replay order, after `after`."""
        start = after or _BEFORE_ALL

        def read(conn: sqlite3.Connection) -> list[HistoryAnswer]:
            rows = conn.execute(
                f"SELECT {_ANSWER_COLUMNS} FROM answers "
                "WHERE (user_id, answered_at, id) > (?, ?, ?) AND id <= ? "
                "ORDER BY user_id, answered_at, id LIMIT ?",
                (start.user_id, start.stamp, start.answer_id, until, limit),
            )
            return [_history(tuple(r)) for r in rows]

        return await self._db.read_snapshot(read)

    async def answers_through(self, until: int, through: SeedPlace) -> list[HistoryAnswer]:
        """The student's answers with ids up to `until`, in replay order, up to `through`
        (to rebuild their cards when resuming in the middle of their history)."""

        def read(conn: sqlite3.Connection) -> list[HistoryAnswer]:
            rows = conn.execute(
                f"SELECT {_ANSWER_COLUMNS} FROM answers "
                "WHERE user_id = ? AND (answered_at, id) <= (?, ?) AND id <= ? "
                "ORDER BY answered_at, id",
                (through.user_id, through.stamp, through.answer_id, until),
            )
            return [_history(tuple(r)) for r in rows]

        return await self._db.read_snapshot(read)

    async def write(self, batch: SeedBatch, now: datetime) -> SeedWritten | None:
        """Write a batch and the place it reaches, in one write; None (nothing written) when
        the stored place is no longer `batch.after`: another process replays, or finished."""
        stamp = to_db(now)

        def tx(conn: sqlite3.Connection) -> SeedWritten | None:
            if not _still_at(conn, batch.after):
                return None
            users = _existing_users(conn, {u for u, _ in batch.reviews})
            written = _write_cards(conn, [c for c in batch.cards if c.user_id in users])
            _write_reviews(conn, [r for r in batch.reviews if r[0] in users])
            _write_days(conn, {k: n for k, n in batch.days.items() if k[0] in users})
            conn.execute(
                "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) "
                "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (SEEDED_THROUGH, batch.through.text(), stamp),
            )
            return written

        return await self._db.write(tx)

    async def finish(self, after: SeedPlace | None) -> bool:
        """Mark the replay done (delete its keys) if the stored place is still `after`;
        whether it was."""

        def tx(conn: sqlite3.Connection) -> bool:
            if not _still_at(conn, after):
                return False
            conn.execute("DELETE FROM meta WHERE key IN (?, ?)", (SEED_UNTIL, SEEDED_THROUGH))
            return True

        return await self._db.write(tx)


_HOLD_THE_REPLAY = {
    "sqlite": None,
    "postgresql": "SELECT 1 FROM meta WHERE key = ? FOR UPDATE",
}
"""What keeps two processes' batch writes from both passing `_still_at` at once. SQLite has one
writer at a time. On PostgreSQL the second waits on the lock of `SEED_UNTIL`'s row until the
first commits, and the next statement then reads the place that first one wrote."""


def _still_at(conn: sqlite3.Connection, after: SeedPlace | None) -> bool:
    """Whether the replay is not done and its stored place is `after` (the replay held by this
    write until it commits)."""
    hold = _HOLD_THE_REPLAY[dialect_of(conn).name]
    if hold is not None:
        conn.execute(hold, (SEED_UNTIL,))
    rows = conn.execute(
        "SELECT key, value FROM meta WHERE key IN (?, ?)", (SEED_UNTIL, SEEDED_THROUGH)
    ).fetchall()
    values = {r["key"]: r["value"] for r in rows}
    if SEED_UNTIL not in values:
        return False
    return values.get(SEEDED_THROUGH) == (None if after is None else after.text())


_EXISTING_USERS = {
    # CROSS JOIN keeps json_each outside: one primary-key lookup per student, whatever the
    # planner thinks of the size of `users`.
    "sqlite": (
        "SELECT users.id FROM json_each(?) AS wanted CROSS JOIN users ON users.id = wanted.value"
    ),
    "postgresql": "SELECT id FROM users WHERE id = ANY(?)",
}
"""Those of a list of user ids (one parameter, as `Dialect.member_of` binds it) still stored."""


def _existing_users(conn: sqlite3.Connection, users: set[int]) -> set[int]:
    """Those of `users` still stored (a student who used /forgetme meanwhile is not)."""
    dialect = dialect_of(conn)
    wanted = dialect.member_of(sorted(users))[1]
    rows = conn.execute(_EXISTING_USERS[dialect.name], (wanted,))
    return {r[0] for r in rows}


_CREATE_CARD = INSERT_CARD + "ON CONFLICT (user_id, topic_id, question_id) DO NOTHING"
_REPLACE_CARD = (
    INSERT_CARD
    + UPDATE_CARD
    + "WHERE memory_cards.due = ? AND memory_cards.last_review IS NOT DISTINCT FROM ? "
    "AND memory_cards.reps = ? "
    "AND memory_cards.credit = ?"
)


def _write_cards(conn: sqlite3.Connection, cards: Sequence[SeededCard]) -> SeedWritten:
    """Create the new cards no live answer made first; update the replay's own cards that no
    live answer changed since."""
    new = [card_values(c.user_id, c.card) for c in cards if c.replaces is None]
    created = conn.executemany(_CREATE_CARD, new).rowcount if new else 0
    again = [
        (
            *card_values(c.user_id, c.card),
            to_db(c.replaces.due),
            opt_to_db(c.replaces.last_review),
            c.replaces.reps,
            c.replaces.credit,
        )
        for c in cards
        if c.replaces is not None
    ]
    if again:
        conn.executemany(_REPLACE_CARD, again)
    return SeedWritten(created, len(new) - created)


def _write_reviews(conn: sqlite3.Connection, reviews: Sequence[tuple[int, ReviewRow]]) -> None:
    conn.executemany(
        "INSERT INTO memory_reviews (user_id, topic_id, question_id, rating, source, weight, "
        "reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (u, r.topic_id, r.question_id, r.rating, r.source, r.weight, to_db(r.reviewed_at))
            for u, r in reviews
        ],
    )


def _write_days(conn: sqlite3.Connection, days: Mapping[tuple[int, str], int]) -> None:
    conn.executemany(
        "INSERT INTO review_days (user_id, day, reviews) VALUES (?, ?, ?) "
        "ON CONFLICT (user_id, day) DO UPDATE SET "
        "reviews = review_days.reviews + excluded.reviews",
        [(u, day, n) for (u, day), n in days.items()],
    )
