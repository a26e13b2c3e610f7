"""Typed questions (short answer, numeric) stay inside Discord's limits at the schema's maximum
lengths: the question with its "Type my answer" button in a quiz, a review and a placement, the
answered screen with the longest answer typed (Markdown that escaping doubles), an accepted near
match and the longest expected answer, and the resumed question."""

from __future__ import annotations

from datetime import UTC, datetime

from tutorbot.bot.exts.placement import render as placement_render
from tutorbot.bot.exts.quiz import render as quiz_render
from tutorbot.content import models as m
from tutorbot.content.models import Question, QuestionType, Topic
from tutorbot.domain import placement as placement_rules
from tutorbot.domain import quiz as quiz_rules
from tutorbot.domain.review import REVIEW_DECK, review_key
from tutorbot.domain.typed_answers import MAX_TYPED_ANSWER
from tutorbot.services.placement import PlacementScreen
from tutorbot.services.quiz import Screen

from .test_render_limits import assert_fits

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BIGGEST = 2**63 - 1
MARKDOWN = "*_`~|>\\" * (MAX_TYPED_ANSWER // 7 + 1)
"""Characters Markdown escaping doubles."""


def _questions() -> list[Question]:
    long_text = "*" * m.MAX_ACCEPTED_ANSWER
    common = {
        "prompt": "p" * m.MAX_PROMPT,
        "explanation": "e" * m.MAX_EXPLANATION,
        "hint": "h" * m.MAX_HINT,
    }
    return [
        Question(
            id="s" * m.MAX_ID,
            type=QuestionType.SHORT_ANSWER,
            answers=tuple(long_text[:-2] + f"{i:02}" for i in range(m.MAX_ACCEPTED)),
            **common,
        ),
        Question(
            id="n" * m.MAX_ID,
            type=QuestionType.NUMERIC,
            range=(-(10.0**30), 10.0**30),
            **common,
        ),
        Question(
            id="t" * m.MAX_ID, type=QuestionType.NUMERIC, answer=-1 / 3, tolerance=1e-9, **common
        ),
    ]


def _topic() -> Topic:
    return Topic(
        id="x" * m.MAX_ID,
        title="T" * m.MAX_TITLE,
        core_idea="c",
        questions=tuple(_questions()),
    )


def _state(topic: Topic, question: Question, *, review: bool) -> quiz_rules.QuizState:
    ids = tuple(review_key(topic.id, q.id) if review else q.id for q in topic.questions)
    return quiz_rules.QuizState(
        user_id=1,
        topic_id=REVIEW_DECK if review else topic.id,
        question_ids=ids,
        started_at=NOW,
        position=topic.questions.index(question),
        shown_at=NOW,
    )


def _answered(
    state: quiz_rules.QuizState, question: Question, *, correct: bool
) -> quiz_rules.Answered:
    return quiz_rules.Answered(
        state=state,
        question=question,
        given=MARKDOWN[:MAX_TYPED_ANSWER],
        correct=correct,
        correct_answer=question.answer_text(),
        explanation=question.explanation,
        seconds=12.5,
        is_last=True,
        typed=True,
        accepted=question.accepted[-1] if correct and question.accepted else None,
    )


def test_every_typed_quiz_and_review_screen_fits() -> None:
    topic = _topic()
    for review in (False, True):
        for question in topic.questions:
            state = _state(topic, question, review=review)
            screen = Screen(BIGGEST, topic, state, question, look_at=(topic,) * 3)
            asked = quiz_render.question_message(screen)
            assert_fits(asked)
            labels = [getattr(item, "label", None) for item in asked.view.children]
            assert quiz_render.TYPE_LABEL in labels and "Reveal" not in labels
            for correct in (True, False):
                answered = _answered(state, question, correct=correct)
                assert_fits(quiz_render.answered_message(screen, answered))
                record = quiz_rules.QuizAnswer(
                    state.question_ids[state.position], answered.given, 1.0, 1.0, NOW
                )
                done = Screen(BIGGEST, topic, _with(state, record), question)
                assert_fits(quiz_render.resume_message(done))


def _with(state: quiz_rules.QuizState, record: quiz_rules.QuizAnswer) -> quiz_rules.QuizState:
    return quiz_rules.QuizState.from_dict(
        {**state.to_dict(), "answers": [*[a.to_dict() for a in state.answers], record.to_dict()]}
    )


def test_every_typed_placement_screen_fits() -> None:
    topic = _topic()
    for question in topic.questions:
        state = placement_rules.PlacementState(
            user_id=BIGGEST,
            goal=topic.id,
            started_at=NOW,
            current=(topic.id, question.id),
            shown_at=NOW,
            cap=placement_rules.MAX_CAP,
        )
        screen = PlacementScreen(
            session_id=BIGGEST,
            state=state,
            topic=topic,
            question=question,
            number=placement_rules.MAX_CAP,
            cap=placement_rules.MAX_CAP,
            candidates=10**6,
            decided=10**6,
        )
        asked = placement_render.question_message(screen)
        assert_fits(asked)
        labels = [getattr(item, "label", None) for item in asked.view.children]
        assert quiz_render.TYPE_LABEL in labels and "Reveal" not in labels
        assert_fits(placement_render.resume_message(screen, start_over="placement:new"))
