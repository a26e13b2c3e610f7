from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from tutorbot.content.models import Topic
from tutorbot.domain import quiz
from tutorbot.domain.quiz import (
    AlreadyAnswered,
    InvalidChoice,
    NoQuestions,
    NotAnsweredYet,
    NotCurrentQuestion,
    NotYet,
    NotYourQuiz,
    QuestionRemoved,
    QuizFinished,
    QuizRefused,
    QuizState,
    Revealed,
    TopicRemoved,
    WrongKind,
)
from tutorbot.domain.refusals import Forged
from tutorbot.domain.scoring import NotRevealedYet, SelfAssessment

from .conftest import T0, allowed, make_topic

USER = 42
OTHER = 7
ORDER = ("mc", "tf", "fr")


class InOrder(random.Random):
    """A Random that leaves lists as they are, so a test chooses the question order."""

    def shuffle(self, x: list) -> None:  # type: ignore[override]
        return None


def fixed(topic: Topic, order: tuple[str, ...] = ORDER) -> QuizState:
    """A quiz on `topic` asking its questions in `order`."""
    reordered = topic.model_copy(
        update={"questions": tuple(q for i in order for q in topic.questions if q.id == i)}
    )
    return allowed(quiz.start_quiz(reordered, USER, T0, InOrder()))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_start_takes_all_questions_shuffled_by_the_injected_rng(topic: Topic) -> None:
    a = allowed(quiz.start_quiz(topic, USER, T0, random.Random(3)))
    b = allowed(quiz.start_quiz(topic, USER, T0, random.Random(3)))
    assert a == b
    assert sorted(a.question_ids) == sorted(ORDER)
    assert not a.finished
    assert a.position == 0 and a.shown_at == T0
    orders = {
        allowed(quiz.start_quiz(topic, USER, T0, random.Random(s))).question_ids for s in range(30)
    }
    assert len(orders) > 1


def test_start_with_a_count_caps_at_what_exists(topic: Topic) -> None:
    two = allowed(quiz.start_quiz(topic, USER, T0, random.Random(), count=2))
    capped = allowed(quiz.start_quiz(topic, USER, T0, random.Random(), count=50))
    assert (len(two.question_ids), len(capped.question_ids)) == (2, 3)
    for bad in (0, -1, 51):
        refused = quiz.start_quiz(topic, USER, T0, random.Random(), count=bad)
        assert isinstance(refused, quiz.BadQuestionCount)
        assert "between 1 and 50" in refused.text


def test_start_refuses_a_topic_without_questions(topic: Topic) -> None:
    empty = topic.model_copy(update={"questions": ()})
    assert isinstance(quiz.start_quiz(empty, USER, T0, random.Random()), NoQuestions)


def test_naive_time_is_refused(topic: Topic) -> None:
    with pytest.raises(ValueError, match="naive"):
        quiz.start_quiz(topic, USER, T0.replace(tzinfo=None), random.Random())


def test_right_multiple_choice_answer(topic: Topic) -> None:
    result = allowed(quiz.answer(fixed(topic), topic, USER, "mc", "b", at(4)))
    assert result.correct and result.given == "B"
    assert result.correct_answer == "B. 1/2"
    assert result.explanation == "Two halves make a whole."
    assert result.seconds == 4
    assert not result.is_last
    assert result.state.answer_for("mc") is not None


def test_wrong_true_false_answer_shows_the_right_one(topic: Topic) -> None:
    first = allowed(quiz.answer(fixed(topic), topic, USER, "mc", "A", at(1)))
    state = allowed(quiz.next_question(first.state, topic, USER, at(2)))
    result = allowed(quiz.answer(state, topic, USER, "tf", "false", at(5)))
    assert not result.correct
    assert result.given == "False" and result.correct_answer == "True"
    assert result.seconds == 3


