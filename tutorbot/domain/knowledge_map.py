"""The knowledge map as plain data: which topics, each one's state, and where each goes.

A map shows either the way to a goal (the goal and all its prerequisites) or the neighbourhood
of a topic (its prerequisites a few levels down and what it leads to a few levels up). Topics
are laid out in columns by depth (a topic's prerequisites are always in earlier columns), and
each column is ordered to limit crossing edges (the barycentre heuristic, a few sweeps each
way). Long chains stay readable: a run of columns whose topics are all known folds into one
node ("40 known topics: Counting to 10 … Division facts"), so does a run of columns that are not
yet reachable (the first such column stays, so the student sees what comes next), a column
holding more than `MAX_ROWS` topics shows the most telling ones and folds the rest, and what is
left is paged, `COLUMNS_PER_PAGE` columns a page.

Each topic's state for the student, in this order of precedence:
- "due": a review of one of its questions is due today;
- "mastered": mastered in a quiz;
- "known": marked "I know this", placed, or beneath a known topic;
- "ready": not known, every prerequisite known;
- "locked": not yet reachable.

No drawing here: `tutorbot.pictures.knowledge_map` draws a `KnowledgeMap`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import islice
from typing import Literal, Protocol

State = Literal["due", "mastered", "known", "ready", "locked"]
STATES: tuple[State, ...] = ("mastered", "known", "due", "ready", "locked")
"""Every state, in the order a legend and the alt text list them."""
STATE_WORDS: dict[State, str] = {
    "mastered": "mastered",
    "known": "known",
    "due": "due for review",
    "ready": "ready to learn",
    "locked": "not yet reachable",
}
SEVERAL = "several"
"""The state of a folded node whose topics are in different states."""
DONE: frozenset[str] = frozenset({"mastered", "known"})

COLUMNS_PER_PAGE = 7
MAX_ROWS = 7
"""Nodes a column shows at most, a folded "more" node included."""
LEVELS_DOWN = 3
"""Levels of prerequisites a map around a topic shows."""
LEVELS_UP = 2
"""Levels of what a topic leads to that a map around it shows."""
NEIGHBOURS_PER_LEVEL = 24
"""Topics each level around a topic takes at most (a hub may lead to hundreds)."""
SWEEPS = 4
ALT_TITLES = 4
"""Ready topics the alt text names."""
ALT_TITLE_LENGTH = 60


class MapGraph(Protocol):
    """The part of `tutorbot.content.graph.KnowledgeGraph` a map relies on."""

    def depth(self, topic_id: str) -> int:
        """Edges on the longest prerequisite chain ending at this topic (0 for a root)."""

    def prerequisites(self, topic_id: str) -> Sequence[str]:
        """Direct prerequisites, as listed in the topic's file."""

    def leads_to(self, topic_id: str) -> Sequence[str]:
        """Topics that list this one as a direct prerequisite, in learning order."""

    def ancestor_set(self, topic_id: str) -> AbstractSet[str]:
        """All transitive prerequisites (iterated in learning order)."""

    def topic_set(self, topics: Iterable[str]) -> AbstractSet[str]:
        """Exactly these topics (iterated in learning order)."""

    def __contains__(self, topic_id: object) -> bool: ...


@dataclass(frozen=True)
class StudentState:
    """What a map needs of a student: known topics (closed under prerequisites), mastered ones,
    those with a review due today, and the goal."""

    known: AbstractSet[str]
    mastered: AbstractSet[str] = frozenset()
    due: AbstractSet[str] = frozenset()
    goal: str | None = None


@dataclass(frozen=True)
class MapNode:
    """One box of the map: a topic, or several folded into one (`topics` > 1)."""

    key: str
    """The topic's id, or "fold:" and the first folded topic's id."""
    label: str
    """What the box says: the topic's title, or how many topics it folds and which."""
    state: str
    """A `State`, or `SEVERAL` for a fold of topics in different states."""
    column: int
    """Column on its page, from 0 (prerequisites on the left)."""
    row: int
    """Place in its column, from 0 (top)."""
    topics: int = 1
    goal: bool = False
    current: bool = False


