"""A student's progress through the knowledge graph: what is known, the goal, what to learn next.

"Known" is the closure of the topics a student marked "I know this" and the topics they mastered
in a quiz: knowing a topic counts its prerequisites as known too, without marking them (so
un-marking the topic takes them back out).

/progress computes only what it shows, on the graph's bitsets: how many topics are known (a bit
count), the goal's known prerequisites (its ancestors intersected with the known ones), the first
few topics of the frontier (looking at unknown topics in learning order only until enough are
found) and the newest masteries; nothing lists every topic known.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
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

    def leads_to(self, topic_id: str) -> Sequence[str]:
        """Topics that list this one as a direct prerequisite, in learning order."""

    def known_closure(self, marked: Iterable[str]) -> frozenset[str]:
        """Marked topics plus all their prerequisites; ids no longer in the graph are ignored."""

    def known(self, marked: Iterable[str]) -> AbstractSet[str]:
        """The same closure as a set that is counted and tested without listing it."""

    def topic_set(self, topics: Iterable[str]) -> AbstractSet[str]:
        """Exactly these topics, as a set that intersects `known` and `ancestor_set` cheaply."""

    def ancestor_set(self, topic_id: str) -> AbstractSet[str]:
        """All transitive prerequisites, as a set that is counted without listing it."""

    def ready(self, known: Iterable[str], among: AbstractSet[str] | None = None) -> Iterator[str]:
        """The frontier of `known` (topics not known, every prerequisite known), lazily in
        learning order; only those in `among` when given."""

    def goal_path(self, goal: str, known: Iterable[str]) -> AbstractSet[str]:
        """The goal's unknown prerequisites, and the goal itself if unknown."""

    def __contains__(self, topic_id: object) -> bool: ...


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

    known: AbstractSet[str]
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
    below = graph.ancestor_set(goal)
    return GoalProgress(
        goal=goal,
        known=len(below & graph.topic_set(known)),
        total=len(below),
        goal_known=goal in known,
    )


def next_topics(
    graph: Graph, known: Collection[str], goal: str | None, limit: int = NEXT_TOPICS_LIMIT
) -> tuple[str, ...]:
    """Topics whose prerequisites are all known: those on the way to the goal first, then the rest;
    each group in learning order; at most `limit`."""
    closed = graph.known(known)
    limit = max(limit, 0)
    if goal is None:
        return tuple(islice(graph.ready(closed), limit))
    on_path = graph.goal_path(goal, closed)
    first = tuple(islice(graph.ready(closed, among=on_path), limit))
    rest = (t for t in graph.ready(closed) if t not in on_path)
    return first + tuple(islice(rest, limit - len(first)))


def recently_mastered(
    mastered: Mapping[str, datetime], limit: int = RECENT_LIMIT
) -> tuple[str, ...]:
    """Mastered topics, newest first (ties by id so the order is stable)."""
    newest = heapq.nsmallest(
        max(limit, 0), mastered.items(), key=lambda item: (-item[1].timestamp(), item[0])
    )
    return tuple(topic for topic, _ in newest)


def progress(
    graph: Graph,
    marked: Iterable[str],
    mastered: Mapping[str, datetime],
    goal: str | None,
    next_limit: int = NEXT_TOPICS_LIMIT,
    recent_limit: int = RECENT_LIMIT,
) -> Progress:
    """Everything /progress shows, from the student's marks, masteries (with times) and goal.

    A goal no longer in the graph (removed from content) is treated as no goal. `known` is the
    graph's own set, counted without listing it.
    """
    known = graph.known({*marked, *mastered})
    live_goal = goal if goal is not None and goal in graph else None
    return Progress(
        known=known,
        goal=goal_progress(graph, live_goal, known) if live_goal else None,
        next_topics=next_topics(graph, known, live_goal, next_limit),
        recently_mastered=recently_mastered(mastered, recent_limit),
    )


def newly_unlocked(graph: Graph, known_before: Iterable[str], topic: str) -> tuple[str, ...]:
    """Topics a newly known or mastered `topic` made available: in the frontier now, not before.

    Those are the ready topics among the direct dependents of what became known (one of their
    prerequisites was unknown before), so only those are looked at.
    """
    before, learned = graph.known(known_before), graph.known([topic])
    dependents = graph.topic_set(d for t in learned - before for d in graph.leads_to(t))
    return tuple(graph.ready(before | learned, among=dependents))


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
