"""/forgetme finds a person everywhere: after it, no table or column of the database holds their
id, whatever the table (the scan lists them from the database itself, so future tables are
covered)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from db_inspect import holds, places_of

from tutorbot.storage import Storage
from tutorbot.storage.db import connect
from tutorbot.storage.migrations import migrate

from ._everything import everything_about
from .conftest import database_of

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


async def test_after_forgetme_no_table_or_column_holds_the_id(
    storage: Storage, now: datetime
) -> None:
    database = database_of(storage)
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
    before = places_of(database, HOST)
    assert any(p.startswith("rounds.host_id") for p in before), before
    memory = {"memory_cards", "memory_reviews", "review_days", "review_settings"}
    assert memory <= {p.partition(".")[0] for p in before}, before
    player_before = await storage.data_rights.export_user(PLAYER)

    counts = await storage.data_rights.delete_user(HOST)

    assert places_of(database, HOST) == []
    assert counts["rounds_host_cleared"] == 1 and counts["users"] == 1
    assert await storage.data_rights.export_user(PLAYER) == player_before
    rnd = await storage.rounds.get(hosted)
    assert rnd is not None and rnd.host_id is None and rnd.state is not None
    assert "instructor_id" not in rnd.state and rnd.state["topic_id"] == "algebra"
    assert [a.user_id for a in await storage.rounds.answers(hosted)] == [PLAYER]
    assert places_of(database, PLAYER)  # the player's data all stays


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


async def test_the_scan_covers_tables_it_was_never_told_about(storage: Storage) -> None:
    blob = "BLOB" if storage.db.url is None else "BYTEA"

    def future(conn: sqlite3.Connection) -> None:
        conn.execute(f"CREATE TABLE future (a BIGINT, b TEXT, c {blob}, d DOUBLE PRECISION)")
        insert = "INSERT INTO future VALUES (?, ?, ?, ?)"
        conn.execute(insert, (1, "x", None, 0.5))
        conn.execute(insert, (2, f'{{"who": {HOST}}}', None, 0))
        conn.execute(insert, (HOST, "", b"", 0))
        conn.execute(insert, (3, "", f"u:{HOST}".encode(), 0))

    await storage.db.write(future)
    found = places_of(database_of(storage), HOST)
    assert sorted(p.partition(" = ")[0] for p in found) == ["future.a", "future.b", "future.c"]
    assert not holds(f"{HOST}7", HOST) and not holds(f"9{HOST}", HOST) and not holds(True, 1)
