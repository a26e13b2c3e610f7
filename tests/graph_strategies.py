"""Hypothesis strategies for knowledge graphs, shared by the graph and progress tests."""

from __future__ import annotations

from hypothesis import strategies as st


@st.composite
def dags(draw: st.DrawFn, max_nodes: int = 25, max_prerequisites: int = 4) -> dict[str, list[str]]:
    """Random DAGs: node i may only require nodes before it; ids and authoring order shuffled,
    so the order is not given away."""
    n = draw(st.integers(min_value=1, max_value=max_nodes))
    names = draw(st.permutations([f"t{i}" for i in range(n)]))
    graph: dict[str, list[str]] = {}
    for i in range(n):
        prereqs = (
            draw(st.lists(st.integers(0, i - 1), unique=True, max_size=max_prerequisites))
            if i
            else []
        )
        graph[names[i]] = [names[j] for j in prereqs]
    order = draw(st.permutations(list(graph)))
    return {node: graph[node] for node in order}
