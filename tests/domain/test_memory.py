"""The memory rules: ratings, FSRS settings, implicit credit down the graph, failures, the queue."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from graph_strategies import dags
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorbot.content.graph import KnowledgeGraph
from tutorbot.domain.memory import (
    HELD,
    MAX_CREDITED_TOPICS,
    CardState,
    MemoryCard,
    MemoryModel,
    Rating,
    implicit_weights,
    nearly_due,
    practice,
    rating_for_assessment,
    rating_for_choice,
    review_queue,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MODEL = MemoryModel()

# calculus is built on limits and functions; limits on functions; functions on algebra;
# algebra on arithmetic; arithmetic on counting: a chain five steps deep under calculus.
COURSE = KnowledgeGraph(
    {
        "counting": [],
        "arithmetic": ["counting"],
        "algebra": ["arithmetic"],
        "functions": ["algebra"],
        "limits": ["functions"],
        "calculus": ["limits", "functions"],
    }
)


def reviewed(
    topic: str, at: datetime, rating: Rating = Rating.GOOD, question: str = "q"
) -> MemoryCard:
    """A card answered once, at `at`."""
    return MODEL.review(None, topic, question, rating, at)


def held(
    topic: str, question: str = "q", *, stability: float, days_ago: float, due_in: float = 0
) -> MemoryCard:
    """A review card last seen `days_ago` days before T0 with this stability, due `due_in` days
    after T0 (negative: overdue)."""
    return MemoryCard(
        topic,
        question,
        due=T0 + timedelta(days=due_in),
        state=CardState.REVIEW,
        step=None,
        stability=stability,
        difficulty=5.0,
        last_review=T0 - timedelta(days=days_ago),
        reps=1,
    )


# Ratings


def test_a_right_choice_is_good_and_a_wrong_one_again() -> None:
    assert rating_for_choice(True) is Rating.GOOD
    assert rating_for_choice(False) is Rating.AGAIN


@pytest.mark.parametrize(
    ("assessment", "rating"),
    [("got_it", Rating.GOOD), ("partly", Rating.HARD), ("missed", Rating.AGAIN)],
)
def test_a_self_assessment_maps_got_it_partly_missed_to_good_hard_again(
    assessment: str, rating: Rating
) -> None:
    assert rating_for_assessment(assessment) is rating


def test_the_ratings_are_fsrs_own_values() -> None:
    import fsrs

    assert [int(r) for r in Rating] == [int(r) for r in fsrs.Rating]


# The model's settings


@pytest.mark.parametrize("rating", list(Rating))
def test_a_first_answer_makes_the_card_due_in_days_not_minutes(rating: Rating) -> None:
    card = reviewed("algebra", T0, rating)
    assert card.due - T0 >= timedelta(days=1)
    assert card.state is CardState.REVIEW and card.step is None
    assert (card.reps, card.lapses, card.last_review) == (1, 0, T0)


def test_better_answers_push_the_first_review_further() -> None:
    dues = [reviewed("algebra", T0, r).due for r in Rating]
    assert dues == sorted(dues) and dues[0] < dues[-1]


def test_the_schedule_has_no_fuzz() -> None:
    first = reviewed("algebra", T0)
    again = [MODEL.review(first, "algebra", "q", Rating.GOOD, first.due) for _ in range(5)]
    assert len({c.due for c in again}) == 1


def test_again_on_a_review_card_counts_a_lapse_and_a_first_again_does_not() -> None:
    first = reviewed("algebra", T0, Rating.AGAIN)
    assert first.lapses == 0
    card = reviewed("algebra", T0)
    lapsed = MODEL.review(card, "algebra", "q", Rating.AGAIN, card.due)
    assert (lapsed.reps, lapsed.lapses) == (2, 1)
    assert lapsed.due - card.due >= timedelta(days=1)  # no relearning steps either
    good = MODEL.review(lapsed, "algebra", "q", Rating.GOOD, lapsed.due)
    assert (good.reps, good.lapses) == (3, 1)


def test_an_answer_starts_the_card_credit_again() -> None:
    card = replace(reviewed("algebra", T0), credit=0.5)
    assert MODEL.review(card, "algebra", "q", Rating.GOOD, card.due).credit == 0.0


def test_recall_is_high_just_after_a_review_and_near_the_target_when_due() -> None:
    card = reviewed("algebra", T0)
    assert MODEL.retrievability(card, T0) > 0.99
    assert MODEL.retrievability(card, card.due) == pytest.approx(MODEL.desired_retention, abs=0.02)
    assert MODEL.retrievability(card, card.due + timedelta(days=30)) < 0.9


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        naive = datetime(2026, 3, 2, 9)  # noqa: DTZ001 (naive on purpose)
        MODEL.review(None, "algebra", "q", Rating.GOOD, naive)


# Implicit weights


def test_credit_halves_with_each_step_and_stops_after_three() -> None:
    assert implicit_weights(COURSE, "limits") == {
        "functions": 1.0,
        "algebra": 0.5,
        "arithmetic": 0.25,
    }  # counting, four steps down, gets nothing


def test_the_shortest_distance_decides_a_topic_weight() -> None:
    # calculus -> functions directly, and through limits: one step.
    weights = implicit_weights(COURSE, "calculus")
    assert weights == {"limits": 1.0, "functions": 1.0, "algebra": 0.5, "arithmetic": 0.25}


def test_a_diamond_credits_its_bottom_once_at_its_distance() -> None:
    diamond = KnowledgeGraph({"d": [], "b": ["d"], "c": ["d"], "a": ["b", "c"]})
    assert implicit_weights(diamond, "a") == {"b": 1.0, "c": 1.0, "d": 0.5}
    lopsided = KnowledgeGraph({"d": [], "x": ["d"], "b": ["x"], "c": ["d"], "a": ["b", "c"]})
    assert implicit_weights(lopsided, "a") == {"b": 1.0, "c": 1.0, "x": 0.5, "d": 0.5}


def test_a_root_an_unknown_topic_and_the_topic_itself_get_nothing() -> None:
    assert implicit_weights(COURSE, "counting") == {}
    assert implicit_weights(COURSE, "no-such-topic") == {}
    assert "calculus" not in implicit_weights(COURSE, "calculus")


def test_a_wide_graph_credits_at_most_the_cap_nearest_first() -> None:
    wide = {f"p{i}": [f"g{i}"] for i in range(MAX_CREDITED_TOPICS)}
    graph = KnowledgeGraph(
        {**{f"g{i}": [] for i in range(MAX_CREDITED_TOPICS)}, **wide, "top": list(wide)}
    )
    weights = implicit_weights(graph, "top")
    assert len(weights) == MAX_CREDITED_TOPICS
    assert set(weights) == set(wide) and set(weights.values()) == {1.0}


@settings(max_examples=150, deadline=None)
@given(dags(), st.data())
def test_weights_follow_the_shortest_distance_in_any_graph(
    edges: dict[str, list[str]], data: st.DataObject
) -> None:
    graph = KnowledgeGraph(edges)
    topic = data.draw(st.sampled_from(sorted(edges)))
    distance = _distances(edges, topic)
    expected = {t: 0.5 ** (d - 1) for t, d in distance.items() if 1 <= d <= 3}
    weights = implicit_weights(graph, topic)
    if len(expected) <= MAX_CREDITED_TOPICS:
        assert weights == expected
    assert topic not in weights


def _distances(edges: dict[str, list[str]], start: str) -> dict[str, int]:
    """Fewest prerequisite steps from `start` to each topic beneath it (breadth first)."""
    distance = {start: 0}
    layer = [start]
    while layer:
        below = []
        for topic in layer:
            for p in edges[topic]:
                if p not in distance:
                    distance[p] = distance[topic] + 1
                    below.append(p)
        layer = below
    return distance


# Nearly due


def test_a_card_due_in_three_hours_with_a_ten_day_interval_is_nearly_due() -> None:
    card = held("algebra", stability=10, days_ago=10, due_in=0.125)
    assert nearly_due(card, T0)


def test_a_card_due_in_three_days_is_not_nearly_due() -> None:
    assert not nearly_due(held("algebra", stability=30, days_ago=27, due_in=3), T0)


def test_a_two_day_interval_card_one_day_early_is_not_nearly_due() -> None:
    card = held("algebra", stability=2, days_ago=1, due_in=1)
    assert not nearly_due(card, T0)
    assert nearly_due(card, T0 + timedelta(days=0.6))  # within the last fifth


def test_a_due_or_overdue_card_is_nearly_due() -> None:
    assert nearly_due(held("algebra", stability=2, days_ago=2), T0)
    assert nearly_due(held("algebra", stability=2, days_ago=5, due_in=-3), T0)


# What one answer does (Practice.apply)


def test_success_credits_a_due_direct_prerequisite_with_an_implicit_good_review() -> None:
    functions = reviewed("functions", T0)
    now = functions.due
    step = practice(COURSE, "limits", "q", Rating.GOOD, "quiz", now)
    change = step.apply(MODEL, None, [functions], [])
    credited = change.card("functions", "q")
    assert credited is not None
    assert credited.due > now and credited.last_review == now
    assert credited.reps == functions.reps and credited.credit == 0.0
    assert [(log.topic_id, log.source, log.rating, log.weight) for log in change.logs] == [
        ("limits", "quiz", Rating.GOOD, 1.0),
        ("functions", "implicit", Rating.GOOD, 1.0),
    ]
    answered = change.card("limits", "q")
    assert answered is not None and answered.reps == 1


def test_a_card_two_steps_down_needs_two_successes() -> None:
    algebra = reviewed("algebra", T0)
    now = algebra.due
    first = practice(COURSE, "limits", "q", Rating.GOOD, "review", now)
    half = first.apply(MODEL, None, [algebra], []).card("algebra", "q")
    assert half is not None
    assert (half.credit, half.due, half.last_review) == (0.5, algebra.due, algebra.last_review)

    later = now + timedelta(hours=1)
    second = practice(COURSE, "limits", "q2", Rating.GOOD, "review", later)
    change = second.apply(MODEL, None, [half], [])
    full = change.card("algebra", "q")
    assert full is not None
    assert full.credit == 0.0 and full.last_review == later and full.due > later
    assert [(log.source, log.weight) for log in change.logs] == [
        ("review", 1.0),
        ("implicit", 0.5),
    ]


def test_a_prerequisite_card_not_yet_due_gets_no_credit() -> None:
    functions = reviewed("functions", T0)
    soon = T0 + timedelta(hours=1)
    change = practice(COURSE, "limits", "q", Rating.GOOD, "quiz", soon).apply(
        MODEL, None, [functions], []
    )
    assert change.card("functions", "q") is None
    assert [log.topic_id for log in change.logs] == ["limits"]


def test_credit_reaches_three_steps_down_and_no_further() -> None:
    step = practice(COURSE, "limits", "q", Rating.GOOD, "quiz", T0)
    assert step.credit_to == {"functions": 1.0, "algebra": 0.5, "arithmetic": 0.25}
    counting = held("counting", stability=2, days_ago=3, due_in=-1)
    assert step.apply(MODEL, None, [counting], []).card("counting", "q") is None
    assert step.due_now == ()


def test_failure_makes_direct_prerequisites_due_now_and_credits_nothing() -> None:
    functions = reviewed("functions", T0)
    limits = reviewed("limits", T0)
    now = T0 + timedelta(hours=5)
    step = practice(COURSE, "calculus", "q", Rating.AGAIN, "quiz", now)
    assert step.credit_to == {}
    assert set(step.due_now) == {"limits", "functions"}
    before = reviewed("calculus", T0 - timedelta(days=3))
    change = step.apply(MODEL, before, [], [functions, limits])
    for topic in ("functions", "limits"):
        card = change.card(topic, "q")
        assert card is not None and card.due == now
        assert card.reps == 1 and card.last_review == T0  # not a review, only due sooner
    assert [log.topic_id for log in change.logs] == ["calculus"]


def test_a_miss_on_a_first_answer_is_learning_and_leaves_prerequisites_alone() -> None:
    functions = reviewed("functions", T0)
    step = practice(COURSE, "limits", "q", Rating.AGAIN, "quiz", T0 + timedelta(hours=5))
    change = step.apply(MODEL, None, [], [functions])
    assert [c.key for c in change.cards] == [("limits", "q")]


def test_failure_keeps_an_already_due_prerequisites_due_date_and_holds_it() -> None:
    functions = held("functions", stability=2, days_ago=3, due_in=-1)
    change = practice(COURSE, "limits", "q", Rating.AGAIN, "quiz", T0).apply(
        MODEL, reviewed("limits", T0 - timedelta(days=3)), [], [functions]
    )
    after = change.card("functions", "q")
    assert after is not None and after.due == functions.due and after.credit == HELD


def test_a_held_card_takes_no_credit_until_it_is_answered() -> None:
    """A miss on limits points at functions; the next right answer on limits must not clear it."""
    functions = held("functions", stability=2, days_ago=3, due_in=-1)
    missed = practice(COURSE, "limits", "q", Rating.AGAIN, "quiz", T0).apply(
        MODEL, reviewed("limits", T0 - timedelta(days=3)), [], [functions]
    )
    pointed_at = missed.card("functions", "q")
    assert pointed_at is not None
    later = T0 + timedelta(minutes=1)
    right = practice(COURSE, "limits", "q2", Rating.GOOD, "quiz", later)
    assert right.apply(MODEL, None, [pointed_at], []).card("functions", "q") is None
    answered = MODEL.review(pointed_at, "functions", "q", Rating.GOOD, later)
    assert answered.credit == 0.0  # answering it lifts the hold


def test_partly_neither_credits_nor_makes_anything_due() -> None:
    step = practice(COURSE, "calculus", "q", Rating.HARD, "quiz", T0)
    assert step.credit_to == {} and step.due_now == ()
    functions = held("functions", stability=2, days_ago=2)
    change = step.apply(MODEL, None, [functions], [functions])
    assert [c.key for c in change.cards] == [("calculus", "q")]


def test_easy_is_a_success_too() -> None:
    assert practice(COURSE, "limits", "q", Rating.EASY, "quiz", T0).credit_to


def test_credit_is_read_only_for_cards_due_within_a_day() -> None:
    assert practice(COURSE, "limits", "q", Rating.GOOD, "quiz", T0).credit_before == T0 + timedelta(
        days=1
    )


# The queue


def test_a_dependent_topic_comes_before_its_due_prerequisite_even_when_that_is_weaker() -> None:
    weak_functions = held("functions", stability=1, days_ago=6)
    strong_limits = held("limits", stability=20, days_ago=20)
    assert MODEL.retrievability(weak_functions, T0) < MODEL.retrievability(strong_limits, T0)
    queue = review_queue(MODEL, COURSE, [weak_functions, strong_limits], T0)
    assert [c.topic_id for c in queue] == ["limits", "functions"]


def test_unrelated_topics_come_lowest_recall_first() -> None:
    graph = KnowledgeGraph({"a": [], "b": [], "c": []})
    cards = [
        held("a", stability=10, days_ago=10),
        held("b", stability=1, days_ago=6),
        held("c", stability=3, days_ago=4),
    ]
    assert [c.topic_id for c in review_queue(MODEL, graph, cards, T0)] == ["b", "c", "a"]


def test_within_a_topic_the_weakest_card_comes_first() -> None:
    cards = [
        held("algebra", "strong", stability=10, days_ago=10),
        held("algebra", "weak", stability=1, days_ago=6),
    ]
    assert [c.question_id for c in review_queue(MODEL, COURSE, cards, T0)] == ["weak", "strong"]


def test_the_limit_cuts_the_queue() -> None:
    cards = [held("algebra", f"q{i}", stability=i + 1, days_ago=10) for i in range(5)]
    queue = review_queue(MODEL, COURSE, cards, T0, limit=3)
    assert [c.question_id for c in queue] == ["q0", "q1", "q2"]
    assert review_queue(MODEL, COURSE, cards, T0, limit=0) == ()


def test_ties_are_broken_by_due_date_then_ids_whatever_the_input_order() -> None:
    graph = KnowledgeGraph({"a": [], "b": []})
    same = {"stability": 5.0, "days_ago": 5.0}
    cards = [
        held("b", "q2", **same),
        held("a", "q2", **same),
        held("b", "q1", **same, due_in=-1),
        held("a", "q1", **same),
    ]
    expected = [("b", "q1"), ("b", "q2"), ("a", "q1"), ("a", "q2")]
    for order in (cards, cards[::-1]):
        assert [c.key for c in review_queue(MODEL, graph, order, T0)] == expected


def test_topics_the_graph_no_longer_has_still_come_in_the_queue() -> None:
    cards = [held("gone", stability=1, days_ago=6), held("algebra", stability=10, days_ago=10)]
    assert [c.topic_id for c in review_queue(MODEL, COURSE, cards, T0)] == ["gone", "algebra"]


@st.composite
def due_cards(draw: st.DrawFn) -> tuple[dict[str, list[str]], list[MemoryCard]]:
    """A random graph and a few due cards on some of its topics."""
    edges = draw(dags(max_nodes=12))
    topics = draw(st.lists(st.sampled_from(sorted(edges)), min_size=1, max_size=15))
    cards = [
        held(
            topic,
            f"q{i}",
            stability=draw(st.floats(min_value=0.5, max_value=50)),
            days_ago=draw(st.floats(min_value=0.5, max_value=60)),
            due_in=-draw(st.floats(min_value=0, max_value=10)),
        )
        for i, topic in enumerate(topics)
    ]
    return edges, cards


@settings(max_examples=150, deadline=None)
@given(due_cards())
def test_no_card_comes_after_a_card_of_a_topic_built_on_it_and_nothing_is_lost(
    drawn: tuple[dict[str, list[str]], list[MemoryCard]],
) -> None:
    edges, cards = drawn
    graph = KnowledgeGraph(edges)
    queue = review_queue(MODEL, graph, cards, T0)
    assert sorted(c.key for c in queue) == sorted(c.key for c in cards)
    for i, card in enumerate(queue):
        for later in queue[i + 1 :]:
            assert card.topic_id not in graph.ancestors(later.topic_id), (card.key, later.key)


@settings(max_examples=100, deadline=None)
@given(due_cards(), st.integers(min_value=0, max_value=20))
def test_a_limited_queue_is_the_start_of_the_whole_one(
    drawn: tuple[dict[str, list[str]], list[MemoryCard]], limit: int
) -> None:
    edges, cards = drawn
    graph = KnowledgeGraph(edges)
    whole = review_queue(MODEL, graph, cards, T0)
    assert review_queue(MODEL, graph, cards, T0, limit=limit) == whole[:limit]
    assert review_queue(MODEL, graph, cards[::-1], T0) == whole


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["calculus", "limits", "functions"]), st.floats(0, 72)),
        min_size=1,
        max_size=25,
    )
)
def test_credit_stays_below_a_unit_and_only_due_cards_take_it(
    answers: list[tuple[str, float]],
) -> None:
    """Successes on topics above, at random moments over some days: every card beneath keeps
    less than a unit of credit, and a card changes only when it was nearly due."""
    now = T0
    cards = {t: reviewed(t, T0) for t in ("functions", "algebra", "arithmetic", "counting")}
    for topic, hours in answers:
        now += timedelta(hours=hours)
        step = practice(COURSE, topic, "other", Rating.GOOD, "quiz", now)
        change = step.apply(MODEL, None, [c for c in cards.values() if c.topic_id != topic], [])
        for after in change.cards[1:]:
            assert nearly_due(cards[after.topic_id], now)
            assert 0 <= after.credit < 1
            cards[after.topic_id] = after


def test_a_placement_answer_shares_nothing_with_the_graph() -> None:
    """Placement measures where a student stands: no credit below, nothing made due."""
    for rating in (Rating.GOOD, Rating.AGAIN):
        step = practice(COURSE, "calculus", "q", rating, "placement", T0)
        assert step.credit_to == {} and step.due_now == ()
