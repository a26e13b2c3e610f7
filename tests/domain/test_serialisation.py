"""Quiz and round state survive storage as JSON exactly, whatever happened to them."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tutorbot.domain import quiz, round_results, rounds
from tutorbot.domain.quiz import QuizState
from tutorbot.domain.refusals import Forged, Refusal
from tutorbot.domain.round_state import RoundSettings, RoundState
from tutorbot.domain.rounds import RoundError
from tutorbot.domain.scoring import ScoringMode

from . import _round_play as whole
from .conftest import T0, allowed, make_topic

TOPIC = make_topic()
USERS = st.integers(1, 4)
CHOICES = st.sampled_from(["A", "B", "C", "true", "false", "got_it", "partly", "missed", "x=1"])


def via_json(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data))


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32), st.lists(st.tuples(st.integers(0, 4), CHOICES, st.floats(0, 90))))
def test_quiz_state_round_trips(seed: int, steps: list[tuple[int, str, float]]) -> None:
    started = allowed(quiz.start_quiz(TOPIC, 1, T0, random.Random(seed)))
    assert isinstance(started, QuizState)
    state = started
    for action, choice, seconds in steps:
        now = T0 + timedelta(seconds=seconds)
        qid = state.current_id or "mc"
        step: object
        try:
            if action == 0:
                step = quiz.answer(state, TOPIC, 1, qid, choice, now)
            elif action == 1:
                step = quiz.reveal(state, TOPIC, 1, qid, now)
            elif action == 2:
                step = quiz.write_answer(state, TOPIC, 1, qid, choice)
            elif action == 3:
                step = quiz.self_assess(state, TOPIC, 1, qid, choice, now)
            else:
                step = quiz.next_question(state, TOPIC, 1, now)
        except Forged:
            step = None
        if isinstance(step, QuizState):
            state = step
        elif step is not None and not isinstance(step, Refusal):
            state = step.state
        assert QuizState.from_dict(via_json(state.to_dict())) == state


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 2**32),
    st.sampled_from(list(ScoringMode)),
    st.lists(st.tuples(st.integers(0, 3), USERS, CHOICES, st.floats(0, 60))),
)
def test_round_state_round_trips(
    seed: int, scoring: ScoringMode, steps: list[tuple[int, int, str, float]]
) -> None:
    state = allowed(
        rounds.start_round(TOPIC, 9, RoundSettings(3, 20, scoring), T0, random.Random(seed))
    )
    clock = 0.0
    for action, user, choice, seconds in steps:
        clock += seconds
        now = T0 + timedelta(seconds=clock)
        current = state.current
        assert current is not None
        try:
            if action == 0:
                state, _ = whole.accept(state, current.question_id, user, choice, now)
            elif action == 1:
                state = rounds.close_current(state, now, skip=True)
            elif action == 2:
                state, _ = whole.self_assess(state, current.question_id, user, choice)
            else:
                state = rounds.next_question(state, TOPIC, now)
        except (RoundError, Forged):
            pass
        assert RoundState.from_dict(via_json(state.to_dict())) == state
    for standing in round_results.standings(state):
        assert standing.points >= 0


def test_unknown_keys_are_tolerated_and_kept() -> None:
    state = allowed(quiz.start_quiz(TOPIC, 1, T0, random.Random(0)))
    data = {**state.to_dict(), "added_later": {"x": 1}}
    loaded = QuizState.from_dict(data)
    assert loaded == state and loaded.to_dict()["added_later"] == {"x": 1}

    game = allowed(rounds.start_round(TOPIC, 9, RoundSettings(), T0, random.Random(0)))
    loaded_round = RoundState.from_dict({**game.to_dict(), "future": True})
    assert loaded_round == game and loaded_round.to_dict()["future"] is True


def test_times_are_iso_8601_utc() -> None:
    data = allowed(quiz.start_quiz(TOPIC, 1, T0, random.Random(0))).to_dict()
    assert data["started_at"] == "2025-03-01T12:00:00+00:00"
