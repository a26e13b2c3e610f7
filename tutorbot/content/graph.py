"""The knowledge graph: prerequisites between topics, and every figure a topic card shows.

Everything is computed once at build, in one pass over a topological order: depth (edges on the
longest prerequisite chain), the chain's previous step, and ancestor and descendant sets stored as
ints used as bitsets, where bit i is the topic at position i of the learning order. Reading a set
back in learning order is then just reading its bits from low to high, and the sets of 10,000
topics take a few tens of megabytes.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Mapping, Sequence


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


def _bits(value: int) -> list[int]:
    """Positions of the set bits of a non-negative int, ascending."""
    text = bin(value)[:1:-1]
    return [i for i, char in enumerate(text) if char == "1"]


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


class KnowledgeGraph:
    """Prerequisite structure of a library; immutable once built, and cheap to query."""

    __slots__ = (
        "_ancestors",
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
        return frozenset(self._decode(self._closure_bits(marked)))

    def frontier(self, marked: Iterable[str]) -> list[str]:
        """Topics to learn next: not known, every prerequisite known; in learning order."""
        known = set(self._decode(self._closure_bits(marked)))
        return [
            node
            for node in self._order
            if node not in known and all(p in known for p in self._prerequisites[node])
        ]

    def path_to_goal(self, goal: str, marked: Iterable[str]) -> list[str]:
        """What is left to learn to reach `goal`: its unknown prerequisites, then the goal itself
        if unknown; in learning order."""
        i = self._index[goal]
        wanted = (self._ancestors[i] | (1 << i)) & ~self._closure_bits(marked)
        return self._decode(wanted)

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
