from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
