"""Users: one row per Discord user the bot has seen (no names: Discord is the source of those)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from tutorbot.storage._time import from_db, to_db
from tutorbot.storage.db import Database


@dataclass(frozen=True)
class User:
    id: int
    created_at: datetime
    last_seen_at: datetime


def ensure_user(conn: sqlite3.Connection, user_id: int, now: datetime | str) -> None:
    """Inside a write: make sure the user row exists and mark them seen now (or `to_db(now)`)."""
    stamp = now if isinstance(now, str) else to_db(now)
    conn.execute(
        "INSERT INTO users (id, created_at, last_seen_at) VALUES (?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
        (user_id, stamp, stamp),
    )


def _user(row: sqlite3.Row) -> User:
    return User(row["id"], from_db(row["created_at"]), from_db(row["last_seen_at"]))


class UserStore:
    """Who the bot knows. Other stores create the user row themselves when they write."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def touch(self, user_id: int, now: datetime) -> User:
        """Record that the user was seen now, creating them if new."""

        def tx(conn: sqlite3.Connection) -> User:
            ensure_user(conn, user_id, now)
            row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
            return _user(row)

        return await self._db.write(tx)

    async def get(self, user_id: int) -> User | None:
        """The user, or None if the bot holds nothing about them."""
        row = await self._db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
        return None if row is None else _user(row)
