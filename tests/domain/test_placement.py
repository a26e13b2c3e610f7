from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta

import pytest
from graph_strategies import dags
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorbot.content.graph import KnowledgeGraph
from tutorbot.content.models import Question, QuestionType, Topic
from tutorbot.domain import placement
from tutorbot.domain.placement import (
    DEFAULT_CAP,
    BadCap,
    GoalRemoved,
    NotCurrentQuestion,
    NothingToPlace,
    NotYourPlacement,
    PlacementOver,
    PlacementState,
    Result,
)
from tutorbot.domain.scoring import SelfAssessment

from .conftest import T0, allowed

USER = 7


def mc(qid: str, options: int) -> Question:
    return Question(
        id=qid,
        type=QuestionType.MULTIPLE_CHOICE,
        prompt="Which one?",
        choices=tuple(f"option {i}" for i in range(options)),
        answer="A",
        explanation="The first.",
    )


def tf(qid: str) -> Question:
    return Question(
        id=qid, type=QuestionType.TRUE_FALSE, prompt="Yes?", answer=True, explanation="Yes."
    )


def fr(qid: str) -> Question:
    return Question(
        id=qid,
        type=QuestionType.FREE_RESPONSE,
        prompt="Why?",
        answer="Because.",
        explanation="So.",
    )


def course(
    prerequisites: Mapping[str, list[str]],
    questions: Callable[[str], tuple[Question, ...]] = lambda _t: (mc("q1", 4), mc("q2", 4)),
) -> tuple[KnowledgeGraph, dict[str, Topic]]:
    """The graph of `prerequisites` and a topic for each node with `questions(node)`."""
    graph = KnowledgeGraph(prerequisites)
    topics = {
        t: Topic(
            id=t,
            title=t.title(),
            core_idea="An idea.",
            prerequisites=tuple(p),
            questions=questions(t),
        )
        for t, p in prerequisites.items()
    }
    return graph, topics


def chain(ids: Iterable[str]) -> dict[str, list[str]]:
    """Each topic requires the one before it."""
    found: dict[str, list[str]] = {}
    previous: str | None = None
    for t in ids:
        found[t] = [] if previous is None else [previous]
        previous = t
    return found


DIAMOND = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]}


def begin(
    graph: KnowledgeGraph,
    topics: Mapping[str, Topic],
    known: Iterable[str] = (),
    goal: str | None = None,
    cap: int = DEFAULT_CAP,
) -> PlacementState:
    started = placement.start(graph, topics, USER, goal, known, T0, cap)
    assert isinstance(started, PlacementState), started
    return started


def reply(
    state: PlacementState,
    graph: KnowledgeGraph,
    topics: Mapping[str, Topic],
    result: Result,
) -> PlacementState:
    assert state.current is not None
    topic_id, question_id = state.current
    step = placement.answer(state, graph, topics, USER, topic_id, question_id, result, T0)
    assert isinstance(step, PlacementState), step
    return step


def run(
    state: PlacementState,
    graph: KnowledgeGraph,
    topics: Mapping[str, Topic],
    oracle: Callable[[str, str], Result],
) -> list[PlacementState]:
    """Every state of a placement answered by `oracle(topic, question)` until it ends."""
    states = [state]
    while not state.finished:
        assert state.current is not None
        state = reply(state, graph, topics, oracle(*state.current))
        states.append(state)
    return states


# Evidence


def test_evidence_is_the_log_likelihood_ratio_of_a_knower_against_a_guesser() -> None:
    assert placement.evidence(mc("q", 4), Result.RIGHT) == pytest.approx(math.log2(0.9 / 0.25))
    assert placement.evidence(tf("q"), Result.RIGHT) == pytest.approx(math.log2(0.9 / 0.5))
    assert placement.evidence(mc("q", 4), Result.WRONG) == pytest.approx(math.log2(0.1 / 0.75))
    assert placement.evidence(tf("q"), Result.WRONG) == pytest.approx(math.log2(0.1 / 0.5))
    assert placement.evidence(fr("q"), Result.RIGHT) == placement.evidence(mc("q", 4), Result.RIGHT)
    assert placement.evidence(fr("q"), Result.PARTLY) == placement.evidence(tf("q"), Result.RIGHT)