@dataclass(frozen=True)
class KnowledgeMap:
    """One page of a knowledge map, with what the alt text says about the whole map."""

    heading: str
    nodes: tuple[MapNode, ...]
    edges: tuple[tuple[str, str], ...]
    """(prerequisite's key, dependent's key), both on this page."""
    enters: tuple[str, ...]
    """Keys of nodes with a prerequisite on an earlier page."""
    leaves: tuple[str, ...]
    """Keys of nodes leading to topics on a later page."""
    columns: int
    page: int
    pages: int
    counts: tuple[tuple[State, int], ...]
    """Topics of the whole map in each state (states with none left out)."""
    ready: tuple[str, ...]
    """Titles of the first topics ready to learn on the map."""
    goal: str | None
    """The goal's title when the goal is on the map."""
    goal_state: State | None
    goal_page: int | None
    current: str | None
    """The title of the topic the student is at: the first ready topic on the way to the goal,
    or the topic a map around a topic is drawn around."""

    @property
    def total(self) -> int:
        """Topics on the whole map, all pages."""
        return sum(n for _, n in self.counts)

    def alt_text(self) -> str:
        """The map in words: what it shows, the counts per state, what is ready, the goal."""
        return alt_text(self)


def state_of(graph: MapGraph, topic_id: str, student: StudentState) -> State:
    """A topic's state for the student (see the module's docstring for the precedence)."""
    if topic_id in student.due:
        return "due"
    if topic_id in student.mastered:
        return "mastered"
    if topic_id in student.known:
        return "known"
    if all(p in student.known for p in graph.prerequisites(topic_id)):
        return "ready"
    return "locked"


def topics_to_goal(graph: MapGraph, goal: str) -> list[str]:
    """The goal's prerequisites, in learning order, then the goal."""
    return [*graph.ancestor_set(goal), goal]


def topics_around(
    graph: MapGraph,
    topic_id: str,
    down: int = LEVELS_DOWN,
    up: int = LEVELS_UP,
    per_level: int = NEIGHBOURS_PER_LEVEL,
) -> list[str]:
    """The topic, its prerequisites `down` levels deep and what it leads to `up` levels up
    (each level at most `per_level` topics), in learning order."""
    chosen = {topic_id}
    for step, levels in ((graph.prerequisites, down), (graph.leads_to, up)):
        level = [topic_id]
        for _ in range(levels):
            found = (t for s in level for t in step(s) if t not in chosen)
            level = list(islice(dict.fromkeys(found), per_level))
            chosen.update(level)
    return list(graph.topic_set(chosen))


@dataclass
class _Group:
    """A node being laid out: its topics (one, or several folded), state and emphasis."""

    topics: list[str]
    state: str
    goal: bool = False
    current: bool = False
    kind: str = ""
    """Why topics were folded: "done", "locked" or "more" (empty for one topic)."""

    @property
    def key(self) -> str:
        return self.topics[0] if not self.kind else f"fold:{self.topics[0]}"


def _depths(graph: MapGraph, topics: Sequence[str]) -> dict[str, int]:
    """Each topic's depth among the topics (in learning order): the longest chain of its shown
    prerequisites (on the way to a goal that is the graph's own depth, as every prerequisite is
    shown; around a topic it keeps the columns few)."""
    depth: dict[str, int] = {}
    for topic_id in topics:
        below = [depth[p] for p in graph.prerequisites(topic_id) if p in depth]
        depth[topic_id] = max(below, default=-1) + 1
    return depth


def _columns(graph: MapGraph, topics: Sequence[str]) -> list[list[str]]:
    """The topics by their depth among themselves, shallowest first, each in learning order."""
    by_depth: dict[int, list[str]] = {}
    for topic_id, d in _depths(graph, topics).items():
        by_depth.setdefault(d, []).append(topic_id)
    return [by_depth[d] for d in sorted(by_depth)]


def _column_kind(column: Sequence[str], states: Mapping[str, State], keep: set[str]) -> str:
    """The column's fold kind: "done" when every topic is known or mastered, "locked" when none
    is reachable yet, else "" (a column holding the goal or the current topic never folds)."""
    if any(t in keep for t in column):
        return ""
    kinds = {states[t] for t in column}
    if kinds <= DONE:
        return "done"
    return "locked" if kinds == {"locked"} else ""


