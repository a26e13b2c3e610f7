"""Shared fixtures: the fake Discord that the Discord-side tests run discord.py against, and
the database a test runs on (an SQLite file, or a PostgreSQL database)."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fakediscord import FakeDiscord

if TYPE_CHECKING:  # imported by pytest itself, below, so that its asserts are rewritten
    from pg_server import PgServer

pytest_plugins = ["pg_server"]  # the `pg_server` fixture: a real PostgreSQL for the tests

BACKENDS_ENV = "TUTORBOT_STORAGE_BACKENDS"
BACKENDS = os.environ.get(BACKENDS_ENV, "sqlite,postgresql").split(",")
"""The backends the `database` fixture (and the `storage` and bot fixtures built on it) runs
each test on: an SQLite file, and a database of its own on the tests' PostgreSQL server
(skipped, saying how to enable it, where none can be started). TUTORBOT_STORAGE_BACKENDS=sqlite
runs SQLite alone. A test marked `sqlite_only(reason)` (it reads the SQLite file, or tests what
only SQLite has) runs on SQLite alone; its PostgreSQL run is skipped with the reason."""


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started fake Discord with discord.py pointed at it; stopped and restored after."""
    fake = FakeDiscord()
    await fake.start()
    fake.apply_to_discord_py()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's SQLite database is (TutorBot creates it on first open)."""
    return tmp_path / "data" / "tutorbot.sqlite3"


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Path | str]:
    """The database a test runs on, as `Settings.database` and `open_storage` take it: the
    SQLite file `db_path`, or the URL of a PostgreSQL database holding TutorBot's schema and
    nothing else, the test's own (emptied after it, for a later test). Every open within one
    test (a restart) gets the same one."""
    if request.param != "postgresql":
        yield db_path
        return
    only = request.node.get_closest_marker("sqlite_only")
    if only is not None:
        pytest.skip(f"SQLite only: {only.args[0]}")
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.migrated_database()
    try:
        yield url
    finally:
        server.release_database(url)
