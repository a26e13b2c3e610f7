from hypothesis import given
from hypothesis import strategies as st

from tutorbot.domain.scoring import (
    FLAT_POINTS,
    ScoringMode,
    SelfAssessment,
    answer_points,
    credit,
    is_mastered,
    self_assessed_points,
    speed_points,
)


def test_kahoot_rule_at_start_half_and_end() -> None:
    assert speed_points(0, 20) == 1000
    assert speed_points(10, 20) == 750
    assert speed_points(20, 20) == 500


def test_speed_points_round_half_up() -> None:
    assert speed_points(0.75, 4) == 906  # 906.25
    assert speed_points(1, 8) == 938  # 937.5 rounds up, not to even


def test_late_or_early_clicks_are_clamped() -> None:
    assert speed_points(-3, 20) == 1000
    assert speed_points(99, 20) == 500


@given(st.floats(-1e6, 1e6), st.floats(0.001, 1e4))
def test_speed_points_stay_between_500_and_1000(seconds: float, limit: float) -> None:
    assert 500 <= speed_points(seconds, limit) <= 1000


@given(st.floats(-1e6, 1e6), st.integers(5, 300), st.booleans(), st.sampled_from(ScoringMode))
def test_points_are_never_negative(
    seconds: float, limit: int, correct: bool, mode: ScoringMode
) -> None:
    points = answer_points(correct, seconds, limit, mode)
    assert points >= 0
    assert (points == 0) is (not correct)


def test_flat_and_wrong_answers() -> None:
    assert answer_points(True, 19, 20, ScoringMode.FLAT) == FLAT_POINTS
    assert answer_points(False, 0, 20, ScoringMode.SPEED) == 0


def test_self_assessment_credit_and_points() -> None:
    assert [credit(a) for a in SelfAssessment] == [1.0, 0.5, 0.0]
    assert [self_assessed_points(a) for a in SelfAssessment] == [500, 250, 0]


def test_mastery_needs_eighty_percent() -> None:
    assert is_mastered(4, 5)
    assert is_mastered(2.4, 3)
    assert not is_mastered(3.5, 5)
    assert not is_mastered(0, 0)
