"""What a round shows and leaves behind, built from its state: the view of a question, the end
of a round (podium, top 10, the instructor's report), `/round results` (the CSV and the list of
past rounds) and `/round report`.

Nothing here changes a round; it reads rounds and turns the domain's results
(`domain/round_results.py`) into the plain views of `services/round_views.py`. Kept apart from the
round's steps so that what is shown can change without touching how a round moves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from tutorbot.domain import class_glance as glance_of
from tutorbot.domain import round_options as opts
from tutorbot.domain import round_results as results
from tutorbot.domain import round_state
from tutorbot.domain.class_glance import ClassGlance, StudentMarks
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.round_state import RoundQuestion, RoundState
from tutorbot.domain.rounds import RoundError
from tutorbot.pictures.class_glance import draw_class_glance
from tutorbot.pictures.png import Picture
from tutorbot.services.round_rows import load, state_of
from tutorbot.services.round_views import (
    MissedView,
    NoSuchRound,
    NotInstructor,
    PastRound,
    QuestionView,
    RoundEnd,
    StrugglingView,
)
from tutorbot.storage.activity import Marks
from tutorbot.storage.round_options import RoundOptionStore
from tutorbot.storage.rounds import Round

if TYPE_CHECKING:
    from tutorbot.services import Services


def title(services: Services, topic_id: str) -> str:
    """A topic's title, or its id once a content reload removed it."""
    topic = services.library.get(topic_id)
    return topic.title if topic is not None else topic_id


def question_view(
    services: Services,
    rnd: Round,
    state: RoundState,
    answered: int = 0,
    asked: RoundQuestion | None = None,
) -> QuestionView:
    """The view of the current question, or of `asked`, an earlier one of the round."""
    question = asked or state.current
    if question is None:  # only a round that asked a question is shown
        raise RoundError("a question view of a round that asked nothing")
    number = 1 + [q.question_id for q in state.asked].index(question.question_id)
    topic = services.library.get(state.topic_id)
    return QuestionView(
        round_id=rnd.id,
        guild_id=rnd.guild_id,
        channel_id=rnd.channel_id,
        topic_title=title(services, state.topic_id),
        index=state.index_of(question.question_id),
        number=number,
        total=state.total,
        asked=question,
        question=topic.question(question.question_id) if topic is not None else None,
        answered=answered,
        message_id=rnd.message_id,
        paused_left=opts.paused_left(state) if question is state.current else None,
    )


async def mastered(services: Services, user_ids: Collection[int]) -> dict[int, frozenset[str]]:
    """The topics each of these students mastered in a quiz, by user id, in one read: those
    still in the library, as `ProgressService.student` counts them (the report reviews what
    they have not mastered; a topic marked known does not count)."""
    if not user_ids:
        return {}
    topics = services.library.topics
    stored = await services.storage.progress.mastered_among(user_ids)
    return {user: frozenset(t for t in found if t in topics) for user, found in stored.items()}


async def summary(
    services: Services, rnd: Round, state: RoundState, reason: str | None
) -> RoundEnd:
    """The end of a round (or its standings so far): podium, top 10 and the instructor's report."""
    library = services.library
    topic = library.get(state.topic_id)
    scores = results.score(state)
    weak = [s.user_id for s in results.struggling(scores)]
    report = results.instructor_report(scores, library.graph, await mastered(services, weak))

    def prompt(question_id: str) -> str:
        found = topic.question(question_id) if topic is not None else None
        return found.prompt if found is not None else question_id

    ranked = scores.standings
    settings = state.settings
    teams: tuple[opts.TeamStanding, ...] = ()
    empty: tuple[str, ...] = ()
    if settings.teams:
        names = opts.team_names(settings.teams, settings.team_names)
        team_of = await RoundOptionStore(services.storage.db).teams_of(rnd.id)
        teams, empty = scores.team_table(team_of, names), opts.empty_teams(team_of, names)
    return RoundEnd(
        round_id=rnd.id,
        guild_id=rnd.guild_id,
        channel_id=rnd.channel_id,
        instructor_id=state.instructor_id,
        topic_title=title(services, state.topic_id),
        stopped=state.status is round_state.RoundStatus.STOPPED,
        reason=reason,
        asked=len(scores.closed),
        podium=tuple(ranked[: settings.podium]),
        top=tuple(ranked[:10]),
        participants=len(ranked),
        most_missed=tuple(
            MissedView(m.question_id, prompt(m.question_id), m.correct_share)
            for m in report.most_missed
        ),
        struggling=tuple(
            StrugglingView(
                s.standing.user_id,
                s.standing.accuracy,
                tuple(title(services, t) for t in s.review),
            )
            for s in report.struggling
        ),
        teams=teams,
        empty_teams=empty,
        streak=settings.streak,
    )


