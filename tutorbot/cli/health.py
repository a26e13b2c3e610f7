"""`tutorbot healthcheck`: exit 0 when the running bot's heartbeat is fresh, 1 when not."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from tutorbot.health import verdict


def run_healthcheck(db_path: Path, now: datetime | None = None) -> int:
    """Print the verdict and return the exit code Docker's HEALTHCHECK reads."""
    found = verdict(db_path, now or datetime.now(UTC))
    text = f"{'healthy' if found.healthy else 'unhealthy'}: {found.reason}"
    print(text, file=sys.stderr if found.unreadable else sys.stdout)
    return 0 if found.healthy else 1
