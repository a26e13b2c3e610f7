"""/mydata exports everything about one user; /forgetme deletes it and nothing else."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import zipfile
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from tutorbot.services.data_export import package
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
    memory = ("memory_cards", "memory_reviews", "review_days", "review_settings")
    for table in (*tables, *memory, "member_names"):
        assert export[table], table
        assert all(r["user_id"] == 1 for r in export[table]), table
    assert len(export["answers"]) == 2  # the quiz answer and the round answer
    kinds = [(r["kind"], r["status"], r["question_ids"]) for r in export["quiz_sessions"]]
    assert kinds == [("placement", "finished", []), ("quiz", "active", ["q1"])]
    marks = [(r["topic_id"], r["known_at"] is not None, r["placed_at"] is not None)
             for r in export["topic_state"]]  # fmt: skip
    assert sorted(marks) == [("algebra", True, False), ("counting", False, True)]
    assert [r["channel_id"] for r in export["rounds_hosted"]] == [101]
    assert [(r["topic_id"], r["question_id"]) for r in export["memory_cards"]] == [
        ("algebra", "q1")
    ]
    assert [(r["source"], r["rating"]) for r in export["memory_reviews"]] == [("quiz", 3)]
    assert [r["day"] for r in export["review_days"]] == [now.date().isoformat()]
    assert [(r["timezone"], r["remind_at"]) for r in export["review_settings"]] == [
        ("Europe/Paris", "07:30")
    ]
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
    memory = ("memory_cards", "memory_reviews", "review_days", "review_settings")
    assert {t: counts[t] for t in memory} == dict.fromkeys(memory, 1)
    after_1 = await storage.data_rights.export_user(1)
    assert all(after_1[t] == [] for t in after_1 if t != "user_id")
    assert await storage.data_rights.export_user(2) == before_2
    rnd = await storage.rounds.get(round_of_1)
    assert rnd is not None and rnd.host_id is None
    assert [a.user_id for a in await storage.rounds.answers(round_of_1)] == [2]
    assert await storage.data_rights.delete_user(1) == dict.fromkeys(counts, 0)


async def test_a_long_history_is_exported_in_parts_that_each_fit_and_lose_nothing(
    storage: Storage, now: datetime
) -> None:
    """With a small limit, the export comes as zip parts under it, each one JSON document
    carrying on where the last stopped; together they hold every row once, in order."""
    await _populate(storage, 1, now)
    for n in range(3_000):
        await storage.answers.record(
            user_id=1, guild_id=None, topic_id="t", question_id=f"q{n}",
            answer=hashlib.sha256(str(n).encode()).hexdigest(),
            correct=True, seconds=1.0, source="quiz", now=now,
        )  # fmt: skip
    whole = await storage.data_rights.export_user(1)
    limit = 64 * 1024
    export = await storage.data_rights.export_with(1, partial(package, 1, limit=limit))
    assert export.compressed and len(export.files) > 1
    assert [f.filename for f in export.files] == [
        f"tutorbot-1-part{n}-of-{len(export.files)}.zip" for n in range(1, len(export.files) + 1)
    ]
    joined: dict[str, list[Any]] = {}
    for number, part in enumerate(export.files, start=1):
        assert len(part.data) <= limit
        with zipfile.ZipFile(io.BytesIO(part.data)) as archive:
            document = json.loads(archive.read("tutorbot-1.json"))
        assert document["user_id"] == 1 and document["part"] == number
        for name, rows in document.items():
            if isinstance(rows, list):
                joined.setdefault(name, []).extend(rows)
    assert joined == {name: rows for name, rows in whole.items() if name != "user_id"}
    assert export.rows == sum(len(rows) for rows in joined.values())

    small = await storage.data_rights.export_with(2, partial(package, 2, limit=limit))
    assert [f.filename for f in small.files] == ["tutorbot-2.json"] and not small.compressed
    assert json.loads(small.files[0].data) == await storage.data_rights.export_user(2)
