"""Benchmark: /review's queue at 5,000 cards and in a database of 1 million, and a simulation of
reviews per day and retention with and without implicit credit (issue 15).

**Queue.** `ReviewService.plan` (the work behind /review's first screen: settings, today's done
count, the due cards read and ranked by `review_queue`) is timed on real SQLite files, built
fast: the database is created through `Database.open` (every migration runs), closed, filled
with executemany, given statistics as a clean close would (`analyze`), then reopened through
`Services.open` with a fixed clock. Cards follow the course's learning order (what a student
learns first), most due in the coming months, 6% due today, 4% overdue by up to a month;
each card has its review rows (1-5, mostly quiz, some round and review, a few implicit) and an
answers row per explicit review. Cases:

- bundled: the bundled course (83 topics, 415 questions), a student with a card for every one;
- 5k: a generated course (`big_course.generate`, 2,000 topics x 3 questions, 40 layers deep), a
  student with 5,000 cards and nobody else;
- 1m: the same student in a database of 1,000,000 cards in all (other students with 50 to 1,000
  cards each, about 3 review rows and answers per card).

Printed per case: p50, p95 and max of `plan` over `--repeats` calls (goal: p95 under 20 ms), the
plan's size (due, cards ranked, questions asked; the student answered 5 reviews earlier today,
so the default limit of 20 leaves 15), and its parts timed apart (the storage read of due cards,
`storage.memory.due`, beside the same SELECT on the shared reader; `cards_of` and the domain's
`review_queue` on its result; the settings and today's review count); then `due_count` and
`retention` (the 5 recently mastered topics /progress passes, and every topic the student has
cards in), and what memory adds to an answer's write (`record_practice` for the student's due
question with the most prerequisites, right and wrong, each rolled back). `--profile` runs
`plan` under cProfile and prints its top costs (the event loop's thread only: the SQL runs in
aiosqlite's and `read_snapshot`'s threads, so the storage read's own time shows as the awaits;
the split above measures it).

**Simulation** (`bench/_review_sim.py` says the forgetting model): `--students` students over
`--days` days on the bundled course, with implicit credit and without (an empty `credit_to`),
each at desired retention 0.9; then, without credit, lower (or higher) desired retentions in
steps of 0.03 until its end-of-day retention (days 30-60) crosses the run with credit, so that
reviews per day can be compared at equal retention (linear interpolation between the two runs
either side). `--control` adds both runs on a truth in which practising a topic never exercises
its prerequisites (implicit credit's assumption false). Students are split over `--workers`
processes (default: one per core).

    python bench/review.py [--only plan|sim] [--repeats 300] [--keep DIR] [--profile]
                           [--students 200] [--days 60] [--seed 1] [--limit N] [--workers N]
                           [--control]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import itertools
import math
import os
import pstats
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _review_sim import Course, Run, RunResult, simulate
from big_course import generate

from tutorbot.content.loader import load_library
from tutorbot.domain.memory import Rating, implicit_weights, review_queue
from tutorbot.services import Services
from tutorbot.services.memory import cards_of
from tutorbot.settings import BUNDLED_CONTENT_DIR
from tutorbot.storage._time import to_db
from tutorbot.storage.db import Database, analyze, connect
from tutorbot.storage.memory import record_practice

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
DAY_START = NOW.replace(hour=0)
DAY_END = DAY_START + timedelta(days=1)
STUDENT = 1
GOAL_MS = 20.0
OVERDUE, TODAY = 0.04, 0.06
"""Shares of a student's cards overdue (by up to 30 days) and due later today."""
DONE_TODAY = 5
"""Review answers the measured student already gave today (counted against the limit)."""
BUILD_CHUNK = 50_000
DUE_SQL = (
    "SELECT topic_id, question_id, due, state, step, stability, difficulty, last_review, reps, "
    "lapses, credit FROM memory_cards WHERE user_id = ? AND due <= ? ORDER BY due LIMIT 500"
)
"""`storage.memory.due`'s query, run on the shared reader to show what the snapshot costs."""
DR_STEP = 0.03
DR_RANGE = (0.7, 0.97)
"""Desired retentions tried without credit, in steps of `DR_STEP`, to match retention."""


@dataclass(frozen=True)
class Case:
    """A database to build and the course it is built on."""

    name: str
    content: Path
    cards: int
    """The measured student's cards (at most the course's questions)."""
    total: int
    """Cards in the whole database."""


