"""The knowledge graph: prerequisites between topics, and every figure a topic card shows.

Everything is computed once at build, in one pass over a topological order: depth (edges on the
longest prerequisite chain), the chain's previous step, and ancestor and descendant sets stored as
ints used as bitsets, where bit i is the topic at position i of the learning order. Reading a set
back in learning order is then just reading its bits from low to high, and the sets of 10,000
topics take a few tens of megabytes.

A student's known topics stay such a bitset too (`TopicSet`, `KnownTopics`): /progress counts them,
intersects them with a goal's ancestors and reads the first few topics of their frontier without
listing the thousands a student may know.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import TypeVar

_T = TypeVar("_T")


def find_cycles(prerequisites: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Every prerequisite cycle, each as a path `[a, b, ..., a]` where each is a prerequisite of
    the next. Cycles found are disjoint; each starts at its smallest id so the report is stable."""
    remaining = {
        node: [p for p in prereqs if p in prerequisites] for node, prereqs in prerequisites.items()
    }
    cycles: list[list[str]] = []
    while True:
        sorter = graphlib.TopologicalSorter(remaining)
        try:
            sorter.prepare()
        except graphlib.CycleError as exc:
            cycle: list[str] = list(exc.args[1])[:-1]
            start = cycle.index(min(cycle))
            cycle = cycle[start:] + cycle[:start]
            cycles.append([*cycle, cycle[0]])
            dropped = set(cycle)
            remaining = {
                node: [p for p in prereqs if p not in dropped]
                for node, prereqs in remaining.items()
                if node not in dropped
            }
            continue
        return cycles


def _bits(value: int) -> Iterator[int]:
    """Positions of the set bits of a non-negative int, ascending, found as they are read (each
    a C-speed find in its binary text), so reading the first few of many costs little."""
    text = bin(value)[:1:-1]
    position = text.find("1")
    while position != -1:
        yield position
        position = text.find("1", position + 1)


def _waves(prerequisites: list[list[int]]) -> list[int]:
    """Nodes (by index) in waves: first those with no prerequisites, then those whose last
    prerequisite was in the previous wave, and so on; each wave ascending. That is exactly the
    order graphlib's get_ready/done loop gives, without its per-node Python objects. Nodes on or
    after a cycle are left out."""
    waiting = [len(items) for items in prerequisites]
    unlocks: list[list[int]] = [[] for _ in prerequisites]
    for node, items in enumerate(prerequisites):
        for p in items:
            unlocks[p].append(node)
    wave = [node for node, count in enumerate(waiting) if count == 0]
    order: list[int] = []
    while wave:
        order.extend(wave)
        ready: list[int] = []
        for node in wave:
            for child in unlocks[node]:
                waiting[child] -= 1
                if waiting[child] == 0:
                    ready.append(child)
        ready.sort()
        wave = ready
    return order


class TopicSet(AbstractSet[str]):
    """Topics of one graph as a bitset over its learning order: counting, membership and
    intersecting with another set of the same graph cost no walk; iterating gives learning order.
    """

    __slots__ = ("_bits", "_graph")

    def __init__(self, graph: KnowledgeGraph, bits: int) -> None:
        self._graph = graph
        self._bits = bits

    def __len__(self) -> int:
        return self._bits.bit_count()

    def __contains__(self, topic_id: object) -> bool:
        i = self._graph._index.get(topic_id) if isinstance(topic_id, str) else None
        return i is not None and bool(self._bits >> i & 1)

    def __iter__(self) -> Iterator[str]:
        order = self._graph._order
        return (order[i] for i in _bits(self._bits))

    def __and__(self, other: AbstractSet[object]) -> AbstractSet[str]:
        if isinstance(other, TopicSet) and other._graph is self._graph:
            return TopicSet(self._graph, self._bits & other._bits)
        return super().__and__(other)

    def __sub__(self, other: AbstractSet[object]) -> AbstractSet[str]:
        if isinstance(other, TopicSet) and other._graph is self._graph:
            return TopicSet(self._graph, self._bits & ~other._bits)
        return super().__sub__(other)

    def __or__(self, other: AbstractSet[_T]) -> AbstractSet[str | _T]:
        if isinstance(other, TopicSet) and other._graph is self._graph:
            closed = isinstance(self, KnownTopics) and isinstance(other, KnownTopics)
            return (KnownTopics if closed else TopicSet)(self._graph, self._bits | other._bits)
        return super().__or__(other)

    __hash__ = AbstractSet._hash

    def __repr__(self) -> str:
        return f"{type(self).__name__}({sorted(self)!r})"

    @classmethod
    def _from_iterable(cls, it: Iterable[_T]) -> frozenset[_T]:
        """A plain frozenset: what set operations with other sets give."""
        return frozenset(it)


