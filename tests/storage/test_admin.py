"""`tutorbot db backup` and `tutorbot db check`, run through the real CLI on real databases
(SQLite files, and PostgreSQL where the `storage` fixture runs a test on both)."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from pg_server import PgServer

from tutorbot.cli import main
from tutorbot.cli.db import run_backup, run_check
from tutorbot.storage import Storage, open_storage
from tutorbot.storage.admin import check, find_pg_dump
from tutorbot.storage.migrations import latest_version

SQLITE_BACKUP = "SQLite's online backup and integrity check; PostgreSQL's pg_dump is tested below"


def _database(storage: Storage) -> Path | str:
    """What `tutorbot db` is pointed at: the PostgreSQL URL, or the SQLite file."""
    return storage.db.url or storage.db.path


def _point_settings_at(storage: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings' database, as TUTORBOT_DATABASE_URL or TUTORBOT_DB_PATH say."""
    monkeypatch.delenv("TUTORBOT_DATABASE_URL", raising=False)
    if storage.db.url is not None:
        monkeypatch.setenv("TUTORBOT_DATABASE_URL", storage.db.url)
    else:
        monkeypatch.setenv("TUTORBOT_DB_PATH", str(storage.db.path))


@pytest.mark.sqlite_only(SQLITE_BACKUP)
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
    storage: Storage, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "copy.sqlite3"
    dest.write_text("precious")
    assert run_backup(_database(storage), dest) == 1
    assert "already exists" in capsys.readouterr().out
    assert dest.read_text() == "precious"


async def test_check_reports_version_and_counts_via_cli(
    storage: Storage,
    now: datetime,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await storage.progress.set_goal(1, "t", now)
    _point_settings_at(storage, monkeypatch)
    assert main(["db", "check"]) == 0
    out = capsys.readouterr().out
    if storage.db.url is None:
        assert "integrity: ok" in out
    else:
        assert out.startswith("server: PostgreSQL 1")
        assert "integrity" not in out
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
    storage: Storage, capsys: pytest.CaptureFixture[str]
) -> None:
    await storage.db.write(
        lambda conn: conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x')")
    )
    assert run_check(_database(storage)) == 1
    assert "newer than this code" in capsys.readouterr().out


def test_check_a_file_that_is_not_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"not a database at all" * 100)
    assert run_check(path) == 1
    assert "error" in capsys.readouterr().out


async def test_check_counts_a_table_whose_name_has_a_quote(storage: Storage) -> None:
    """Table names come from the database itself; one with a `"` is quoted, not spliced in."""

    def odd_table(conn: sqlite3.Connection) -> None:
        conn.execute('CREATE TABLE "odd"" name" (x BIGINT)')
        conn.execute('INSERT INTO "odd"" name" VALUES (1), (2)')

    await storage.db.write(odd_table)
    assert ('odd" name', 2) in check(_database(storage)).rows


def test_check_an_unreachable_postgresql_is_a_clear_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_check("postgresql://someone:hunter2@127.0.0.1:1/nothing") == 1
    out = capsys.readouterr().out
    assert "cannot connect to postgresql://someone@127.0.0.1:1/nothing" in out
    assert "hunter2" not in out


async def test_pg_dump_backup_lists_the_tables_with_pg_restore(
    pg_server: PgServer,
    now: datetime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pg_dump = find_pg_dump()
    if pg_dump is None:
        pytest.skip("no pg_dump here: install postgresql-client to test PostgreSQL backups")
    url = pg_server.fresh_database()
    storage = await open_storage(url)
    try:
        await storage.progress.set_goal(1, "t", now)
        _point_settings_at(storage, monkeypatch)
        dest = tmp_path / "dumps" / "tutorbot.dump"
        assert await asyncio.to_thread(main, ["db", "backup", str(dest)]) == 0
    finally:
        await storage.close()
    assert "backed up postgresql://" in capsys.readouterr().out
    assert dest.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    assert not dest.with_name("tutorbot.dump.partial").exists()
    listed = await asyncio.to_thread(
        subprocess.run,
        [str(pg_dump.with_name("pg_restore")), "--list", str(dest)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "TABLE DATA public goals" in listed.stdout
    assert run_backup(url, dest) == 1  # never overwritten
    assert "already exists" in capsys.readouterr().out


def test_a_missing_pg_dump_says_to_install_postgresql_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("tutorbot.storage.admin.PG_BIN_ROOT", tmp_path / "none")
    assert run_backup("postgresql://someone:hunter2@127.0.0.1:1/x", tmp_path / "d.dump") == 1
    out = capsys.readouterr().out
    assert "install postgresql-client" in out
    assert "hunter2" not in out
