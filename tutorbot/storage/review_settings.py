"""A student's review settings (migration 0010): daily limit, time zone and daily reminder."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tutorbot.storage._time import opt_from_db, to_db
from tutorbot.storage._unset import UNSET, Unset
from tutorbot.storage.db import Database
from tutorbot.storage.users import ensure_user


@dataclass(frozen=True)
class ReviewSettings:
    """One student's settings; None where they chose nothing (the service supplies defaults)."""

    user_id: int
    daily_limit: int | None = None
    timezone: str | None = None
    """An IANA name; None means UTC."""
    remind_at: str | None = None
    """'HH:MM' in `timezone` while reminders are on; None when they are off."""
    reminded_on: str | None = None
    """The local day (YYYY-MM-DD) of the last reminder sent."""
    dm_closed_at: datetime | None = None
    """When reminders turned themselves off because Discord refused the direct message; cleared
    once the student has been told."""


def _settings(user_id: int, row: Any) -> ReviewSettings:
    if row is None:
        return ReviewSettings(user_id)
    return ReviewSettings(
        user_id,
        row["daily_limit"],
        row["timezone"],
        row["remind_at"],
        row["reminded_on"],
        opt_from_db(row["dm_closed_at"]),
    )


_SELECT = "SELECT * FROM review_settings WHERE user_id = ?"


class ReviewSettingsStore:
    """A student without a row has every default; a row holds only what they changed."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> ReviewSettings:
        """The student's settings."""
        return _settings(user_id, await self._db.fetchone(_SELECT, (user_id,)))

    async def update(
        self,
        user_id: int,
        *,
        now: datetime,
        daily_limit: int | Unset | None = UNSET,
        timezone: str | Unset | None = UNSET,
        remind_at: str | Unset | None = UNSET,
        dm_closed_at: datetime | Unset | None = UNSET,
    ) -> ReviewSettings:
        """Change the given settings (None clears one) and return them all."""
        changes: dict[str, Any] = {}
        if not isinstance(daily_limit, Unset):
            changes["daily_limit"] = daily_limit
        if not isinstance(timezone, Unset):
            changes["timezone"] = timezone
        if not isinstance(remind_at, Unset):
            changes["remind_at"] = remind_at
        if not isinstance(dm_closed_at, Unset):
            changes["dm_closed_at"] = None if dm_closed_at is None else to_db(dm_closed_at)
        stamp = to_db(now)
        columns = ", ".join(changes)
        marks = ", ".join("?" for _ in changes)
        sets = ", ".join(f"{c} = excluded.{c}" for c in (*changes, "updated_at"))

        def tx(conn: sqlite3.Connection) -> ReviewSettings:
            ensure_user(conn, user_id, stamp)
            conn.execute(
                f"INSERT INTO review_settings (user_id, {columns}{', ' if changes else ''}"
                f"updated_at) VALUES (?, {marks}{', ' if changes else ''}?) "
                f"ON CONFLICT (user_id) DO UPDATE SET {sets}",
                (user_id, *changes.values(), stamp),
            )
            return _settings(user_id, conn.execute(_SELECT, (user_id,)).fetchone())

        return await self._db.write(tx)

    async def claim_reminder(self, user_id: int, remind_at: str, day: str) -> bool:
        """Mark today's reminder as sent, once: True if this call claimed `day` (reminders still
        on at `remind_at`, none sent that day), False if it was already sent or turned off.
        Claimed before sending, so a crash can lose one reminder but never send two."""

        def tx(conn: sqlite3.Connection) -> bool:
            return (
                conn.execute(
                    "UPDATE review_settings SET reminded_on = ? WHERE user_id = ? "
                    "AND remind_at = ? AND (reminded_on IS NULL OR reminded_on <> ?)",
                    (day, user_id, remind_at, day),
                ).rowcount
                == 1
            )

        return await self._db.write(tx)
