"""A student's progress through the knowledge graph: what is known, the goal, what to learn next.

"Known" is the closure of the topics a student marked "I know this" and the topics they mastered
in a quiz: knowing a topic counts its prerequisites as known too, without marking them (so
un-marking the topic takes them back out).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

FULL = "█"
EMPTY = "░"
NEXT_TOPICS_LIMIT = 5
RECENT_LIMIT = 5
REVIEW_LIMIT = 3


class Graph(Protocol):
    """The part of `tutorbot.content.graph.KnowledgeGraph` progress relies on."""

    def depth(self, topic_id: str) -> int:
        """Edges on the longest prerequisite chain ending at this topic (0 for a root)."""

    def prerequisites(self, topic_id: str) -> Sequence[str]:
        """Direct prerequisites, as listed in the topic's file."""

    def ancestors(self, topic_id: str) -> frozenset[str]:
        """All transitive prerequisites."""

    def known_closure(self, marked: Iterable[str]) -> frozenset[str]:
        """Marked topics plus all their prerequisites; ids no longer in the graph are ignored."""

    def frontier(self, marked: Iterable[str]) -> list[str]:
        """Topics to learn next: not known, every prerequisite known; in learning order."""

    def __contains__(self, topic_id: object) -> bool: ...

    def path_to_goal(self, goal: str, marked: Iterable[str]) -> list[str]:
        """The goal's unknown prerequisites, then the goal itself if unknown; in learning order."""


@dataclass(frozen=True)
class GoalProgress:
    """How far a student is toward a goal: known prerequisites out of all of them."""

    goal: str
    known: int
    total: int
    goal_known: bool

    @property
    def fraction(self) -> float:
        """Share of the goal's prerequisites known (1.0 when the goal has none)."""
        return self.known / self.total if self.total else 1.0

    @property
    def percentage(self) -> int:
        """Whole percent, rounded down, so 100 means every prerequisite is known."""
        return int(100 * self.fraction)


@dataclass(frozen=True)
class Progress:
    """What /progress shows."""

    known: frozenset[str]
    goal: GoalProgress | None
    next_topics: tuple[str, ...]
    recently_mastered: tuple[str, ...]


def bar(fraction: float, width: int = 20) -> str:
    """A text bar such as "█████░░░░░"; cells round down, so it is full only at 1."""
    if width < 1:
        raise ValueError(f"a bar needs a positive width, got {width}")
    clamped = min(max(fraction, 0.0), 1.0)
    filled = int(clamped * width + 1e-9)
    return FULL * filled + EMPTY * (width - filled)


def known_topics(graph: Graph, marked: Iterable[str], mastered: Iterable[str]) -> frozenset[str]:
    """Every topic counted as known: marked or mastered, and all their prerequisites."""
    return graph.known_closure({*marked, *mastered})


def goal_progress(graph: Graph, goal: str, known: Collection[str]) -> GoalProgress:
    """Known prerequisites of `goal` out of all its transitive prerequisites."""
    below = graph.ancestors(goal)
    return GoalProgress(
        goal=goal,
        known=sum(1 for topic in below if topic in known),
        total=len(below),
        goal_known=goal in known,
    )


def next_topics(
    graph: Graph, known: Collection[str], goal: str | None, limit: int = NEXT_TOPICS_LIMIT
) -> tuple[str, ...]:
    """Topics whose prerequisites are all known: those on the way to the goal first, then the rest;
    each group in learning order; at most `limit`."""
    frontier = graph.frontier(known)
    if goal is None:
        return tuple(frontier[:limit])
    on_path = set(graph.path_to_goal(goal, known))
    first = [t for t in frontier if t in on_path]
    rest = [t for t in frontier if t not in on_path]
    return tuple((first + rest)[:limit])


def recently_mastered(
    mastered: Mapping[str, datetime], limit: int = RECENT_LIMIT
) -> tuple[str, ...]:
    """Mastered topics, newest first (ties by id so the order is stable)."""
    ordered = sorted(mastered.items(), key=lambda item: (-item[1].timestamp(), item[0]))
    return tuple(topic for topic, _ in ordered[:limit])


def progress(
    graph: Graph,
    marked: Iterable[str],
    mastered: Mapping[str, datetime],
    goal: str | None,
    next_limit: int = NEXT_TOPICS_LIMIT,
    recent_limit: int = RECENT_LIMIT,
) -> Progress:
    """Everything /progress shows, from the student's marks, masteries (with times) and goal.

    A goal no longer in the graph (removed from content) is treated as no goal.
    """
    known = known_topics(graph, marked, mastered)
    live_goal = goal if goal is not None and _in_graph(graph, goal) else None
    return Progress(
        known=known,
        goal=goal_progress(graph, live_goal, known) if live_goal else None,
        next_topics=next_topics(graph, known, live_goal, next_limit),
        recently_mastered=recently_mastered(mastered, recent_limit),
    )


def _in_graph(graph: Graph, topic_id: str) -> bool:
    try:
        graph.depth(topic_id)
    except KeyError:
        return False
    return True


def newly_unlocked(graph: Graph, known_before: Iterable[str], topic: str) -> tuple[str, ...]:
    """Topics a newly known or mastered `topic` made available: in the frontier now, not before."""
    before_set = set(known_before)
    before = set(graph.frontier(before_set))
    after = graph.frontier({*before_set, topic})
    return tuple(t for t in after if t not in before)


def prerequisites_to_review(
    graph: Graph, topic: str, mastered: Collection[str], limit: int = REVIEW_LIMIT
) -> tuple[str, ...]:
    """The prerequisites worth reviewing after missing questions on `topic`.

    Rule: the topic's *direct* prerequisites the student has not mastered, deepest first (the
    deepest builds on the most, so a gap there most likely explains a miss), ties by id. Questions
    carry no link to a particular prerequisite, so every missed question of a quiz points to this
    same short list; it is empty when every direct prerequisite is mastered, and then the topic's
    own explainer is the thing to reread. A topic a content reload removed has nothing to point to
    (a round on it still ends with its report).
    """
    if topic not in graph:
        return ()
    candidates = [p for p in graph.prerequisites(topic) if p not in mastered]
    candidates.sort(key=lambda p: (-graph.depth(p), p))
    return tuple(candidates[:limit])
