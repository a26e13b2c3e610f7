from __future__ import annotations

from datetime import UTC, datetime, timedelta

from graph_strategies import dags
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorbot.content.graph import KnowledgeGraph
from tutorbot.domain import progress
from tutorbot.domain.progress import GoalProgress, bar

#   a   b
#   |\ /|
#   c d  f
#    \|
#     e      (goal); g depends on f; h on a and e
GRAPH = KnowledgeGraph(
    {
        "a": [],
        "b": [],
        "f": ["b"],
        "c": ["a"],
        "d": ["a", "b"],
        "e": ["c", "d"],
        "g": ["f"],
        "h": ["a", "e"],
    }
)
T0 = datetime(2025, 3, 1, tzinfo=UTC)


def test_bar_fills_by_fraction_rounding_down() -> None:
    assert bar(0) == "░" * 20
    assert bar(1) == "█" * 20
    assert bar(0.5, width=10) == "█████░░░░░"
    assert bar(0.99, width=10) == "█████████░"
    assert bar(2.0, width=4) == "████" and bar(-1, width=4) == "░░░░"
    assert len(bar(0.37, width=33)) == 33


def test_marking_a_topic_counts_its_prerequisites_without_marking_them() -> None:
    known = progress.known_topics(GRAPH, marked={"d"}, mastered=set())
    assert known == {"a", "b", "d"}
    assert progress.known_topics(GRAPH, marked=set(), mastered=set()) == frozenset()


def test_mastered_topics_count_as_known() -> None:
    assert progress.known_topics(GRAPH, marked=set(), mastered={"c"}) == {"a", "c"}


def test_goal_progress_counts_known_prerequisites() -> None:
    known = progress.known_topics(GRAPH, {"c"}, ())
    assert progress.goal_progress(GRAPH, "e", known) == GoalProgress("e", 2, 4, False)
    full = progress.goal_progress(GRAPH, "e", progress.known_topics(GRAPH, {"e"}, ()))
    assert full.fraction == 1.0 and full.goal_known and full.percentage == 100
    root = progress.goal_progress(GRAPH, "a", frozenset())
    assert root.total == 0 and root.fraction == 1.0 and not root.goal_known


def test_next_topics_put_the_way_to_the_goal_first() -> None:
    known = progress.known_topics(GRAPH, {"a", "b"}, ())
    assert progress.next_topics(GRAPH, known, goal=None) == ("f", "c", "d")
    assert progress.next_topics(GRAPH, known, goal="e") == ("c", "d", "f")
    assert progress.next_topics(GRAPH, known, goal="e", limit=1) == ("c",)


def test_recently_mastered_newest_first_ties_by_id() -> None:
    mastered = {"a": T0, "c": T0 + timedelta(days=2), "b": T0 + timedelta(days=2)}
    assert progress.recently_mastered(mastered) == ("b", "c", "a")
    assert progress.recently_mastered(mastered, limit=1) == ("b",)


def test_progress_puts_it_together() -> None:
    shown = progress.progress(GRAPH, {"b"}, {"a": T0, "c": T0 + timedelta(hours=1)}, goal="e")
    assert shown.known == {"a", "b", "c"}
    assert shown.goal == GoalProgress("e", 3, 4, False)
    assert shown.next_topics == ("d", "f")
    assert shown.recently_mastered == ("c", "a")


def test_a_goal_removed_from_content_is_no_goal() -> None:
    shown = progress.progress(GRAPH, set(), {}, goal="gone")
    assert shown.goal is None
    assert shown.next_topics == ("a", "b")


def test_newly_unlocked_lists_what_mastery_opened() -> None:
    assert progress.newly_unlocked(GRAPH, {"a"}, "b") == ("f", "d")
    assert progress.newly_unlocked(GRAPH, {"a", "b", "d"}, "c") == ("e",)
    assert progress.newly_unlocked(GRAPH, {"a", "b"}, "f") == ("g",)