def _fold_columns(
    columns: list[list[str]], states: Mapping[str, State], keep: set[str]
) -> list[list[_Group]]:
    """Columns of groups: runs of done columns folded into one node, and runs of locked
    columns after their first folded likewise, when the run holds two topics or more."""
    kinds = [_column_kind(c, states, keep) for c in columns]
    result: list[list[_Group]] = []
    i = 0
    while i < len(columns):
        kind = kinds[i]
        end = i + 1
        while end < len(columns) and kind and kinds[end] == kind:
            end += 1
        start = i + 1 if kind == "locked" else i
        if kind and end > start and sum(len(c) for c in columns[start:end]) >= 2:
            result += [_singles(c, states, keep) for c in columns[i:start]]
            folded = [t for c in columns[start:end] for t in c]
            state = "locked" if kind == "locked" else _done_state(folded, states)
            result.append([_Group(folded, state, kind=kind)])
        else:
            result += [_singles(c, states, keep) for c in columns[i:end]]
        i = end
    return result


def _singles(column: Sequence[str], states: Mapping[str, State], keep: set[str]) -> list[_Group]:
    return [_Group([t], states[t]) for t in column]


def _done_state(topics: Sequence[str], states: Mapping[str, State]) -> State:
    """The state of a fold of done topics: mastered when all are, else known."""
    return "mastered" if all(states[t] == "mastered" for t in topics) else "known"


def _common_state(topics: Sequence[str], states: Mapping[str, State]) -> str:
    kinds = {states[t] for t in topics}
    return kinds.pop() if len(kinds) == 1 else SEVERAL


RANK: dict[str, int] = {"due": 0, "ready": 1, "mastered": 2, "known": 3, "locked": 4}
"""Which topics a crowded column shows first: what the student can act on."""


def _cap(column: list[_Group], states: Mapping[str, State], keep: set[str]) -> list[_Group]:
    """A column of at most `MAX_ROWS` nodes: the goal, the current topic, then the topics
    the student can act on first; the rest folded into one "more" node."""
    if len(column) <= MAX_ROWS:
        return column
    ranked = sorted(
        range(len(column)),
        key=lambda i: (column[i].key not in keep, RANK.get(column[i].state, 5), i),
    )
    shown = sorted(ranked[: MAX_ROWS - 1])
    rest = [t for i in sorted(ranked[MAX_ROWS - 1 :]) for t in column[i].topics]
    more = _Group(rest, _common_state(rest, states), kind="more")
    return [column[i] for i in shown] + [more]


def _order(columns: list[list[_Group]], links: Mapping[str, set[str]]) -> None:
    """Reorder each column, in place, by the mean row of its neighbours in the column before
    (sweeping right) or after (sweeping left), to limit crossings."""
    for sweep in range(SWEEPS):
        indices = range(1, len(columns)) if sweep % 2 == 0 else range(len(columns) - 2, -1, -1)
        for c in indices:
            beside = columns[c - 1] if sweep % 2 == 0 else columns[c + 1]
            row = {g.key: r for r, g in enumerate(beside)}
            columns[c] = _by_barycentre(columns[c], row, links)


def _by_barycentre(
    column: list[_Group], row: Mapping[str, int], links: Mapping[str, set[str]]
) -> list[_Group]:
    def centre(item: tuple[int, _Group]) -> float:
        place, group = item
        rows = [row[k] for k in links.get(group.key, ()) if k in row]
        return sum(rows) / len(rows) if rows else place

    return [g for _, g in sorted(enumerate(column), key=lambda item: (centre(item), item[0]))]


def _edges(graph: MapGraph, columns: list[list[_Group]]) -> list[tuple[str, str]]:
    """(prerequisite's key, dependent's key) between the groups, each once, in column order."""
    owner = {t: g.key for column in columns for g in column for t in g.topics}
    edges: dict[tuple[str, str], None] = {}
    for column in columns:
        for group in column:
            for topic_id in group.topics:
                for p in graph.prerequisites(topic_id):
                    source = owner.get(p)
                    if source is not None and source != group.key:
                        edges[(source, group.key)] = None
    return list(edges)


