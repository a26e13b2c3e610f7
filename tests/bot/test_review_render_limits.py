"""/review's messages stay inside Discord's limits at the schema's maximum lengths: a review
question with its "Review · topic" title, a miss naming every prerequisite, the intro line, nothing
due, the limit reached, the settings and the summary."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given

from tutorbot.bot.exts.quiz import render as quiz_render
from tutorbot.bot.exts.review import render
from tutorbot.content import models as m
from tutorbot.content.library import Library
from tutorbot.content.models import Topic
from tutorbot.domain import quiz as quiz_rules
from tutorbot.domain.review import MAX_DAILY_LIMIT, REVIEW_DECK, ReviewTally, review_key
from tutorbot.services.quiz import Screen
from tutorbot.services.review import ReviewEnd, ReviewPlan
from tutorbot.storage.review_settings import ReviewSettings

from .test_render_limits import LIMITED, assert_fits, big_topics

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ZONE = "America/Argentina/ComodRivadavia"  # the longest IANA name


@LIMITED
@given(big_topics())
def test_every_review_screen_fits(case: tuple[Library, Topic]) -> None:
    library, topic = case
    prerequisites = tuple(library.topics[p] for p in topic.prerequisites)
    keys = tuple(review_key(topic.id, q.id) for q in topic.questions) * 30
    for question in topic.questions:
        key = review_key(topic.id, question.id)
        state = quiz_rules.QuizState(
            user_id=1,
            topic_id=REVIEW_DECK,
            question_ids=keys[:200],
            started_at=NOW,
            position=keys.index(key),
            shown_at=NOW,
            reveal_at=NOW,
            written="w" * 4000,
        )
        screen = Screen(2**63 - 1, topic, state, question, look_at=prerequisites)
        assert screen.is_review
        first = quiz_render.question_message(screen)
        first.content = render.intro(_plan(library, len(state.question_ids), dm_closed=True))
        assert_fits(first)
        assert_fits(quiz_render.resume_message(screen))
        if question.type is m.QuestionType.FREE_RESPONSE:
            revealed = quiz_rules.Revealed(
                state, question, question.answer_text(), question.explanation, state.written
            )
            assessed = quiz_rules.Assessed(
                state, question, quiz_rules.SelfAssessment.MISSED, 0.0, True
            )
            assert_fits(quiz_render.assessed_message(screen, assessed, revealed))
        else:
            wrong = "A" if question.type is m.QuestionType.MULTIPLE_CHOICE else "False"
            answered = quiz_rules.Answered(
                state, question, wrong, False, question.answer_text(), question.explanation,
                12.5, True,
            )  # fmt: skip
            assert_fits(quiz_render.answered_message(screen, answered))


def _plan(library: Library, count: int, *, dm_closed: bool) -> ReviewPlan:
    return ReviewPlan(
        due=10**9,
        limit=MAX_DAILY_LIMIT,
        done_today=10**9,
        keys=("k",) * count,
        minutes=10**6,
        next_due=NOW,
        next_topics=tuple(library.topics.values()),
        dm_closed=dm_closed,
    )


@LIMITED
@given(big_topics())
def test_nothing_due_limit_settings_and_summary_fit(case: tuple[Library, Topic]) -> None:
    library, _ = case
    for dm_closed in (False, True):
        assert_fits(render.nothing_to_do(_plan(library, 0, dm_closed=dm_closed)))
    settings = ReviewSettings(1, MAX_DAILY_LIMIT, ZONE, "23:59", "2026-01-01", NOW)
    assert len(render.settings_text(settings, MAX_DAILY_LIMIT, "23:59")) <= 2000
    everything = tuple(library.topics.values())
    for answered, left, ready in ((0, 0, 0), (10**9, 10**9, 0), (10**9, 10**9, 10**9)):
        tally = ReviewTally(answered, answered, 10**9)
        end = ReviewEnd(2**63 - 1, tally, everything, left, ready, NOW)
        assert_fits(quiz_render.review_summary(end))
    for kind in ("quiz", "placement"):
        assert_fits(render.ask_replace(2**63 - 1, kind, "t" * m.MAX_ID))
