"""Benchmark: the end of a round and its `/round results` CSV, for a class of N students.

A real round is played through the project's own code: a temp SQLite database
(`open_storage`), a real `Services` over a small course written to a temp folder, `/round start`
through `services.rounds.start_round`, every student's click through `services.rounds.accept`,
free-response judgements through `services.rounds.assess`, each question closed by
`services.rounds.skip` and the next opened by the scheduler's own timer (the clock is moved on,
not slept). Students have a skill (some struggle), sometimes skip a question, and some have
mastered the round topic's prerequisite, so the instructor's report has something to say.

Then, on the finished round, it times (median and p95 over the repeats):

- round end: `round_reports.summary` (podium, top 10, the instructor's report), the display
  names it shows (`services.names.in_guild`, as the Discord presenter asks) and the two
  messages the bot renders (`render.end_message`, `render.report_text`), given the round as
  the round's last step read it (that read is shown on its own, "read round");
- csv: everyone's names (`services.names.in_guild`, as `/round results` asks) and
  `round_reports.results_csv` (reading the round and its answers, and the CSV text).

Goals (issue 14): round end for 5,000 students under 200 ms, the CSV under 300 ms.

    python bench/round_end.py [--students 100 1000 5000] [--repeats 5]

`measure_round_end(students, repeats)` is importable (bench/ on `sys.path`) for other benches.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import textwrap
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from tutorbot.bot.exts.rounds import render
from tutorbot.bot.heap import settle_heap
from tutorbot.content.loader import load_library
from tutorbot.content.models import QuestionType
from tutorbot.domain.round_state import RoundState
from tutorbot.services import Services, round_reports
from tutorbot.services.round_rows import load
from tutorbot.services.round_views import QuestionView, RoundEnd
from tutorbot.storage import open_storage
from tutorbot.storage.progress import upsert_topic_state
from tutorbot.storage.rounds import Round

GUILD, CHANNEL, INSTRUCTOR = 1, 2, 3
FIRST_STUDENT = 1_000_000
QUESTIONS = 10
TOPIC, BASE = "bench-round", "bench-basics"
GOALS_MS = {"round_end": 200.0, "csv": 300.0}
SIZES = (100, 1_000, 5_000)
BATCH = 500
"""Clicks sent at once while building a round (a burst, as in a real class)."""

_BASE = f"""\
id: {BASE}
title: Bench Basics
core_idea: What the round builds on.
explainer: The basics.
questions:
  - id: b1
    type: true_false
    prompt: The basics come first.
    answer: true
    explanation: They do.
"""


def _course_text() -> str:
    """The round's topic: eight multiple choice, one true/false, one free response."""
    lines = [
        f"id: {TOPIC}",
        "title: Bench Round",
        f"prerequisites: [{BASE}]",
        "core_idea: Ten questions for a class.",
        "explainer: A round of ten.",
        "questions:",
    ]
    for i in range(8):
        lines += [
            f"  - id: mc{i}",
            "    type: multiple_choice",
            f"    prompt: Multiple choice question {i}?",
            '    choices: ["one", "two", "three", "four"]',
            f"    answer: {'ABCD'[i % 4]}",
            "    explanation: Because.",
        ]
    lines += [
        "  - id: tf",
        "    type: true_false",
        "    prompt: This is true.",
        "    answer: true",
        "    explanation: It is.",
        "  - id: fr",
        "    type: free_response",
        "    prompt: Say why.",
        "    answer: Because it is.",
        "    explanation: It is.",
    ]
    return "\n".join(lines) + "\n"


class BenchClock:
    """The real time plus an offset the bench moves forward (deadlines and pauses)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        """The current (moved) time."""
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.offset += timedelta(seconds=seconds)


class Student:
    """How one bench student plays: how often right, how often silent."""

    def __init__(self, user_id: int, rng: random.Random) -> None:
        self.user_id = user_id
        self.skill = rng.choice((0.2, 0.35, 0.7, 0.85, 0.95))
        self.silent = rng.random() * 0.15
        self.mastered_base = rng.random() < 0.4
        self.rng = random.Random(user_id)

    def answer(self, view: QuestionView) -> str | None:
        """The student's choice on this question, or None if they let it pass."""
        if self.rng.random() < self.silent:
            return None
        question = view.asked
        if question.kind is QuestionType.FREE_RESPONSE:
            return f"my answer, {self.user_id}"
        right = self.rng.random() < self.skill
        if right and question.correct is not None:
            return question.correct
        wrong = [o for o in question.options if o != question.correct]
        return self.rng.choice(wrong)

    def assessment(self) -> str:
        """The student's judgement of their typed answer."""
        roll = self.rng.random()
        if roll < self.skill:
            return "got_it"
        return "partly" if roll < (1 + self.skill) / 2 else "missed"


