"""Replaying a history into memory cards: answers per second, and what clicks wait meanwhile.

Run: python bench/memory_seed.py [--answers N] [--students N] [--clicks-every MS] [--batch N]

Builds a database at migration 0009 (before memory) holding N answers of as many students over
60 days, opens a copy of it with the current code (migration 0010 notes how far to replay) and
times `MemoryService.seed_history`, the replay the bot starts in the background: as the bot
runs it (resting after each batch as long as the batch took) and flat out (no rest). Beside it:

- the floor: the same answers folded through `MemoryModel` in memory (the rules alone, no
  reads or writes), so the difference is what storage and the pauses cost;
- clicks: one answer recorded every few milliseconds, as a student would, timed from the call
  to its commit, while each replay runs and then for a while with nothing else running. The
  difference is what a click waits for the replay.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tutorbot.content.loader import load_library
from tutorbot.domain.memory import MemoryCard, MemoryModel, Rating
from tutorbot.services import Services
from tutorbot.services.memory import SEED_BATCH, SEED_REST
from tutorbot.storage import open_storage
from tutorbot.storage.db import connect
from tutorbot.storage.migrations import migrate

REPO = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 9, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
TOPICS = 40
QUESTIONS = 6
CLICKER = 10**12
"""User ids of the clicking students (none has a history)."""

Row = tuple[int, str, str, int, int, str, str]
"""(user, topic, question, correct, points, source, answered_at)."""


def history(answers: int, students: int, seed: int = 15) -> Iterator[Row]:
    """`answers` answers of `students` students over 60 days: quizzes and rounds, right about
    two times in three, a few free responses judged Partly."""
    rng = random.Random(seed)
    for i in range(answers):
        user = rng.randrange(1, students + 1)
        topic = f"topic-{rng.randrange(TOPICS)}"
        question = f"q{rng.randrange(QUESTIONS)}"
        at = T0 + timedelta(seconds=rng.randrange(60 * 86_400))
        correct = int(rng.random() < 0.66)
        source = "round" if i % 4 == 0 else "quiz"
        partly = not correct and rng.random() < 0.1
        points = (250 if source == "round" else 50) if partly else 100 * correct
        yield user, topic, question, correct, points, source, at.isoformat(timespec="microseconds")


def build(path: Path, rows: list[Row]) -> None:
    """A database at migration 0009 holding `rows` as answers."""
    conn = connect(path)
    migrate(conn, target=9)
    conn.execute("BEGIN")
    stamp = T0.isoformat(timespec="microseconds")
    conn.executemany(
        "INSERT INTO users VALUES (?, ?, ?)", [(u, stamp, stamp) for u in {r[0] for r in rows}]
    )
    conn.executemany(
        "INSERT INTO answers (user_id, topic_id, question_id, answer, correct, points, source, "
        "answered_at) VALUES (?, ?, ?, 'A', ?, ?, ?, ?)",
        rows,
    )
    conn.execute("COMMIT")
    conn.close()


def floor(rows: list[Row]) -> float:
    """Seconds the rules alone take over `rows`: each student's answers in time order through
    `MemoryModel.review` (the same rating rule as the replay), cards kept in a dictionary."""
    model = MemoryModel()
    start = time.perf_counter()
    ordered = sorted(range(len(rows)), key=lambda i: (rows[i][0], rows[i][6], i))
    cards: dict[tuple[int, str, str], MemoryCard] = {}
    for i in ordered:
        user, topic, question, correct, points, _, stamp = rows[i]
        rating = Rating.GOOD if correct else Rating.HARD if points else Rating.AGAIN
        key = user, topic, question
        when = datetime.fromisoformat(stamp)
        cards[key] = model.review(cards.get(key), topic, question, rating, when)
    return time.perf_counter() - start


async def clicks(services: Services, until: asyncio.Event, every: float) -> list[float]:
    """Milliseconds from call to commit of one answer recorded every `every` seconds, until
    `until` is set."""
    waits: list[float] = []
    n = 0
    while not until.is_set():
        start = time.perf_counter()
        await services.storage.answers.record(
            user_id=CLICKER + n % 100,
            guild_id=1,
            topic_id="topic-0",
            question_id="q0",
            answer="A",
            correct=True,
            seconds=2.0,
            source="round",
            now=NOW,
        )
        waits.append((time.perf_counter() - start) * 1000)
        n += 1
        await asyncio.sleep(every)
    return waits


@dataclass(frozen=True)
class Run:
    """One replay: how long it took, what it replayed, and the clicks timed during and after."""

    seconds: float
    answers: int
    during: list[float]
    alone: list[float]


async def replay(path: Path, every: float, rest: float, batch: int) -> Run:
    """Open the database (migrating it), replay its history while clicks are timed, then time
    clicks alone for a while."""
    library = load_library(REPO / "content")
    services = Services(library, await open_storage(path), lambda: NOW)
    try:
        done = asyncio.Event()
        during = asyncio.create_task(clicks(services, done, every))
        start = time.perf_counter()
        report = await services.memory.seed_history(batch=batch, rest=rest)
        seconds = time.perf_counter() - start
        done.set()
        busy = await during
        idle_done = asyncio.Event()
        idle = asyncio.create_task(clicks(services, idle_done, every))
        await asyncio.sleep(min(seconds, 5.0))
        idle_done.set()
        alone = await idle
    finally:
        await services.close()
    if report is None or not report.finished:
        raise RuntimeError("the replay did not finish")
    return Run(seconds, report.answers, busy, alone)


def _p(values: list[float], q: int) -> float:
    """The q-th percentile (nearest rank), 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, (len(ordered) * q) // 100)]


def main() -> None:
    """Build, replay and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--students", type=int, default=1_000)
    parser.add_argument("--clicks-every", type=float, default=5.0, help="milliseconds")
    parser.add_argument("--batch", type=int, default=SEED_BATCH, help="answers per write")
    args = parser.parse_args()
    rows = list(history(args.answers, args.students))
    every = args.clicks_every / 1000
    runs: dict[str, Run] = {}
    with tempfile.TemporaryDirectory(prefix="tutorbot-bench-") as tmp:
        built = Path(tmp) / "old.sqlite3"
        build(built, rows)
        for name, rest in (("as the bot runs it", SEED_REST), ("flat out, no rest", 0.0)):
            copy = Path(tmp) / f"copy-{rest}.sqlite3"
            shutil.copyfile(built, copy)
            runs[name] = asyncio.run(replay(copy, every, rest, args.batch))
    rules = floor(rows)
    print(f"{args.answers:,} answers of {args.students:,} students before migration 0010")
    print(f"{'replay':<34} {'seconds':>8} {'answers/s':>10}")
    for name, run in runs.items():
        print(f"{name:<34} {run.seconds:>8.2f} {run.answers / run.seconds:>10,.0f}")
    print(f"{'floor: the rules alone':<34} {rules:>8.2f} {len(rows) / rules:>10,.0f}")
    head = f"clicks every {args.clicks_every:g} ms (call to commit, ms)"
    print(f"{head:<43} {'n':>6} {'p50':>7} {'p95':>7} {'max':>7}")
    for name, run in runs.items():
        for when, waits in (("during", run.during), ("alone after", run.alone)):
            print(
                f"{when + ' ' + name:<43} {len(waits):>6} {statistics.median(waits):>7.2f} "
                f"{_p(waits, 95):>7.2f} {max(waits):>7.2f}"
            )


if __name__ == "__main__":
    main()
