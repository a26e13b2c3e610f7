"""Small key/value facts about the running bot (command-tree hash, heartbeat)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from tutorbot.storage._time import to_db, utcnow
from tutorbot.storage.db import Database

HEARTBEAT = "heartbeat"


class MetaStore:
    """Strings by key; `heartbeat` for `tutorbot healthcheck` (which reads it with
    `storage.admin.read_heartbeat`, read-only)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> str | None:
        """The value under `key`, or None."""
        row = await self._db.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    async def set(self, key: str, value: str, now: datetime | None = None) -> None:
        """Store `value` under `key`; `now` (default: the real clock) only stamps the row."""
        stamp = to_db(now or utcnow())

        def tx(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) "
                "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (key, value, stamp),
            )

        await self._db.write(tx)

    async def heartbeat(self, now: datetime) -> None:
        """Record that the bot is alive now."""
        await self.set(HEARTBEAT, to_db(now), now)
