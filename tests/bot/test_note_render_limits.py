"""A note shown after an explanation (quiz, review, round reveal) or a core idea (topic card) keeps
every screen inside Discord's limits: the text with its note is held to the text's own limit, the
size the renderers are built for."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tutorbot.bot.exts.quiz import render as quiz_render
from tutorbot.bot.exts.rounds import render as round_render
from tutorbot.bot.exts.topics import render as topic_render
from tutorbot.content import models as m
from tutorbot.content.library import Library
from tutorbot.content.models import Question, Topic
from tutorbot.domain import quiz as quiz_rules
from tutorbot.domain import round_results
from tutorbot.services.progress import StudentView
from tutorbot.services.quiz import Screen
from tutorbot.services.round_views import RevealView

from .test_render_limits import LIMITED, NAMES, NOW, _library, _round_view, assert_fits, big_topics

SHOWN_EXTRA = len(m.with_note("", "n" * m.MAX_NOTE))
"""What the longest note adds to its text as shown."""


def _with_note(text: str, limit: int) -> str:
    return text[: limit - SHOWN_EXTRA].rstrip() or "t"


def _noted(question: Question) -> Question:
    fields = question.model_dump(exclude_none=True)
    fields["explanation"] = _with_note(question.explanation, m.MAX_EXPLANATION)
    fields["note"] = "n" * m.MAX_NOTE
    return Question.model_validate(fields)


@st.composite
def noted_topics(draw: st.DrawFn) -> tuple[Library, Topic]:
    """The biggest topics of test_render_limits, each text with the longest note it may carry."""
    library, topic = draw(big_topics())
    noted = Topic.model_validate(
        {
            **topic.model_dump(exclude_none=True),
            "core_idea": _with_note(topic.core_idea, m.MAX_CORE_IDEA),
            "note": "n" * m.MAX_NOTE,
            "questions": [_noted(q).model_dump(exclude_none=True) for q in topic.questions],
        }
    )
    prereqs = [t for t in library.topics.values() if t.id != topic.id]
    return _library(noted, prereqs), noted


@LIMITED
@given(noted_topics())
def test_topic_card_with_a_note_fits(case: tuple[Library, Topic]) -> None:
    library, topic = case
    everyone = frozenset(library.topics)
    assert topic.note is not None
    for student in (StudentView(), StudentView(everyone, everyone, everyone, topic.id)):
        card = topic_render.topic_card(library, topic, student)
        assert topic.note in str(card.embeds[0].description)
        assert_fits(card)


def _state(topic: Topic, question: Question) -> quiz_rules.QuizState:
    return quiz_rules.QuizState(
        user_id=1,
        topic_id=topic.id,
        question_ids=tuple(q.id for q in topic.questions),
        started_at=NOW,
        position=topic.questions.index(question),
        shown_at=NOW,
        reveal_at=NOW,
        written="w" * 4000,
    )


@LIMITED
@given(noted_topics())
def test_quiz_answers_and_reveals_with_a_note_fit(case: tuple[Library, Topic]) -> None:
    _, topic = case
    for question in topic.questions:
        state = _state(topic, question)
        screen = Screen(2**63 - 1, topic, state, question)
        assert len(question.explained) <= m.MAX_EXPLANATION
        if question.type is m.QuestionType.FREE_RESPONSE:
            revealed = quiz_rules.reveal(state, topic, 1, question.id, NOW)
            assert isinstance(revealed, quiz_rules.Revealed)
            assert revealed.explanation == question.explained
            assert_fits(quiz_render.revealed_message(screen, revealed))
        else:
            wrong = "A" if question.type is m.QuestionType.MULTIPLE_CHOICE else "false"
            answered = quiz_rules.answer(state, topic, 1, question.id, wrong, NOW)
            assert isinstance(answered, quiz_rules.Answered)
            assert answered.explanation == question.explained
            assert_fits(quiz_render.answered_message(screen, answered))


@LIMITED
@given(noted_topics())
def test_round_reveals_with_a_note_fit(case: tuple[Library, Topic]) -> None:
    _, topic = case
    for question in topic.questions:
        view = _round_view(topic, question)
        options = tuple(
            round_results.OptionCount(o, 10**6, 0.333, i == 0)
            for i, o in enumerate(view.asked.options)
        )
        fastest = tuple(round_results.Fastest(i, 299.95) for i in range(3))
        reveal = round_results.Reveal(
            question.id, question.type, view.asked.correct, 10**6, options, fastest
        )
        rendered = round_render.reveal_message(RevealView(view, reveal, 1, False, NOW), NAMES)
        assert "**Note:** " + "n" * m.MAX_NOTE in "".join(
            str(e.description) for e in rendered.embeds
        )
        assert_fits(rendered)
