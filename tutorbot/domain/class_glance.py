"""The class at a glance: each student of a round against the round topic's prerequisites.

Columns are the round topic's prerequisites a few levels down (`LEVELS`, at most `MAX_COLUMNS`,
the nearest levels first) in learning order, then the topic itself. Each cell is the student's
state of that topic: mastered by quiz, known (marked, placed, or beneath a topic that is), ready
to learn (every prerequisite known), or not yet reachable.

A class of 200 does not fit as 200 legible rows in an embed picture, so the picture keeps two
parts: a count per topic over the whole class (how many lack it), and the rows of the
`MAX_ROWS` students who lack the most, neediest first. The instructor sees what the class lacks
and who lacks most; the alt text and the counts say how many students are not drawn.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Protocol

LEVELS = 3
"""How many levels of prerequisites below the round topic are columns."""
MAX_COLUMNS = 12
"""Columns at most, the round topic included (beyond this the labels no longer fit)."""
MAX_ROWS = 30
"""Students drawn as rows at most; the rest are in the per-topic counts."""
NAME_CHARS = 20
"""A student's name is cut to this many characters in the picture."""

STATES = ("mastered", "known", "ready", "locked")
"""The states a cell can have, best first (names as in `pictures.palette.STATES`)."""
LACKING = frozenset({"ready", "locked"})
"""States in which the student does not know the topic yet."""


class Graph(Protocol):
    """What the class at a glance needs of the knowledge graph."""

    def depth(self, topic_id: str) -> int:
        """Length of the longest prerequisite chain below the topic."""

    def prerequisites(self, topic_id: str) -> Sequence[str]:
        """The topic's direct prerequisites."""

    def known(self, marked: Iterable[str]) -> AbstractSet[str]:
        """The marked topics and all their prerequisites."""

    def __contains__(self, topic_id: object) -> bool: ...


@dataclass(frozen=True)
class StudentMarks:
    """One student of the round: their name and what they showed of topics."""

    user_id: int
    name: str
    known: frozenset[str] = frozenset()
    """Topics marked known or placed on (not counting their prerequisites)."""
    mastered: frozenset[str] = frozenset()


@dataclass(frozen=True)
class GlanceRow:
    """One student's row: their name and their state of each column."""

    user_id: int
    name: str
    states: tuple[str, ...]

    @property
    def lacking(self) -> int:
        """Columns the student does not know yet."""
        return sum(1 for s in self.states if s in LACKING)


@dataclass(frozen=True)
class ClassGlance:
    """The whole picture as plain data: columns, the neediest rows, and counts over the class."""

    topic: str
    """The round topic's title."""
    columns: tuple[str, ...]
    """Column titles, in learning order, the round topic last."""
    rows: tuple[GlanceRow, ...]
    """The students drawn, neediest first (at most `MAX_ROWS`)."""
    students: int
    """Students in the round, drawn or not."""
    counts: tuple[tuple[int, ...], ...]
    """Per column, students in each of `STATES` (in that order), over the whole class."""

    def lacking(self, column: int) -> int:
        """Students of the whole class who do not know this column's topic yet."""
        return sum(
            n for state, n in zip(STATES, self.counts[column], strict=True) if state in LACKING
        )

    @property
    def hidden(self) -> int:
        """Students not drawn as rows."""
        return self.students - len(self.rows)


def columns(graph: Graph, topic: str, levels: int = LEVELS, limit: int = MAX_COLUMNS) -> list[str]:
    """The topic's prerequisites down to `levels` levels, nearest levels first and, within a
    level, the deepest first, cut to `limit - 1`; then in learning order (shallowest first, ties
    by id) with the topic itself last. A topic no longer in the graph is its only column."""
    if topic not in graph:
        return [topic]
    chosen: list[str] = []
    seen = {topic}
    level = [topic]
    for _ in range(levels):
        below = sorted(
            {p for t in level for p in graph.prerequisites(t)} - seen,
            key=lambda p: (-graph.depth(p), p),
        )
        room = limit - 1 - len(chosen)
        chosen += below[:room]
        seen.update(below)
        level = below
        if len(chosen) >= limit - 1 or not level:
            break
    chosen.sort(key=lambda p: (graph.depth(p), p))
    return [*chosen, topic]


def state_of(graph: Graph, topic: str, known: Collection[str], mastered: Collection[str]) -> str:
    """A student's state of one topic, given what they know (closed under prerequisites)."""
    if topic in mastered:
        return "mastered"
    if topic in known:
        return "known"
    if topic in graph and all(p in known for p in graph.prerequisites(topic)):
        return "ready"
    return "locked"


def _row(graph: Graph, shown: Sequence[str], student: StudentMarks) -> GlanceRow:
    known = graph.known(student.known | student.mastered)
    states = tuple(state_of(graph, t, known, student.mastered) for t in shown)
    return GlanceRow(student.user_id, student.name[:NAME_CHARS], states)


def _need(row: GlanceRow) -> tuple[int, int, str, int]:
    """Neediest first: most topics lacking, then most not yet reachable, then by name."""
    locked = sum(1 for s in row.states if s == "locked")
    return (-row.lacking, -locked, row.name.casefold(), row.user_id)


def glance(
    graph: Graph,
    topic: str,
    titles: Mapping[str, str],
    students: Iterable[StudentMarks],
    max_rows: int = MAX_ROWS,
) -> ClassGlance:
    """The class at a glance of a round on `topic` (titles by topic id; an id without one is
    shown as it is)."""
    shown = columns(graph, topic)
    rows = sorted((_row(graph, shown, s) for s in students), key=_need)
    counts = tuple(
        tuple(sum(1 for r in rows if r.states[c] == state) for state in STATES)
        for c in range(len(shown))
    )
    return ClassGlance(
        topic=titles.get(topic, topic),
        columns=tuple(titles.get(t, t) for t in shown),
        rows=tuple(rows[: max(max_rows, 0)]),
        students=len(rows),
        counts=counts,
    )


def students_text(count: int) -> str:
    """'1 student', '200 students'."""
    return f"{count} {'student' if count == 1 else 'students'}"


def describe(found: ClassGlance, limit: int = 1024) -> str:
    """The picture in words (its alt text): who took part, what the class lacks most, and who
    lacks most; at most `limit` characters."""
    if not found.students:
        return f"Class at a glance for {found.topic}: nobody answered in this round."
    order = sorted(range(len(found.columns)), key=lambda c: (-found.lacking(c), c))
    lacking = "; ".join(
        f"{found.columns[c]}: {found.lacking(c)} of {found.students} lack it" for c in order
    )
    neediest = [r for r in found.rows if r.lacking][:5]
    who = (
        "Lacking most: " + ", ".join(f"{r.name} ({r.lacking})" for r in neediest) + "."
        if neediest
        else "Every student knows every topic shown."
    )
    drawn = f" The {len(found.rows)} neediest are drawn." if found.hidden else ""
    text = (
        f"Class at a glance for {found.topic}: {students_text(found.students)} against "
        f"{len(found.columns)} {'topic' if len(found.columns) == 1 else 'topics'}.{drawn} {who} "
        f"By topic: {lacking}."
    )
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
