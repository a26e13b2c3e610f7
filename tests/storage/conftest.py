from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


async def rows(storage: Storage, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """What `sql` (with `?` placeholders) reads from the database `storage` opened, on either
    backend, as plain tuples (to compare with `==`)."""
    return [tuple(row) for row in await storage.db.fetchall(sql, params)]


def database_of(storage: Storage) -> Path | str:
    """The database `storage` opened as `tests/db_inspect.py` takes it: the SQLite file's path,
    or the PostgreSQL database's URL."""
    return storage.db.path if storage.db.url is None else storage.db.url


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
