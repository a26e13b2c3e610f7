from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest

from tutorbot.content.models import Topic
from tutorbot.domain import round_results, round_state, rounds
from tutorbot.domain.refusals import Forged
from tutorbot.domain.round_results import Fastest
from tutorbot.domain.round_state import InvalidSettings, RoundSettings, RoundState, RoundStatus
from tutorbot.domain.rounds import (
    EmptyAnswer,
    FirstAnswerStands,
    Judged,
    Locked,
    RoundError,
    TooLate,
)
from tutorbot.domain.scoring import (
    AlreadyAssessed,
    NoAnswerToAssess,
    NotRevealedYet,
    ScoringMode,
    SelfAssessment,
)

from . import _round_play as whole
from .conftest import T0, allowed

TEACHER = 1


class InOrder(random.Random):
    def shuffle(self, x: list) -> None:  # type: ignore[override]
        return None


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def started(topic: Topic, **settings: Any) -> RoundState:
    return allowed(rounds.start_round(topic, TEACHER, RoundSettings(**settings), T0, InOrder()))


def lock(state: RoundState, question_id: str, user: int, choice: str, t: float) -> RoundState:
    new, outcome = whole.accept(state, question_id, user, choice, at(t))
    assert isinstance(outcome, Locked)
    return new


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"questions": 0}, "questions must be between 1 and 50, got 0"),
        ({"questions": 51}, "questions must be between 1 and 50, got 51"),
        ({"seconds": 4}, "seconds must be between 5 and 300, got 4"),
        ({"seconds": 301}, "seconds must be between 5 and 300, got 301"),
        ({"scoring": "fastest"}, "scoring must be speed or flat, got 'fastest'"),
    ],
)
def test_settings_out_of_range_say_why(settings: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidSettings, match=message):
        RoundSettings(**settings)  # type: ignore[arg-type]


def test_settings_defaults_and_edges() -> None:
    assert RoundSettings() == RoundSettings(10, 20, ScoringMode.SPEED)
    assert RoundSettings(1, 5, "flat").scoring is ScoringMode.FLAT  # type: ignore[arg-type]
    RoundSettings(50, 300)


def test_start_opens_the_first_question_with_a_deadline(topic: Topic) -> None:
    state = started(topic, seconds=20)
    assert state.question_ids == ("mc", "tf", "fr")
    current = state.current
    assert current is not None
    assert (current.question_id, current.opened_at, current.deadline) == ("mc", T0, at(20))
    assert current.options == ("A", "B", "C") and current.correct == "B"
    assert started(topic, questions=2).question_ids == ("mc", "tf")


def test_start_shuffles_with_the_injected_rng(topic: Topic) -> None:
    seen = {
        allowed(
            rounds.start_round(topic, TEACHER, RoundSettings(), T0, random.Random(s))
        ).question_ids
        for s in range(30)
    }
    assert len(seen) > 1


def test_first_answer_is_final_and_late_clicks_are_too_late(topic: Topic) -> None:
    state = started(topic)
    state, outcome = whole.accept(state, "mc", 10, " b ", at(3))
    assert outcome == Locked("B")
    same, outcome = whole.accept(state, "mc", 10, "A", at(4))
    assert outcome == FirstAnswerStands("B") and same == state
    on_time, outcome = whole.accept(state, "mc", 11, "A", at(20))
    assert outcome == Locked("A")
    assert on_time.current is not None and len(on_time.current.answers) == 2
    late, outcome = whole.accept(state, "mc", 12, "A", at(20.001))
    assert outcome == TooLate(at(20)) and late == state


def test_forged_clicks_raise(topic: Topic) -> None:
    state = started(topic)
    with pytest.raises(Forged):
        whole.accept(state, "mc", 10, "D", at(1))
    with pytest.raises(Forged):
        whole.accept(state, "tf", 10, "True", at(1))


def test_a_click_is_judged_against_its_question_and_any_earlier_answer(topic: Topic) -> None:
    """The per-question rule the service uses: no whole state is built to judge one click."""
    question = started(topic, seconds=20).current
    assert question is not None
    first = rounds.judge_answer(question, None, 10, " b ", at(3))
    assert isinstance(first, round_state.RoundAnswer)
    assert (first.user_id, first.choice, first.seconds) == (10, "B", 3.0)
    again = rounds.judge_answer(question, first, 10, "A", at(4))
    assert again == FirstAnswerStands("B") and again.text.startswith("You already answered **B**")
    late = rounds.judge_answer(question, None, 11, "A", at(20.001))
    assert late == TooLate(at(20)) and late.text == "Time is up for this question."
    assert isinstance(rounds.judge_answer(question, None, 11, "A", at(20)), round_state.RoundAnswer)
    assert isinstance(rounds.judge_answer(question, None, 11, "A", at(1), running=False), TooLate)
    with pytest.raises(Forged):
        rounds.judge_answer(question, None, 11, "Z", at(1))
    with pytest.raises(Forged):
        rounds.judge_assessment(question, first, "got_it")


