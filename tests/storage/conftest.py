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


BACKENDS = os.environ.get("TUTORBOT_STORAGE_BACKENDS", "sqlite").split(",")
"""The databases the `storage` fixture runs each test on: an SQLite file, and (with
TUTORBOT_STORAGE_BACKENDS=sqlite,postgresql, while the stores are being ported) a fresh
database on the tests' PostgreSQL server (skipped, saying why, where none can be started)."""


@pytest.fixture(params=BACKENDS)
async def storage(request: pytest.FixtureRequest, db_path: Path) -> AsyncIterator[Storage]:
    target: Path | str = db_path
    if request.param == "postgresql":
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
