"""The rules of a round's options (issue 21): teams, the streak bonus, the podium's size, and
pausing the countdown.

- **Teams** (`teams` 2 to 8): a player joins a team with their first answer that counts. With
  team roles, a player holding one of them joins that role's team (the first of the roles named
  that they hold); anyone else, and everyone in a round without roles, joins the smallest team
  (ties: the lower number), which is a round-robin in join order. A team's score is the mean of
  its members' points (so a bigger team has no edge); teams are ranked by the one rule of
  `standings.ranked` (score, then credit, then number). A team nobody joined is not ranked.
- **Streak bonus** (Kahoot's): a right answer that extends a run of right answers earns
  +100 per answer of the run after the first, at most +500 (2 in a row +100, 3 +200, ... 6 and
  more +500). A wrong or missing answer ends the run; a free-response question, judged by its
  author after the reveal, neither extends nor ends it. Counted over the closed questions in the
  order asked, kept across the whole round.
- **Podium**: 3 to 10 places. (The ranges are checked where every setting is:
  `RoundSettings`.)
- **Pause**: the open question's countdown stops; what was left of it is kept, and resuming
  opens it again for that long (the question's clock is shifted by the pause, so speed points
  count answering time only).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tutorbot.domain._time import utc
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.round_state import (
    DEFAULT_PODIUM,
    MAX_PODIUM,
    MAX_TEAMS,
    MIN_PODIUM,
    MIN_TEAMS,
    RoundQuestion,
    RoundState,
)
from tutorbot.domain.standings import ranked

__all__ = ["DEFAULT_PODIUM", "MAX_PODIUM", "MAX_TEAMS", "MIN_PODIUM", "MIN_TEAMS"]

STREAK_STEP, STREAK_CAP = 100, 500
MAX_TEAM_NAME = 40


# -- refusals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotPaused(Refusal):
    """/round resume while the round is not paused."""

    @property
    def text(self) -> str:
        """What the instructor is told."""
        return "This round is not paused."


@dataclass(frozen=True)
class AlreadyPaused(Refusal):
    """/round pause while the round is already paused."""

    @property
    def text(self) -> str:
        """What the instructor is told."""
        return "This round is already paused. Use /round resume to go on."


@dataclass(frozen=True)
class NothingToPause(Refusal):
    """/round pause between two questions (the answer is on show, the next is on its way)."""

    @property
    def text(self) -> str:
        """What the instructor is told."""
        return (
            "No question is open right now (the answers are on show and the next question is "
            "on its way): pause once it is up."
        )


@dataclass(frozen=True)
class RoundPaused(Refusal):
    """A click on a question while its round is paused."""

    @property
    def text(self) -> str:
        """What the student is told."""
        return "The round is paused: your answer was not taken. Answer again once it resumes."


# -- checks ---------------------------------------------------------------------------------


def more_teams_than_members(teams: int, members: int | None) -> str | None:
    """Why a server of `members` people other than the bot cannot make `teams` teams (None if
    it can, or when the count is unknown): every team needs at least one player."""
    if teams == 0 or members is None or members >= teams:
        return None
    people = "1 member" if members == 1 else f"{members} members"
    return (
        f"{teams} teams need at least {teams} players, but this server has only {people} "
        "besides me. Ask for fewer teams, or none."
    )


# -- teams ----------------------------------------------------------------------------------


def team_names(teams: int, names: Sequence[str] = ()) -> tuple[str, ...]:
    """Each team's name: the names given (team roles), else "Team 1", "Team 2", ..."""
    return tuple(
        names[i][:MAX_TEAM_NAME] if i < len(names) and names[i] else f"Team {i + 1}"
        for i in range(teams)
    )


def assign_team(
    sizes: Sequence[int], member_roles: Collection[int] = (), team_roles: Sequence[int] = ()
) -> int:
    """The team (0-based) a new player joins, given each team's size now: the team of the first
    of `team_roles` they hold, else the smallest team (ties: the lower number)."""
    if not sizes:
        raise ValueError("a round without teams has no team to join")
    for team, role in enumerate(team_roles[: len(sizes)]):
        if role in member_roles:
            return team
    return min(range(len(sizes)), key=lambda team: (sizes[team], team))


@dataclass(frozen=True)
class TeamStanding:
    """One team's line: its mean points over its members; `rank` is 1-based, shared by ties."""

    rank: int
    team: int
    name: str
    members: int
    points: int
    """The mean of its members' points, rounded to a whole point."""
    correct: float
    """The mean of its members' credit (the tie-break)."""

    @property
    def user_id(self) -> int:
        """The team's number, so ties are listed by it (`standings.ranked`)."""
        return self.team


