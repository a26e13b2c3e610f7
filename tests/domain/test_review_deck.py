"""A review's deck: keys across topics, removed and covered questions, its size, its tally, and a
review played through the quiz's own state machine."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tutorbot.content.models import Question, QuestionType, Topic
from tutorbot.domain import quiz
from tutorbot.domain.review import (
    DEFAULT_DAILY_LIMIT,
    MAX_DAILY_LIMIT,
    MIN_DAILY_LIMIT,
    REVIEW_DECK,
    BadDailyLimit,
    ReviewDeck,
    check_daily_limit,
    minutes_for,
    review_key,
    split_key,
    tally,
)
from tutorbot.domain.scoring import SelfAssessment

from .conftest import T0, allowed, make_topic

USER = 42
TOPICS = {t.id: t for t in (make_topic("fractions"), make_topic("decimals", think_seconds=0))}


def deck(*covered: str) -> ReviewDeck:
    return ReviewDeck(TOPICS.get, frozenset(covered))


def question(key: str) -> Question:
    found = deck().question(key)
    assert found is not None, key
    return found


# Keys


def test_a_key_names_the_topic_and_the_question_and_splits_back() -> None:
    assert review_key("fractions", "mc") == "fractions/mc"
    assert split_key("fractions/mc") == ("fractions", "mc")
    assert split_key("mc") == ("", "mc")


def test_the_deck_id_is_no_topic_id() -> None:
    assert deck().id == REVIEW_DECK
    assert REVIEW_DECK not in TOPICS and not REVIEW_DECK.replace("-", "").isalnum()


# Looking questions up


def test_the_deck_finds_questions_of_any_topic() -> None:
    assert question("fractions/mc").prompt == "Which is half of 1?"
    assert question("decimals/tf").type is QuestionType.TRUE_FALSE
    topic = deck().topic("decimals/fr")
    assert topic is not None and topic.id == "decimals"


@pytest.mark.parametrize("key", ["algebra/mc", "fractions/gone", "mc", "", "fractions/"])
def test_a_removed_topic_or_question_is_not_found(key: str) -> None:
    assert deck().question(key) is None


def test_a_covered_question_is_left_out_but_its_topic_is_still_there() -> None:
    covered = deck("fractions/tf")
    assert covered.question("fractions/tf") is None
    assert covered.question("fractions/mc") is not None
    assert covered.topic("fractions/tf") is not None


# Size and limits


def test_minutes_count_each_kind_at_its_own_pace() -> None:
    assert minutes_for([]) == 0
    assert minutes_for([question("fractions/tf")]) == 1  # 12 seconds is still a minute
    three = [question(k) for k in ("fractions/mc", "fractions/tf", "fractions/fr")]
    assert minutes_for(three) == 2  # 20 + 12 + 60 seconds
    assert minutes_for(three * 10) == 16  # 920 seconds


def test_the_daily_limit_is_checked_against_its_bounds() -> None:
    assert MIN_DAILY_LIMIT <= DEFAULT_DAILY_LIMIT == 20 <= MAX_DAILY_LIMIT
    assert check_daily_limit(MIN_DAILY_LIMIT) == MIN_DAILY_LIMIT
    assert check_daily_limit(MAX_DAILY_LIMIT) == MAX_DAILY_LIMIT
    for bad in (0, -5, MAX_DAILY_LIMIT + 1):
        refused = check_daily_limit(bad)
        assert isinstance(refused, BadDailyLimit)
        assert f"from {MIN_DAILY_LIMIT} to {MAX_DAILY_LIMIT}" in refused.text


# The tally


def test_the_tally_counts_answers_full_credits_and_covered_questions() -> None:
    keys = ["fractions/mc", "fractions/tf", "decimals/mc", "decimals/gone", "fractions/fr"]
    counted = tally(
        keys,
        skipped=["decimals/mc", "decimals/gone"],
        credits=[1.0, 0.0, 0.5],
        still_in_content=lambda key: deck().question(key) is not None,
    )
    assert (counted.answered, counted.right, counted.covered) == (3, 1, 1)


# A review through the quiz's state machine


def test_a_review_asks_its_keys_in_order_across_topics() -> None:
    keys = ("decimals/tf", "fractions/mc")
    state = allowed(quiz.start_review(deck(), keys, USER, T0))
    assert state.topic_id == REVIEW_DECK and state.current_id == "decimals/tf"
    answered = allowed(quiz.answer(state, deck(), USER, "decimals/tf", "true", T0))
    assert answered.correct and answered.question.prompt == "1/4 is less than 1/2."
    state = allowed(quiz.next_question(answered.state, deck(), USER, T0))
    assert state.current_id == "fractions/mc"


def test_a_review_skips_a_question_an_earlier_answer_covered() -> None:
    keys = ("fractions/mc", "decimals/mc", "decimals/fr")
    state = allowed(quiz.start_review(deck(), keys, USER, T0))
    later = T0 + timedelta(seconds=5)
    answered = allowed(quiz.answer(state, deck(), USER, "fractions/mc", "B", later))
    # That success cleared decimals/mc: the deck of the next step leaves it out.
    moved = allowed(quiz.next_question(answered.state, deck("decimals/mc"), USER, later))
    assert moved.current_id == "decimals/fr" and moved.skipped == ("decimals/mc",)
    shown = quiz.reveal(moved, deck("decimals/mc"), USER, "decimals/fr", later)
    assert isinstance(shown, quiz.Revealed)  # decimals asks with no think time
    assessed = allowed(
        quiz.self_assess(
            shown.state, deck("decimals/mc"), USER, "decimals/fr", SelfAssessment.PARTLY, later
        )
    )
    done = allowed(quiz.next_question(assessed.state, deck("decimals/mc"), USER, later))
    assert done.finished
    summary = quiz.summarize(done)
    assert (summary.score, summary.count) == (1.5, 2)  # the covered question is not counted
    counted = tally(
        done.question_ids,
        done.skipped,
        (a.credit for a in done.answers),
        lambda key: deck().question(key) is not None,
    )
    assert (counted.answered, counted.right, counted.covered) == (2, 1, 1)


def test_a_review_whose_first_keys_are_covered_starts_at_the_first_left() -> None:
    state = allowed(
        quiz.start_review(deck("fractions/mc"), ("fractions/mc", "fractions/tf"), USER, T0)
    )
    assert state.current_id == "fractions/tf" and state.skipped == ("fractions/mc",)


def test_a_review_with_every_key_covered_is_over_at_once() -> None:
    state = allowed(quiz.start_review(deck("fractions/mc"), ("fractions/mc",), USER, T0))
    assert state.finished


def test_an_empty_review_is_refused() -> None:
    assert isinstance(quiz.start_review(deck(), (), USER, T0), quiz.NoQuestions)


def test_a_quiz_deck_cannot_step_a_review() -> None:
    state = allowed(quiz.start_review(deck(), ("fractions/mc",), USER, T0))
    topic: Topic = TOPICS["fractions"]
    assert isinstance(quiz.answer(state, topic, USER, "mc", "B", T0), quiz.TopicRemoved)
