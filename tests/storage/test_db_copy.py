"""`tutorbot db copy SOURCE TARGET`: SQLite to PostgreSQL and back, every row kept, verified."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pg_server import PgServer

from tutorbot.cli import main
from tutorbot.cli.db import copy_lines
from tutorbot.storage import open_storage
from tutorbot.storage.copy import CopyReport, TableCopy, canonical_row, copy_database
from tutorbot.storage.packs import PackSummary

from ._everything import everything_about

HOST = 734_000_000_000_000_001
PLAYER = 734_000_000_000_000_002


def _state() -> dict[str, object]:
    return {
        "topic_id": "algebra",
        "settings": {"questions": 1, "seconds": 20, "scoring": "speed"},
        "question_ids": ["q1"],
        "asked": [],
        "ended_at": None,
    }


async def _fill(database: Path | str, now: datetime) -> None:
    """Rows in every store, through the stores: two people's whole footprint, answers with
    awkward floats and text, a pack, a server's settings, meta rows, a deleted timer."""
    storage = await open_storage(database)
    try:
        await everything_about(storage, HOST, now, channel=100, state=_state())
        await everything_about(storage, PLAYER, now, channel=200, state=_state())
        for n in range(30):
            await storage.answers.record(
                user_id=PLAYER,
                guild_id=None if n % 3 else 1,
                topic_id="naïve ✓ 'quoted' %s ?",
                question_id=f"q{n}",
                answer="é" * n,
                correct=n % 2 == 0,
                seconds=0.1 * n,
                source="review",
                points=n,
                now=now + timedelta(seconds=n),
            )
        await storage.packs.save(PackSummary(1, "capitals", "c.gift", "gift", 2, 9, now), "[]")
        await storage.settings.update(1, now=now, round_questions=7, round_scoring="speed")
        await storage.meta.heartbeat(now)
        gone = await storage.timers.add("reveal", now, {"x": 1}, now)
        assert await storage.timers.delete(gone.id)
    finally:
        await storage.close()


def _sqlite_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table but the ledger, each row in primary-key order (rowid order breaks no tie)."""
    with sqlite3.connect(path) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'"
            )
        ]
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }


async def test_sqlite_to_postgresql_and_back_keeps_every_row(
    pg_server: PgServer,
    tmp_path: Path,
    now: datetime,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("tutorbot.storage.copy.BATCH", 7)  # many batches per table
    first = tmp_path / "first.sqlite3"
    await _fill(first, now)
    url = pg_server.fresh_database()

    assert main(["db", "copy", str(first), url]) == 0
    out = capsys.readouterr().out
    assert "all match" in out and "MISMATCH" not in out
    assert [line.split()[:2] for line in out.splitlines() if "answers" in line.split()[:1]] == [
        ["answers", "34"]
    ]

    back = tmp_path / "back" / "again.sqlite3"
    assert main(["db", "copy", url, str(back)]) == 0
    assert "all match" in capsys.readouterr().out

    before, after = _sqlite_rows(first), _sqlite_rows(back)
    assert sorted(before) == sorted(after)
    for table in before:
        assert after[table] == before[table], table
    assert all(before[t] for t in ("answers", "memory_cards", "packs", "rounds", "timers"))


async def _new_ids(database: Path | str, now: datetime) -> tuple[int, int]:
    """The ids a new answer and a new timer get."""
    storage = await open_storage(database)
    try:
        answer = await storage.answers.record(
            user_id=HOST,
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
        timer = await storage.timers.add("reveal", now, {}, now)
    finally:
        await storage.close()
    return answer.id, timer.id


async def test_new_ids_come_after_the_copied_ones_and_deleted_timers(
    pg_server: PgServer, tmp_path: Path, now: datetime
) -> None:
    """PostgreSQL's sequences are set past the copied ids; a deleted timer's id (the largest
    SQLite's AUTOINCREMENT gave) is not handed out again on either side."""
    first = tmp_path / "first.sqlite3"
    await _fill(first, now)
    with sqlite3.connect(first) as conn:
        (largest_answer,) = conn.execute("SELECT MAX(id) FROM answers").fetchone()
        (largest_timer,) = conn.execute("SELECT MAX(id) FROM timers").fetchone()
        (deleted_timer,) = conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'timers'"
        ).fetchone()
    assert deleted_timer > largest_timer
    url = pg_server.fresh_database()
    assert copy_database(first, url).ok
    back = tmp_path / "back.sqlite3"
    assert copy_database(url, back).ok

    answer, timer = await _new_ids(url, now)
    assert answer == largest_answer + 1
    assert timer == deleted_timer + 1
    answer, timer = await _new_ids(back, now)
    assert answer == largest_answer + 1
    assert timer == deleted_timer + 1


async def test_a_target_that_holds_data_is_refused_and_left_alone(
    pg_server: PgServer, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first.sqlite3"
    await _fill(first, now)
    url = pg_server.fresh_database()
    storage = await open_storage(url)
    try:
        await storage.progress.set_goal(5, "t", now)
    finally:
        await storage.close()

    assert main(["db", "copy", str(first), url]) == 1
    out = capsys.readouterr().out
    assert "already holds data (in users, goals)" in out
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT COUNT(*) FROM answers").fetchone() == (0,)
        assert conn.execute("SELECT user_id FROM goals").fetchall() == [(5,)]

    other = tmp_path / "other.sqlite3"
    await _fill(other, now)
    assert main(["db", "copy", url, str(other)]) == 1
    assert "already holds data" in capsys.readouterr().out


async def test_a_copy_that_fails_midway_leaves_the_target_empty(
    pg_server: PgServer, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    """A goal whose person is missing (written with SQLite's foreign keys off) breaks
    PostgreSQL's key: the whole copy is undone, nothing half-copied stays."""
    first = tmp_path / "first.sqlite3"
    await _fill(first, now)
    with sqlite3.connect(first) as conn:
        conn.execute("INSERT INTO goals VALUES (999, 't', 'x')")
    url = pg_server.fresh_database()
    assert main(["db", "copy", str(first), url]) == 1
    assert "the copy failed and was undone" in capsys.readouterr().out
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT COUNT(*) FROM users").fetchone() == (0,)
        assert conn.execute("SELECT key FROM meta").fetchall() == [("memory_seed_until",)]


def test_a_missing_source_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "copy", str(tmp_path / "nope.sqlite3"), str(tmp_path / "t.db")]) == 1
    assert "no database at" in capsys.readouterr().out
    assert not (tmp_path / "nope.sqlite3").exists()


def test_the_checksum_reads_both_databases_numbers_alike() -> None:
    assert canonical_row((1, 2.0, True, None)) == canonical_row((1.0, 2, 1, None))
    assert canonical_row((1,)) != canonical_row(("1",))
    assert canonical_row((0.1,)) != canonical_row((0.1000001,))


def test_a_mismatch_is_shown_and_fails() -> None:
    report = CopyReport([TableCopy("users", 2, 2, "a", "a"), TableCopy("answers", 3, 2, "b", "c")])
    lines = copy_lines(report)
    assert not report.ok
    assert any(line.split() == ["answers", "3", "->", "2", "MISMATCH"] for line in lines)
    assert lines[-1].startswith("MISMATCH in answers")