@dataclass(frozen=True)
class _TeamTotal:
    user_id: int
    points: int
    correct: float


def team_standings(
    team_of: Mapping[int, int],
    points: Mapping[int, int],
    credit: Mapping[int, float],
    names: Sequence[str],
) -> tuple[TeamStanding, ...]:
    """The teams with at least one member, best first: each team's score is the mean of its
    members' points (a member who answered nothing scores 0)."""
    members: dict[int, list[int]] = {}
    for user, team in team_of.items():
        if 0 <= team < len(names):
            members.setdefault(team, []).append(user)
    totals = [
        _TeamTotal(
            team,
            round(sum(points.get(u, 0) for u in users) / len(users)),
            sum(credit.get(u, 0.0) for u in users) / len(users),
        )
        for team, users in members.items()
    ]
    return tuple(
        TeamStanding(
            rank, t.user_id, names[t.user_id], len(members[t.user_id]), t.points, t.correct
        )
        for rank, t in ranked(totals)
    )


def empty_teams(team_of: Mapping[int, int], names: Sequence[str]) -> tuple[str, ...]:
    """The names of the teams nobody joined."""
    joined = set(team_of.values())
    return tuple(name for team, name in enumerate(names) if team not in joined)


# -- streaks --------------------------------------------------------------------------------


def streak_bonus(run: int) -> int:
    """The bonus of a right answer that makes a run of `run` right answers in a row."""
    return min(STREAK_STEP * max(run - 1, 0), STREAK_CAP)


@dataclass(frozen=True)
class StreakMark:
    """A right answer on a run: how many in a row it makes, and the bonus it earns."""

    run: int
    bonus: int


def streaks(
    questions: Iterable[RoundQuestion], players: Iterable[int]
) -> tuple[dict[int, StreakMark], ...]:
    """For each question given (the closed ones, in the order asked), the players whose right
    answer made a run, with its length and bonus (see the module's rules)."""
    runs = dict.fromkeys(players, 0)
    marks: list[dict[int, StreakMark]] = []
    for question in questions:
        here: dict[int, StreakMark] = {}
        if not question.self_assessed:
            for user in runs:
                given = question.answer_of(user)
                if given is not None and question.credit_of(given) >= 1.0:
                    runs[user] += 1
                    here[user] = StreakMark(runs[user], streak_bonus(runs[user]))
                else:
                    runs[user] = 0
        marks.append(here)
    return tuple(marks)


def bonus_totals(marks: Iterable[Mapping[int, StreakMark]]) -> dict[int, int]:
    """Each player's streak points over the round, by user id."""
    totals: dict[int, int] = {}
    for here in marks:
        for user, mark in here.items():
            totals[user] = totals.get(user, 0) + mark.bonus
    return totals


def on_a_streak(
    marks: Mapping[int, StreakMark], limit: int = 3
) -> tuple[tuple[int, StreakMark], ...]:
    """The longest runs a question's right answers made (2 in a row or more), longest first
    (ties by user id), at most `limit`: what its reveal shows."""
    found = sorted(
        ((user, mark) for user, mark in marks.items() if mark.run >= 2),
        key=lambda item: (-item[1].run, item[0]),
    )
    return tuple(found[:limit])


# -- pause ----------------------------------------------------------------------------------


def pause(state: RoundState, now: datetime) -> RoundState | Refusal:
    """The round with its open question's countdown stopped at `now` (what was left is kept:
    `paused_left`); refused when already paused or no question is open. A question whose time
    is already up cannot be paused (its reveal is due)."""
    now = utc(now)
    if state.paused_at is not None:
        return AlreadyPaused()
    question = state.current
    if not state.running or question is None or question.closed or now >= question.deadline:
        return NothingToPause()
    return replace(state, paused_at=now)


def paused_left(state: RoundState) -> float | None:
    """Seconds the paused question had left when paused; None when not paused."""
    question = state.current
    if state.paused_at is None or question is None:
        return None
    return max((question.deadline - state.paused_at).total_seconds(), 0.0)


def resume(state: RoundState, now: datetime) -> RoundState | Refusal:
    """The round going on at `now`: the open question's clock (opening and deadline) shifted by
    the pause, so it has the time it had left and its speed points count answering time only."""
    now = utc(now)
    paused_at = state.paused_at
    question = state.current
    if paused_at is None:
        return NotPaused()
    if question is None or question.closed:
        return replace(state, paused_at=None)
    shift = max(now - paused_at, timedelta(0))
    moved = replace(
        question, opened_at=question.opened_at + shift, deadline=question.deadline + shift
    )
    asked = (*state.asked[:-1], moved)
    return replace(state, asked=asked, paused_at=None)
