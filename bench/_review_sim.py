"""Simulated students for bench/review.py: reviews per day and retention, with and without
implicit credit, through the domain's own memory rules (no database).

**The true memory** of a simulated student is one trace per learned question: a stability s
(days) and the time it was last exercised. Its recall probability after t days is FSRS-4's
power curve, p = 1 / (1 + t / (9 s)), so s is the number of days until p falls to 90% (the
scheduler's own model is FSRS-6, whose curve is flatter: the truth is not the model).

- Learning a question sets s = `S_LEARN`; the student answers it at once, right with
  probability `P_FIRST` (a wrong first answer leaves s = `S_FAIL`).
- A review is answered right with the true recall probability p. A right answer multiplies s by
  1 + (G - 1) * min(1, (1 - p) / 0.1), G = `GROWTH`: the full G once the memory has decayed to
  90%, proportionally less for an earlier review (the spacing effect, so cramming does not pay
  in the truth either). A wrong answer sets s = `S_FAIL`. Either way the clock restarts.
- Practising topic T really exercises T's prerequisites (the assumption behind implicit
  credit): a right answer on T exercises each learned question of a prerequisite at distance k
  with strength `TRUE_SHARE[k - 1]` (1 for a direct prerequisite, 1/2 two steps down, nothing
  further; the model credits 1/4 three steps down, so it assumes a little more than the truth
  gives). The question is exercised only if recalled (drawn with its own p); then s grows by
  1 + strength * (G - 1) * min(1, (1 - p) / 0.1) and its clock restarts.

**A day** (at 18:00 UTC): the student does the review queue of every card due by the end of the
day (`review_queue`, unlimited unless `limit` is given), skipping a card that an earlier answer
of the same session cleared (as `/review` does), then learns `NEW_PER_DAY` new questions in the
graph's learning order. Every answer goes through `practice` and `Practice.apply` exactly as
the bot's answer writes do; "without implicit credit" is the same `Practice` with an empty
`credit_to` (a failure still makes direct prerequisites due).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from tutorbot.content.graph import KnowledgeGraph
from tutorbot.domain.memory import (
    MemoryCard,
    MemoryModel,
    Rating,
    ReviewSource,
    practice,
    review_queue,
)

START = datetime(2026, 1, 5, tzinfo=UTC)
REVIEW_HOUR = 18
S_LEARN = 2.0
S_FAIL = 0.5
P_FIRST = 0.85
GROWTH = 2.5
TRUE_SHARE = (1.0, 0.5)
NEW_PER_DAY = 5

Key = tuple[str, str]


def recall(s: float, days: float) -> float:
    """The true recall probability `days` after an exercise, at stability `s`."""
    return 1.0 / (1.0 + max(0.0, days) / (9.0 * s))


def grown(s: float, p: float, strength: float) -> float:
    """Stability after a successful exercise of `strength` at recall probability `p`."""
    return s * (1.0 + strength * (GROWTH - 1.0) * min(1.0, (1.0 - p) / 0.1))


@dataclass
class Trace:
    """A question's true memory: stability (days) and when it was last exercised (day)."""

    s: float
    last: float


@dataclass(frozen=True)
class Course:
    """What every simulated student learns: the graph, the questions in learning order, and how
    far practising a topic really reaches down (topic -> [(prerequisite, strength)])."""

    graph: KnowledgeGraph
    questions: tuple[Key, ...]
    reach: dict[str, tuple[tuple[str, float], ...]]

    @classmethod
    def of(
        cls,
        graph: KnowledgeGraph,
        questions_of: dict[str, Sequence[str]],
        true_share: Sequence[float] = TRUE_SHARE,
    ) -> Course:
        """The course over `graph`, each topic's questions as listed; practising a topic really
        exercises its prerequisites with `true_share` by distance (empty: not at all)."""
        order = tuple((t, q) for t in graph.learning_order() for q in questions_of.get(t, ()))
        reach = {t: _reach(graph, t, true_share) for t in graph.learning_order()}
        return cls(graph, order, reach)


def _reach(
    graph: KnowledgeGraph, topic: str, true_share: Sequence[float]
) -> tuple[tuple[str, float], ...]:
    """Prerequisites of `topic` by shortest distance, with their strength."""
    seen: dict[str, float] = {}
    layer = [topic]
    for share in true_share:
        below = []
        for t in layer:
            for p in graph.prerequisites(t):
                if p not in seen and p != topic:
                    seen[p] = share
                    below.append(p)
        layer = below
    return tuple(seen.items())


@dataclass
class Day:
    """One student's day: explicit reviews, their true recall, and the end-of-day retention."""

    reviews: int = 0
    recall_sum: float = 0.0
    implicit: int = 0
    """Implicit Good reviews the model gave (credit reaching a full unit)."""
    cleared: int = 0
    """Queue cards skipped because an earlier answer that day cleared them."""
    retention: float | None = None
    """Mean true recall of every learned question at the end of the day."""


