"""/placement's messages stay inside Discord's limits at the schema's maximum lengths: every kind
of question (ten choices, the longest prompt and model answer), its model answer, the resumed
question, the ask-first screen, the end listing every topic of a big course, and the topic card
and /progress of a student placed on everything."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given

from tutorbot.bot.exts.placement import render
from tutorbot.bot.exts.progress.render import progress_embed
from tutorbot.bot.exts.topics import render as topic_render
from tutorbot.bot.exts.topics.render import Rendered
from tutorbot.content import models as m
from tutorbot.content.library import Library
from tutorbot.content.models import Topic
from tutorbot.domain import placement as rules
from tutorbot.domain import progress as progress_rules
from tutorbot.services.placement import PlacementEnd, PlacementScreen
from tutorbot.services.progress import Remembering, StudentView

from .test_render_limits import LIMITED, assert_fits, big_topics

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BIGGEST = 2**63 - 1


def _screen(topic: Topic, question: m.Question) -> PlacementScreen:
    state = rules.PlacementState(
        user_id=BIGGEST,
        goal=topic.id,
        started_at=NOW,
        current=(topic.id, question.id),
        shown_at=NOW,
        cap=rules.MAX_CAP,
    )
    return PlacementScreen(
        session_id=BIGGEST,
        state=state,
        topic=topic,
        question=question,
        number=rules.MAX_CAP,
        cap=rules.MAX_CAP,
        candidates=10**6,
        decided=10**6,
    )


@LIMITED
@given(big_topics())
def test_every_placement_screen_fits(case: tuple[Library, Topic]) -> None:
    _, topic = case
    for question in topic.questions:
        screen = _screen(topic, question)
        assert_fits(render.question_message(screen))
        assert_fits(render.resume_message(screen, start_over=render.new_id(topic)))
        if question.type is m.QuestionType.FREE_RESPONSE:
            assert_fits(render.revealed_message(screen))


@LIMITED
@given(big_topics())
def test_the_end_and_the_ask_first_screen_fit(case: tuple[Library, Topic]) -> None:
    library, topic = case
    everything = tuple(library.topics.values()) * 40
    for placed, frontier, questions in ((everything, everything, 10**6), ((), (), 0)):
        end = PlacementEnd(
            session_id=BIGGEST,
            placed=placed,
            frontier=frontier,
            questions=questions,
            goal=topic,
            already_known=10**6,
            undecided=10**6,
        )
        assert_fits(render.end_message(end))
    for kind in ("quiz", "review"):
        assert_fits(render.ask_first(BIGGEST, kind, "t" * m.MAX_ID, topic))
        assert_fits(render.ask_first(BIGGEST, kind, "t" * m.MAX_ID, None))


@LIMITED
@given(big_topics())
def test_a_card_and_progress_with_placed_topics_fit(case: tuple[Library, Topic]) -> None:
    library, topic = case
    everyone = frozenset(library.topics)
    student = StudentView(known=everyone, goal=topic.id, placed=everyone, placed_only=everyone)
    card = topic_render.topic_card(library, topic, student)
    assert_fits(card)
    assert topic_render.PLACED_MARK in (card.embeds[0].description or "")
    overview = progress_rules.progress(library.graph, list(everyone), {}, topic.id)
    embed = progress_embed(library, overview, Remembering(due=10**9), student)
    assert_fits(Rendered([embed]))
    assert f"({len(everyone)} by placement)" in (embed.description or "")
