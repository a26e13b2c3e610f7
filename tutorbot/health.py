"""Whether the running bot is healthy: its heartbeat, read from the database, is fresh.

Each process of a sharded bot beats under a key of its own (`storage.meta.heartbeat_key`), so a
healthcheck run beside one process judges that process. `tutorbot healthcheck` (in
`tutorbot.cli.health`) prints the verdict and exits with it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import psycopg

from tutorbot.storage.backend import display_url, is_database_url
from tutorbot.storage.meta import HEARTBEAT, read_heartbeat_in

FRESH_FOR = timedelta(seconds=90)
"""Three missed heartbeats (the bot records one every 30 s while connected)."""


@dataclass(frozen=True)
class Verdict:
    """Healthy or not, and why, in the words the admin reads after 'healthy: '/'unhealthy: '."""

    healthy: bool
    reason: str
    unreadable: bool = False
    """The database could not be read at all (an error rather than a verdict)."""


def verdict(database: Path | str, now: datetime, key: str = HEARTBEAT) -> Verdict:
    """Read the last heartbeat under `key` (read-only, never migrating) from the SQLite file or
    the PostgreSQL URL, and judge its age at `now`."""
    if isinstance(database, str) and is_database_url(database):
        where = display_url(database)
    else:
        database = Path(database)
        where = str(database)
        if not database.exists():  # never created, or deleted under the running bot
            return Verdict(False, f"no database at {where}, so no heartbeat recorded (deleted?)")
    try:
        beat = read_heartbeat_in(database, key)
    except (sqlite3.Error, psycopg.Error, ValueError) as exc:
        return Verdict(False, f"cannot read the database {where}: {exc}", unreadable=True)
    whose = "" if key == HEARTBEAT else f" ({key})"
    if beat is None:
        return Verdict(False, f"no heartbeat{whose} recorded in {where} yet")
    age = now - beat
    return Verdict(age <= FRESH_FOR, f"last heartbeat{whose} {int(age.total_seconds())} s ago")
