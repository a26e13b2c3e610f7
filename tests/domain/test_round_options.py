"""The rules of a round's options: teams, the streak bonus, the podium's size, pause and resume,
and what they change in the standings and the CSV."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta

import pytest

from tutorbot.content.models import Question, QuestionType, Topic
from tutorbot.domain import round_options as opts
from tutorbot.domain import round_results as results
from tutorbot.domain import rounds
from tutorbot.domain.round_state import RoundSettings, RoundState
from tutorbot.domain.rounds import BadSettings, settings_from

from ._round_play import accept
from .conftest import T0, allowed


def _topic(count: int) -> Topic:
    return Topic(
        id="tf-run",
        title="True or false",
        core_idea="x",
        questions=tuple(
            Question(
                id=f"q{i}",
                type=QuestionType.TRUE_FALSE,
                prompt=f"Statement {i}.",
                answer=True,
                explanation="Because.",
            )
            for i in range(count)
        ),
    )


def _play(
    answers: dict[int, str], *, streak: bool = True, seconds: int = 20
) -> tuple[RoundState, Topic]:
    """A round of len(answers[...]) true/false questions (all True) where each user answers
    the questions, in the order asked, with T, F or - (no answer)."""
    count = len(next(iter(answers.values())))
    topic = _topic(count)
    settings = RoundSettings(count, seconds, streak=streak)
    state = allowed(rounds.start_round(topic, 1, settings, T0, random.Random(1)))
    now = T0
    for _ in range(count):
        current = state.current
        assert current is not None
        index = len(state.asked) - 1
        for user, given in answers.items():
            if given[index] != "-":
                choice = "True" if given[index] == "T" else "False"
                state, _ = accept(state, current.question_id, user, choice, now)
        now += timedelta(seconds=seconds + 1)
        state = rounds.close_current(state, now)
        if state.remaining:
            state = rounds.next_question(state, topic, now)
    return rounds.finish(state, now), topic


# -- streak ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("run", "bonus"), [(0, 0), (1, 0), (2, 100), (3, 200), (6, 500), (7, 500), (40, 500)]
)
def test_the_streak_bonus_is_100_per_answer_after_the_first_capped_at_500(
    run: int, bonus: int
) -> None:
    assert opts.streak_bonus(run) == bonus


def test_a_wrong_or_missing_answer_ends_a_run_and_a_run_is_kept_across_questions() -> None:
    # In the order asked: user 7 right x3, wrong, right x2; user 8 right, missing, right x7.
    wanted = {7: "TTTFTT", 8: "T-TTTT"}
    state, _ = _play(wanted)
    scores = results.score(state)
    runs = [{u: m.run for u, m in here.items()} for here in scores.streaks]
    assert runs == [{7: 1, 8: 1}, {7: 2}, {7: 3, 8: 1}, {8: 2}, {7: 1, 8: 3}, {7: 2, 8: 4}]
    bonus = {s.user_id: s.bonus for s in scores.standings}
    assert bonus == {7: 100 + 200 + 100, 8: 100 + 200 + 300}
    points = {s.user_id: s.points for s in scores.standings}
    flat = results.score(_play(wanted, streak=False)[0])
    assert {s.user_id: s.points for s in flat.standings} == {
        u: p - bonus[u] for u, p in points.items()
    }
    assert all(s.bonus == 0 for s in flat.standings) and flat.streaks == ()


def test_a_reveal_shows_the_longest_runs_of_two_or_more() -> None:
    marks = {1: opts.StreakMark(3, 200), 2: opts.StreakMark(1, 0), 3: opts.StreakMark(5, 400)}
    shown = opts.on_a_streak(marks)
    assert [(u, m.run) for u, m in shown] == [(3, 5), (1, 3)]


# -- teams ----------------------------------------------------------------------------------


def test_players_join_the_smallest_team_a_round_robin_in_join_order() -> None:
    sizes = [0, 0, 0]
    joined = []
    for _ in range(7):
        team = opts.assign_team(sizes)
        sizes[team] += 1
        joined.append(team)
    assert joined == [0, 1, 2, 0, 1, 2, 0]


def test_a_player_with_a_team_role_joins_that_team_and_one_without_the_smallest() -> None:
    red, blue = 111, 222
    assert opts.assign_team([5, 0], member_roles={red}, team_roles=[red, blue]) == 0
    assert opts.assign_team([0, 5], member_roles={blue, red}, team_roles=[red, blue]) == 0
    assert opts.assign_team([3, 1], member_roles={999}, team_roles=[red, blue]) == 1
    assert opts.assign_team([2, 2], member_roles=(), team_roles=[red, blue]) == 0


def test_a_team_scores_the_mean_of_its_members_points() -> None:
    team_of = {1: 0, 2: 0, 3: 1, 4: 2}
    points = {1: 1000, 2: 0, 3: 600, 4: 500}
    credit = {1: 1.0, 2: 0.0, 3: 1.0, 4: 1.0}
    names = opts.team_names(4)
    table = opts.team_standings(team_of, points, credit, names)
    assert [(t.rank, t.name, t.members, t.points) for t in table] == [
        (1, "Team 2", 1, 600),
        (2, "Team 3", 1, 500),
        (3, "Team 1", 2, 500),
    ]
    assert opts.empty_teams(team_of, names) == ("Team 4",)


def test_team_names_are_the_roles_names_when_given() -> None:
    assert opts.team_names(2, ["Red", "Blue"]) == ("Red", "Blue")
    assert opts.team_names(3) == ("Team 1", "Team 2", "Team 3")


def test_more_teams_than_members_is_said_plainly() -> None:
    said = opts.more_teams_than_members(4, 3)
    assert said is not None and "4 teams need at least 4 players" in said and "3 members" in said
    assert opts.more_teams_than_members(4, 4) is None
    assert opts.more_teams_than_members(0, 1) is None
    assert opts.more_teams_than_members(3, None) is None


# -- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("teams", "podium", "said"),
    [
        (1, 3, "teams must be between 2 and 8, got 1"),
        (9, 3, "teams must be between 2 and 8, got 9"),
        (0, 2, "podium must have between 3 and 10 places, got 2"),
        (0, 11, "podium must have between 3 and 10 places, got 11"),
    ],
)
def test_options_out_of_range_are_refused_with_their_range(
    teams: int, podium: int, said: str
) -> None:
    refused = settings_from(10, 20, "speed", teams=teams, podium=podium)
    assert isinstance(refused, BadSettings) and refused.text == said


def test_options_survive_the_state_json_and_a_plain_round_stores_none_of_them() -> None:
    settings = allowed(
        settings_from(
            5, 30, "flat", teams=2, streak=True, podium=7, team_names=["Red", "Blue"],
            team_roles=[11, 22],
        )
    )  # fmt: skip
    assert RoundSettings.from_dict(settings.to_dict()) == settings
    assert RoundSettings().to_dict() == {"questions": 10, "seconds": 20, "scoring": "speed"}


# -- pause ----------------------------------------------------------------------------------


def test_a_pause_keeps_the_time_left_and_resume_gives_it_back() -> None:
    topic = _topic(2)
    state = allowed(rounds.start_round(topic, 1, RoundSettings(2, 20), T0, random.Random(1)))
    paused = allowed(opts.pause(state, T0 + timedelta(seconds=5)))
    assert opts.paused_left(paused) == 15.0
    assert isinstance(opts.pause(paused, T0 + timedelta(seconds=6)), opts.AlreadyPaused)
    restart = RoundState.from_dict(paused.to_dict())
    assert restart.paused_at == paused.paused_at
    resumed = allowed(opts.resume(restart, T0 + timedelta(minutes=10)))
    question = resumed.current
    assert question is not None and resumed.paused_at is None
    assert question.deadline == T0 + timedelta(minutes=10, seconds=15)
    assert question.limit == 20.0  # speed points measure against the whole time
    assert isinstance(opts.resume(resumed, T0), opts.NotPaused)


def test_nothing_to_pause_between_questions_or_after_the_deadline() -> None:
    topic = _topic(2)
    state = allowed(rounds.start_round(topic, 1, RoundSettings(2, 20), T0, random.Random(1)))
    late = opts.pause(state, T0 + timedelta(seconds=20))
    assert isinstance(late, opts.NothingToPause)
    closed = rounds.close_current(state, T0 + timedelta(seconds=21))
    assert isinstance(opts.pause(closed, T0 + timedelta(seconds=22)), opts.NothingToPause)


def test_a_skip_while_paused_closes_the_question_and_ends_the_pause() -> None:
    topic = _topic(2)
    state = allowed(rounds.start_round(topic, 1, RoundSettings(2, 20), T0, random.Random(1)))
    paused = allowed(opts.pause(state, T0 + timedelta(seconds=5)))
    closed = rounds.close_current(paused, T0 + timedelta(seconds=6), skip=True)
    assert closed.paused_at is None and closed.current is not None and closed.current.closed


# -- the CSV --------------------------------------------------------------------------------


def test_the_csv_of_a_team_round_with_streaks_has_a_team_and_a_streak_bonus_column() -> None:
    state, _ = _play({7: "TT", 8: "TF"})
    scores = results.score(state)
    rows = list(results.result_rows(scores, {7: "Ana", 8: "=Ben"}, {7: "Red", 8: "@Blue"}))
    text = results.csv_text(rows, teams=True, streak=True)
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == [*results.CSV_HEADER, "team", "streak bonus"]
    by_student = {(r[0], r[1]): r for r in table[1:]}
    second = state.asked[1].question_id
    assert by_student[("Ana", second)][6:] == ["Red", "100"]
    assert by_student[("'=Ben", second)][6:] == ["'@Blue", "0"]
    plain = list(csv.reader(io.StringIO(results.csv_text(rows))))
    assert plain[0] == list(results.CSV_HEADER) and len(plain[1]) == 6