def test_results_of_choices_and_self_assessments() -> None:
    assert placement.result_for_choice(True) is Result.RIGHT
    assert placement.result_for_choice(False) is Result.WRONG
    assert placement.result_for_assessment(SelfAssessment.GOT_IT) is Result.RIGHT
    assert placement.result_for_assessment(SelfAssessment.PARTLY) is Result.PARTLY
    assert placement.result_for_assessment(SelfAssessment.MISSED) is Result.WRONG


# Which question


def test_a_chain_asks_the_middle_first() -> None:
    graph, topics = course(chain(["t1", "t2", "t3", "t4", "t5"]), lambda _t: (mc("q", 5),))
    assert begin(graph, topics).current == ("t3", "q")


def test_a_chain_asks_the_middle_first_even_when_one_answer_decides_nothing() -> None:
    graph, topics = course(chain(["t1", "t2", "t3", "t4", "t5"]))
    assert begin(graph, topics).current == ("t3", "q1")


def test_equal_splits_go_to_the_smallest_id() -> None:
    # learning order d, c, b, a: c and b split the chain equally well; b is the smaller id
    graph, topics = course(chain(["d", "c", "b", "a"]))
    assert begin(graph, topics).current == ("b", "q1")


def test_a_diamond_asks_one_of_its_sides() -> None:
    graph, topics = course(DIAMOND)
    assert begin(graph, topics).current == ("b", "q1")


def test_after_a_wrong_answer_the_search_moves_below() -> None:
    graph, topics = course(chain(["t1", "t2", "t3", "t4", "t5", "t6", "t7"]))
    state = reply(begin(graph, topics), graph, topics, Result.WRONG)
    assert placement.standing(state, graph, topics).failed == {"t4", "t5", "t6", "t7"}
    assert state.current is not None and state.current[0] == "t2"


def test_the_strongest_question_not_asked_comes_first() -> None:
    topic = Topic(
        id="t",
        title="T",
        core_idea="An idea.",
        questions=(tf("a"), mc("b", 3), fr("c"), mc("d", 4), mc("e", 5), mc("f", 4)),
    )
    order: list[str] = []
    while (question := placement.next_question_of(topic, order)) is not None:
        order.append(question.id)
    assert order == ["e", "d", "f", "c", "b", "a"]


# Guessing


def test_one_right_true_false_does_not_pass_a_topic_and_three_do() -> None:
    graph, topics = course({"t": []}, lambda _t: (tf("q1"), tf("q2"), tf("q3")))
    state = reply(begin(graph, topics), graph, topics, Result.RIGHT)
    assert (
        not placement.standing(state, graph, topics).passed
        and not state.finished
        and state.current == ("t", "q2")
    )
    state = reply(state, graph, topics, Result.RIGHT)
    assert not placement.standing(state, graph, topics).passed and state.current == ("t", "q3")
    state = reply(state, graph, topics, Result.RIGHT)
    assert placement.standing(state, graph, topics).passed == {"t"} and state.finished


def test_one_right_four_option_answer_does_not_pass_a_topic_and_two_do() -> None:
    graph, topics = course({"t": []})
    state = reply(begin(graph, topics), graph, topics, Result.RIGHT)
    assert not placement.standing(state, graph, topics).passed and state.current == ("t", "q2")
    assert placement.standing(state, graph, topics).bits("t") == pytest.approx(math.log2(3.6))
    state = reply(state, graph, topics, Result.RIGHT)
    assert placement.standing(state, graph, topics).passed == {"t"} and state.finished


def test_a_right_five_option_answer_passes_a_topic_alone() -> None:
    graph, topics = course({"t": []}, lambda _t: (mc("q1", 5), mc("q2", 5)))
    state = reply(begin(graph, topics), graph, topics, Result.RIGHT)
    assert placement.standing(state, graph, topics).passed == {"t"} and state.finished