def test_review_points_at_unmastered_direct_prerequisites_deepest_first() -> None:
    assert progress.prerequisites_to_review(GRAPH, "e", mastered=set()) == ("c", "d")
    assert progress.prerequisites_to_review(GRAPH, "e", mastered={"c"}) == ("d",)
    assert progress.prerequisites_to_review(GRAPH, "e", mastered={"c", "d"}) == ()
    assert progress.prerequisites_to_review(GRAPH, "d", mastered=set(), limit=1) == ("a",)
    assert progress.prerequisites_to_review(GRAPH, "h", mastered=set()) == ("e", "a")


def _closure(graph: dict[str, list[str]], marked: set[str]) -> set[str]:
    known: set[str] = set()
    stack = [m for m in marked if m in graph]
    while stack:
        node = stack.pop()
        if node not in known:
            known.add(node)
            stack.extend(graph[node])
    return known


def _whole_graph_progress(
    graph: dict[str, list[str]],
    order: list[str],
    marked: set[str],
    mastered: dict[str, datetime],
    goal: str | None,
    limit: int,
) -> progress.Progress:
    """/progress as it was computed before: every topic walked for the frontier, every
    prerequisite of the goal tested one by one, every mastery sorted."""
    known = _closure(graph, marked | set(mastered))
    frontier = [t for t in order if t not in known and all(p in known for p in graph[t])]
    goal = goal if goal in graph else None
    shown_goal = None
    next_ids = frontier[:limit]
    if goal is not None:
        below = _closure(graph, set(graph[goal]))
        shown_goal = GoalProgress(goal, len(below & known), len(below), goal in known)
        on_path = (below | {goal}) - known
        next_ids = (
            [t for t in frontier if t in on_path] + [t for t in frontier if t not in on_path]
        )[:limit]
    recent = sorted(mastered.items(), key=lambda item: (-item[1].timestamp(), item[0]))[:limit]
    return progress.Progress(
        frozenset(known), shown_goal, tuple(next_ids), tuple(t for t, _ in recent)
    )


@settings(max_examples=300, deadline=None)
@given(dags(max_nodes=30, max_prerequisites=3), st.data())
def test_progress_equals_the_whole_graph_computation(
    graph: dict[str, list[str]], data: st.DataObject
) -> None:
    kg = KnowledgeGraph(graph)
    ids = sorted(graph)
    marked = set(data.draw(st.lists(st.sampled_from([*ids, "gone"]), max_size=6)))
    hours = st.integers(0, 5).map(lambda h: T0 + timedelta(hours=h))
    mastered = data.draw(st.dictionaries(st.sampled_from(ids), hours, max_size=8))
    goal = data.draw(st.one_of(st.none(), st.sampled_from([*ids, "gone"])))
    limit = data.draw(st.integers(0, 6))
    shown = progress.progress(kg, marked, mastered, goal, limit, limit)
    expected = _whole_graph_progress(graph, kg.learning_order(), marked, mastered, goal, limit)
    assert shown == expected
    assert len(shown.known) == len(expected.known) and set(shown.known) == expected.known
    assert progress.known_topics(kg, marked, mastered) == expected.known


@settings(max_examples=300, deadline=None)
@given(dags(max_nodes=30, max_prerequisites=3), st.data())
def test_newly_unlocked_equals_the_frontier_before_and_after(
    graph: dict[str, list[str]], data: st.DataObject
) -> None:
    kg = KnowledgeGraph(graph)
    order = kg.learning_order()
    before = set(data.draw(st.lists(st.sampled_from(sorted(graph)), max_size=6)))
    topic = data.draw(st.sampled_from(sorted(graph)))

    def frontier(known: set[str]) -> list[str]:
        return [t for t in order if t not in known and all(p in known for p in graph[t])]

    was = frontier(_closure(graph, before))
    now = frontier(_closure(graph, before | {topic}))
    assert progress.newly_unlocked(kg, before, topic) == tuple(t for t in now if t not in was)
