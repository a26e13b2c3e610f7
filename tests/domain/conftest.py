"""A small topic with one question of each kind, and a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

import pytest

from tutorbot.content.models import Question, QuestionType, Topic
from tutorbot.domain.refusals import Refusal

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
R = TypeVar("R")


def allowed(outcome: R | Refusal) -> R:
    """The result of a step the test expects to succeed; a refusal fails the test with its text."""
    if isinstance(outcome, Refusal):
        pytest.fail(f"refused: {outcome.text}")
    return outcome


def make_topic(topic_id: str = "fractions", think_seconds: int | None = 30) -> Topic:
    return Topic(
        id=topic_id,
        title="Fractions",
        core_idea="A fraction is a part of a whole.",
        questions=(
            Question(
                id="mc",
                type=QuestionType.MULTIPLE_CHOICE,
                prompt="Which is half of 1?",
                choices=("1/3", "1/2", "2/3"),
                answer="B",
                explanation="Two halves make a whole.",
            ),
            Question(
                id="tf",
                type=QuestionType.TRUE_FALSE,
                prompt="1/4 is less than 1/2.",
                answer=True,
                explanation="Quarters are smaller than halves.",
            ),
            Question(
                id="fr",
                type=QuestionType.FREE_RESPONSE,
                prompt="Why is 2/4 equal to 1/2?",
                answer="Both name the same share of a whole.",
                explanation="Equivalent fractions.",
                think_seconds=think_seconds,
            ),
        ),
    )


@pytest.fixture
def topic() -> Topic:
    return make_topic()
