"""The question of the day's rules: the day key, drawing in cycles (most due first), judging,
the reveal's distribution, and streaks."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutorbot.content.models import Question, QuestionType, Topic
from tutorbot.domain import daily as rules
from tutorbot.domain.refusals import Forged
from tutorbot.domain.rounds import EmptyAnswer
from tutorbot.domain.typed_answers import NotANumber

from .conftest import allowed

KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14
PAGO_PAGO = ZoneInfo("Pacific/Pago_Pago")  # UTC-11
POOL = [("t", f"q{i}") for i in range(5)]


def test_the_day_key_is_the_servers_local_day() -> None:
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert rules.day_key(now, KIRITIMATI) == "2026-11-30"
    assert rules.day_key(now, PAGO_PAGO) == "2026-11-29"
    assert rules.day_number("2026-11-30") == 20261130
    assert rules.day_of_number(20261130) == "2026-11-30"
    for forged in (20261331, 20260230, 1, 999999999):
        with pytest.raises(Forged):
            rules.day_of_number(forged)


def test_a_post_timer_posts_for_the_day_it_fires_once_the_time_has_come() -> None:
    nine = time(9, 0)
    on_time = datetime(2026, 11, 29, 19, 0, tzinfo=UTC)  # 09:00 in Kiritimati on the 30th
    assert rules.post_day(on_time, nine, KIRITIMATI) == "2026-11-30"
    later_that_day = datetime(2026, 11, 30, 9, 59, tzinfo=UTC)  # 23:59 there
    assert rules.post_day(later_that_day, nine, KIRITIMATI) == "2026-11-30"
    early_next_day = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # 02:00 on the 1st there
    assert rules.post_day(early_next_day, nine, KIRITIMATI) is None  # the 30th is not posted late
    after_nine = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # 10:00 on the 1st there
    assert rules.post_day(after_nine, nine, KIRITIMATI) == "2026-12-01"


def _run(
    pool: list[rules.QuestionKey], days: int, due: dict[rules.QuestionKey, int]
) -> list[rules.Draw]:
    cycle = 0
    seen: list[rules.QuestionKey] = []
    drawn: list[rules.Draw] = []
    for _ in range(days):
        found = rules.draw(pool, seen, cycle, due, seed="42")
        assert found is not None
        if found.cycle != cycle:
            cycle, seen = found.cycle, []
        seen.append(found.key)
        drawn.append(found)
    return drawn


def test_every_question_comes_once_before_any_repeats() -> None:
    drawn = _run(POOL, 12, {})
    first, second = drawn[:5], drawn[5:10]
    assert sorted(d.key for d in first) == POOL and {d.cycle for d in first} == {0}
    assert sorted(d.key for d in second) == POOL and {d.cycle for d in second} == {1}
    assert [d.key for d in first] != POOL or [d.key for d in second] != POOL  # shuffled
    assert _run(POOL, 12, {}) == drawn  # the same order on a retry, in any process


def test_what_the_server_is_forgetting_comes_first_within_a_cycle() -> None:
    due = {("t", "q3"): 7, ("t", "q1"): 2}
    drawn = [d.key for d in _run(POOL, 5, due)]
    assert drawn[:2] == [("t", "q3"), ("t", "q1")]
    assert sorted(drawn) == POOL


def test_a_question_seen_that_left_the_pool_is_ignored_and_an_empty_pool_draws_nothing() -> None:
    found = rules.draw(POOL[:2], [("t", "gone"), ("t", "q0")], 3, {}, seed="1")
    assert found == rules.Draw(("t", "q1"), 3)
    assert rules.draw([], [], 0, {}, seed="1") is None


@given(st.integers(1, 20), st.integers(1, 60))
def test_no_question_repeats_within_a_cycle(size: int, days: int) -> None:
    pool = [("t", f"q{i}") for i in range(size)]
    drawn = _run(pool, days, {})
    for cycle in {d.cycle for d in drawn}:
        keys = [d.key for d in drawn if d.cycle == cycle]
        assert len(keys) == len(set(keys))
    assert [d.cycle for d in drawn] == sorted(d.cycle for d in drawn)


def test_only_questions_judged_on_the_spot_are_asked(topic: Topic) -> None:
    kinds = {q.id: rules.answerable(q) for q in topic.questions}
    assert kinds == {"mc": True, "tf": True, "fr": False}


def _typed(kind: QuestionType, **fields: object) -> Question:
    return Question(
        id="x",
        type=kind,
        prompt="?",
        explanation="Because.",
        **fields,
    )


def test_answers_are_judged_choice_true_false_and_typed(topic: Topic) -> None:
    mc, tf, _ = topic.questions
    assert allowed(rules.judge(mc, "b")) == rules.Judged("B", True)
    assert allowed(rules.judge(mc, "A")) == rules.Judged("A", False)
    assert allowed(rules.judge(tf, "false")) == rules.Judged("False", False)
    with pytest.raises(Forged):
        rules.judge(mc, "Z")
    with pytest.raises(Forged):
        rules.judge(tf, "maybe")
    short = _typed(QuestionType.SHORT_ANSWER, answers=("Paris",))
    assert allowed(rules.judge(short, "  paris ")) == rules.Judged("paris", True)
    assert isinstance(rules.judge(short, "   "), EmptyAnswer)
    number = _typed(QuestionType.NUMERIC, answer=3.5, tolerance=0.1)
    assert allowed(rules.judge(number, "7/2")).correct
    assert isinstance(rules.judge(number, "three"), NotANumber)


def test_the_distribution_shows_every_option_and_which_is_right(topic: Topic) -> None:
    mc, tf, _ = topic.questions
    answers = [rules.Judged("B", True), rules.Judged("B", True), rules.Judged("C", False)]
    assert rules.distribution(mc, answers) == [
        rules.Share("A", 0, False),
        rules.Share("B", 2, True),
        rules.Share("C", 1, False),
    ]
    assert rules.distribution(tf, []) == [
        rules.Share("True", 0, True),
        rules.Share("False", 0, False),
    ]
    short = _typed(QuestionType.SHORT_ANSWER, answers=("Paris",))
    typed = [rules.Judged("paris", True), rules.Judged("lyon", False), rules.Judged("x", False)]
    assert rules.distribution(short, typed) == [
        rules.Share("Right", 1, True),
        rules.Share("Wrong", 2, False),
    ]


DAYS = ["2026-11-05", "2026-11-04", "2026-11-02", "2026-11-01"]
"""The server's posted days, newest first: no question on the 3rd (the bot was down)."""


