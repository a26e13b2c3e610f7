"""Due actions (reveal, next question, round end) as rows, so deadlines survive restarts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tutorbot.storage._time import from_db, to_db
from tutorbot.storage.db import Database


@dataclass(frozen=True)
class Timer:
    """One due action: what to do (`kind` and `payload`) and when (`due_at`)."""

    id: int
    kind: str
    due_at: datetime
    payload: dict[str, Any]
    key: str | None
    user_id: int | None
    attempts: int
    created_at: datetime


def _timer(row: sqlite3.Row) -> Timer:
    return Timer(
        id=row["id"],
        kind=row["kind"],
        due_at=from_db(row["due_at"]),
        payload=json.loads(row["payload"]),
        key=row["key"],
        user_id=row["user_id"],
        attempts=row["attempts"],
        created_at=from_db(row["created_at"]),
    )


def _kinds(kinds: Collection[str]) -> tuple[str, list[str]]:
    """The `IN (...)` placeholders and parameters for a set of kinds."""
    ordered = sorted(kinds)
    return ", ".join("?" * len(ordered)), ordered


class TimerStore:
    """The rows behind `tutorbot.scheduler.Scheduler`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any],
        now: datetime,
        *,
        key: str | None = None,
        user_id: int | None = None,
    ) -> Timer:
        """Store a due action; `key` allows cancelling by meaning, `user_id` ties it to a user."""

        def tx(conn: sqlite3.Connection) -> Timer:
            cursor = conn.execute(
                "INSERT INTO timers (kind, due_at, payload, key, user_id, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (kind, to_db(due_at), json.dumps(payload), key, user_id, to_db(now)),
            )
            row = conn.execute("SELECT * FROM timers WHERE id = ?", (cursor.lastrowid,))
            return _timer(row.fetchone())

        return await self._db.write(tx)

    async def next_due(self, kinds: Collection[str]) -> datetime | None:
        """When the earliest timer of these kinds is due, due or not; None if there is none."""
        if not kinds:
            return None
        marks, params = _kinds(kinds)
        row = await self._db.fetchone(
            f"SELECT MIN(due_at) FROM timers WHERE kind IN ({marks})", params
        )
        return None if row is None or row[0] is None else from_db(row[0])

    async def due(self, now: datetime, kinds: Collection[str], limit: int = 100) -> list[Timer]:
        """Timers of these kinds due at `now`, earliest first; other kinds are left alone."""
        if not kinds:
            return []
        marks, params = _kinds(kinds)
        rows = await self._db.fetchall(
            f"SELECT * FROM timers WHERE due_at <= ? AND kind IN ({marks}) "
            "ORDER BY due_at, id LIMIT ?",
            (to_db(now), *params, limit),
        )
        return [_timer(r) for r in rows]

    async def all(self) -> list[Timer]:
        """Every stored timer, earliest first."""
        rows = await self._db.fetchall("SELECT * FROM timers ORDER BY due_at, id")
        return [_timer(r) for r in rows]

    async def delete(self, timer_id: int) -> bool:
        """Remove a timer (fired or cancelled); False if it was already gone."""

        def tx(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM timers WHERE id = ?", (timer_id,)).rowcount > 0

        return await self._db.write(tx)

    async def delete_key(self, key: str) -> int:
        """Remove every timer with this key; returns how many."""

        def tx(conn: sqlite3.Connection) -> int:
            return conn.execute("DELETE FROM timers WHERE key = ?", (key,)).rowcount

        return await self._db.write(tx)

    async def retry_later(self, timer_id: int, due_at: datetime) -> Timer | None:
        """Count a failed attempt and push the timer to `due_at`."""

        def tx(conn: sqlite3.Connection) -> Timer | None:
            conn.execute(
                "UPDATE timers SET attempts = attempts + 1, due_at = ? WHERE id = ?",
                (to_db(due_at), timer_id),
            )
            row = conn.execute("SELECT * FROM timers WHERE id = ?", (timer_id,)).fetchone()
            return None if row is None else _timer(row)

        return await self._db.write(tx)
