"""Whether the running bot is healthy: its heartbeat, read from the database, is fresh.

`tutorbot healthcheck` (in `tutorbot.cli.health`) prints the verdict and exits with it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from tutorbot.storage.admin import read_heartbeat

FRESH_FOR = timedelta(seconds=90)
"""Three missed heartbeats (the bot records one every 30 s while connected)."""


@dataclass(frozen=True)
class Verdict:
    """Healthy or not, and why, in the words the admin reads after 'healthy: '/'unhealthy: '."""

    healthy: bool
    reason: str
    unreadable: bool = False
    """The database could not be read at all (an error rather than a verdict)."""


def verdict(db_path: Path, now: datetime) -> Verdict:
    """Read the last heartbeat (read-only, never migrating) and judge its age at `now`."""
    if not db_path.exists():  # never created, or deleted under the running bot
        return Verdict(False, f"no database at {db_path}, so no heartbeat recorded (deleted?)")
    try:
        beat = read_heartbeat(db_path)
    except (sqlite3.Error, ValueError) as exc:
        return Verdict(False, f"cannot read the database {db_path}: {exc}", unreadable=True)
    if beat is None:
        return Verdict(False, f"no heartbeat recorded in {db_path} yet")
    age = now - beat
    return Verdict(age <= FRESH_FOR, f"last heartbeat {int(age.total_seconds())} s ago")