class KnownTopics(TopicSet):
    """A `TopicSet` closed under prerequisites, as `KnowledgeGraph.known` gives: with every topic,
    all its prerequisites. The union of two is one too."""

    __slots__ = ()


class KnowledgeGraph:
    """Prerequisite structure of a library; immutable once built, and cheap to query."""

    __slots__ = (
        "_ancestors",
        "_below",
        "_depth",
        "_descendants",
        "_index",
        "_leads_to",
        "_order",
        "_parent",
        "_prerequisites",
    )

    def __init__(self, prerequisites: Mapping[str, Sequence[str]]) -> None:
        """Build from `{topic id: its prerequisite ids}`, in authoring order (it breaks ties in the
        learning order). Unknown prerequisite ids are ignored; a cycle raises graphlib.CycleError.
        """
        authored = list(prerequisites)
        position = {node: i for i, node in enumerate(authored)}
        prereqs: dict[str, tuple[str, ...]] = {
            node: tuple(p for p in items if p in position) for node, items in prerequisites.items()
        }
        order = [authored[i] for i in _waves([[position[p] for p in prereqs[n]] for n in authored])]
        if len(order) < len(authored):
            graphlib.TopologicalSorter(prereqs).prepare()  # raises CycleError naming the cycle
            raise AssertionError("a cycle was found but graphlib did not report it")
        index = {node: i for i, node in enumerate(order)}

        # Everything below works on positions in the learning order, so a prerequisite's figures
        # are always computed before its dependents' and a position is also its bit.
        below = [[index[p] for p in prereqs[node]] for node in order]
        depth = [0] * len(order)
        parent: list[int | None] = [None] * len(order)
        ancestors = [0] * len(order)
        above: list[list[int]] = [[] for _ in order]
        for i, items in enumerate(below):
            best, best_depth, bits = None, -1, 0
            for j in items:
                above[j].append(i)
                bits |= ancestors[j] | (1 << j)
                if depth[j] > best_depth:
                    best, best_depth = j, depth[j]
            depth[i] = best_depth + 1
            parent[i] = best
            ancestors[i] = bits
        descendants = [0] * len(order)
        for i in range(len(order) - 1, -1, -1):
            bits = 0
            for j in above[i]:
                bits |= descendants[j] | (1 << j)
            descendants[i] = bits

        self._order = order
        self._index = index
        self._prerequisites = prereqs
        self._leads_to = {
            node: tuple(order[j] for j in items) for node, items in zip(order, above, strict=True)
        }
        self._depth = dict(zip(order, depth, strict=True))
        self._parent = {
            node: None if j is None else order[j] for node, j in zip(order, parent, strict=True)
        }
        self._ancestors = ancestors
        self._descendants = descendants
        self._below = below

    def __contains__(self, topic_id: object) -> bool:
        return topic_id in self._index

    def __len__(self) -> int:
        return len(self._order)

    def learning_order(self) -> list[str]:
        """Every topic, each after all its prerequisites; ties keep authoring order."""
        return list(self._order)

    def depth(self, topic_id: str) -> int:
        """Edges on the longest prerequisite chain ending at this topic (0 for a root)."""
        return self._depth[topic_id]

    def longest_chain(self, topic_id: str) -> list[str]:
        """The longest prerequisite chain, from a root to this topic inclusive. Among equally long
        chains, each step takes the prerequisite listed first in its topic's file."""
        chain: list[str] = []
        node: str | None = topic_id
        while node is not None:
            chain.append(node)
            node = self._parent[node]
        chain.reverse()
        return chain

    def prerequisites(self, topic_id: str) -> tuple[str, ...]:
        """Direct prerequisites, as listed in the topic's file."""
        return self._prerequisites[topic_id]

    def leads_to(self, topic_id: str) -> tuple[str, ...]:
        """Topics that list this one as a direct prerequisite, in learning order."""
        return self._leads_to[topic_id]

    def ancestors(self, topic_id: str) -> frozenset[str]:
        """All transitive prerequisites."""
        return frozenset(self._decode(self._ancestors[self._index[topic_id]]))

    def descendants(self, topic_id: str) -> frozenset[str]:
        """All topics this one unlocks, transitively."""
        return frozenset(self._decode(self._descendants[self._index[topic_id]]))

    def ancestor_count(self, topic_id: str) -> int:
        """How many topics lie below this one ("N total prerequisite topics")."""
        return self._ancestors[self._index[topic_id]].bit_count()

    def descendant_count(self, topic_id: str) -> int:
        """How many topics this one unlocks ("Unlocks N downstream topics")."""
        return self._descendants[self._index[topic_id]].bit_count()

    def known_closure(self, marked: Iterable[str]) -> frozenset[str]:
        """Marked topics plus all their prerequisites: knowing a topic implies knowing its base.
        Ids not in the graph (a topic since removed) are ignored."""
        return frozenset(self.known(marked))

    def known(self, marked: Iterable[str]) -> KnownTopics:
        """The same closure as `known_closure`, as a bitset: counted, tested and intersected
        without listing it. Ids not in the graph are ignored; a `KnownTopics` of this graph is
        already closed and is returned as it is."""
        if isinstance(marked, KnownTopics) and marked._graph is self:
            return marked
        return KnownTopics(self, self._closure_bits(marked))

    def topic_set(self, topics: Iterable[str]) -> TopicSet:
        """Exactly these topics (ids not in the graph ignored), as a bitset."""
        if isinstance(topics, TopicSet) and topics._graph is self:
            return topics
        bits = 0
        for node in topics:
            i = self._index.get(node)
            if i is not None:
                bits |= 1 << i
        return TopicSet(self, bits)

    def ancestor_set(self, topic_id: str) -> TopicSet:
        """All transitive prerequisites, as a bitset."""
        return TopicSet(self, self._ancestors[self._index[topic_id]])

    def descendant_set(self, topic_id: str) -> TopicSet:
        """All topics this one unlocks, transitively, as a bitset."""
        return TopicSet(self, self._descendants[self._index[topic_id]])

    def frontier(self, marked: Iterable[str]) -> list[str]:
        """Topics to learn next: not known, every prerequisite known; in learning order."""
        return list(self.ready(self.known(marked)))

    def ready(self, known: Iterable[str], among: AbstractSet[str] | None = None) -> Iterator[str]:
        """The frontier of `known` (closed under prerequisites first, unless it is a `KnownTopics`),
        lazily in learning order: topics not known whose every prerequisite is; only those in
        `among` when given. Only unknown topics are looked at, and only until the caller stops,
        which is soon: the first unknown topic in learning order is always ready (its
        prerequisites come before it, so are known)."""
        known_bits = self.known(known)._bits
        candidates = ~known_bits & ((1 << len(self._order)) - 1)
        if among is not None:
            candidates &= self.topic_set(among)._bits
        order, below = self._order, self._below
        for i in _bits(candidates):
            if all(known_bits >> j & 1 for j in below[i]):
                yield order[i]

    def path_to_goal(self, goal: str, marked: Iterable[str]) -> list[str]:
        """What is left to learn to reach `goal`: its unknown prerequisites, then the goal itself
        if unknown; in learning order."""
        return list(self.goal_path(goal, self.known(marked)))

    def goal_path(self, goal: str, known: Iterable[str]) -> TopicSet:
        """`path_to_goal` as a bitset, `known` closed like `marked` there (a `KnownTopics` is
        used as it is)."""
        i = self._index[goal]
        return TopicSet(self, (self._ancestors[i] | (1 << i)) & ~self.known(known)._bits)

    def _closure_bits(self, marked: Iterable[str]) -> int:
        bits = 0
        for node in marked:
            i = self._index.get(node)
            if i is not None:
                bits |= self._ancestors[i] | (1 << i)
        return bits

    def _decode(self, bits: int) -> list[str]:
        order = self._order
        return [order[i] for i in _bits(bits)]
