"""`tutorbot healthcheck`: exit 0 when the running bot's heartbeat is fresh, 1 when not."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from tutorbot.health import verdict
from tutorbot.settings import Settings
from tutorbot.storage.meta import HEARTBEAT, heartbeat_key


def run_healthcheck(
    database: Path | str, now: datetime | None = None, *, key: str = HEARTBEAT
) -> int:
    """Print the verdict on the heartbeat under `key` in the SQLite file or PostgreSQL URL, and
    return the exit code Docker's HEALTHCHECK reads."""
    found = verdict(database, now or datetime.now(UTC), key)
    text = f"{'healthy' if found.healthy else 'unhealthy'}: {found.reason}"
    print(text, file=sys.stderr if found.unreadable else sys.stdout)
    return 0 if found.healthy else 1


def healthcheck_of(settings: Settings, now: datetime | None = None) -> int:
    """`run_healthcheck` for the process these settings start: its database (the PostgreSQL URL
    or the SQLite file) and its own heartbeat (its shard ids')."""
    return run_healthcheck(settings.database, now, key=heartbeat_key(settings.shard_ids))
