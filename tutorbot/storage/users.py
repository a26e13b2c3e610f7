"""Users: one row per Discord user the bot holds anything about, created by the write that
first stores something of theirs (display names are in `names.py`; Discord is their source)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from tutorbot.storage._time import to_db


def ensure_user(conn: sqlite3.Connection, user_id: int, now: datetime | str) -> None:
    """Inside a write: make sure the user row exists and mark them seen now (or `to_db(now)`)."""
    stamp = now if isinstance(now, str) else to_db(now)
    conn.execute(
        "INSERT INTO users (id, created_at, last_seen_at) VALUES (?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
        (user_id, stamp, stamp),
    )
