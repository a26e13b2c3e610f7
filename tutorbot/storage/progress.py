"""Per-user topic state (marked known, mastered by quiz, placed by a placement) and the one goal
a student may set."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Literal

from tutorbot.storage._time import from_db, opt_from_db, to_db
from tutorbot.storage.backend import Dialect
from tutorbot.storage.db import Database
from tutorbot.storage.users import ensure_user


@dataclass(frozen=True)
class TopicState:
    """What one student has shown of one topic: marked known, mastered in a quiz, known by their
    latest placement, or several of these."""

    user_id: int
    topic_id: str
    known_at: datetime | None
    """When the student said "I know this"."""
    mastered_at: datetime | None
    """When a quiz showed it."""
    updated_at: datetime
    placed_at: datetime | None = None
    """When the student's latest placement found they know it (migration 0011)."""


@dataclass(frozen=True)
class Goal:
    """The topic a student is aiming for (one at a time)."""

    user_id: int
    topic_id: str
    set_at: datetime


def _state(row: Any) -> TopicState:
    return TopicState(
        row["user_id"],
        row["topic_id"],
        opt_from_db(row["known_at"]),
        opt_from_db(row["mastered_at"]),
        from_db(row["updated_at"]),
        opt_from_db(row["placed_at"]),
    )


_SELECT_ONE = "SELECT * FROM topic_state WHERE user_id = ? AND topic_id = ?"


@cache
def _mastered_among(dialect: Dialect) -> str:
    """The topics some students mastered. The ids travel as one parameter (`member_of`), so any
    number of students is one query (no limit on SQL parameters to chunk around)."""
    users, _ = dialect.member_of(())
    return (
        "SELECT user_id, topic_id FROM topic_state WHERE mastered_at IS NOT NULL "
        f"AND user_id {users} ORDER BY user_id, topic_id"
    )


StampColumn = Literal["known_at", "mastered_at"]


def upsert_topic_state(
    conn: sqlite3.Connection, column: StampColumn, user_id: int, topic_id: str, now: datetime
) -> TopicState:
    """Inside a write: stamp `known_at` or `mastered_at` (keeping the first time)."""
    if column not in ("known_at", "mastered_at"):  # it is written into the SQL below
        raise ValueError(f"not a topic_state stamp column: {column!r}")
    ensure_user(conn, user_id, now)
    stamp = to_db(now)
    conn.execute(
        f"INSERT INTO topic_state (user_id, topic_id, {column}, updated_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (user_id, topic_id) DO UPDATE SET "
        f"{column} = COALESCE(topic_state.{column}, excluded.{column}), "
        "updated_at = excluded.updated_at",
        (user_id, topic_id, stamp, stamp),
    )
    return _state(conn.execute(_SELECT_ONE, (user_id, topic_id)).fetchone())


def replace_placed(
    conn: sqlite3.Connection, user_id: int, topic_ids: Sequence[str], now: datetime
) -> None:
    """Inside a write: the student's placement marks become exactly `topic_ids`, stamped `now`
    (earlier placement marks cleared; "I know this" and mastery untouched)."""
    ensure_user(conn, user_id, now)
    stamp = to_db(now)
    conn.execute(
        "UPDATE topic_state SET placed_at = NULL, updated_at = ? "
        "WHERE user_id = ? AND placed_at IS NOT NULL",
        (stamp, user_id),
    )
    conn.executemany(
        "INSERT INTO topic_state (user_id, topic_id, placed_at, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (user_id, topic_id) DO UPDATE SET placed_at = excluded.placed_at, "
        "updated_at = excluded.updated_at",
        [(user_id, topic_id, stamp, stamp) for topic_id in topic_ids],
    )


class ProgressStore:
    """Topic state and goals. Marking twice keeps the first time."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def _upsert(
        self, column: StampColumn, user_id: int, topic_id: str, now: datetime
    ) -> TopicState:
        return await self._db.write(
            lambda conn: upsert_topic_state(conn, column, user_id, topic_id, now)
        )

    async def mark_known(self, user_id: int, topic_id: str, now: datetime) -> TopicState:
        """The student pressed "I know this"."""
        return await self._upsert("known_at", user_id, topic_id, now)

    async def unmark_known(self, user_id: int, topic_id: str, now: datetime) -> TopicState | None:
        """Undo "I know this" (mastery stays: it was earned)."""

        def tx(conn: sqlite3.Connection) -> TopicState | None:
            conn.execute(
                "UPDATE topic_state SET known_at = NULL, updated_at = ? "
                "WHERE user_id = ? AND topic_id = ?",
                (to_db(now), user_id, topic_id),
            )
            row = conn.execute(_SELECT_ONE, (user_id, topic_id)).fetchone()
            return None if row is None else _state(row)

        return await self._db.write(tx)

    async def get(self, user_id: int, topic_id: str) -> TopicState | None:
        """One topic's state for one user."""
        row = await self._db.fetchone(_SELECT_ONE, (user_id, topic_id))
        return None if row is None else _state(row)

    async def all_for(self, user_id: int) -> list[TopicState]:
        """Every topic the user has a state for, by topic id."""
        rows = await self._db.fetchall(
            "SELECT * FROM topic_state WHERE user_id = ? ORDER BY topic_id", (user_id,)
        )
        return [_state(r) for r in rows]

    async def mastered_among(self, user_ids: Iterable[int]) -> dict[int, frozenset[str]]:
        """The topics each of these users mastered in a quiz, by user id, in one read; users who
        mastered nothing are left out."""
        dialect = self._db.dialect
        wanted = dialect.member_of(sorted(set(user_ids)))[1]
        found: dict[int, set[str]] = {}
        for row in await self._db.fetchall(_mastered_among(dialect), (wanted,)):
            found.setdefault(int(row["user_id"]), set()).add(str(row["topic_id"]))
        return {user: frozenset(topics) for user, topics in found.items()}

    async def set_goal(self, user_id: int, topic_id: str, now: datetime) -> Goal:
        """Set (or replace) the user's goal."""

        def tx(conn: sqlite3.Connection) -> Goal:
            ensure_user(conn, user_id, now)
            conn.execute(
                "INSERT INTO goals (user_id, topic_id, set_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET topic_id = excluded.topic_id, "
                "set_at = excluded.set_at",
                (user_id, topic_id, to_db(now)),
            )
            return Goal(user_id, topic_id, from_db(to_db(now)))

        return await self._db.write(tx)

    async def clear_goal(self, user_id: int) -> bool:
        """Remove the goal; False if there was none."""

        def tx(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM goals WHERE user_id = ?", (user_id,)).rowcount > 0

        return await self._db.write(tx)

    async def get_goal(self, user_id: int) -> Goal | None:
        """The user's goal, if set."""
        row = await self._db.fetchone("SELECT * FROM goals WHERE user_id = ?", (user_id,))
        return (
            None if row is None else Goal(row["user_id"], row["topic_id"], from_db(row["set_at"]))
        )
