"""The name book: a known name costs no write, a burst of new names is a few writes, a rename is
stored, and a forgotten person's pending name is never written."""

from __future__ import annotations

import asyncio
import logging
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tutorbot.services.names import NameBook
from tutorbot.storage import Storage

from .conftest import rows

GUILD = 10


async def _written(storage: Storage) -> object:
    """What any write leaves behind: on SQLite the size of the write-ahead log (every commit
    that changes a page adds to it); on PostgreSQL every row version of `member_names` (a write
    to a row, even of the same values, makes a new version with its own `xmin` and `ctid`)."""
    if storage.db.url is None:
        wal = storage.db.path.with_name(storage.db.path.name + "-wal")
        return wal.stat().st_size if wal.exists() else 0
    versions = "SELECT xmin::text, ctid::text FROM member_names ORDER BY guild_id, user_id"
    return await rows(storage, versions)


async def _names(storage: Storage) -> list[tuple[Any, ...]]:
    return await rows(
        storage, "SELECT guild_id, user_id, name FROM member_names ORDER BY guild_id, user_id"
    )


async def test_a_burst_of_new_names_is_stored_and_known_names_cost_no_write(
    storage: Storage, now: datetime
) -> None:
    book = NameBook(storage.names, lambda: now)
    for user in range(1000):
        book.saw(GUILD, user, f"Student {user}")
    await book.flush()
    assert len(await _names(storage)) == 1000
    assert await book.in_guild(GUILD, [3, 999, 5000]) == {3: "Student 3", 999: "Student 999"}

    before = await _written(storage)
    for _ in range(3):  # the same thousand students click three more times
        for user in range(1000):
            book.saw(GUILD, user, f"Student {user}")
    await book.flush()
    await asyncio.sleep(0.05)
    assert await _written(storage) == before  # nothing was written


async def test_a_new_process_reads_stored_names_and_a_rename_replaces_the_old_one(
    storage: Storage, now: datetime
) -> None:
    first = NameBook(storage.names, lambda: now)
    first.saw(GUILD, 1, "Ana")
    first.saw(GUILD + 1, 1, "Ana B.")  # another server, another name
    await first.flush()
    restarted = NameBook(storage.names, lambda: now)
    assert await restarted.in_guild(GUILD) == {1: "Ana"}
    restarted.saw(GUILD, 1, "Anastasia")
    await restarted.flush()
    assert await _names(storage) == [(GUILD, 1, "Anastasia"), (GUILD + 1, 1, "Ana B.")]


async def test_forget_drops_a_pending_name_before_it_is_written(
    storage: Storage, now: datetime
) -> None:
    book = NameBook(storage.names, lambda: now)
    book.saw(GUILD, 1, "Ana")
    book.saw(GUILD, 2, "Ben")
    book.forget(1)  # same tick: the write has not started yet
    await storage.data_rights.delete_user(1)
    await book.flush()
    assert await _names(storage) == [(GUILD, 2, "Ben")]
    assert await book.in_guild(GUILD) == {2: "Ben"}


@pytest.mark.sqlite_only("a lost database file is SQLite's alone")
async def test_a_lost_database_costs_no_extra_log_line_per_new_name(
    storage: Storage, now: datetime, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    book = NameBook(storage.names, lambda: now)
    shutil.rmtree(db_path.parent)
    with caplog.at_level(logging.WARNING):
        for user in range(3):
            book.saw(GUILD, user, f"Student {user}")
            await book.flush()
    mine = [r for r in caplog.records if r.name == "tutorbot.services.names"]
    assert mine == []  # the storage layer said once that the database is lost
