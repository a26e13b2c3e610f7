"""Benchmark: issue 19's goals, on SQLite and on PostgreSQL side by side.

1. Answers committed per second through `Database.write` (the group-commit writer, reached
   through `storage.answers.record`, N answers fired at once as in `storage.py`), beside each
   backend's raw floor: plain sqlite3 / plain psycopg inserting the same rows (user upsert,
   answer, topic and server totals) in ONE transaction. Goal: within 3 times the floor. A last
   row, for information, does the psycopg floor in pipeline mode (fewer round trips). Each
   round runs every case once; the verdict is the median of the rounds' ratios (each writer
   run to the floor run just before it), printed with their range.
2. The round burst of `round_burst.py` (N students click an answer of one round question at
   once; its machinery is imported) for each `--clicks` size: the bare discord.py floor, then
   `tutorbot run` on SQLite, then on PostgreSQL (`TUTORBOT_DATABASE_URL`), each in one process,
   then on PostgreSQL across two processes, one per shard (`_shards.py`), the last beside its
   own floor: the bare bot in two processes, one per shard, the clicks split alike.
   p50/p99 click latency, the bot process's CPU per click, and lost answers (acknowledged within
   3 s but missing from the database). Goals: every click answered within 3 s, 0 lost, p99
   within 1.5 times the floor's. p50 and p99 are over the clicks answered within 3 s only (as
   in `interactions.py`), so when many are late they understate the latency.

PostgreSQL is a throwaway server (`_pg.py`, the tests' `pg_server.py` with durability back on:
fsync and synchronous_commit on, as SQLite's synchronous=FULL), over TCP on 127.0.0.1.

    python bench/scale.py [--answers 1000] [--clicks 1000 5000] [--rounds 1] [--only ...]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from _pg import PgServer, pg_server, setting
from _shards import burst_two_shards, floor_two_shards
from interactions import FLOORS, Result, median_of, run, tutorbot
from round_burst import GOAL, TOPIC, RoundBurst

from tutorbot.bot.heap import settle_heap
from tutorbot.storage import Storage, open_storage
from tutorbot.storage.backend import pg_sql
from tutorbot.storage.db import connect

NOW = datetime(2025, 1, 1, tzinfo=UTC)
STAMP = NOW.isoformat(timespec="microseconds")
USERS = 500
GUILD = 1
COMMIT_GOAL = 3.0
LATENCY_LIMIT_S = 3.0

ROW_SQL = (
    "INSERT INTO users (id, created_at, last_seen_at) VALUES (?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
    "INSERT INTO answers (user_id, guild_id, topic_id, question_id, answer, correct, seconds, "
    "source, source_id, points, answered_at) "
    "VALUES (?, ?, 't', ?, 'A', ?, 2.5, 'round', NULL, 10, ?) RETURNING id",
    "INSERT INTO topic_scores (user_id, place_id, topic_id, answered, correct, points) "
    "VALUES (?, ?, 't', 1, ?, 10) ON CONFLICT (user_id, place_id, topic_id) DO UPDATE SET "
    "answered = topic_scores.answered + excluded.answered, "
    "correct = topic_scores.correct + excluded.correct, "
    "points = topic_scores.points + excluded.points",
    "INSERT INTO guild_scores (guild_id, user_id, points, answered, correct) "
    "VALUES (?, ?, 10, 1, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
    "points = guild_scores.points + excluded.points, "
    "answered = guild_scores.answered + excluded.answered, "
    "correct = guild_scores.correct + excluded.correct",
)
"""What `answers.record` writes for one answer in a server (`insert_answer`), spelled out."""


def _row_params(i: int) -> list[tuple[Any, ...]]:
    user, correct = i % USERS, int(i % 3 == 0)
    return [
        (user, STAMP, STAMP),
        (user, GUILD, f"q{i}", correct, STAMP),
        (user, GUILD, correct),
        (GUILD, user, correct),
    ]


# --- table 1: answers committed per second -------------------------------------------------


async def _record(storage: Storage, i: int) -> None:
    await storage.answers.record(
        user_id=i % USERS,
        guild_id=GUILD,
        topic_id="t",
        question_id=f"q{i}",
        answer="A",
        correct=i % 3 == 0,
        seconds=2.5,
        source="round",
        points=10,
        now=NOW,
    )


async def ours_concurrent(database: Path | str, n: int) -> float:
    """Seconds TutorBot's storage takes to commit n answers fired at once (group commit), with
    the heap settled first as `tutorbot run` settles it once the bot is ready (`settle_heap`)."""
    storage = await open_storage(database)
    settle_heap()
    try:
        start = time.perf_counter()
        await asyncio.gather(*(_record(storage, i) for i in range(n)))
        return time.perf_counter() - start
    finally:
        gc.unfreeze()
        await storage.close()


async def _migrated(database: Path | str) -> None:
    """Create and migrate the database, as the floors need the schema."""
    await (await open_storage(database)).close()


def raw_sqlite(path: Path, n: int) -> float:
    """Seconds plain sqlite3 (TutorBot's file settings) takes for n answers in one transaction."""
    asyncio.run(_migrated(path))
    conn = connect(path)
    try:
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for i in range(n):
            for sql, params in zip(ROW_SQL, _row_params(i), strict=True):
                conn.execute(sql, params)
        conn.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        conn.close()


def raw_psycopg(url: str, n: int) -> float:
    """Seconds plain psycopg takes for n answers in one transaction (one statement at a time,
    as the writer sends them)."""
    asyncio.run(_migrated(url))
    statements = [pg_sql(sql) for sql in ROW_SQL]
    with psycopg.connect(url, autocommit=True) as conn:
        start = time.perf_counter()
        with conn.transaction():
            for i in range(n):
                for sql, params in zip(statements, _row_params(i), strict=True):
                    conn.execute(sql, params)
        return time.perf_counter() - start


def raw_psycopg_pipelined(url: str, n: int) -> float:
    """The same in psycopg's pipeline mode (statements sent without waiting for each reply):
    not the floor the goal names, but what fewer round trips could give the writer."""
    asyncio.run(_migrated(url))
    statements = [pg_sql(sql) for sql in ROW_SQL]
    with psycopg.connect(url, autocommit=True) as conn:
        start = time.perf_counter()
        with conn.transaction(), conn.pipeline():
            for i in range(n):
                for sql, params in zip(statements, _row_params(i), strict=True):
                    conn.execute(sql, params)
        return time.perf_counter() - start


def commit_table(server: PgServer, n: int, rounds: int) -> list[str]:
    """Table 1: each backend's group-commit writer beside its raw floor (median seconds)."""
    tmp = Path(tempfile.mkdtemp(prefix="tutorbot-scale-"))
    names = iter(range(1_000_000))

    def sqlite_file() -> Path:
        return tmp / f"{next(names)}.sqlite3"

    cases: list[tuple[str, Callable[[], float]]] = [
        ("SQLite  raw sqlite3, one transaction", lambda: raw_sqlite(sqlite_file(), n)),
        (
            f"SQLite  Database.write, {n} concurrent",
            lambda: asyncio.run(ours_concurrent(sqlite_file(), n)),
        ),
        ("Postgres raw psycopg, one transaction", lambda: raw_psycopg(server.fresh_database(), n)),
        (
            f"Postgres Database.write, {n} concurrent",
            lambda: asyncio.run(ours_concurrent(server.fresh_database(), n)),
        ),
        (
            "Postgres psycopg pipeline, one transaction",
            lambda: raw_psycopg_pipelined(server.fresh_database(), n),
        ),
    ]
    # Round by round, every case once: each ratio is to the floor measured moments before,
    # which matters on a machine whose load changes from one minute to the next.
    runs: dict[str, list[float]] = {name: [] for name, _ in cases}
    for _ in range(rounds):
        for name, case in cases:
            runs[name].append(case())
    seconds = {name: statistics.median(times) for name, times in runs.items()}
    lines = [
        f"answers committed per second, {n} answers, median of {rounds} "
        f"(sqlite {sqlite3.sqlite_version} WAL synchronous=FULL; PostgreSQL "
        f"{setting(server, 'server_version')} fsync={setting(server, 'fsync')} "
        f"synchronous_commit={setting(server, 'synchronous_commit')}, TCP 127.0.0.1)",
        f"{'case':<44}{'total ms':>10}{'answers/s':>12}{'x floor':>9}",
    ]
    for k, (name, _) in enumerate(cases):
        floor = seconds[cases[0 if k < 2 else 2][0]]
        secs = seconds[name]
        lines.append(f"{name:<44}{secs * 1000:>10.1f}{n / secs:>12,.0f}{secs / floor:>9.2f}")
    for backend, (floor_case, ours_case) in (("SQLite", cases[0:2]), ("Postgres", cases[2:4])):
        ratios = sorted(
            ours / floor
            for ours, floor in zip(runs[ours_case[0]], runs[floor_case[0]], strict=True)
        )
        ratio = statistics.median(ratios)
        verdict = "met" if ratio <= COMMIT_GOAL else "NOT met"
        lines.append(
            f"{backend}: writer / raw floor = {ratio:.2f}x, round by round "
            f"{ratios[0]:.2f}-{ratios[-1]:.2f}x (goal <= {COMMIT_GOAL}x: {verdict})"
        )
    return lines


# --- table 2: the round burst -------------------------------------------------------------


async def burst(n: int, database_url: str | None) -> tuple[Result, int]:
    """One round burst of n clicks on `tutorbot run` (SQLite, or PostgreSQL at the URL); its
    result and how many answers the database holds for the round afterwards."""
    round_burst = RoundBurst(n, database_url)
    backend = "postgres" if database_url else "sqlite"
    scenario = tutorbot(
        round_burst.prepare, f"tutorbot {backend}", round_burst.populate, round_burst.db_path
    )
    env = {**scenario.env, "TUTORBOT_LOG_LEVEL": "ERROR"}  # not one warning per late click
    if database_url is not None:
        env["TUTORBOT_DATABASE_URL"] = database_url
    scenario = replace(scenario, env=env)
    result = await run(scenario, n)
    return result, await round_burst.recorded()


Row = tuple[Result, int | None, int | None, Result]
"""A burst table row: the median result, its worst lost count and fewest recorded answers (None
for a floor), and the floor it is compared with."""


async def burst_rounds(server: PgServer, n: int, rounds: int) -> tuple[Result, list[Row]]:
    """`rounds` times over: the floor, TutorBot on SQLite, TutorBot on PostgreSQL, the floor
    in two processes (one per shard), and two TutorBot processes (one per shard) on PostgreSQL
    (a fresh database each); the floor's median and the other rows: each case's median with
    its worst lost count and fewest recorded answers, beside its floor (the two-process floor
    for the two-process row, the one-process floor for the others)."""
    floors: list[Result] = []
    floors2: list[Result] = []
    runs: dict[str, list[tuple[Result, int]]] = {"sqlite": [], "postgres": [], "2 shards": []}
    for _ in range(rounds):
        floors.append(await run(replace(FLOORS["button"], name="floor: bare discord.py"), n))
        runs["sqlite"].append(await burst(n, None))
        runs["postgres"].append(await burst(n, server.fresh_database()))
        floors2.append(await floor_two_shards(n))
        runs["2 shards"].append(await burst_two_shards(n, server.fresh_database()))
    floor, floor2 = median_of(floors), median_of(floors2)
    rows: list[Row] = []
    for case, results in runs.items():
        if case == "2 shards":
            rows.append((floor2, None, None, floor2))
        lost = max(max(0, result.answered - recorded) for result, recorded in results)
        beside = floor2 if case == "2 shards" else floor
        rows.append((median_of([r for r, _ in results]), lost, min(c for _, c in results), beside))
    return floor, rows


def _burst_line(n: int, result: Result, floor: Result, lost: int | None, kept: int | None) -> str:
    """A row of the burst table: `result` beside `floor` (lost and recorded: "-" for a floor)."""
    p99_x = result.p99_ms / floor.p99_ms if floor.p99_ms else float("inf")
    cpu_x = result.cpu_ms / floor.cpu_ms if floor.cpu_ms else float("inf")
    recorded = "-" if kept is None else f"{kept}/{n}"
    return (
        f"{n:>7}  {result.name:<24}{f'{result.answered}/{n}':>12}{result.p50_ms:>9.1f}"
        f"{result.p99_ms:>9.1f}{p99_x:>7.2f}{result.cpu_ms:>8.2f}{cpu_x:>7.2f}"
        f"{recorded:>11}{'-' if lost is None else lost:>6}"
    )


def burst_table(server: PgServer, sizes: list[int], rounds: int) -> list[str]:
    """Table 2: the round burst per size, each case beside its floor of the same run."""
    lines = [
        f"round burst on one question ({TOPIC}), one bot process (two for 2 shards: one round "
        f"per shard, the clicks split between them, beside the floor in two processes too), "
        f"median of {rounds}; lost = acknowledged within 3 s but not in the database",
        f"{'clicks':>7}  {'bot':<24}{'in 3 s':>12}{'p50 ms':>9}{'p99 ms':>9}{'p99 x':>7}"
        f"{'cpu ms':>8}{'cpu x':>7}{'recorded':>11}{'lost':>6}",
    ]
    verdicts = []
    for n in sizes:
        floor, rows = asyncio.run(burst_rounds(server, n, rounds))
        lines.append(_burst_line(n, floor, floor, None, None))
        for result, lost, recorded, beside in rows:
            lines.append(_burst_line(n, result, beside, lost, recorded))
            if lost is None or recorded is None:
                continue  # a floor
            p99_x = result.p99_ms / beside.p99_ms if beside.p99_ms else float("inf")
            met = result.answered == n and lost == 0 and recorded == n and p99_x <= GOAL
            verdicts.append(
                f"{n} clicks, {result.name}: all in 3 s {result.answered == n}, 0 lost "
                f"{lost == 0 and recorded == n}, p99 {p99_x:.2f}x {beside.name} "
                f"(goal <= {GOAL}x): {'met' if met else 'NOT met'}"
            )
    return lines + verdicts


def main() -> None:
    """Start a throwaway PostgreSQL server and print both tables."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--answers", type=int, default=1000, help="answers for table 1")
    parser.add_argument(
        "--clicks", type=int, nargs="+", default=[1000, 5000], help="burst sizes for table 2"
    )
    parser.add_argument("--rounds", type=int, default=1, help="repeat each case, print medians")
    parser.add_argument("--only", choices=["commit", "burst"], default=None)
    args = parser.parse_args()
    with pg_server() as server:
        if args.only != "burst":
            print("\n".join(commit_table(server, args.answers, args.rounds)), flush=True)
            print(flush=True)
        if args.only != "commit":
            print("\n".join(burst_table(server, args.clicks, args.rounds)), flush=True)


if __name__ == "__main__":
    main()