async def _in_batches(calls: list[Callable[[], Awaitable[object]]]) -> None:
    """Run the calls, `BATCH` at a time."""
    for start in range(0, len(calls), BATCH):
        await asyncio.gather(*(call() for call in calls[start : start + BATCH]))


class BenchRound:
    """A finished round of N students in a temp database, with the services that played it."""

    def __init__(self, folder: Path, students: int) -> None:
        self.folder = folder
        self.rng = random.Random(students)
        self.students = [Student(FIRST_STUDENT + i, self.rng) for i in range(students)]
        self.clock = BenchClock()
        self.round_id = 0
        self._services: Services | None = None

    @property
    def services(self) -> Services:
        """The services the round was played with (once `build` ran)."""
        if self._services is None:
            raise RuntimeError("build the round first")
        return self._services

    async def build(self) -> None:
        """Write the course, open the database and play the whole round."""
        content = self.folder / "content"
        content.mkdir()
        (content / f"{BASE}.yaml").write_text(textwrap.dedent(_BASE))
        (content / f"{TOPIC}.yaml").write_text(_course_text())
        storage = await open_storage(self.folder / "tutorbot.sqlite3")
        self._services = Services(load_library(content), storage, self.clock)
        await self._meet_students()
        await self.services.start()
        await self._play()

    async def _meet_students(self) -> None:
        """Every student's display name seen, and some with the prerequisite mastered."""
        for student in self.students:
            self.services.names.saw(GUILD, student.user_id, f"Student {student.user_id}")
        await self.services.names.flush()
        masters = [s.user_id for s in self.students if s.mastered_base]
        now = self.clock()
        await self.services.storage.db.write(
            lambda conn: [upsert_topic_state(conn, "mastered_at", u, BASE, now) for u in masters]
        )

    async def _play(self) -> None:
        """Start the round and play each question: clicks, close, judgements, next."""
        topic = self.services.library.get(TOPIC)
        if topic is None:
            raise RuntimeError("the bench course did not load")
        started = await self.services.rounds.start_round(
            guild_id=GUILD,
            channel_id=CHANNEL,
            instructor_id=INSTRUCTOR,
            is_instructor=True,
            topic=topic,
            questions=QUESTIONS,
            seconds=300,
        )
        if not isinstance(started, QuestionView):
            raise RuntimeError(f"the round did not start: {started}")
        self.round_id = started.round_id
        view: QuestionView | None = started
        while view is not None:
            await self._question(view)
            view = await self._next(view)

    async def _question(self, view: QuestionView) -> None:
        """Every student's click on the open question, then its close and the judgements."""
        rounds = self.services.rounds
        answered = []
        clicks: list[Callable[[], Awaitable[object]]] = []
        for student in self.students:
            choice = student.answer(view)
            if choice is None:
                continue
            answered.append(student)
            at = view.asked.opened_at + timedelta(seconds=student.rng.uniform(0.5, 250))
            clicks.append(
                partial(rounds.accept, view.round_id, view.index, student.user_id, choice, at)
            )
        await _in_batches(clicks)
        refused = await rounds.skip(CHANNEL, is_instructor=True)
        if refused is not None:
            raise RuntimeError(f"could not close question {view.number}: {refused.text}")
        if view.asked.kind is QuestionType.FREE_RESPONSE:
            judgements: list[Callable[[], Awaitable[object]]] = [
                partial(rounds.assess, view.round_id, view.index, s.user_id, s.assessment())
                for s in answered
            ]
            await _in_batches(judgements)

    async def _next(self, view: QuestionView) -> QuestionView | None:
        """Move time past the pause and let the timer open the next question (None once the
        round is over)."""
        self.clock.advance(5)
        self.services.wake()
        for _ in range(2_000):
            rnd = await self.services.storage.rounds.get(self.round_id)
            if rnd is not None and rnd.status != "running":
                return None
            following = await self.services.rounds.question_view(self.round_id)
            if following is not None and following.index != view.index:
                return following
            await asyncio.sleep(0.005)
        raise RuntimeError("the round did not move on")

    async def close(self) -> None:
        """Stop the timers and close the database."""
        await self.services.stop()
        await self.services.close()