def test_a_second_click_on_an_answered_question_says_what_was_answered(topic: Topic) -> None:
    state = allowed(quiz.answer(fixed(topic), topic, USER, "mc", "C", at(1))).state
    refused = quiz.answer(state, topic, USER, "mc", "B", at(2))
    assert isinstance(refused, AlreadyAnswered) and refused.given == "C"
    assert refused.text == "You already answered this question (C)."


def test_refusals_change_nothing(topic: Topic) -> None:
    state = fixed(topic)
    snapshot = state.to_dict()
    cases: list[tuple[type[QuizRefused], tuple[Any, ...]]] = [
        (NotYourQuiz, (state, topic, OTHER, "mc", "B", at(1))),
        (NotCurrentQuestion, (state, topic, USER, "tf", "true", at(1))),
        (InvalidChoice, (state, topic, USER, "mc", "D", at(1))),
        (InvalidChoice, (state, topic, USER, "mc", "AB", at(1))),
        (TopicRemoved, (state, None, USER, "mc", "B", at(1))),
        (TopicRemoved, (state, make_topic("other"), USER, "mc", "B", at(1))),
    ]
    for error, args in cases:
        assert isinstance(quiz.answer(*args), error)
    assert state.to_dict() == snapshot


def test_a_removed_question_is_refused_then_skipped_by_next(topic: Topic) -> None:
    state = fixed(topic)
    without_mc = topic.model_copy(update={"questions": topic.questions[1:]})
    assert isinstance(quiz.answer(state, without_mc, USER, "mc", "B", at(1)), QuestionRemoved)
    moved = allowed(quiz.next_question(state, without_mc, USER, at(2)))
    assert moved.current_id == "tf"
    assert moved.skipped == ("mc",)
    assert quiz.summarize(moved).count == 2


def test_next_skips_questions_removed_ahead(topic: Topic) -> None:
    only_mc = topic.model_copy(update={"questions": topic.questions[:1]})
    state = allowed(quiz.answer(fixed(topic), only_mc, USER, "mc", "B", at(1))).state
    done = allowed(quiz.next_question(state, only_mc, USER, at(2)))
    assert done.finished and done.skipped == ("tf", "fr")
    summary = quiz.summarize(done)
    assert (summary.score, summary.count, summary.mastered) == (1.0, 1, True)


def test_next_needs_an_answer_first(topic: Topic) -> None:
    assert isinstance(quiz.next_question(fixed(topic), topic, USER, at(1)), NotAnsweredYet)
    assert isinstance(quiz.next_question(fixed(topic), topic, OTHER, at(1)), NotYourQuiz)


def test_choice_buttons_do_not_fit_free_response(topic: Topic) -> None:
    state = fixed(topic, ("fr", "mc", "tf"))
    assert isinstance(quiz.answer(state, topic, USER, "fr", "A", at(1)), WrongKind)
    assert isinstance(quiz.reveal(fixed(topic), topic, USER, "mc", at(100)), WrongKind)


def test_free_response_reveal_waits_for_think_time(topic: Topic) -> None:
    state = fixed(topic, ("fr", "mc", "tf"))
    early = quiz.reveal(state, topic, USER, "fr", at(10))
    assert isinstance(early, NotYet)
    assert early.opens_at == at(30) and early.seconds_left == 20
    assert early.state == state
    assert isinstance(quiz.self_assess(state, topic, USER, "fr", "got_it", at(11)), NotRevealedYet)

    written = allowed(quiz.write_answer(state, topic, USER, "fr", "  same share  "))
    shown = quiz.reveal(written, topic, USER, "fr", at(30))
    assert isinstance(shown, Revealed)
    assert shown.model_answer == "Both name the same share of a whole."
    assert shown.explanation == "Equivalent fractions."
    assert shown.written == "same share"
    again = quiz.reveal(shown.state, topic, USER, "fr", at(31))
    assert isinstance(again, Revealed) and again.state == shown.state

    judged = allowed(
        quiz.self_assess(shown.state, topic, USER, "fr", SelfAssessment.PARTLY, at(40))
    )
    assert judged.credit == 0.5
    record = judged.state.answer_for("fr")
    assert record is not None
    assert (record.given, record.seconds, record.written) == ("partly", 40, "same share")
    assert isinstance(
        quiz.self_assess(judged.state, topic, USER, "fr", "got_it", at(41)), AlreadyAnswered
    )
    assert isinstance(quiz.reveal(judged.state, topic, USER, "fr", at(41)), AlreadyAnswered)


