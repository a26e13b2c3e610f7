"""Points, credit and mastery: the numbers private quizzes and group rounds agree on.

Speed scoring is Kahoot's rule: a correct answer after `t` of `T` seconds earns
round(1000 x (1 - (t/T)/2)), so 1000 at once, 750 at half time, 500 on the buzzer. Flat scoring
gives 1000 for any correct answer. A wrong or missing answer earns 0, never less.

Free response is judged by the student: "got it" earns full credit (1) in a quiz and 500 points in
a round; "partly" earns half of each; "missed it" earns nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from tutorbot.domain.refusals import Forged, Refusal

FLAT_POINTS = 1000
SPEED_MAX_POINTS = 1000
SELF_ASSESSED_GOT_IT = 500
SELF_ASSESSED_PARTLY = SELF_ASSESSED_GOT_IT // 2
MASTERY_THRESHOLD = 0.8
QUIZ_POINTS = 100
"""Server points for a fully right private-quiz answer (scaled by credit): practice counts,
but a round's fast right answer (500 to 1000) counts for more."""


class ScoringMode(StrEnum):
    """How a round scores a right answer: by speed (Kahoot's rule) or flat."""

    SPEED = "speed"
    FLAT = "flat"


class SelfAssessment(StrEnum):
    """A student's judgement of their own free-response answer, once the model answer is shown."""

    GOT_IT = "got_it"
    PARTLY = "partly"
    MISSED = "missed"


ASSESSMENT_LABELS = {
    SelfAssessment.GOT_IT: "Got it",
    SelfAssessment.PARTLY: "Partly",
    SelfAssessment.MISSED: "Missed it",
}
"""What each judgement is called on buttons and in messages."""


@dataclass(frozen=True)
class NotRevealedYet(Refusal):
    """A judgement before the model answer is shown."""

    @property
    def text(self) -> str:
        """What the student is told."""
        return "The model answer is not shown yet."


@dataclass(frozen=True)
class NoAnswerToAssess(Refusal):
    """Only someone who gave an answer judges it."""

    @property
    def text(self) -> str:
        """What the student is told."""
        return "Only students who typed an answer in time judge it."


@dataclass(frozen=True)
class AlreadyAssessed(Refusal):
    """The first judgement is final."""

    assessment: SelfAssessment

    @property
    def text(self) -> str:
        """What the student is told."""
        return f"You already judged your answer: **{ASSESSMENT_LABELS[self.assessment]}**."


def judge_self_assessment(
    given: str,
    *,
    revealed: bool,
    answered: bool = True,
    previous: SelfAssessment | None = None,
) -> SelfAssessment | Refusal:
    """The one self-assessment rule of quizzes and rounds: a student judges their own free
    response once, after the model answer is shown, and only if they answered (a quiz always
    lets them: writing is optional there). A value that is no judgement is forged and raises."""
    try:
        judged = SelfAssessment(given)
    except ValueError:
        raise Forged("That is not a self-assessment.") from None
    if not revealed:
        return NotRevealedYet()
    if not answered:
        return NoAnswerToAssess()
    if previous is not None:
        return AlreadyAssessed(previous)
    return judged


_CREDIT = {SelfAssessment.GOT_IT: 1.0, SelfAssessment.PARTLY: 0.5, SelfAssessment.MISSED: 0.0}
_SELF_POINTS = {
    SelfAssessment.GOT_IT: SELF_ASSESSED_GOT_IT,
    SelfAssessment.PARTLY: SELF_ASSESSED_PARTLY,
    SelfAssessment.MISSED: 0,
}


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def speed_points(seconds: float, limit: float) -> int:
    """Kahoot's points for a correct answer after `seconds` of a `limit`-second question.

    Time is clamped to [0, limit], so the result is always between 500 and 1000; halves round up
    (Python's round() would send 812.5 to 812 but 813.5 to 814).
    """
    if limit <= 0:
        raise ValueError(f"the time limit must be positive, got {limit}")
    t = min(max(seconds, 0.0), limit)
    return _round_half_up(SPEED_MAX_POINTS * (1 - (t / limit) / 2))


def answer_points(correct: bool, seconds: float, limit: float, mode: ScoringMode) -> int:
    """Points for a multiple-choice or true/false answer in a round: 0 when wrong."""
    if not correct:
        return 0
    if mode is ScoringMode.FLAT:
        return FLAT_POINTS
    return speed_points(seconds, limit)


def self_assessed_points(assessment: SelfAssessment) -> int:
    """Round points for a free-response answer the student judged: 500, 250 or 0."""
    return _SELF_POINTS[assessment]


def credit(assessment: SelfAssessment) -> float:
    """Quiz credit for a self-assessed answer: got it 1, partly 0.5, missed it 0."""
    return _CREDIT[assessment]


def fraction(score: float, count: int) -> float:
    """Score as a share of the questions (0.0 when there were none)."""
    return score / count if count > 0 else 0.0


def is_mastered(score: float, count: int) -> bool:
    """A topic is mastered by a quiz scoring at least 80% on at least one question."""
    return count > 0 and fraction(score, count) >= MASTERY_THRESHOLD - 1e-9


def quiz_points(credit_earned: float) -> int:
    """Server points for one private-quiz answer with this credit (1, 0.5 or 0)."""
    return _round_half_up(QUIZ_POINTS * credit_earned)