UNNAMED = "student …{last:04d}"
"""How the class at a glance names a student whose display name was never seen (a picture
cannot show a mention): the last digits of their id."""


async def class_glance(services: Services, round_id: int) -> ClassGlance | None:
    """The class at a glance of a round: everyone who answered in it, against the round topic's
    prerequisites (`domain/class_glance.py`); None when nobody answered."""
    rnd, state = await load(services.storage.rounds, round_id)
    players = sorted({user for question in state.asked for user in question.answers_by_user})
    if not players:
        return None
    names = await services.names.in_guild(rnd.guild_id, players)
    marks = await services.storage.activity.marks_among(players)
    graph = services.library.graph
    shown = glance_of.columns(graph, state.topic_id)
    students = [_student(user, names.get(user), marks.get(user, Marks())) for user in players]
    titles = {topic: title(services, topic) for topic in shown}
    return glance_of.glance(graph, state.topic_id, titles, students)


def _student(user_id: int, name: str | None, marks: Marks) -> StudentMarks:
    """A student of the round as the class at a glance takes them (a placement counts as
    known)."""
    shown = name or UNNAMED.format(last=user_id % 10_000)
    return StudentMarks(user_id, shown, marks.marked | marks.placed, marks.mastered)


async def class_picture(services: Services, round_id: int) -> Picture | None:
    """The class at a glance of a round as a picture (drawn in the pictures' worker, or from its
    cache); None when nobody answered."""
    found = await class_glance(services, round_id)
    return None if found is None else await services.pictures.render(draw_class_glance, found)


async def results_csv(
    services: Services, guild_id: int, round_id: int | None, *, is_instructor: bool
) -> tuple[Round, str] | Refusal:
    """The `/round results` CSV of a round of this server (default: its latest), with the
    display names of the students who took part; for instructors only."""
    if not is_instructor:
        return NotInstructor()
    store = services.storage.rounds
    if round_id is None:
        recent_rounds = await store.recent_in_guild(guild_id, 1)
        rnd = recent_rounds[0] if recent_rounds else None
    else:
        rnd = await store.get(round_id)
    if rnd is None or rnd.guild_id != guild_id or rnd.state is None:
        return NoSuchRound()
    _, state = await load(store, rnd.id)
    players = {user for question in state.asked for user in question.answers_by_user}
    names = await services.names.in_guild(guild_id, players)
    teams: dict[int, str] = {}
    if state.settings.teams:
        team_names = opts.team_names(state.settings.teams, state.settings.team_names)
        team_of = await RoundOptionStore(services.storage.db).teams_of(rnd.id)
        teams = {user: team_names[team] for user, team in team_of.items()}
    # A class's CSV is a row per student per question: written in a worker thread, so the clicks
    # of running rounds are answered meanwhile (docs/scaling.md: long work never holds the loop).
    return rnd, await asyncio.to_thread(csv_of, state, names, teams)


def csv_of(
    state: RoundState, names: Mapping[int, str], teams: Mapping[int, str] | None = None
) -> str:
    """The CSV text of a round (see `round_results.result_rows`), with these display names; a
    round with teams adds each student's team, one with the streak bonus each answer's."""
    settings = state.settings
    rows = results.result_rows(results.score(state), names, teams)
    return results.csv_text(rows, teams=bool(settings.teams), streak=settings.streak)


async def report(
    services: Services, guild_id: int, round_id: int, *, is_instructor: bool
) -> RoundEnd | Refusal:
    """The standings and instructor report of a round of this server, at any time; for
    instructors only."""
    if not is_instructor:
        return NotInstructor()
    rnd = await services.storage.rounds.get(round_id)
    if rnd is None or rnd.guild_id != guild_id:
        return NoSuchRound()
    rnd, state = await load(services.storage.rounds, round_id)
    return await summary(services, rnd, state, None)


async def recent(services: Services, guild_id: int, limit: int = 25) -> list[PastRound]:
    """The server's latest rounds, newest first."""
    return [
        PastRound(rnd.id, title(services, state_of(rnd).topic_id), rnd.created_at, rnd.status)
        for rnd in await services.storage.rounds.recent_in_guild(guild_id, limit)
    ]
