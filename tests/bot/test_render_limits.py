"""Every renderer stays inside Discord's limits at the content schema's maximum lengths.

Messages are checked with the fake Discord's own validator (the rules Discord answers with a 400).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import discord
from fakediscord.validation import check_message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutorbot.bot.exts.progress.render import progress_embed
from tutorbot.bot.exts.quiz import render as quiz_render
from tutorbot.bot.exts.stats.render import leaderboard_embed, stats_embed
from tutorbot.bot.exts.topics import render as topic_render
from tutorbot.bot.exts.topics.render import Rendered
from tutorbot.content import models as m
from tutorbot.content.library import Library
from tutorbot.content.models import Question, Topic
from tutorbot.domain import progress as progress_rules
from tutorbot.domain import quiz as quiz_rules
from tutorbot.domain import round_results, round_state
from tutorbot.domain.standings import LeaderboardEntry
from tutorbot.services.progress import Remembering, StudentView
from tutorbot.services.quiz import QuizEnd, Screen
from tutorbot.services.stats import StudentStats
from tutorbot.storage.answers import UserStats

NOW = datetime(2026, 1, 1, tzinfo=UTC)
# Wide characters count as one each for Discord, as they do for len(); mixing in markdown and
# mention-looking text checks nothing is interpreted into something longer.
ALPHABET = st.sampled_from("abcXYZ019 *_`~@#<>:|\\-.\nñ漢🙂")


def text(max_size: int, min_size: int = 1) -> st.SearchStrategy[str]:
    """Text of exactly `max_size` characters most of the time (the limit is what matters)."""
    return st.one_of(
        st.just("x" * max_size),
        st.text(ALPHABET, min_size=max_size, max_size=max_size).filter(lambda s: s.strip()),
        st.text(ALPHABET, min_size=min_size, max_size=max_size).filter(lambda s: s.strip()),
    ).map(lambda s: s if s.strip() == s else "y" + s.strip()[: max_size - 2] + "y")


def body(rendered: Rendered) -> dict[str, Any]:
    """The JSON discord.py would send for this message."""
    return {
        "content": rendered.content,
        "embeds": [e.to_dict() for e in rendered.embeds],
        "components": rendered.view.to_components(),
    }


def assert_fits(rendered: Rendered) -> None:
    errors = check_message(body(rendered))
    assert not errors, errors


@st.composite
def questions(draw: st.DrawFn, kind: m.QuestionType) -> Question:
    n = draw(st.integers(2, m.MAX_CHOICES))
    fields: dict[str, Any] = {
        "id": "q" * m.MAX_ID,
        "type": kind,
        "prompt": draw(text(m.MAX_PROMPT)),
        "explanation": draw(text(m.MAX_EXPLANATION)),
        "hint": draw(text(m.MAX_HINT)),
        "think_seconds": m.MAX_THINK_SECONDS,
    }
    if kind is m.QuestionType.MULTIPLE_CHOICE:
        fields["choices"] = [draw(text(m.MAX_CHOICE)) for _ in range(n)]
        fields["answer"] = m.LETTERS[n - 1]
    elif kind is m.QuestionType.TRUE_FALSE:
        fields["answer"] = True
    else:
        fields["answer"] = draw(text(m.MAX_ANSWER))
    return Question.model_validate(fields)


def _library(topic: Topic, prereqs: list[Topic]) -> Library:
    topics = {t.id: t for t in [*prereqs, topic]}
    return Library(Path("."), topics, {t: Path(f"{t}.yaml") for t in topics})


@st.composite
def big_topics(draw: st.DrawFn) -> tuple[Library, Topic]:
    prereqs = [
        Topic(id=f"p{i}-" + "x" * 50, title=draw(text(m.MAX_TITLE)), core_idea="c")
        for i in range(m.MAX_PREREQUISITES)
    ]
    kinds = list(m.QuestionType)
    qs = [draw(questions(kinds[i % 3])).model_copy(update={"id": f"q{i}"}) for i in range(6)]
    topic = Topic(
        id="t" * m.MAX_ID,
        title=draw(text(m.MAX_TITLE)),
        level="L" * m.MAX_LEVEL,
        tags=tuple(f"tag{i}-" + "a" * (m.MAX_TAG - 6) for i in range(m.MAX_TAGS)),
        prerequisites=tuple(p.id for p in prereqs),
        core_idea=draw(text(m.MAX_CORE_IDEA)),
        explainer=draw(st.sampled_from(["", "word " * 20_000, "x" * m.MAX_EXPLAINER])),
        questions=tuple(qs),
    )
    return _library(topic, prereqs), topic


LIMITED = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@LIMITED
@given(big_topics())
def test_topic_card_explainer_and_chain_fit(case: tuple[Library, Topic]) -> None:
    library, topic = case
    everyone = frozenset(library.topics)
    for student in (StudentView(), StudentView(everyone, everyone, everyone, topic.id)):
        assert_fits(topic_render.topic_card(library, topic, student))
    pages = topic_render.explainer_pages(topic)
    for page in range(len(pages)):
        assert_fits(topic_render.explainer_page(topic, page))
    assert_fits(topic_render.chain_page(library, topic, 0, everyone))


@LIMITED
@given(big_topics())
def test_every_quiz_screen_fits(case: tuple[Library, Topic]) -> None:
    _, topic = case
    for question in topic.questions:
        state = quiz_rules.QuizState(
            user_id=1,
            topic_id=topic.id,
            question_ids=tuple(q.id for q in topic.questions),
            started_at=NOW,
            position=topic.questions.index(question),
            shown_at=NOW,
            reveal_at=NOW,
            written="w" * 4000,
        )
        screen = Screen(2**63 - 1, topic, state, question)
        assert_fits(quiz_render.question_message(screen))
        assert_fits(quiz_render.resume_message(screen))
        if question.type is m.QuestionType.FREE_RESPONSE:
            revealed = quiz_rules.Revealed(
                state, question, question.answer_text(), question.explanation, state.written
            )
            assert_fits(quiz_render.revealed_message(screen, revealed))
            assessed = quiz_rules.Assessed(
                state, question, quiz_rules.SelfAssessment.PARTLY, 0.5, True
            )
            assert_fits(quiz_render.assessed_message(screen, assessed, revealed))
        else:
            wrong = "A" if question.type is m.QuestionType.MULTIPLE_CHOICE else "False"
            answered = quiz_rules.Answered(
                state, question, wrong, False, question.answer_text(), question.explanation,
                12.5, True,
            )  # fmt: skip
            assert_fits(quiz_render.answered_message(screen, answered))


@LIMITED
@given(big_topics())
def test_summary_progress_and_leaderboard_fit(case: tuple[Library, Topic]) -> None:
    library, topic = case
    many = tuple(library.topics.values())
    summary = quiz_rules.QuizSummary(topic.id, 49.5, 50, 99.0, True, ("q",) * 50, ("q",) * 5, 1e6)
    end = QuizEnd(1, topic, summary, True, many, many, many)
    assert_fits(quiz_render.summary_message(end))
    goal = progress_rules.GoalProgress(topic.id, 10**6, 10**6 + 1, False)
    overview = progress_rules.Progress(
        frozenset(library.topics), goal, tuple(library.topics), tuple(library.topics)
    )
    assert_fits(Rendered([progress_embed(library, overview)]))
    entries = [LeaderboardEntry(i, 2**63 - i, 10**12, 10**9, 10**9) for i in range(1, 11)]
    assert_fits(Rendered([leaderboard_embed(entries, entries[0], 1, NAMES)]))


NAMES = dict.fromkeys(range(200), "_*" * 16)  # 32 characters, each escaped: the longest names


def _round_view(topic: Topic, question: Question, answered: int = 10**6) -> Any:
    from tutorbot.services.round_views import QuestionView

    if question.type is m.QuestionType.MULTIPLE_CHOICE:
        assert question.choices is not None
        options = tuple(m.LETTERS[: len(question.choices)])
    elif question.type is m.QuestionType.TRUE_FALSE:
        options = ("True", "False")
    else:
        options = ()
    asked = round_state.RoundQuestion(
        question.id, question.type, options, options[0] if options else None, NOW, NOW
    )
    return QuestionView(2**62, 2**62, 2**62, topic.title, 49, 50, 50, asked, question, answered)


@LIMITED
@given(big_topics())
def test_round_question_reveal_end_and_report_fit(case: tuple[Library, Topic]) -> None:
    from tutorbot.bot.exts.rounds import render as round_render
    from tutorbot.services.round_views import MissedView, RevealView, RoundEnd, StrugglingView

    library, topic = case
    for question in topic.questions:
        view = _round_view(topic, question)
        assert_fits(round_render.question_message(view))
        options = tuple(
            round_results.OptionCount(o, 10**6, 0.333, i == 0)
            for i, o in enumerate(view.asked.options)
        )
        fastest = tuple(round_results.Fastest(i, 299.95) for i in range(3))
        reveal = round_results.Reveal(
            question.id, question.type, view.asked.correct, 10**6, options, fastest
        )
        for last in (True, False):
            revealed = RevealView(view, reveal, 1, last, None if last else NOW)
            assert_fits(round_render.reveal_message(revealed, NAMES))
    standings = tuple(round_results.Standing(i + 1, i, 10**6, 49.5, 50, 50) for i in range(10))
    titles = tuple(t.title for t in library.topics.values())
    end = RoundEnd(
        1, 1, 1, 1, topic.title, True, "r" * 300, 50, standings[:3], standings, 10**4,
        tuple(MissedView("q", "p" * m.MAX_PROMPT, 0.0) for _ in range(3)),
        tuple(StrugglingView(i, 0.1, titles) for i in range(100)),
    )  # fmt: skip
    assert_fits(round_render.end_message(end, NAMES))
    assert len(round_render.report_text(end, NAMES)) <= 2000


@LIMITED
@given(big_topics())
def test_progress_with_reviews_and_retention_and_stats_with_a_streak_fit(
    case: tuple[Library, Topic],
) -> None:
    library, topic = case
    goal = progress_rules.GoalProgress(topic.id, 10**6, 10**6 + 1, True)
    every = tuple(library.topics)
    overview = progress_rules.Progress(frozenset(every), goal, every, every)
    remembering = Remembering(due=10**12, retention=dict.fromkeys(every, 0.999))
    assert_fits(Rendered([progress_embed(library, overview, remembering)]))
    most = UserStats(2**63 - 1, 10**12, 10**12, 10**14, 10**6)
    standing = LeaderboardEntry(10**9, 2**63 - 1, 10**14, 10**12, 10**12)
    student = StudentView(frozenset(every), frozenset(every), frozenset(every), topic.id)
    figures = StudentStats(most, most, standing, student, 10**6, review_streak=10**6)
    user = cast(discord.abc.User, discord.Object(2**63 - 1))
    assert_fits(Rendered([stats_embed(user, figures)]))