def test_close_waits_for_the_deadline_unless_skipped(topic: Topic) -> None:
    state = started(topic)
    with pytest.raises(RoundError, match="skip"):
        rounds.close_current(state, at(5))
    skipped = rounds.close_current(state, at(5), skip=True)
    assert skipped.current is not None and skipped.current.closed_at == at(5)
    assert rounds.close_current(skipped, at(30)) == skipped
    _, outcome = whole.accept(skipped, "mc", 10, "B", at(6))
    assert isinstance(outcome, TooLate)


def test_reveal_counts_shares_and_fastest(topic: Topic) -> None:
    state = started(topic)
    for user, choice, t in [(10, "B", 6), (11, "B", 2), (12, "A", 1), (13, "B", 4), (14, "B", 4)]:
        state = lock(state, "mc", user, choice, t)
    state = rounds.close_current(state, at(20))
    assert state.current is not None
    shown = round_results.reveal(state.current)
    assert shown.correct == "B" and shown.answered == 5
    assert [(o.option, o.count, o.share, o.correct) for o in shown.options] == [
        ("A", 1, 0.2, False),
        ("B", 4, 0.8, True),
        ("C", 0, 0.0, False),
    ]
    assert shown.fastest == (Fastest(11, 2), Fastest(13, 4), Fastest(14, 4))


def test_true_false_options(topic: Topic) -> None:
    state = rounds.next_question(rounds.close_current(started(topic), at(20)), topic, at(21))
    assert state.current is not None and state.current.options == ("True", "False")
    state = lock(state, "tf", 10, "true", 22)
    assert state.current is not None and state.current.answers[0].choice == "True"


def play(topic: Topic, scoring: str = "speed") -> RoundState:
    """Three students, three questions: 10 right fast, 11 right slow, 12 mostly wrong."""
    state = started(topic, seconds=20, scoring=scoring)
    state = lock(state, "mc", 10, "B", 0)
    state = lock(state, "mc", 11, "B", 10)
    state = lock(state, "mc", 12, "A", 1)
    state = rounds.next_question(rounds.close_current(state, at(20)), topic, at(30))
    state = lock(state, "tf", 10, "True", 30)
    state = lock(state, "tf", 11, "True", 50)
    state = rounds.next_question(rounds.close_current(state, at(50)), topic, at(60))
    state = lock(state, "fr", 10, "same share", 65)
    state = lock(state, "fr", 12, "no idea", 70)
    return rounds.close_current(state, at(80))


def test_free_response_self_assessment(topic: Topic) -> None:
    state = started(topic, seconds=20)
    state = rounds.next_question(rounds.close_current(state, at(20)), topic, at(20))
    state = rounds.next_question(rounds.close_current(state, at(40)), topic, at(40))
    unchanged, empty = whole.accept(state, "fr", 10, "   ", at(41))
    assert empty == EmptyAnswer() and unchanged == state
    assert empty.text == "Type an answer first."
    state = lock(state, "fr", 10, "  same share  ", 45)
    assert whole.self_assess(state, "fr", 10, "got_it")[1] == NotRevealedYet()
    state = rounds.close_current(state, at(60))
    state, outcome = whole.self_assess(state, "fr", 10, "got_it")
    assert outcome == Judged(SelfAssessment.GOT_IT, 500)
    assert outcome.text == "Thanks: **Got it**, 500 points."
    assert whole.self_assess(state, "fr", 10, "missed")[1] == AlreadyAssessed(SelfAssessment.GOT_IT)
    assert whole.self_assess(state, "fr", 11, "got_it")[1] == NoAnswerToAssess()
    with pytest.raises(Forged):
        whole.self_assess(state, "mc", 10, "got_it")
    with pytest.raises(Forged):
        whole.self_assess(state, "fr", 10, "certainly")
    assert state.current is not None
    assert round_results.reveal(state.current).fastest == (Fastest(10, 5),)


