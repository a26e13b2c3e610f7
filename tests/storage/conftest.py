from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tutorbot.storage import Storage, open_storage


@pytest.fixture
async def storage(database: Path | str) -> AsyncIterator[Storage]:
    """Storage opened on the test's `database` (tests/conftest.py): each test runs on SQLite
    and on PostgreSQL, unless it is marked `sqlite_only`."""
    opened = await open_storage(database)
    try:
        yield opened
    finally:
        await opened.close()


async def rows(storage: Storage, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """What `sql` (with `?` placeholders) reads from the database `storage` opened, on either
    backend, as plain tuples (to compare with `==`)."""
    return [tuple(row) for row in await storage.db.fetchall(sql, params)]


async def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Poll `condition` every 20 ms until it holds; fail after `timeout` seconds."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition never held")


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