def _label(group: _Group, title: Callable[[str], str], states: Mapping[str, State]) -> str:
    """A topic's title; for a fold, how many topics of what kind, first … last."""
    if not group.kind:
        return title(group.topics[0])
    count = len(group.topics)
    if group.kind == "more":
        kinds = Counter(states[t] for t in group.topics)
        parts = ", ".join(f"{kinds[s]} {STATE_WORDS[s]}" for s in STATES if kinds[s])
        return f"+{count} more topics: {parts}"
    if group.kind == "locked":
        noun = f"{count} topics not yet reachable"
    else:
        mastered = sum(1 for t in group.topics if states[t] == "mastered")
        noun = f"{count} {group.state} topics"
        if 0 < mastered < count:
            noun += f" ({mastered} mastered)"
    return f"{noun}: {title(group.topics[0])} … {title(group.topics[-1])}"


def _laid_out(
    graph: MapGraph,
    topics: Sequence[str],
    states: Mapping[str, State],
    keep: set[str],
    fold: bool,
) -> tuple[list[list[_Group]], list[tuple[str, str]]]:
    """The columns of nodes (folded when `fold`, capped, ordered) and the edges between them."""
    by_depth = _columns(graph, topics)
    folded = (
        _fold_columns(by_depth, states, keep)
        if fold
        else [_singles(c, states, keep) for c in by_depth]
    )
    columns = [_cap(c, states, keep) for c in folded]
    edges = _edges(graph, columns)
    links: dict[str, set[str]] = {}
    for source, target in edges:
        links.setdefault(source, set()).add(target)
        links.setdefault(target, set()).add(source)
    _order(columns, links)
    return columns, edges


def _column_holding(columns: Sequence[Sequence[_Group]], topic_id: str | None) -> int | None:
    """The column whose nodes hold the topic, or None."""
    if topic_id is None:
        return None
    return next((c for c, column in enumerate(columns) if _holds(column, topic_id)), None)


def _ready_titles(
    topics: Sequence[str],
    states: Mapping[str, State],
    current: str | None,
    title: Callable[[str], str],
) -> tuple[str, ...]:
    """The first topics ready to learn, the current one first."""
    ready = [t for t in topics if states[t] == "ready" and t != current]
    if current is not None and states.get(current) == "ready":
        ready.insert(0, current)
    return tuple(title(t) for t in ready[:ALT_TITLES])