def _questions(content: Path) -> list[tuple[str, str]]:
    """Every (topic, question) of the course, in learning order."""
    library = load_library(content)
    return [
        (t, q.id)
        for t in library.graph.learning_order()
        if (topic := library.get(t)) is not None
        for q in topic.questions
    ]


def _card(rng: random.Random, user: int, key: tuple[str, str]) -> tuple[object, ...]:
    """A memory_cards row: a review card whose due date falls in the mix."""
    stability = math.exp(rng.uniform(0.0, math.log(200.0)))
    draw = rng.random()
    if draw < OVERDUE:
        due = DAY_START - timedelta(days=rng.uniform(0.0, 30.0))
    elif draw < OVERDUE + TODAY:
        due = DAY_START + timedelta(days=rng.random())
    else:
        due = DAY_END + timedelta(days=rng.uniform(0.0, stability))
    last = min(due - timedelta(days=stability), DAY_START - timedelta(hours=rng.uniform(1, 12)))
    lapses = rng.choice((0, 0, 0, 1, 2))
    state = 3 if lapses and rng.random() < 0.1 else 2
    return (
        user,
        key[0],
        key[1],
        state,
        None,
        stability,
        rng.uniform(2.0, 9.0),
        to_db(due),
        to_db(last),
        rng.randint(1, 5),
        lapses,
        0.0,
    )


def _history(rng: random.Random, card: tuple[object, ...]) -> Iterator[tuple[object, ...]]:
    """memory_reviews rows for a card (its reps), newest at its last review."""
    user, topic, question, reps, last = card[0], card[1], card[2], card[9], card[8]
    at = datetime.fromisoformat(str(last))
    for _ in range(int(str(reps))):
        source = rng.choices(("quiz", "round", "review", "implicit"), (60, 10, 25, 5))[0]
        rating = 3 if rng.random() < 0.85 else 1
        weight = 0.5 if source == "implicit" else 1.0
        yield (user, topic, question, rating, source, weight, to_db(at))
        at -= timedelta(days=rng.uniform(1.0, 20.0))


def _answer(review: tuple[object, ...], guild: int) -> tuple[object, ...]:
    """The answers row of an explicit review."""
    user, topic, question, rating, source, _, at = review
    return (user, guild, topic, question, "a", int(rating == 3), 7.5, source, None, 10, at)


class Builder:
    """Fills a migrated database with executemany, in chunks."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.cards: list[tuple[object, ...]] = []
        self.reviews: list[tuple[object, ...]] = []
        self.answers: list[tuple[object, ...]] = []
        self.count = 0

    def student(self, rng: random.Random, user: int, keys: Sequence[tuple[str, str]]) -> None:
        """A user row and their cards, review rows and answers."""
        stamp = to_db(NOW - timedelta(days=200))
        self.conn.execute(
            "INSERT INTO users (id, created_at, last_seen_at) VALUES (?, ?, ?)",
            (user, stamp, stamp),
        )
        guild = 1 + user % 500
        for key in keys:
            card = _card(rng, user, key)
            self.cards.append(card)
            for review in _history(rng, card):
                self.reviews.append(review)
                if review[4] != "implicit":
                    self.answers.append(_answer(review, guild))
        self.count += len(keys)
        if len(self.cards) >= BUILD_CHUNK:
            self.flush()

    def done_today(self, user: int, n: int) -> None:
        """`n` review answers the student gave earlier today."""
        at = to_db(NOW - timedelta(hours=2))
        self.reviews.extend((user, "t", f"q{i}", 3, "review", 1.0, at) for i in range(n))

    def mastered(self, user: int, keys: Sequence[tuple[str, str]]) -> None:
        """The student mastered every topic they have cards in, in learning order, one a day up
        to yesterday (so /progress has recently mastered topics)."""
        topics = list(dict.fromkeys(t for t, _ in keys))
        self.conn.executemany(
            "INSERT INTO topic_state (user_id, topic_id, known_at, mastered_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (user, t, stamp, stamp, stamp)
                for i, t in enumerate(topics)
                for stamp in [to_db(DAY_START - timedelta(days=len(topics) - i))]
            ],
        )

    def flush(self) -> None:
        """Write what is gathered."""
        self.conn.executemany(
            "INSERT INTO memory_cards (user_id, topic_id, question_id, state, step, stability, "
            "difficulty, due, last_review, reps, lapses, credit) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.cards,
        )
        self.conn.executemany(
            "INSERT INTO memory_reviews (user_id, topic_id, question_id, rating, source, weight, "
            "reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            self.reviews,
        )
        self.conn.executemany(
            "INSERT INTO answers (user_id, guild_id, topic_id, question_id, answer, correct, "
            "seconds, source, source_id, points, answered_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.answers,
        )
        self.cards, self.reviews, self.answers = [], [], []


async def build(case: Case, path: Path) -> tuple[int, int, float]:
    """Create the case's database at `path`: (cards, review rows, seconds)."""
    started = time.perf_counter()
    db = await Database.open(path)
    await db.close()
    questions = _questions(case.content)
    rng = random.Random(f"review-bench:{case.name}")
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        builder = Builder(conn)
        with conn:
            builder.student(rng, STUDENT, questions[: case.cards])
            builder.done_today(STUDENT, DONE_TODAY)
            builder.mastered(STUDENT, questions[: case.cards])
            user = STUDENT
            while builder.count < case.total:
                user += 1
                n = min(rng.randint(50, 1_000), case.total - builder.count, len(questions))
                builder.student(rng, user, questions[:n])
            builder.flush()
        analyze(conn)
        reviews = conn.execute("SELECT COUNT(*) FROM memory_reviews").fetchone()[0]
    finally:
        conn.close()
    return builder.count, int(reviews), time.perf_counter() - started