def test_no_think_time_reveals_at_once() -> None:
    topic = make_topic(think_seconds=None)
    state = fixed(topic, ("fr", "mc", "tf"))
    assert isinstance(quiz.reveal(state, topic, USER, "fr", T0), Revealed)


def test_forged_self_assessment_is_refused(topic: Topic) -> None:
    state = fixed(topic, ("fr", "mc", "tf"))
    revealed = quiz.reveal(state, topic, USER, "fr", at(60))
    assert isinstance(revealed, Revealed)
    with pytest.raises(Forged):
        quiz.self_assess(revealed.state, topic, USER, "fr", "maybe", at(61))


def test_empty_written_answer_is_kept_as_none(topic: Topic) -> None:
    state = fixed(topic, ("fr", "mc", "tf"))
    assert allowed(quiz.write_answer(state, topic, USER, "fr", "   ")).written is None
    long = allowed(quiz.write_answer(state, topic, USER, "fr", "x" * 5000)).written
    assert long is not None and len(long) == quiz.MAX_WRITTEN_ANSWER


def play_through(topic: Topic, mc: str, tf: str, fr: SelfAssessment) -> QuizState:
    state = fixed(topic)
    state = allowed(quiz.answer(state, topic, USER, "mc", mc, at(1))).state
    state = allowed(quiz.next_question(state, topic, USER, at(2)))
    last = allowed(quiz.answer(state, topic, USER, "tf", tf, at(3)))
    state = allowed(quiz.next_question(last.state, topic, USER, at(4)))
    revealed = quiz.reveal(state, topic, USER, "fr", at(40))
    assert isinstance(revealed, Revealed)
    assessed = allowed(quiz.self_assess(revealed.state, topic, USER, "fr", fr, at(50)))
    assert assessed.is_last
    return allowed(quiz.next_question(assessed.state, topic, USER, at(51)))


def test_full_quiz_mastered(topic: Topic) -> None:
    state = play_through(topic, "B", "true", SelfAssessment.GOT_IT)
    assert state.finished and state.current_id is None
    summary = quiz.summarize(state)
    assert (summary.score, summary.count, summary.percentage) == (3.0, 3, 100.0)
    assert summary.mastered and summary.missed == ()
    assert isinstance(quiz.next_question(state, topic, USER, at(52)), QuizFinished)


def test_full_quiz_not_mastered_lists_missed(topic: Topic) -> None:
    summary = quiz.summarize(play_through(topic, "A", "true", SelfAssessment.PARTLY))
    assert summary.score == 1.5 and summary.percentage == 50.0
    assert not summary.mastered
    assert summary.missed == ("mc", "fr")


def test_finish_early_counts_unanswered_as_missed(topic: Topic) -> None:
    state = allowed(quiz.answer(fixed(topic), topic, USER, "mc", "B", at(1))).state
    done = quiz.finish(state, at(2))
    assert quiz.finish(done, at(3)) == done
    summary = quiz.summarize(done)
    assert summary.unanswered == ("tf", "fr") and summary.missed == ("tf", "fr")
    assert isinstance(quiz.answer(done, topic, USER, "tf", "true", at(3)), QuizFinished)


def test_a_state_past_its_last_question_refuses_next_as_finished(topic: Topic) -> None:
    past_the_end = replace(fixed(topic), position=len(ORDER))
    assert isinstance(quiz.next_question(past_the_end, topic, USER, at(1)), QuizFinished)


def test_a_stored_state_without_its_start_time_is_refused(topic: Topic) -> None:
    data = {**fixed(topic).to_dict(), "started_at": None}
    with pytest.raises(ValueError, match="missing"):
        QuizState.from_dict(data)
