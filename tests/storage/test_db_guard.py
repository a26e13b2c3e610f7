"""Guards around the database file: one bot process at a time (a lock held for the process's
life), and a file deleted or replaced under the open database is noticed before a write is
acknowledged."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tutorbot.storage import Storage
from tutorbot.storage.errors import DatabaseInUseError, DatabaseLostError
from tutorbot.storage.guard import DatabaseLock, lock_path

pytestmark = pytest.mark.sqlite_only("a lost database file and its lock are SQLite's alone")

HOLDER = """
import sys, time
from pathlib import Path
from tutorbot.storage.guard import DatabaseLock

lock = DatabaseLock.acquire(Path(sys.argv[1]))
print("locked", flush=True)
time.sleep(600)
"""


@pytest.fixture
def holder(db_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the database's lock until the test kills it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_a_second_process_is_refused_and_told_who_holds_the_database(
    db_path: Path, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(DatabaseInUseError) as refused:
        DatabaseLock.acquire(db_path)
    message = str(refused.value)
    assert f"pid {holder.pid}" in message
    assert socket.gethostname() in message
    assert "since 20" in message  # the holder's start, as a date
    assert str(db_path) in message
    assert lock_path(db_path) == db_path.with_name(db_path.name + ".lock")


def test_a_sigkilled_holder_does_not_block_the_next_start(
    db_path: Path, holder: subprocess.Popen[str]
) -> None:
    holder.kill()  # SIGKILL: no cleanup runs, the kernel drops the flock
    holder.wait()
    lock = DatabaseLock.acquire(db_path)
    try:
        assert f"{os.getpid()}" in lock_path(db_path).read_text()
    finally:
        lock.release()


def test_releasing_lets_the_next_process_in(db_path: Path) -> None:
    with DatabaseLock.acquire(db_path), pytest.raises(DatabaseInUseError):
        DatabaseLock.acquire(db_path)  # a second open file description conflicts too
    DatabaseLock.acquire(db_path).release()


async def _record(storage: Storage, now: datetime, question_id: str) -> None:
    await storage.answers.record(
        user_id=1,
        guild_id=None,
        topic_id="t",
        question_id=question_id,
        answer="A",
        correct=True,
        seconds=1.0,
        source="quiz",
        points=1,
        now=now,
    )


async def test_a_database_file_replaced_by_another_is_noticed_before_acknowledging(
    storage: Storage, db_path: Path, now: datetime, tmp_path: Path
) -> None:
    await _record(storage, now, "before")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:  # another database, not the one we opened
        conn.execute("CREATE TABLE answers (id INTEGER PRIMARY KEY)")
    conn.close()
    os.replace(other, db_path)

    with pytest.raises(DatabaseLostError) as lost:
        await _record(storage, now, "after")
    assert str(db_path) in str(lost.value)
    with pytest.raises(DatabaseLostError):  # the heartbeat is a write: it finds it too
        await storage.meta.heartbeat(now)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 0


async def test_a_deleted_database_file_fails_every_later_write_without_running_it(
    storage: Storage, db_path: Path, now: datetime
) -> None:
    await _record(storage, now, "before")
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{db_path}{suffix}")
    ran: list[int] = []

    def write(conn: sqlite3.Connection) -> None:
        ran.append(1)

    with pytest.raises(DatabaseLostError):
        await storage.db.write(write)
    assert ran == [1]  # it ran, and was rolled back instead of committed into the unlinked file
    with pytest.raises(DatabaseLostError):
        await storage.db.write(write)
    assert ran == [1]  # once lost, nothing more is run