def percentiles(ms: list[float]) -> str:
    """p50, p95 and max of a list of milliseconds."""
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered):7.2f}  p95 {p95:7.2f}  max {ordered[-1]:7.2f} ms"


async def timed(call: Callable[[], Awaitable[object]], repeats: int) -> list[float]:
    """Milliseconds each of `repeats` calls took (after two warm-up calls)."""
    for _ in range(2):
        await call()
    spent = []
    for _ in range(repeats):
        start = time.perf_counter()
        await call()
        spent.append((time.perf_counter() - start) * 1000)
    return spent


async def measure(case: Case, path: Path, repeats: int, profile: bool) -> None:
    """Time the plan and its parts, due_count and retention, on the built database."""
    services = await Services.open(case.content, path, clock=lambda: NOW)
    gc.collect()
    gc.freeze()
    try:
        review = services.review
        plan = await review.plan(STUDENT)
        print(
            f"  plan: {plan.due} due today, {min(plan.due, 500)} ranked, {len(plan.keys)} asked "
            f"(limit {plan.limit}, {plan.done_today} done today), about {plan.minutes} min"
        )
        ms = await timed(lambda: review.plan(STUDENT), repeats)
        verdict = "within" if sorted(ms)[math.ceil(0.95 * len(ms)) - 1] < GOAL_MS else "OVER"
        print(f"  plan                      {percentiles(ms)}   ({verdict} {GOAL_MS:.0f} ms)")
        await _parts(services, repeats)
        ms = await timed(lambda: review.due_count(STUDENT), repeats)
        print(f"  due_count                 {percentiles(ms)}")
        overview = await services.progress.overview(STUDENT)
        recent = list(overview.recently_mastered)
        ms = await timed(lambda: review.retention(STUDENT, recent), repeats)
        print(f"  retention, {len(recent)} topics       {percentiles(ms)}")
        every = sorted({t for t, _ in _questions(case.content)[: case.cards]})
        ms = await timed(lambda: review.retention(STUDENT, every), max(10, repeats // 10))
        print(
            f"  retention, all {len(every):,} topics (no product call asks this) {percentiles(ms)}"
        )
        _answer_writes(services, path, repeats)
        if profile:
            await _profile(services, repeats)
    finally:
        gc.unfreeze()
        await services.close()


async def _parts(services: Services, repeats: int) -> None:
    """The plan's storage read of due cards and its ranking, timed apart."""
    memory = services.storage.memory
    ms = await timed(lambda: memory.due(STUDENT, DAY_END, 500), repeats)
    print(f"   - storage.memory.due     {percentiles(ms)}")
    db, until = services.storage.db, to_db(DAY_END)
    ms = await timed(lambda: db.fetchall(DUE_SQL, (STUDENT, until)), repeats)
    print(f"     (its SELECT on the shared reader {percentiles(ms)})")
    read = await memory.due(STUDENT, DAY_END, 500)
    library, model = services.library, services.memory.model

    async def rank() -> None:
        cards = cards_of(read.cards)
        review_queue(model, library.graph, cards, NOW, 20 - DONE_TODAY)

    ms = await timed(rank, repeats)
    print(f"   - cards_of + review_queue {percentiles(ms)}")
    settings = services.storage.review_settings
    ms = await timed(lambda: settings.get(STUDENT), repeats)
    print(f"   - review_settings.get    {percentiles(ms)}")
    ms = await timed(lambda: memory.reviews_since(STUDENT, DAY_START, "review"), repeats)
    print(f"   - memory.reviews_since   {percentiles(ms)}")


def _answer_writes(services: Services, path: Path, repeats: int) -> None:
    """What memory adds to an answer's write (`record_practice`: the cards it reads, the rules,
    the rows it writes), for the student's due question with the most prerequisites, right and
    wrong; each in a transaction rolled back, so the database is left as built."""
    graph = services.library.graph
    conn = connect(path)
    try:
        due = conn.execute(
            "SELECT topic_id, question_id FROM memory_cards WHERE user_id = ? AND due <= ?",
            (STUDENT, to_db(DAY_END)),
        ).fetchall()
        topic, question = max(due, key=lambda r: (len(implicit_weights(graph, r[0])), r[0]))
        for rating in (Rating.GOOD, Rating.AGAIN):
            ms, changed = [], 0
            for _ in range(repeats):
                conn.execute("BEGIN")
                before = conn.total_changes
                start = time.perf_counter()
                step = services.memory.step(topic, question, rating, "quiz", NOW)
                record_practice(conn, STUDENT, step)
                ms.append((time.perf_counter() - start) * 1000)
                changed = conn.total_changes - before
                conn.execute("ROLLBACK")
            print(
                f"  answer's memory write, {rating.name.lower():<5}   {percentiles(ms)}   "
                f"({changed} rows written; {len(step.credit_topics)} topics credited, "
                f"{len(step.lapse_topics)} made due)"
            )
    finally:
        conn.close()


async def _profile(services: Services, repeats: int) -> None:
    """`plan` under cProfile: the top costs by own time and by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeats):
        await services.review.plan(STUDENT)
    profiler.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(14)
        text = out.getvalue()
        print(f"  cProfile of {repeats} plans, by {order}:")
        print("\n".join("    " + line for line in text.splitlines()[4:] if line.strip()))


def generated_course(folder: Path) -> Path:
    """The generated course in `folder` (written there unless an earlier run left it)."""
    folder.mkdir(parents=True, exist_ok=True)
    course = folder / "course-2000x3"
    if not course.exists():
        partial = Path(tempfile.mkdtemp(prefix="course-", dir=folder))
        generate(partial, 2_000, 3, 40)
        partial.rename(course)
    return course


async def queue_bench(folder: Path, course: Path, repeats: int, profile: bool) -> None:
    """Build (or reuse) each case's database in `folder` and measure it."""
    bundled = len(_questions(BUNDLED_CONTENT_DIR))
    cases = [
        Case("bundled", BUNDLED_CONTENT_DIR, bundled, bundled),
        Case("5k", course, 5_000, 5_000),
        Case("1m", course, 5_000, 1_000_000),
    ]
    for case in cases:
        path = folder / f"review-{case.name}.sqlite3"
        if path.exists():
            how = "reused"
        else:
            cards, reviews, seconds = await build(case, path)
            how = f"built in {seconds:.1f} s: {cards:,} cards, {reviews:,} review rows"
        size = path.stat().st_size / 1e6
        print(
            f"\n== {case.name}: {case.cards:,} cards of the student, {case.total:,} in all "
            f"({how}; {size:,.0f} MB)"
        )
        await measure(case, path, repeats, profile)


def sim_bench(
    students: int, days: int, seed: int, limit: int | None, workers: int, control: bool
) -> None:
    """Run the simulation with and without credit, and without credit at other desired
    retentions until the two runs' retention can be matched; with `control`, also both on a
    truth in which practice never exercises prerequisites."""
    library = load_library(BUNDLED_CONTENT_DIR)
    questions = {t.id: [q.id for q in t.questions] for t in library.topics.values()}
    course = Course.of(library.graph, questions)
    started = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:

        def run(credit: bool, desired_retention: float = 0.9, on: Course = course) -> RunResult:
            return simulate(
                Run(on, students, days, seed, credit, limit, desired_retention), pool, workers
            )

        with_credit = run(True)
        without = [run(False)]
        target = with_credit.retention_late
        step = -DR_STEP if _side(without[0], target) else DR_STEP
        while _side(without[-1], target) == _side(without[0], target):
            next_dr = round(without[-1].desired_retention + step, 2)
            if not DR_RANGE[0] <= next_dr <= DR_RANGE[1]:
                break
            without.append(run(False, next_dr))
        controls = []
        if control:
            untrue = Course.of(library.graph, questions, true_share=())
            controls = [run(True, on=untrue), run(False, on=untrue)]
    seconds = time.perf_counter() - started
    print(
        f"\n== simulation: {students} students x {days} days on the bundled course "
        f"({len(course.questions)} questions), daily limit {'none' if limit is None else limit}, "
        f"seed {seed}"
    )
    _print_runs([with_credit, *without], days)
    _print_cut(with_credit, without, days)
    if controls:
        print(
            "\ncontrol: a truth in which practice never exercises prerequisites (credit is wrong)"
        )
        _print_runs(controls, days)
    runs = 1 + len(without) + len(controls)
    print(f"({runs} runs in {seconds:.1f} s, {workers} worker processes)")


def _side(r: RunResult, target: float) -> bool:
    return r.retention_late > target


def _print_runs(runs: list[RunResult], days: int) -> None:
    late = f"days {days // 2}-{days}"
    print(
        f"{'run':<26}{'DR':>5}{'rev/day':>9}{'rev/day':>12}{'recall at':>11}{'retention':>12}"
        f"{'retention':>11}{'implicit':>10}{'cleared':>9}{'learned':>9}"
    )
    print(
        f"{'':<26}{'':>5}{'all':>9}{late:>12}{'review':>11}{late:>12}{'last day':>11}"
        f"{'/day':>10}{'/day':>9}{'':>9}"
    )
    for r in runs:
        print(
            f"{r.label:<26}{r.desired_retention:>5.2f}{r.reviews_per_day:>9.2f}"
            f"{r.reviews_per_day_late:>12.2f}{r.recall_at_review:>11.3f}{r.retention_late:>12.4f}"
            f"{r.retention_final:>11.4f}{r.implicit_per_day:>10.2f}{r.cleared_per_day:>9.2f}"
            f"{r.learned:>9.0f}"
        )


def _print_cut(with_credit: RunResult, without: list[RunResult], days: int) -> None:
    base = without[0]
    cut = base.reviews_per_day_late - with_credit.reviews_per_day_late
    print(
        f"\nsame desired retention (0.90), days {days // 2}-{days}: "
        f"{with_credit.reviews_per_day_late:.2f} reviews/day with credit vs "
        f"{base.reviews_per_day_late:.2f} without: {cut:+.2f} "
        f"({cut / base.reviews_per_day_late:.0%} fewer); retention "
        f"{with_credit.retention_late:.4f} vs {base.retention_late:.4f}"
    )
    target = with_credit.retention_late
    pair = _bracket(without, target)
    if pair is None:
        print(f"equal retention: no run without credit reached {target:.4f}; not interpolated")
        return
    a, b = pair
    share = (target - a.retention_late) / (b.retention_late - a.retention_late)
    reviews = a.reviews_per_day_late + share * (b.reviews_per_day_late - a.reviews_per_day_late)
    dr = a.desired_retention + share * (b.desired_retention - a.desired_retention)
    cut = reviews - with_credit.reviews_per_day_late
    print(
        f"equal retention ({target:.4f}, without credit interpolated at DR {dr:.3f}): "
        f"{with_credit.reviews_per_day_late:.2f} reviews/day with credit vs {reviews:.2f} "
        f"without: {cut:+.2f} ({cut / reviews:.0%} fewer with credit)"
    )


def _bracket(runs: list[RunResult], target: float) -> tuple[RunResult, RunResult] | None:
    for a, b in itertools.pairwise(runs):
        if _side(a, target) != _side(b, target):
            return a, b
    return None


def cli() -> None:
    """Parse the options and run the queue benchmark, the simulation, or both."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", choices=("plan", "sim"))
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the databases in this folder")
    parser.add_argument("--profile", action="store_true", help="cProfile the plans")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, help="daily review limit (default: none)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--control", action="store_true", help="also simulate a truth without implicit practice"
    )
    args = parser.parse_args()
    if args.only != "sim":
        with tempfile.TemporaryDirectory(prefix="review-bench-") as tmp:
            folder = args.keep or Path(tmp)
            course = generated_course(folder)
            asyncio.run(queue_bench(folder, course, args.repeats, args.profile))
    if args.only != "plan":
        sim_bench(args.students, args.days, args.seed, args.limit, args.workers, args.control)


if __name__ == "__main__":
    cli()
