"""Benchmark: how many questions a placement asks and how well it places (issue 16).

Simulated students know everything up to a point of the course's learning order (the first k
topics, a set closed under prerequisites) and nothing after it. On a topic they know they slip
`--slip` of the time (10%: a wrong choice, or "Missed it" on a free response) and are right
otherwise ("Got it"); on a topic they do not know they guess: a multiple choice right 1 time in
its number of options, a true/false 1 in 2, and a free response is "Missed it". Each student
takes a whole-course placement (no goal, nothing known before, the default cap) through the
domain's own steps (`placement.start`, `placement.answer`).

Courses: the bundled one (`content/`, 83 topics, 415 questions), every point k = 0..83, each
`--repeats` times with its own seeded random answers; and a generated one
(`big_course.generate`, `--topics` topics with `--questions` questions, `--layers` deep, so it
branches), at `--points` points spread evenly over its learning order (k = round(i * n / (P-1))),
once each (a placement there costs milliseconds, and neighbouring points behave alike).

Printed per course: the mean and worst number of questions; the share of topics placed right
(passed if and only if known; undecided at the end counts as not known) over all students and
for the worst one; and the information-theoretic floor, log2 of the number of possible
frontiers. A frontier is fixed by the set of known topics, a down-set of the prerequisite
order, so the floor is log2 of the number of down-sets: counted exactly by a memoised recursion
over bitsets (a down-set contains a topic x, and so everything below x, or does not, and so
nothing above x) when that finishes within `--count-budget` calls, else shown as "-"; beside it
log2 of the number of points, the floor for students of the simulated kind only (a placement
that knew students are prefixes of the learning order could do with that many bits).

    python bench/placement.py [--repeats 10] [--points 101] [--slip 0.1] [--seed 1]
                              [--topics 1000] [--questions 3] [--layers 120] [--cap 15] [--bits 2]
                              [--count-budget 20000] [--only bundled|big]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from big_course import generate

from tutorbot.content.graph import KnowledgeGraph
from tutorbot.content.loader import load_library
from tutorbot.content.models import TYPED, Question, QuestionType, Topic
from tutorbot.domain import placement
from tutorbot.domain.placement import PlacementState, Result

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Run:
    """One simulated student's placement: questions asked, topics placed right, topics passed but
    not known (lucky), known but not passed (cautious), and candidates."""

    questions: int
    right: int
    lucky: int
    cautious: int
    total: int

    @property
    def share(self) -> float:
        """Share of candidates placed right."""
        return self.right / self.total if self.total else 1.0


def respond(question: Question, knows: bool, slip: float, rng: random.Random) -> Result:
    """A simulated student's answer: right unless they slip when they know, a guess otherwise."""
    if knows:
        return Result.WRONG if rng.random() < slip else Result.RIGHT
    if question.type is QuestionType.FREE_RESPONSE or question.type in TYPED:
        return Result.WRONG  # nothing to guess from: a typed answer is all but never right
    options = len(question.choices or ()) if question.type is QuestionType.MULTIPLE_CHOICE else 2
    return Result.RIGHT if rng.random() < 1 / options else Result.WRONG


def place(
    graph: KnowledgeGraph,
    topics: Mapping[str, Topic],
    known: frozenset[str],
    slip: float,
    cap: int,
    threshold: float,
    rng: random.Random,
) -> Run:
    """One placement of a student who knows exactly `known`."""
    state = placement.start(graph, topics, 1, None, (), T0, cap, threshold)
    if not isinstance(state, PlacementState):
        raise SystemExit(f"placement refused: {state.text}")
    while not state.finished and state.current is not None:
        topic_id, question_id = state.current
        question = next(q for q in topics[topic_id].questions if q.id == question_id)
        result = respond(question, topic_id in known, slip, rng)
        step = placement.answer(state, graph, topics, 1, topic_id, question_id, result, T0)
        if not isinstance(step, PlacementState):
            raise SystemExit(f"answer refused: {step.text}")
        state = step
    found = placement.standing(state, graph, topics)
    passed = found.passed | found.known
    lucky = sum(t in passed and t not in known for t in found.candidates)
    cautious = sum(t in known and t not in passed for t in found.candidates)
    right = len(found.candidates) - lucky - cautious
    return Run(len(state.asked), right, lucky, cautious, len(found.candidates))