def test_a_right_four_option_answer_and_a_right_true_false_pass_a_topic() -> None:
    graph, topics = course({"t": []}, lambda _t: (mc("q1", 4), tf("q2")))
    state = reply(begin(graph, topics), graph, topics, Result.RIGHT)
    assert state.current == ("t", "q2")
    state = reply(state, graph, topics, Result.RIGHT)
    assert placement.standing(state, graph, topics).passed == {"t"}


def test_a_topic_whose_questions_are_all_asked_stays_undecided_and_counts_as_not_known() -> None:
    graph, topics = course({"t": []}, lambda _t: (tf("q1"),))
    state = reply(begin(graph, topics), graph, topics, Result.RIGHT)
    assert (
        state.finished
        and not placement.standing(state, graph, topics).passed
        and not placement.standing(state, graph, topics).failed
    )
    assert placement.outcome(state, graph, topics).not_known == ("t",)


# What an answer decides


def test_a_right_answer_passes_the_topic_and_its_prerequisites() -> None:
    graph, topics = course({**DIAMOND, "e": ["d"]}, lambda _t: (mc("q1", 5), mc("q2", 5)))
    state = begin(graph, topics)
    state = reply(state, graph, topics, Result.RIGHT)
    first = state.asked[0].topic_id
    assert placement.standing(state, graph, topics).passed == graph.ancestors(first) | {first}


def test_a_wrong_answer_fails_the_topic_and_what_is_built_on_it() -> None:
    graph, topics = course({**DIAMOND, "e": ["d"]})
    state = reply(begin(graph, topics), graph, topics, Result.WRONG)
    first = state.asked[0].topic_id
    assert placement.standing(state, graph, topics).failed == graph.descendants(first) | {first}
    assert not placement.standing(state, graph, topics).passed


def test_a_wrong_answer_below_a_right_one_leaves_the_topics_between_undecided() -> None:
    graph, topics = course(chain(["t1", "t2", "t3", "t4", "t5", "t6", "t7"]))
    state = reply(begin(graph, topics), graph, topics, Result.RIGHT)  # t4: +1.85 below
    assert state.current is not None and state.current[0] == "t4"  # once more on t4
    state = reply(state, graph, topics, Result.RIGHT)
    assert placement.standing(state, graph, topics).passed == {"t1", "t2", "t3", "t4"}
    state = reply(state, graph, topics, Result.WRONG)  # on t6 (splits t5..t7)
    assert state.asked[-1].topic_id == "t6"
    assert placement.standing(state, graph, topics).failed == {"t6", "t7"}
    assert state.current is not None and state.current[0] == "t5"


def test_a_partly_counts_as_weak_evidence() -> None:
    graph, topics = course({"t": []}, lambda _t: (fr("q1"), fr("q2"), fr("q3")))
    state = reply(begin(graph, topics), graph, topics, Result.PARTLY)
    found = placement.standing(state, graph, topics)
    assert not found.passed and found.bits("t") == pytest.approx(math.log2(1.8))
    state = reply(state, graph, topics, Result.RIGHT)
    assert placement.standing(state, graph, topics).passed == {"t"}


def test_topics_already_known_count_as_passed_and_are_never_asked() -> None:
    graph, topics = course(chain(["t1", "t2", "t3", "t4", "t5"]))
    state = begin(graph, topics, known=["t3"])
    assert placement.standing(state, graph, topics).known == {"t1", "t2", "t3"}
    states = run(state, graph, topics, lambda _t, _q: Result.RIGHT)
    assert {a.topic_id for a in states[-1].asked} <= {"t4", "t5"}
    assert placement.standing(states[-1], graph, topics).passed == {"t4", "t5"}
    assert placement.outcome(states[-1], graph, topics).placed == ("t4", "t5")


def test_candidates_are_the_goal_and_what_it_needs_that_have_questions() -> None:
    graph, topics = course(
        {**DIAMOND, "e": ["d"], "x": ["a"]},
        lambda t: () if t == "c" else (mc("q1", 4), mc("q2", 4)),
    )
    assert placement.candidates(graph, topics, "d") == ("a", "b", "d")
    assert placement.candidates(graph, topics, None) == ("a", "b", "x", "d", "e")


# The end


