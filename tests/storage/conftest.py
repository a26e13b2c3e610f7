from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tutorbot.storage import Storage, open_storage


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "tutorbot.sqlite3"


BACKENDS = os.environ.get("TUTORBOT_STORAGE_BACKENDS", "sqlite,postgresql").split(",")
"""The databases the `storage` fixture runs each test on: an SQLite file, and a fresh database
on the tests' PostgreSQL server (skipped, saying how to enable it, where none can be started;
TUTORBOT_STORAGE_BACKENDS=sqlite runs SQLite alone). A test marked `sqlite_only` (it reads the
SQLite file, or tests what only SQLite has) runs on SQLite alone."""


@pytest.fixture(params=BACKENDS)
async def storage(request: pytest.FixtureRequest, db_path: Path) -> AsyncIterator[Storage]:
    target: Path | str = db_path
    if request.param == "postgresql":
        only = request.node.get_closest_marker("sqlite_only")
        if only is not None:
            pytest.skip(f"SQLite only: {only.args[0]}")
        target = request.getfixturevalue("pg_server").fresh_database()
    opened = await open_storage(target)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def now() -> datetime:
    return datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    """A clock a test sets and moves (`clock.now += timedelta(...)`)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(now: datetime) -> Clock:
    return Clock(now)
