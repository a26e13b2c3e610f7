"""`tutorbot healthcheck`: exit 0 when the running bot's heartbeat is fresh, 1 when not."""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tutorbot.storage.admin import read_heartbeat

FRESH_FOR = timedelta(seconds=90)
"""Three missed heartbeats (the bot records one every 30 s while connected)."""


def run_healthcheck(db_path: Path, now: datetime | None = None) -> int:
    """Print the verdict and return the exit code Docker's HEALTHCHECK reads."""
    now = now or datetime.now(UTC)
    if not db_path.exists():  # never created, or deleted under the running bot
        print(f"unhealthy: no database at {db_path}, so no heartbeat recorded (deleted?)")
        return 1
    try:
        beat = read_heartbeat(db_path)
    except (sqlite3.Error, ValueError) as exc:
        print(f"unhealthy: cannot read the database {db_path}: {exc}", file=sys.stderr)
        return 1
    if beat is None:
        print(f"unhealthy: no heartbeat recorded in {db_path} yet")
        return 1
    age = now - beat
    if age > FRESH_FOR:
        print(f"unhealthy: last heartbeat {int(age.total_seconds())} s ago")
        return 1
    print(f"healthy: last heartbeat {int(age.total_seconds())} s ago")
    return 0