def test_the_cap_ends_the_placement_and_undecided_topics_count_as_not_known() -> None:
    graph, topics = course(chain([f"t{i}" for i in range(1, 11)]))
    state = begin(graph, topics, cap=3)
    states = run(state, graph, topics, lambda _t, _q: Result.RIGHT)
    final = states[-1]
    assert len(final.asked) == 3 and final.finished and final.current is None
    found = placement.standing(final, graph, topics)
    assert found.undecided
    result = placement.outcome(final, graph, topics)
    assert set(result.not_known) == found.undecided | found.failed
    assert result.questions == 3


def test_the_outcome_places_passed_topics_and_gives_the_frontier() -> None:
    graph, topics = course({**DIAMOND, "e": ["d"], "x": ["a"]})
    knows = {"a", "b"}
    states = run(
        begin(graph, topics),
        graph,
        topics,
        lambda t, _q: Result.RIGHT if t in knows else Result.WRONG,
    )
    result = placement.outcome(states[-1], graph, topics)
    assert result.placed == ("a", "b")
    assert set(result.not_known) == {"c", "x", "d", "e"}
    assert result.frontier == ("c", "x")
    assert result.questions == len(states) - 1


def test_the_frontier_counts_topics_known_before() -> None:
    graph, topics = course(chain(["t1", "t2", "t3"]))
    state = begin(graph, topics, known=["t1"])
    states = run(state, graph, topics, lambda _t, _q: Result.WRONG)
    result = placement.outcome(states[-1], graph, topics)
    assert result.placed == () and result.frontier == ("t2",)


def test_giving_up_ends_the_placement() -> None:
    graph, topics = course(chain(["t1", "t2", "t3"]))
    state = placement.give_up(begin(graph, topics), T0)
    assert state.finished and state.current is None
    assert placement.give_up(state, T0) is state


# Refusals


def test_steps_that_cannot_happen_are_refused() -> None:
    graph, topics = course(chain(["t1", "t2", "t3"]))
    state = begin(graph, topics)
    assert state.current is not None
    topic_id, question_id = state.current

    def step(s: PlacementState, user: int, t: str, q: str) -> object:
        return placement.answer(s, graph, topics, user, t, q, Result.RIGHT, T0)

    assert isinstance(step(state, USER + 1, topic_id, question_id), NotYourPlacement)
    assert isinstance(step(state, USER, topic_id, "other"), NotCurrentQuestion)
    assert isinstance(step(state, USER, "t3", question_id), NotCurrentQuestion)
    over = placement.give_up(state, T0)
    assert isinstance(step(over, USER, topic_id, question_id), PlacementOver)


def test_a_placement_that_cannot_start_is_refused() -> None:
    graph, topics = course(chain(["t1", "t2", "t3"]))
    assert isinstance(placement.start(graph, topics, USER, "nope", (), T0), GoalRemoved)
    assert isinstance(placement.start(graph, topics, USER, None, (), T0, cap=0), BadCap)
    everything = placement.start(graph, topics, USER, None, ["t3"], T0)
    assert isinstance(everything, NothingToPlace)
    empty_graph, empty = course({"t": []}, lambda _t: ())
    assert isinstance(placement.start(empty_graph, empty, USER, None, (), T0), NothingToPlace)


def test_an_answer_to_a_question_removed_meanwhile_still_counts() -> None:
    graph, topics = course(chain(["t1", "t2", "t3"]))
    state = begin(graph, topics)
    assert state.current is not None
    topic_id, question_id = state.current
    old = topics[topic_id]
    reloaded = {
        **topics,
        topic_id: old.model_copy(update={"questions": old.questions[1:]}),
    }
    after = placement.answer(state, graph, reloaded, USER, topic_id, question_id, Result.WRONG, T0)
    assert isinstance(after, PlacementState)
    assert topic_id in placement.standing(after, graph, topics).failed


# Storage form


def test_the_state_survives_a_round_trip_through_json() -> None:
    graph, topics = course({**DIAMOND, "e": ["d"]})
    state = begin(graph, topics, known=["a"])
    for result in (Result.RIGHT, Result.WRONG):
        state = reply(state, graph, topics, result)
        again = PlacementState.from_dict(json.loads(json.dumps(state.to_dict())))
        assert again == state
    finished = placement.give_up(state, T0)
    assert PlacementState.from_dict(json.loads(json.dumps(finished.to_dict()))) == finished