def test_standings_speed_scoring(topic: Topic) -> None:
    state = play(topic)
    state, _ = whole.self_assess(state, "fr", 10, "partly")
    state, _ = whole.self_assess(state, "fr", 12, "missed")
    table = round_results.standings(state)
    assert [(s.rank, s.user_id, s.points) for s in table] == [
        (1, 10, 1000 + 1000 + 250),
        (2, 11, 750 + 500),
        (3, 12, 0),
    ]
    assert table[0].correct == 2.5 and table[0].asked == 3
    assert [s.user_id for s in round_results.struggling(round_results.score(state))] == [12]
    assert round_results.standings(state)[:3] == table[:3]


def test_flat_scoring(topic: Topic) -> None:
    table = round_results.standings(play(topic, scoring="flat"))
    assert [(s.user_id, s.points) for s in table] == [(10, 2000), (11, 2000), (12, 0)]


def test_ties_share_a_rank_listed_by_user_id_and_time_is_no_tie_break(topic: Topic) -> None:
    state = started(topic, scoring="flat")
    for user, t in [(30, 5), (20, 5), (10, 9), (40, 1)]:
        state = lock(state, "mc", user, "B", t)
    state = lock(state, "mc", 5, "A", 1)
    state = rounds.close_current(state, at(20))
    assert [s.user_id for s in round_results.standings(state)[:3]] == [10, 20, 30]
    assert [(s.rank, s.user_id) for s in round_results.standings(state)[:10]] == [
        (1, 10),
        (1, 20),
        (1, 30),
        (1, 40),
        (5, 5),
    ]


def test_open_question_does_not_count_yet(topic: Topic) -> None:
    state = lock(started(topic), "mc", 10, "B", 1)
    assert round_results.standings(state)[0].points == 0


def test_most_missed_counts_non_answers(topic: Topic) -> None:
    missed = round_results.most_missed(round_results.score(play(topic)))
    assert [(m.question_id, round(m.correct_share, 3)) for m in missed] == [
        ("fr", 0.0),
        ("mc", 0.667),
        ("tf", 0.667),
    ]


def test_next_and_finish(topic: Topic) -> None:
    state = started(topic)
    with pytest.raises(RoundError, match="still open"):
        rounds.next_question(state, topic, at(1))
    state = play(topic)
    done = rounds.next_question(state, topic, at(90))
    assert done.status is RoundStatus.FINISHED and done.ended_at == at(90)
    with pytest.raises(RoundError, match="over"):
        rounds.next_question(done, topic, at(91))
    _, outcome = whole.accept(done, "fr", 11, "late", at(1))
    assert isinstance(outcome, TooLate)


def test_stop_closes_the_open_question(topic: Topic) -> None:
    stopped = rounds.stop(lock(started(topic), "mc", 10, "B", 1), at(3))
    assert stopped.status is RoundStatus.STOPPED
    assert stopped.current is not None and stopped.current.closed_at == at(3)
    assert round_results.standings(stopped)[0].points == speed_points_at(1)
    assert rounds.stop(stopped, at(9)) == stopped


def speed_points_at(seconds: float) -> int:
    return round(1000 * (1 - (seconds / 20) / 2))


def test_questions_removed_from_content_are_skipped(topic: Topic) -> None:
    state = rounds.close_current(started(topic), at(20))
    without_tf = topic.model_copy(update={"questions": (topic.questions[0], topic.questions[2])})
    moved = rounds.next_question(state, without_tf, at(21))
    assert moved.current is not None and moved.current.question_id == "fr"
    assert moved.question_ids == ("mc", "tf", "fr") and moved.skipped == ("tf",)
    assert moved.total == 2 and moved.index_of("fr") == 2
    assert moved.question_at(2) == moved.current and moved.question_at(1) is None


def test_settings_and_a_topic_without_questions_are_refused_not_raised(topic: Topic) -> None:
    """One check for `/round start` options and a server's defaults, returned as a Refusal."""
    assert rounds.settings_from(5, 30, "flat") == RoundSettings(5, 30, ScoringMode.FLAT)
    assert rounds.settings_from(0, 30, "flat") == rounds.BadSettings(
        "questions must be between 1 and 50, got 0"
    )
    refused = rounds.settings_from(5, 30, "fastest")
    assert isinstance(refused, rounds.BadSettings)
    assert refused.text == "scoring must be speed or flat, got 'fastest'"
    empty = topic.model_copy(update={"questions": []})
    none = rounds.start_round(empty, TEACHER, RoundSettings(), T0, InOrder())
    assert none == rounds.NoQuestionsToAsk() and none.text == "This topic has no questions yet."
