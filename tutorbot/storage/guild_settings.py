"""Per-server settings: the instructor role and the defaults for new rounds."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tutorbot.storage._time import to_db
from tutorbot.storage._unset import UNSET, Unset
from tutorbot.storage.db import Database

DEFAULT_ROUND_QUESTIONS = 10
DEFAULT_ROUND_SECONDS = 20
DEFAULT_ROUND_SCORING = "speed"


@dataclass(frozen=True)
class GuildSettings:
    """A server's instructor role and round defaults, with the defaults where no admin set one."""

    guild_id: int
    instructor_role_id: int | None = None
    round_questions: int = DEFAULT_ROUND_QUESTIONS
    round_seconds: int = DEFAULT_ROUND_SECONDS
    round_scoring: str = DEFAULT_ROUND_SCORING


def _settings(guild_id: int, row: Any) -> GuildSettings:
    if row is None:
        return GuildSettings(guild_id)
    return GuildSettings(
        guild_id,
        row["instructor_role_id"],
        row["round_questions"] if row["round_questions"] is not None else DEFAULT_ROUND_QUESTIONS,
        row["round_seconds"] if row["round_seconds"] is not None else DEFAULT_ROUND_SECONDS,
        row["round_scoring"] if row["round_scoring"] is not None else DEFAULT_ROUND_SCORING,
    )


_SELECT = "SELECT * FROM guild_settings WHERE guild_id = ?"


class GuildSettingsStore:
    """A server without a row gets the defaults; only what an admin changed is stored."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, guild_id: int) -> GuildSettings:
        """The server's settings (all defaults for a server no admin configured)."""
        return _settings(guild_id, await self._db.fetchone(_SELECT, (guild_id,)))

    async def update(
        self,
        guild_id: int,
        *,
        now: datetime,
        instructor_role_id: int | Unset | None = UNSET,
        round_questions: int | Unset | None = UNSET,
        round_seconds: int | Unset | None = UNSET,
        round_scoring: str | Unset | None = UNSET,
    ) -> GuildSettings:
        """Change some settings; None puts one back to its default."""
        changes: dict[str, Any] = {
            name: value
            for name, value in (
                ("instructor_role_id", instructor_role_id),
                ("round_questions", round_questions),
                ("round_seconds", round_seconds),
                ("round_scoring", round_scoring),
            )
            if not isinstance(value, Unset)
        }

        def tx(conn: sqlite3.Connection) -> GuildSettings:
            conn.execute(
                "INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, ?) "
                "ON CONFLICT (guild_id) DO UPDATE SET updated_at = excluded.updated_at",
                (guild_id, to_db(now)),
            )
            for column, value in changes.items():
                conn.execute(
                    f"UPDATE guild_settings SET {column} = ? WHERE guild_id = ?", (value, guild_id)
                )
            return _settings(guild_id, conn.execute(_SELECT, (guild_id,)).fetchone())

        return await self._db.write(tx)