def test_each_question_is_shown_at_the_time_of_the_step_that_chose_it() -> None:
    graph, topics = course(chain(["t1", "t2", "t3"]))
    state = begin(graph, topics)
    assert state.shown_at == T0
    later = T0 + timedelta(seconds=40)
    assert state.current is not None
    step = placement.answer(state, graph, topics, USER, *state.current, Result.WRONG, later)
    assert isinstance(step, PlacementState) and step.shown_at == later
    assert placement.give_up(step, later).shown_at is None


def test_the_state_keeps_only_the_facts_so_it_stays_small_on_a_long_course() -> None:
    graph, topics = course(chain([f"t{i}" for i in range(1, 501)]))
    state = begin(graph, topics, known=["t100"])
    assert state.known == ("t100",)
    states = run(state, graph, topics, lambda t, _q: Result.RIGHT)
    found = placement.standing(states[-1], graph, topics)
    assert len(found.passed) > 100
    assert len(json.dumps(states[-1].to_dict())) < 2000


def test_keys_a_newer_version_added_are_kept() -> None:
    graph, topics = course(chain(["t1", "t2"]))
    data = {**begin(graph, topics).to_dict(), "future": [1, 2]}
    assert PlacementState.from_dict(data).to_dict()["future"] == [1, 2]


# The next quiz


def test_the_next_quiz_asks_questions_seen_in_placement_last() -> None:
    order = placement.quiz_order(["q3", "q1", "q4", "q2"], {"q1", "q4"})
    assert order == ["q3", "q2", "q1", "q4"]


# Properties


def known_down_set(graph: KnowledgeGraph, data: st.DataObject) -> frozenset[str]:
    marked = data.draw(st.sets(st.sampled_from(graph.learning_order())))
    return graph.known_closure(marked)


@settings(max_examples=60, deadline=None)
@given(dags(max_nodes=15), st.data())
def test_a_truthful_student_is_placed_exactly(
    prereqs: dict[str, list[str]], data: st.DataObject
) -> None:
    graph, topics = course(prereqs, lambda _t: (mc("q1", 4), tf("q2"), mc("q3", 4)))
    knows = known_down_set(graph, data)
    before = data.draw(st.sets(st.sampled_from(sorted(knows)))) if knows else set()
    started = placement.start(graph, topics, USER, None, before, T0, cap=100)
    if isinstance(started, NothingToPlace):
        assert knows == frozenset(graph.learning_order())
        return
    state = allowed(started)
    states = run(state, graph, topics, lambda t, _q: Result.RIGHT if t in knows else Result.WRONG)
    found = placement.standing(states[-1], graph, topics)
    assert not found.undecided
    assert found.passed | found.known == knows
    assert found.failed == set(graph.learning_order()) - knows
    result = placement.outcome(states[-1], graph, topics)
    assert result.frontier == tuple(graph.frontier(knows))


@settings(max_examples=60, deadline=None)
@given(dags(max_nodes=15), st.integers(0, 2**32), st.integers(1, 30))
def test_decisions_stay_closed_and_never_change(
    prereqs: dict[str, list[str]], seed: int, cap: int
) -> None:
    graph, topics = course(prereqs, lambda _t: (mc("q1", 4), tf("q2"), fr("q3")))
    rng = random.Random(seed)
    state = allowed(placement.start(graph, topics, USER, None, (), T0, cap=cap))
    states = run(state, graph, topics, lambda _t, _q: rng.choice(list(Result)))
    standings = [placement.standing(s, graph, topics) for s in states]
    for earlier, later in itertools.pairwise(standings):
        assert earlier.passed <= later.passed and earlier.failed <= later.failed
    for s, found in zip(states, standings, strict=True):
        assert not found.passed & found.failed
        for t in found.passed:
            assert graph.ancestors(t) <= found.passed
        for t in found.failed:
            assert graph.descendants(t) <= found.failed
        if s.current is not None:
            assert s.current[0] in found.undecided
            assert s.current[1] not in s.asked_in(s.current[0])
    assert len(states[-1].asked) <= cap
