"""Display names seen in servers: one row per (server, person), kept for rendering after a restart.

Discord stays the source of names; this is the last one the bot saw, so a podium or a CSV written
after a restart (or by another process) shows names, not ids.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache

from tutorbot.storage._time import to_db
from tutorbot.storage.backend import Dialect
from tutorbot.storage.db import Database

MAX_NAME = 100
"""Characters kept of a name (Discord's display names are at most 32)."""

_REMEMBER = (
    "INSERT INTO member_names (guild_id, user_id, name, seen_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (guild_id, user_id) DO UPDATE SET name = excluded.name, "
    "seen_at = excluded.seen_at WHERE member_names.name IS DISTINCT FROM excluded.name"
)


@cache
def _some(dialect: Dialect) -> str:
    """The names of some people in one server (`guild_id` and `member_of` bound)."""
    users, _ = dialect.member_of(())
    return f"SELECT user_id, name FROM member_names WHERE guild_id = ? AND user_id {users}"


_ALL = "SELECT user_id, name FROM member_names WHERE guild_id = ?"


class NameStore:
    """The `member_names` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def remember(self, names: Mapping[tuple[int, int], str], now: datetime) -> None:
        """Store names keyed by (guild id, user id), in one write; unchanged names stay as they
        are (their row is not rewritten)."""
        stamp = to_db(now)
        rows = [(g, u, name[:MAX_NAME], stamp) for (g, u), name in names.items()]

        def tx(conn: sqlite3.Connection) -> None:
            conn.executemany(_REMEMBER, rows)

        if rows:
            await self._db.write(tx)

    async def in_guild(
        self, guild_id: int, user_ids: Iterable[int] | None = None
    ) -> dict[int, str]:
        """Stored names by user id in one server: of `user_ids`, or of everyone when None."""
        if user_ids is None:
            rows = await self._db.fetchall(_ALL, (guild_id,))
        else:
            dialect = self._db.dialect
            wanted = dialect.member_of(sorted(set(user_ids)))[1]
            rows = await self._db.fetchall(_some(dialect), (guild_id, wanted))
        return {int(r["user_id"]): str(r["name"]) for r in rows}
