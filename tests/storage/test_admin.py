"""`tutorbot db backup` and `tutorbot db check`, run through the real CLI on real files."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from tutorbot.cli import main
from tutorbot.cli.db import run_backup, run_check
from tutorbot.storage import Storage
from tutorbot.storage.admin import check
from tutorbot.storage.migrations import latest_version

pytestmark = pytest.mark.sqlite_only(
    "SQLite's own backup and integrity check (tutorbot db backup/check); PostgreSQL has pg_dump"
)


async def test_backup_taken_during_writes_is_whole_and_passes_check(
    storage: Storage,
    now: datetime,
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stop = asyncio.Event()

    async def writer(user_id: int) -> int:
        n = 0
        while not stop.is_set():
            await storage.answers.record(
                user_id=user_id,
                guild_id=1,
                topic_id="t",
                question_id="q",
                answer="A",
                correct=True,
                seconds=1.0,
                source="quiz",
                points=1,
                now=now,
            )
            n += 1
        return n

    tasks = [asyncio.create_task(writer(u)) for u in range(20)]
    await asyncio.sleep(0.2)
    dest = tmp_path / "backups" / "copy.sqlite3"
    assert await asyncio.to_thread(run_backup, db_path, dest) == 0
    await asyncio.sleep(0.1)
    stop.set()
    written = sum(await asyncio.gather(*tasks))

    assert f"backed up {db_path} to {dest}" in capsys.readouterr().out
    assert run_check(dest) == 0
    assert "integrity: ok" in capsys.readouterr().out
    with sqlite3.connect(dest) as conn:
        copied = conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        totals = conn.execute("SELECT SUM(answered) FROM guild_scores").fetchone()[0]
    assert 0 < copied < written
    assert totals == copied  # one snapshot: answers and running totals agree


async def test_backup_refuses_to_overwrite(
    storage: Storage, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "copy.sqlite3"
    dest.write_text("precious")
    assert run_backup(db_path, dest) == 1
    assert "already exists" in capsys.readouterr().out
    assert dest.read_text() == "precious"


async def test_check_reports_version_and_counts_via_cli(
    storage: Storage,
    now: datetime,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await storage.progress.set_goal(1, "t", now)
    monkeypatch.setenv("TUTORBOT_DB_PATH", str(db_path))
    assert main(["db", "check"]) == 0
    out = capsys.readouterr().out
    assert "integrity: ok" in out
    assert f"schema: version {latest_version()} (latest)" in out
    assert [line.split() for line in out.splitlines() if line.strip().startswith("goals")] == [
        ["goals", "1", "rows"]
    ]


def test_check_missing_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_check(tmp_path / "nope.sqlite3") == 1
    assert "no database at" in capsys.readouterr().out


async def test_check_flags_a_newer_schema(
    storage: Storage, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x')")
    assert run_check(db_path) == 1
    assert "newer than this code" in capsys.readouterr().out


def test_check_a_file_that_is_not_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"not a database at all" * 100)
    assert run_check(path) == 1
    assert "error" in capsys.readouterr().out


async def test_check_counts_a_table_whose_name_has_a_quote(storage: Storage, db_path: Path) -> None:
    """Table names come from the file itself; one with a `"` is quoted, not spliced into SQL."""
    with sqlite3.connect(db_path) as conn:
        conn.execute('CREATE TABLE "odd"" name" (x)')
        conn.execute('INSERT INTO "odd"" name" VALUES (1), (2)')
    assert ('odd" name', 2) in check(db_path).rows
