"""Graph figures against brute force on random DAGs, and the frontier and goal path rules."""

from __future__ import annotations

import graphlib
import itertools

import pytest
from graph_strategies import dags
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorbot.content.graph import KnowledgeGraph, find_cycles


def _ancestors(graph: dict[str, list[str]], node: str) -> set[str]:
    seen: set[str] = set()
    stack = list(graph[node])
    while stack:
        p = stack.pop()
        if p not in seen:
            seen.add(p)
            stack.extend(graph[p])
    return seen


def _depth(graph: dict[str, list[str]], node: str) -> int:
    return max((1 + _depth(graph, p) for p in graph[node]), default=0)


@settings(max_examples=200, deadline=None)
@given(dags())
def test_figures_match_brute_force(graph: dict[str, list[str]]) -> None:
    kg = KnowledgeGraph(graph)
    order = kg.learning_order()
    assert sorted(order) == sorted(graph)
    position = {node: i for i, node in enumerate(order)}
    for node, prereqs in graph.items():
        assert all(position[p] < position[node] for p in prereqs)
        ancestors = _ancestors(graph, node)
        assert kg.ancestors(node) == ancestors
        assert kg.ancestor_count(node) == len(ancestors)
        descendants = {d for d in graph if node in _ancestors(graph, d)}
        assert kg.descendants(node) == descendants
        assert kg.descendant_count(node) == len(descendants)
        assert kg.depth(node) == _depth(graph, node)
        chain = kg.longest_chain(node)
        assert len(chain) == kg.depth(node) + 1 and chain[-1] == node
        assert not graph[chain[0]]
        assert all(a in graph[b] for a, b in itertools.pairwise(chain))
        assert kg.prerequisites(node) == tuple(prereqs)
        assert set(kg.leads_to(node)) == {d for d in graph if node in graph[d]}


@settings(max_examples=200, deadline=None)
@given(dags(), st.data())
def test_frontier_and_goal_path_match_brute_force(
    graph: dict[str, list[str]], data: st.DataObject
) -> None:
    kg = KnowledgeGraph(graph)
    marked = set(data.draw(st.lists(st.sampled_from(sorted(graph)), max_size=6)))
    known = marked | {a for m in marked for a in _ancestors(graph, m)}
    assert kg.known_closure(marked) == known
    order = kg.learning_order()
    expected = [n for n in order if n not in known and all(p in known for p in graph[n])]
    assert kg.frontier(marked) == expected
    goal = data.draw(st.sampled_from(sorted(graph)))
    wanted = (_ancestors(graph, goal) | {goal}) - known
    assert kg.path_to_goal(goal, marked) == [n for n in order if n in wanted]


def test_unknown_marked_ids_are_ignored() -> None:
    kg = KnowledgeGraph({"a": [], "b": ["a"]})
    assert kg.frontier({"gone"}) == ["a"]
    assert kg.known_closure({"b", "gone"}) == {"a", "b"}


def test_chain_tie_break_takes_the_first_listed_prerequisite() -> None:
    kg = KnowledgeGraph({"r": [], "x": ["r"], "y": ["r"], "top": ["y", "x"]})
    assert kg.longest_chain("top") == ["r", "y", "top"]


def test_cycles_are_found_as_paths_and_refused() -> None:
    graph = {"a": ["c"], "b": ["a"], "c": ["b"], "d": ["e"], "e": ["d"], "f": []}
    assert find_cycles(graph) == [["a", "b", "c", "a"], ["d", "e", "d"]]
    with pytest.raises(graphlib.CycleError):
        KnowledgeGraph(graph)
