"""Small key/value facts about the running bot (command-tree hash, heartbeat)."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from datetime import datetime
from pathlib import Path

from tutorbot.storage._time import from_db, to_db, utcnow
from tutorbot.storage.backend import PgConn, is_database_url
from tutorbot.storage.db import BUSY_TIMEOUT_MS, Database

HEARTBEAT = "heartbeat"
"""The heartbeat's key for a process that runs every shard."""


def heartbeat_key(shard_ids: Collection[int] | None) -> str:
    """Whose heartbeat: `heartbeat` for a process running every shard, `heartbeat:0,1` for the
    process running shards 0 and 1 (each process of a sharded bot beats on its own)."""
    if shard_ids is None:
        return HEARTBEAT
    return f"{HEARTBEAT}:{','.join(str(i) for i in sorted(shard_ids))}"


def read_heartbeat_in(database: Path | str, key: str = HEARTBEAT) -> datetime | None:
    """The heartbeat under `key` (`heartbeat_key`) in the SQLite file or PostgreSQL database
    (a URL), read on a connection of its own, read-only and without migrating, for
    `tutorbot healthcheck` beside the bot; None if none yet. Raises `sqlite3.Error` or psycopg's
    errors when the database cannot be read."""
    if isinstance(database, str) and is_database_url(database):
        return _read_pg(database, key)
    path = Path(database)
    if not path.exists():
        return None
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None  # a database from before the meta table
        raise
    finally:
        conn.close()
    return from_db(row[0]) if row else None


HEALTH_CONNECT_SECONDS = 10
"""How long the healthcheck waits for PostgreSQL to answer (unless the URL says)."""


def _read_pg(url: str, key: str) -> datetime | None:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    if "connect_timeout" not in conninfo_to_dict(url):
        url = make_conninfo(url, connect_timeout=HEALTH_CONNECT_SECONDS)
    conn = PgConn.connect(url)
    try:
        table = conn.execute("SELECT to_regclass('meta') AS found").fetchone()
        if table is None or table["found"] is None:
            return None  # a database TutorBot never started on
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    finally:
        conn.close()
    return from_db(row["value"]) if row else None


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

    async def heartbeat(self, now: datetime, key: str = HEARTBEAT) -> None:
        """Record that the bot (the process beating under `key`, see `heartbeat_key`) is alive
        now."""
        await self.set(key, to_db(now), now)
