"""/forgetme finds a person everywhere: after it, no table or column of the database holds their
id, whatever the table (the scan lists them from sqlite_master, so future tables are covered)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from db_inspect import holds, places_of

from tutorbot.storage import Storage
from tutorbot.storage.db import connect
from tutorbot.storage.migrations import migrate

from ._everything import everything_about

HOST = 734_000_000_000_000_001
PLAYER = 734_000_000_000_000_002


def _state() -> dict[str, object]:
    """A round's stored state: the host is only in the `host_id` column (see round_rows.dump)."""
    return {
        "topic_id": "algebra",
        "settings": {"questions": 1, "seconds": 20, "scoring": "speed"},
        "question_ids": ["q1"],
        "asked": [],
        "ended_at": None,
    }


@pytest.mark.sqlite_only("scans the SQLite file's tables (db_inspect)")
async def test_after_forgetme_no_table_or_column_holds_the_id(
    storage: Storage, now: datetime, db_path: Path
) -> None:
    hosted = await everything_about(storage, HOST, now, channel=100, state=_state())
    await everything_about(storage, PLAYER, now, channel=200, state=_state())
    await storage.rounds.record_open_answer(  # the player also answered in the host's round
        round_id=hosted,
        question_index=0,
        question_id="a",
        topic_id="t",
        user_id=PLAYER,
        answer="B",
        correct=False,
        seconds=2,
        points=0,
        now=now,
    )
    before = places_of(db_path, HOST)
    assert any(p.startswith("rounds.host_id") for p in before), before
    memory = {"memory_cards", "memory_reviews", "review_days", "review_settings"}
    assert memory <= {p.partition(".")[0] for p in before}, before
    player_before = await storage.data_rights.export_user(PLAYER)

    counts = await storage.data_rights.delete_user(HOST)

    assert places_of(db_path, HOST) == []
    assert counts["rounds_host_cleared"] == 1 and counts["users"] == 1
    assert await storage.data_rights.export_user(PLAYER) == player_before
    rnd = await storage.rounds.get(hosted)
    assert rnd is not None and rnd.host_id is None and rnd.state is not None
    assert "instructor_id" not in rnd.state and rnd.state["topic_id"] == "algebra"
    assert [a.user_id for a in await storage.rounds.answers(hosted)] == [PLAYER]
    assert places_of(db_path, PLAYER)  # the player's data all stays


def test_a_host_an_older_version_left_in_a_round_state_is_gone_after_migrating(
    tmp_path: Path,
) -> None:
    """Before 0007 a round's state kept its host, and /forgetme cleared only host_id: the
    migration removes the id from every state, so /forgetme need only clear the column."""
    db_path = tmp_path / "old.sqlite3"
    conn = connect(db_path)
    migrate(conn, target=6)
    stamp = "2025-03-01T12:00:00.000000+00:00"
    legacy = json.dumps({"topic_id": "algebra", "instructor_id": HOST, "asked": []})
    conn.execute(
        "INSERT INTO rounds (guild_id, channel_id, host_id, topic_id, settings, status, "
        "question_ids, current_index, created_at, updated_at, state) "
        "VALUES (1, 100, NULL, 'algebra', ?, 'finished', '[\"q1\"]', 0, ?, ?, ?)",
        ('{"questions": 1, "seconds": 20, "scoring": "speed"}', stamp, stamp, legacy),
    )
    assert [p.partition(" = ")[0] for p in places_of(db_path, HOST)] == ["rounds.state"]
    migrate(conn)
    conn.close()
    assert places_of(db_path, HOST) == []


def test_the_scan_covers_tables_it_was_never_told_about(tmp_path: Path) -> None:
    path = tmp_path / "any.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE future (a INTEGER, b TEXT, c BLOB, d REAL)")
        conn.execute("INSERT INTO future VALUES (?, ?, ?, ?)", (1, "x", None, 0.5))
        conn.execute("INSERT INTO future VALUES (?, ?, ?, ?)", (2, f'{{"who": {HOST}}}', None, 0))
        conn.execute("INSERT INTO future VALUES (?, ?, ?, ?)", (HOST, "", b"", 0))
        conn.execute("INSERT INTO future VALUES (?, ?, ?, ?)", (3, "", f"u:{HOST}".encode(), 0))
    assert len(places_of(path, HOST)) == 3
    assert not holds(f"{HOST}7", HOST) and not holds(f"9{HOST}", HOST) and not holds(True, 1)