def lay_out(
    graph: MapGraph,
    topics: Sequence[str],
    student: StudentState,
    title: Callable[[str], str],
    *,
    heading: str,
    current: str | None,
    page: int | None = None,
    fold: bool = True,
) -> KnowledgeMap:
    """One page of the map of `topics` (in learning order) for the student; `page` None is the
    page holding the current topic (else the goal, else the first). Pages share the columns
    evenly, at most `COLUMNS_PER_PAGE` each."""
    states = {t: state_of(graph, t, student) for t in topics}
    goal = student.goal if student.goal in states else None
    current = current if current in states else None
    keep = {t for t in (goal, current) if t is not None}
    columns, edges = _laid_out(graph, topics, states, keep, fold)
    for column in columns:
        for group in column:
            group.goal = goal in group.topics
            group.current = current in group.topics
    pages = max(1, -(-len(columns) // COLUMNS_PER_PAGE))
    per_page = max(1, -(-len(columns) // pages))
    goal_column = _column_holding(columns, goal)
    focus = _column_holding(columns, current)
    focus = goal_column if focus is None else focus
    if page is None:
        page = 0 if focus is None else focus // per_page
    page = max(0, min(page, pages - 1))
    first = page * per_page
    shown = columns[first : first + per_page]
    nodes = tuple(
        MapNode(
            key=g.key,
            label=_label(g, title, states),
            state=g.state,
            column=c,
            row=r,
            topics=len(g.topics),
            goal=g.goal,
            current=g.current,
        )
        for c, column in enumerate(shown)
        for r, g in enumerate(column)
    )
    column_of = {g.key: c for c, column in enumerate(columns) for g in column}
    on_page = {n.key for n in nodes}
    later = first + per_page
    counts = Counter(states.values())
    return KnowledgeMap(
        heading=heading,
        nodes=nodes,
        edges=tuple(e for e in edges if e[0] in on_page and e[1] in on_page),
        enters=tuple(dict.fromkeys(t for s, t in edges if t in on_page and column_of[s] < first)),
        leaves=tuple(dict.fromkeys(s for s, t in edges if s in on_page and column_of[t] >= later)),
        columns=len(shown),
        page=page,
        pages=pages,
        counts=tuple((s, counts[s]) for s in STATES if counts[s]),
        ready=_ready_titles(topics, states, current, title),
        goal=title(goal) if goal is not None else None,
        goal_state=states[goal] if goal is not None else None,
        goal_page=None if goal_column is None else goal_column // per_page,
        current=title(current) if current is not None else None,
    )


def _holds(column: Sequence[_Group], topic_id: str) -> bool:
    return any(topic_id in g.topics for g in column)


def _short(text: str) -> str:
    return text if len(text) <= ALT_TITLE_LENGTH else text[: ALT_TITLE_LENGTH - 1] + "…"


def alt_text(knowledge_map: KnowledgeMap) -> str:
    """The map in words, for people who cannot see it: what it shows and which page, how many
    topics are in each state, the topics ready to learn next, and where the goal is."""
    m = knowledge_map
    page = f" (page {m.page + 1} of {m.pages})" if m.pages > 1 else ""
    counts = ", ".join(f"{n} {STATE_WORDS[s]}" for s, n in m.counts)
    parts = [f"Knowledge map: {_short(m.heading)}{page}. {m.total} topics: {counts}."]
    if m.current is not None and m.current not in m.ready:
        parts.append(f"You are at {_short(m.current)}.")
    if m.ready:
        named = [_short(t) + (" (you are here)" if t == m.current else "") for t in m.ready]
        parts.append("Ready to learn next: " + "; ".join(named) + ".")
    else:
        parts.append("Nothing on this map is ready to learn.")
    if m.goal is not None and m.goal_state is not None and m.goal_page is not None:
        where = "on this page" if m.goal_page == m.page else f"on page {m.goal_page + 1}"
        parts.append(
            f"The goal, {_short(m.goal)}, is {where}, at the right: {STATE_WORDS[m.goal_state]}."
        )
    parts.append("Prerequisites are on the left, what they lead to on the right.")
    if any(n.topics > 1 for n in m.nodes):
        parts.append("A box with a number holds that many topics, folded together.")
    return " ".join(parts)


def goal_map(
    graph: MapGraph,
    student: StudentState,
    title: Callable[[str], str],
    page: int | None = None,
) -> KnowledgeMap | None:
    """The map of the way to the student's goal, or None without a goal in the graph."""
    goal = student.goal
    if goal is None or goal not in graph:
        return None
    topics = topics_to_goal(graph, goal)
    current = first_ready(graph, topics, student)
    heading = f"the way to {title(goal)}"
    return lay_out(graph, topics, student, title, heading=heading, current=current, page=page)


def map_around(
    graph: MapGraph,
    topic_id: str,
    student: StudentState,
    title: Callable[[str], str],
    page: int | None = None,
) -> KnowledgeMap:
    """The map around a topic: its prerequisites a few levels down, what it leads to a few
    levels up, within as many columns either side (a prerequisite found three steps down may
    sit deeper below, behind a longer chain of the others: it is left out, so the map stays one
    page). The topic is the current one. Nothing is folded (crowded columns still are)."""
    topics = topics_around(graph, topic_id)
    depth = _depths(graph, topics)
    centre = depth[topic_id]
    topics = [t for t in topics if centre - LEVELS_DOWN <= depth[t] <= centre + LEVELS_UP]
    heading = f"around {title(topic_id)}"
    return lay_out(
        graph, topics, student, title, heading=heading, current=topic_id, page=page, fold=False
    )


def first_ready(graph: MapGraph, topics: Sequence[str], student: StudentState) -> str | None:
    """The first topic (in the order given) ready to learn, or None."""
    return next((t for t in topics if state_of(graph, t, student) == "ready"), None)