def count_down_sets(graph: KnowledgeGraph, budget: int) -> int | None:
    """The number of down-sets of the prerequisite order, or None past `budget` calls."""
    order = graph.learning_order()
    index = {t: i for i, t in enumerate(order)}
    below = [sum(1 << index[a] for a in graph.ancestors(t)) | 1 << i for i, t in enumerate(order)]
    above = [sum(1 << index[d] for d in graph.descendants(t)) | 1 << i for i, t in enumerate(order)]
    memo: dict[int, int] = {0: 1}
    calls = 0

    def count(rest: int) -> int | None:
        nonlocal calls
        if rest in memo:
            return memo[rest]
        calls += 1
        if calls > budget:
            return None
        bits = [i for i in range(rest.bit_length()) if rest >> i & 1]
        x = bits[len(bits) // 2]  # the middle one in learning order splits best on a chain
        with_x = count(rest & ~below[x])
        without_x = None if with_x is None else count(rest & ~above[x])
        if with_x is None or without_x is None:
            return None
        memo[rest] = with_x + without_x
        return memo[rest]

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(order) + 100))
    try:
        return count((1 << len(order)) - 1)
    finally:
        sys.setrecursionlimit(limit)


def antichain(graph: KnowledgeGraph) -> int:
    """The size of the largest set of topics of equal depth: no two are comparable (a topic is
    deeper than all its prerequisites), so each of its subsets is a frontier of its own, and
    log2 of the number of down-sets is at least this."""
    depths = Counter(graph.depth(t) for t in graph.learning_order())
    return max(depths.values(), default=0)


def report(
    name: str,
    graph: KnowledgeGraph,
    topics: Mapping[str, Topic],
    points: list[int],
    repeats: int,
    args: argparse.Namespace,
) -> None:
    """Place every simulated student of a course and print the figures."""
    order = graph.learning_order()
    started = time.perf_counter()
    runs: list[Run] = []
    for k in points:
        known = frozenset(order[:k])
        for r in range(repeats):
            rng = random.Random(f"{args.seed}:{k}:{r}")
            runs.append(place(graph, topics, known, args.slip, args.cap, args.bits, rng))
    seconds = time.perf_counter() - started
    count = count_down_sets(graph, args.count_budget)
    asked = [run.questions for run in runs]
    worst = min(runs, key=lambda run: run.share)
    mean_asked = statistics.fmean(asked)
    exact = "-" if count is None else f"{math.log2(count):.1f} bits ({count:.3g} down-sets)"
    print(
        f"{name}: {len(topics)} topics, {len(runs)} students ({len(points)} points), "
        f"slip {args.slip:.0%}, decide at {args.bits:.2f} bits"
    )
    print(f"  questions       mean {mean_asked:.2f}, worst {max(asked)} (cap {args.cap})")
    share = statistics.fmean(run.share for run in runs)
    print(f"  placed right    {share:.1%} of topics overall; worst student {worst.share:.1%}")
    total = sum(run.total for run in runs)
    lucky = sum(run.lucky for run in runs) / total
    cautious = sum(run.cautious for run in runs) / total
    print(f"  placed wrong    {lucky:.1%} passed not known, {cautious:.1%} known not passed")
    print(f"  floor, exact    {exact}")
    print(f"  floor, at least {antichain(graph)} bits (that many topics of equal depth)")
    print(f"  floor, points   {math.log2(len(order) + 1):.1f} bits ({len(order) + 1} points)")
    if count is not None:
        print(f"  mean / floor    {mean_asked / math.log2(count):.2f}")
    print(f"  time            {seconds:.1f} s ({1000 * seconds / len(runs):.1f} ms a placement)")


def main() -> int:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--points", type=int, default=101)
    parser.add_argument("--slip", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--topics", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--layers", type=int, default=120)
    parser.add_argument("--cap", type=int, default=placement.DEFAULT_CAP)
    parser.add_argument("--bits", type=float, default=placement.DECIDE_BITS)
    parser.add_argument("--count-budget", type=int, default=20_000)
    parser.add_argument("--only", choices=("bundled", "big"))
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    if args.only != "big":
        library = load_library(root / "content")
        points = list(range(len(library.graph) + 1))
        report("bundled", library.graph, library.topics, points, args.repeats, args)
    if args.only != "bundled":
        with tempfile.TemporaryDirectory() as folder:
            generate(Path(folder), args.topics, args.questions, args.layers)
            library = load_library(Path(folder))
        n, p = len(library.graph), max(args.points, 2)
        points = sorted({round(i * n / (p - 1)) for i in range(p)})
        report("generated", library.graph, library.topics, points, 1, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