@dataclass
class Student:
    """One simulated student: the model's cards and the true memory behind them."""

    course: Course
    model: MemoryModel
    rng: random.Random
    credit: bool
    limit: int | None
    cards: dict[Key, MemoryCard] = field(default_factory=dict)
    of_topic: dict[str, list[Key]] = field(default_factory=dict)
    truth: dict[Key, Trace] = field(default_factory=dict)

    def live(self, days: int) -> Iterator[Day]:
        """The student's days, one after another."""
        to_learn = iter(self.course.questions)
        for day in range(days):
            t = day + REVIEW_HOUR / 24
            now = START + timedelta(days=t)
            out = Day()
            self._review(out, t, now, START + timedelta(days=day + 1))
            for key in _take(to_learn, NEW_PER_DAY):
                self._learn(out, key, t, now)
            if self.truth:
                end = day + 1.0
                total = sum(recall(tr.s, end - tr.last) for tr in self.truth.values())
                out.retention = total / len(self.truth)
            yield out

    def _review(self, out: Day, t: float, now: datetime, until: datetime) -> None:
        due = [c for c in self.cards.values() if c.due <= until]
        if not due:
            return
        queue = review_queue(self.model, self.course.graph, due, now, self.limit)
        for card in queue:
            if self.cards[card.key].due > until:
                out.cleared += 1
                continue
            trace = self.truth[card.key]
            p = recall(trace.s, t - trace.last)
            out.reviews += 1
            out.recall_sum += p
            right = self.rng.random() < p
            trace.s = grown(trace.s, p, 1.0) if right else S_FAIL
            trace.last = t
            self._answer(out, card.key, right, "review", t, now)

    def _learn(self, out: Day, key: Key, t: float, now: datetime) -> None:
        right = self.rng.random() < P_FIRST
        self.truth[key] = Trace(S_LEARN if right else S_FAIL, t)
        self._answer(out, key, right, "quiz", t, now)

    def _answer(
        self, out: Day, key: Key, right: bool, source: ReviewSource, t: float, now: datetime
    ) -> None:
        """The model's review of the answer (as the bot's write does), and on a right answer
        the real exercise of the topic's prerequisites."""
        topic, question = key
        step = practice(
            self.course.graph, topic, question, Rating.GOOD if right else Rating.AGAIN, source, now
        )
        if not self.credit:
            step = replace(step, credit_to={})
        credited = [
            self.cards[k]
            for p in step.credit_to
            for k in self.of_topic.get(p, ())
            if self.cards[k].due <= step.credit_before
        ]
        lapsed = [self.cards[k] for p in step.due_now for k in self.of_topic.get(p, ())]
        change = step.apply(self.model, self.cards.get(key), credited, lapsed)
        if key not in self.cards:
            self.of_topic.setdefault(topic, []).append(key)
        for card in change.cards:
            self.cards[card.key] = card
        before = {c.key: c.last_review for c in credited}
        out.implicit += sum(
            1 for c in change.cards if c.key in before and c.last_review != before[c.key]
        )
        if right:
            self._exercise_prerequisites(topic, t)

    def _exercise_prerequisites(self, topic: str, t: float) -> None:
        for prerequisite, strength in self.course.reach.get(topic, ()):
            for key in self.of_topic.get(prerequisite, ()):
                trace = self.truth[key]
                p = recall(trace.s, t - trace.last)
                if self.rng.random() < p:
                    trace.s = grown(trace.s, p, strength)
                    trace.last = t


def _take(items: Iterator[Key], n: int) -> list[Key]:
    return [key for _, key in zip(range(n), items, strict=False)]


@dataclass(frozen=True)
class RunResult:
    """One run's figures, per student and day."""

    label: str
    desired_retention: float
    reviews_per_day: float
    reviews_per_day_late: float
    """Over the second half of the days (days 30-60 of 60)."""
    recall_at_review: float
    retention_late: float
    """Mean true recall of every learned question at the end of each day, second half."""
    retention_final: float
    implicit_per_day: float
    cleared_per_day: float
    learned: float


@dataclass(frozen=True)
class Run:
    """What one run simulates: the course, the policy and the students."""

    course: Course
    students: int
    days: int
    seed: int
    credit: bool
    limit: int | None = None
    desired_retention: float = 0.9


def _live(run: Run, first: int, step: int) -> list[tuple[list[Day], int]]:
    """Students first, first + step, ... of the run: their days and how many they learned."""
    model = MemoryModel(run.desired_retention)
    lives = []
    for i in range(first, run.students, step):
        rng = random.Random(f"{run.seed}:{i}")
        student = Student(run.course, model, rng, run.credit, run.limit)
        lives.append((list(student.live(run.days)), len(student.truth)))
    return lives


def simulate(run: Run, pool: Executor | None = None, workers: int = 1) -> RunResult:
    """Run the students (student i seeded with (seed, i), so runs with and without credit start
    alike), split over `workers` processes of `pool` if given, and average their days."""
    if pool is None or workers < 2:
        lives = _live(run, 0, 1)
    else:
        parts = pool.map(_live, [run] * workers, range(workers), [workers] * workers)
        lives = [life for part in parts for life in part]
    rows = [days for days, _ in lives]
    late = run.days // 2
    every = [d for row in rows for d in row]
    second = [d for row in rows for d in row[late:]]
    reviews = sum(d.reviews for d in every)
    label = "with implicit credit" if run.credit else "without implicit credit"
    return RunResult(
        label=label,
        desired_retention=run.desired_retention,
        reviews_per_day=reviews / len(every),
        reviews_per_day_late=sum(d.reviews for d in second) / max(1, len(second)),
        recall_at_review=sum(d.recall_sum for d in every) / max(1, reviews),
        retention_late=_mean(d.retention for d in second),
        retention_final=_mean(row[-1].retention for row in rows),
        implicit_per_day=sum(d.implicit for d in every) / len(every),
        cleared_per_day=sum(d.cleared for d in every) / len(every),
        learned=sum(n for _, n in lives) / run.students,
    )


def _mean(values: Iterator[float | None]) -> float:
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else float("nan")