async def round_end(bench: BenchRound, rnd: Round, state: RoundState) -> RoundEnd:
    """What ending the round costs past its last step (which read the round with its answers):
    the summary, the names it shows and the two messages the bot sends."""
    services = bench.services
    end = await round_reports.summary(services, rnd, state, None)
    shown = [s.user_id for s in (*end.podium, *end.top)] + [s.user_id for s in end.struggling]
    names = await services.names.in_guild(GUILD, shown)
    render.end_message(end, names)
    render.report_text(end, names)
    return end


async def _loaded(bench: BenchRound) -> tuple[Round, RoundState]:
    """The round as its last step has it: read with every answer."""
    return await load(bench.services.storage.rounds, bench.round_id)


async def results_csv(bench: BenchRound) -> str:
    """What `/round results` costs: the round read, its players' names, then its CSV."""
    services = bench.services
    found = await round_reports.results_csv(services, GUILD, bench.round_id, is_instructor=True)
    if not isinstance(found, tuple):
        raise RuntimeError(f"no CSV: {found.text}")
    return found[1]


async def _timed(call: Callable[[], Awaitable[object]]) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    await call()
    return time.perf_counter() - start


async def measure(students: int, repeats: int = 5) -> dict[str, list[float]]:
    """Seconds per repeat of the round end, of the CSV and (for the table) of reading the round
    with its answers, on a round of `students` students answering 10 questions."""
    with tempfile.TemporaryDirectory(prefix="tutorbot-round-end-") as tmp:
        bench = BenchRound(Path(tmp), students)
        await bench.build()
        settle_heap()  # as `tutorbot run` does once ready
        try:
            rnd, state = await _loaded(bench)
            await round_end(bench, rnd, state)  # warm up: the first read opens caches
            await results_csv(bench)
            figures: dict[str, list[float]] = {"round_end": [], "csv": [], "read": []}
            for _ in range(repeats):
                figures["read"].append(await _timed(partial(_loaded, bench)))
                rnd, state = await _loaded(bench)  # a fresh value, as each round end gets
                figures["round_end"].append(await _timed(partial(round_end, bench, rnd, state)))
                figures["csv"].append(await _timed(partial(results_csv, bench)))
        finally:
            await bench.close()
    return figures


async def measure_round_end(students: int, repeats: int = 5) -> dict[str, list[float]]:
    """Seconds per repeat of the round end and of the CSV, on a round of `students` students
    answering 10 questions: {"round_end": [...], "csv": [...]}."""
    figures = await measure(students, repeats)
    return {"round_end": figures["round_end"], "csv": figures["csv"]}


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank) of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def table(results: dict[int, dict[str, list[float]]]) -> str:
    """The figures as a table: median and p95 in milliseconds beside each goal."""
    lines = [
        f"{'students':>8} {'round end p50':>14} {'p95':>8} {'csv p50':>9} {'p95':>8}"
        f" {'read round p50':>15}"
    ]
    for students, figures in results.items():
        end, csv_, read = figures["round_end"], figures["csv"], figures["read"]
        lines.append(
            f"{students:>8,} {statistics.median(end) * 1000:>11.1f} ms {p95(end) * 1000:>5.1f} ms"
            f" {statistics.median(csv_) * 1000:>6.1f} ms {p95(csv_) * 1000:>5.1f} ms"
            f" {statistics.median(read) * 1000:>12.1f} ms"
        )
    lines.append(
        f"goals at 5,000 students: round end < {GOALS_MS['round_end']:.0f} ms, "
        f"csv < {GOALS_MS['csv']:.0f} ms (the csv's figure includes reading the round; the round "
        "end's does not: its last step read it already)"
    )
    return "\n".join(lines)


async def main(sizes: list[int], repeats: int) -> dict[int, dict[str, list[float]]]:
    """The figures for each class size."""
    return {n: await measure(n, repeats) for n in sizes}


def cli() -> None:
    """Measure each class size and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(table(asyncio.run(main(args.students, args.repeats))))


if __name__ == "__main__":
    cli()
