"""The round options' messages stay inside Discord's limits at their longest: a paused question,
a reveal with three streaks and eight teams of the longest role names, a podium of ten with the
team podium, the report with teams, and what a thread's channel is told."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from tutorbot.bot.exts.rounds import render
from tutorbot.content.library import Library
from tutorbot.content.models import Topic
from tutorbot.domain import round_results
from tutorbot.domain.round_options import StreakMark, TeamStanding
from tutorbot.services.round_options import RevealExtras
from tutorbot.services.round_views import RevealView, RoundEnd, StrugglingView

from .test_render_limits import LIMITED, NAMES, NOW, _round_view, assert_fits, big_topics

ROLE_NAME = "_*@" * 33 + "x"
"""A role's name at Discord's 100 characters, each one escaped when shown."""
TEAMS = tuple(TeamStanding(i + 1, i, f"{ROLE_NAME}{i}", 10**4, 10**6, 49.5) for i in range(8))


@LIMITED
@given(big_topics(), st.booleans())
def test_paused_questions_and_reveals_with_streaks_and_teams_fit(
    case: tuple[Library, Topic], last: bool
) -> None:
    _, topic = case
    extras = RevealExtras(tuple((i, StreakMark(50, 500)) for i in range(3)), TEAMS)
    for question in topic.questions:
        view = _round_view(topic, question)
        assert_fits(render.question_message(replace(view, paused_left=299.9)))
        options = tuple(
            round_results.OptionCount(o, 10**6, 0.333, i == 0)
            for i, o in enumerate(view.asked.options)
        )
        fastest = tuple(round_results.Fastest(i, 299.95) for i in range(3))
        reveal = round_results.Reveal(
            question.id, question.type, view.asked.correct, 10**6, options, fastest
        )
        revealed = RevealView(view, reveal, 1, last, None if last else NOW)
        assert_fits(render.reveal_message(revealed, NAMES, extras))


@LIMITED
@given(big_topics())
def test_a_podium_of_ten_the_team_podium_the_report_and_the_thread_texts_fit(
    case: tuple[Library, Topic],
) -> None:
    library, topic = case
    standings = tuple(
        round_results.Standing(i + 1, i, 10**6, 49.5, 50, 50, 10**4) for i in range(10)
    )
    titles = tuple(t.title for t in library.topics.values())
    end = RoundEnd(
        1, 1, 2**62, 1, topic.title, True, "r" * 300, 50, standings, standings, 10**4, (),
        tuple(StrugglingView(i, 0.1, titles) for i in range(100)),
        teams=TEAMS[:7], empty_teams=(TEAMS[7].name,), streak=True,
    )  # fmt: skip
    assert_fits(render.end_message(end, NAMES))
    assert len(render.report_text(end, NAMES)) <= 2000
    assert len(render.thread_end_text(end, NAMES)) <= 2000
    assert len(render.thread_start_text(topic.title, 2**62)) <= 2000
    lonely = replace(end, teams=TEAMS[:1], empty_teams=tuple(t.name for t in TEAMS[1:]))
    assert_fits(render.end_message(lonely, NAMES))
