"""Acknowledged means committed: under load, under concurrency, and when the process is killed."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from tutorbot.storage import Storage
from tutorbot.storage._time import to_db
from tutorbot.storage.backend import integrity_errors

from ._round_rows import round_state
from .conftest import rows

HELPER = Path(__file__).with_name("_answer_writer.py")


async def test_200_concurrent_answers_all_land(storage: Storage, now: datetime) -> None:
    async def student(user_id: int) -> int:
        answer = await storage.answers.record(
            user_id=user_id,
            guild_id=7,
            topic_id="t",
            question_id="q1",
            answer="A",
            correct=user_id % 2 == 0,
            seconds=1.0,
            source="round",
            points=1,
            now=now,
        )
        return answer.id

    ids = await asyncio.gather(*(student(u) for u in range(1, 201)))
    assert len(set(ids)) == 200
    assert await rows(storage, "SELECT COUNT(*) FROM answers") == [(200,)]
    assert await rows(storage, "SELECT COUNT(*) FROM guild_scores") == [(200,)]
    assert len(await storage.answers.top_scores(7, 1000)) == 200


async def test_200_concurrent_clicks_on_one_round_question(storage: Storage, now: datetime) -> None:
    rnd = await storage.rounds.start(
        guild_id=1,
        channel_id=1,
        host_id=1,
        now=now,
        state=round_state("t", ["a"], {}),
        deadline=now + timedelta(seconds=20),
    )

    async def click(user_id: int) -> bool:
        result = await storage.rounds.record_open_answer(
            round_id=rnd.id,
            question_index=0,
            question_id="a",
            topic_id="t",
            user_id=user_id,
            answer="A",
            correct=True,
            seconds=1.0,
            points=1,
            now=now,
        )
        assert result is not None  # the question is open
        return result.first

    # 100 students, each clicking twice at the same moment.
    firsts = await asyncio.gather(*(click(u % 100) for u in range(200)))
    assert sum(firsts) == 100
    assert len(await storage.rounds.answers(rnd.id)) == 100
    assert (await storage.answers.user_stats(5)).answered == 1


async def test_one_failing_write_does_not_sink_its_batch(storage: Storage, now: datetime) -> None:
    rnd = await storage.rounds.start(
        guild_id=1,
        channel_id=1,
        host_id=1,
        now=now,
        state=round_state("t", ["a"], {}),
    )
    good = [storage.progress.mark_known(u, "t", now) for u in range(50)]
    bad = storage.db.write(  # an answer to no such round: a foreign-key failure
        lambda conn: conn.execute(
            "INSERT INTO round_answers (round_id, question_index, user_id, answer, correct, "
            "seconds, points, answered_at) VALUES (?, 0, 1, 'A', 1, 1, 1, ?)",
            (rnd.id + 1000, to_db(now)),
        )
    )
    results = await asyncio.gather(*good, bad, return_exceptions=True)
    assert isinstance(results[-1], integrity_errors())
    assert not any(isinstance(r, BaseException) for r in results[:-1])
    assert len(await storage.progress.all_for(49)) == 1


def _run_and_kill(db_path: Path, rng: random.Random) -> list[int]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [sys.executable, str(HELPER), str(db_path), "8"],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(rng.uniform(0.05, 0.6))
    os.kill(proc.pid, signal.SIGKILL)
    printed = proc.stdout.read()
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    return [int(line) for line in printed.split("\n") if line.strip().isdigit()]


def test_every_printed_answer_survives_sigkill(tmp_path: Path) -> None:
    rng = random.Random()
    db_path = tmp_path / "killed.sqlite3"
    acknowledged: list[int] = []
    for _ in range(5):
        ids = _run_and_kill(db_path, rng)
        assert ids, "the writer printed nothing before it was killed"
        acknowledged += ids
        with sqlite3.connect(db_path) as conn:
            stored = {r[0] for r in conn.execute("SELECT id FROM answers")}
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        missing = set(acknowledged) - stored
        assert not missing, f"acknowledged but lost: {sorted(missing)[:10]}"