def test_streaks_count_the_servers_questions_not_calendar_days() -> None:
    mine = dict.fromkeys(DAYS, True)
    assert rules.streaks(DAYS, mine, open_day=None) == (4, 4)
    mine["2026-11-04"] = False
    assert rules.streaks(DAYS, mine, open_day=None) == (4, 1)
    del mine["2026-11-02"]
    assert rules.streaks(DAYS, mine, open_day=None) == (2, 1)


def test_an_open_question_not_yet_answered_breaks_no_streak() -> None:
    mine = dict.fromkeys(DAYS[1:], True)
    assert rules.streaks(DAYS, mine, open_day=DAYS[0]) == (3, 3)
    assert rules.streaks(DAYS, mine, open_day=None) == (0, 0)  # revealed unanswered: broken


def test_standings_rank_by_right_streak_then_answer_streak_then_totals() -> None:
    answers = {
        1: {"2026-11-05": False, "2026-11-04": True, "2026-11-02": True},
        2: {"2026-11-05": True, "2026-11-04": True},
        3: {"2026-11-05": True, "2026-11-01": True},
    }
    totals = {1: (3, 2), 2: (2, 2), 3: (2, 2), 4: (9, 9)}  # 4 answered only long ago
    found = rules.standings(DAYS, answers, None, totals)
    assert found == [
        rules.Standing(2, 2, 2, 2, 2),
        rules.Standing(3, 1, 1, 2, 2),
        rules.Standing(1, 3, 0, 3, 2),
        rules.Standing(4, 0, 0, 9, 9),
    ]
    assert not rules.streak_window_too_short(found, 5)
    assert rules.streak_window_too_short(found, 4)  # 1's streak may run on past 4 questions
