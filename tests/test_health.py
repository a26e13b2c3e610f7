"""`tutorbot healthcheck` reads the heartbeat the running bot records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tutorbot.cli.health import run_healthcheck
from tutorbot.storage import open_storage

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "code", "verdict"),
    [(timedelta(seconds=20), 0, "healthy"), (timedelta(minutes=5), 1, "unhealthy")],
)
async def test_fresh_heartbeat_is_healthy_and_a_stale_one_is_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], age: timedelta, code: int, verdict: str
) -> None:
    db = tmp_path / "bot.sqlite3"
    storage = await open_storage(db)
    await storage.meta.heartbeat(NOW - age)
    await storage.close()
    assert run_healthcheck(db, NOW) == code
    assert capsys.readouterr().out.startswith(
        f"{verdict}: last heartbeat {int(age.total_seconds())} s ago"
    )


def test_no_database_is_unhealthy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_healthcheck(tmp_path / "missing.sqlite3", NOW) == 1
    assert "no heartbeat recorded" in capsys.readouterr().out
