"""/mydata exports everything about one user; /forgetme deletes it and nothing else."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from tutorbot.storage import Storage

from ._everything import everything_about
from ._round_rows import round_state


async def _populate(storage: Storage, user: int, now: datetime) -> int:
    """The user's footprint, their round in a channel of their own."""
    return await everything_about(
        storage, user, now, channel=100 + user, state=round_state("t", ["a"], {})
    )


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


async def test_export_holds_everything_about_the_user_as_json(
    storage: Storage, now: datetime
) -> None:
    await _populate(storage, 1, now)
    await _populate(storage, 2, now)
    export = await storage.data_rights.export_user(1)
    text = json.dumps(export)
    assert json.loads(text) == export
    assert [r["id"] for r in export["users"]] == [1]
    tables = ("answers", "round_answers", "topic_state", "goals", "quiz_sessions", "timers")
    for table in (*tables, "member_names"):
        assert export[table], table
        assert all(r["user_id"] == 1 for r in export[table]), table
    assert len(export["answers"]) == 2  # the quiz answer and the round answer
    assert export["quiz_sessions"][0]["question_ids"] == ["q1"]
    assert [r["channel_id"] for r in export["rounds_hosted"]] == [101]
    assert [(r["guild_id"], r["name"]) for r in export["member_names"]] == [
        (1, "Student 1"),
        (2, "Elsewhere"),
    ]


async def test_delete_removes_that_user_and_nothing_else(
    storage: Storage, now: datetime, db_path: Path
) -> None:
    round_of_1 = await _populate(storage, 1, now)
    await _populate(storage, 2, now)
    # user 2 also answered in user 1's round: that answer is user 2's, and stays.
    await storage.rounds.record_open_answer(
        round_id=round_of_1,
        question_index=0,
        question_id="a",
        topic_id="t",
        user_id=2,
        answer="B",
        correct=False,
        seconds=2,
        points=0,
        now=now,
    )
    before_2 = await storage.data_rights.export_user(2)
    counts = await storage.data_rights.delete_user(1)
    assert counts["users"] == 1 and counts["answers"] == 2 and counts["rounds_host_cleared"] == 1
    after_1 = await storage.data_rights.export_user(1)
    assert all(after_1[t] == [] for t in after_1 if t != "user_id")
    assert await storage.data_rights.export_user(2) == before_2
    rnd = await storage.rounds.get(round_of_1)
    assert rnd is not None and rnd.host_id is None
    assert [a.user_id for a in await storage.rounds.answers(round_of_1)] == [2]
    assert await storage.data_rights.delete_user(1) == dict.fromkeys(counts, 0)
