"""Storage benchmark: answers recorded per second, beside raw sqlite3 doing the same inserts.

Run: python bench/storage.py [--sequential N] [--concurrent N]

"one at a time" awaits each answer's commit before the next (what acknowledging one click
needs); "concurrent" fires N answers at once (a round's worth of clicks) and waits for all.
The floor is plain sqlite3, same file settings (WAL, synchronous=FULL), inserting the same
rows (user upsert, answer, server totals) in ONE transaction: the best SQLite can do.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tutorbot.storage import Storage, open_storage
from tutorbot.storage.db import connect
from tutorbot.storage.migrations import migrate

NOW = datetime(2025, 1, 1, tzinfo=UTC)
STAMP = NOW.isoformat(timespec="microseconds")


async def _record(storage: Storage, i: int) -> None:
    await storage.answers.record(
        user_id=i % 500,
        guild_id=1,
        topic_id="t",
        question_id=f"q{i}",
        answer="A",
        correct=i % 3 == 0,
        seconds=2.5,
        source="round",
        points=10,
        now=NOW,
    )


def _raw_rows(conn: sqlite3.Connection, n: int, *, commit_each: bool) -> None:
    if not commit_each:
        conn.execute("BEGIN IMMEDIATE")
    for i in range(n):
        if commit_each:
            conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO users (id, created_at, last_seen_at) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
            (i % 500, STAMP, STAMP),
        )
        conn.execute(
            "INSERT INTO answers (user_id, guild_id, topic_id, question_id, answer, correct, "
            "seconds, source, source_id, points, answered_at) "
            "VALUES (?, 1, 't', ?, 'A', ?, 2.5, 'round', NULL, 10, ?)",
            (i % 500, f"q{i}", int(i % 3 == 0), STAMP),
        )
        conn.execute(
            "INSERT INTO guild_scores (guild_id, user_id, points, answered, correct) "
            "VALUES (1, ?, 10, 1, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
            "points = points + excluded.points, answered = answered + 1, "
            "correct = correct + excluded.correct",
            (i % 500, int(i % 3 == 0)),
        )
        if commit_each:
            conn.execute("COMMIT")
    if not commit_each:
        conn.execute("COMMIT")


def raw(path: Path, n: int, *, commit_each: bool) -> float:
    """Seconds raw sqlite3 takes for n answers on a fresh, migrated file."""
    conn = connect(path)
    migrate(conn)
    start = time.perf_counter()
    _raw_rows(conn, n, commit_each=commit_each)
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


async def ours_sequential(path: Path, n: int) -> float:
    """Seconds TutorBot's storage takes for n answers, each awaited before the next."""
    storage = await open_storage(path)
    start = time.perf_counter()
    for i in range(n):
        await _record(storage, i)
    elapsed = time.perf_counter() - start
    await storage.close()
    return elapsed


async def ours_concurrent(path: Path, n: int) -> float:
    """Seconds TutorBot's storage takes for n answers written at once (group commit)."""
    storage = await open_storage(path)
    start = time.perf_counter()
    await asyncio.gather(*(_record(storage, i) for i in range(n)))
    elapsed = time.perf_counter() - start
    await storage.close()
    return elapsed


def main() -> None:
    """Run raw sqlite3 and TutorBot's storage side by side and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=500)
    parser.add_argument("--concurrent", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tutorbot-bench-") as tmp:
        d = Path(tmp)
        seq, conc = args.sequential, args.concurrent
        rows = [
            (
                f"TutorBot, one at a time, commit each ({seq})",
                seq,
                asyncio.run(ours_sequential(d / "a.db", seq)),
            ),
            (f"raw sqlite3, commit each ({seq})", seq, raw(d / "b.db", seq, commit_each=True)),
            (f"raw sqlite3, one transaction ({seq})", seq, raw(d / "c.db", seq, commit_each=False)),
            (f"TutorBot, {conc} concurrent", conc, asyncio.run(ours_concurrent(d / "d.db", conc))),
            (
                f"raw sqlite3, one transaction ({conc})",
                conc,
                raw(d / "e.db", conc, commit_each=False),
            ),
        ]
    print(
        f"sqlite {sqlite3.sqlite_version}, WAL, synchronous=FULL, file in {tempfile.gettempdir()}"
    )
    print(f"{'case':<46} {'total ms':>10} {'answers/s':>11}")
    for name, n, secs in rows:
        print(f"{name:<46} {secs * 1000:>10.1f} {n / secs:>11,.0f}")
    seq_ratio = rows[0][2] / rows[2][2]
    conc_ratio = rows[3][2] / rows[4][2]
    print(f"ratio one-at-a-time / floor:   {seq_ratio:6.1f}x slower")
    print(f"ratio one-at-a-time / raw commit-each: {rows[0][2] / rows[1][2]:6.2f}x")
    print(f"ratio {conc} concurrent / floor: {conc_ratio:6.1f}x slower")


if __name__ == "__main__":
    main()
