"""A round kept whole in memory, for domain tests.

Production never holds a round this way: each answer is a row, judged by the per-question rules
(`rounds.judge_answer`, `rounds.judge_assessment`) and joined to the state when the round is read
(`services/round_rows.load`). Tests that want a state with answers in it apply those same rules
here, to a whole `RoundState`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from tutorbot.content.models import QuestionType
from tutorbot.domain import rounds
from tutorbot.domain.refusals import Forged, Refusal
from tutorbot.domain.round_state import RoundQuestion, RoundState
from tutorbot.domain.rounds import AcceptOutcome, AssessOutcome, Judged, Locked, RoundError
from tutorbot.domain.scoring import SelfAssessment, self_assessed_points


def _with(state: RoundState, question: RoundQuestion) -> RoundState:
    asked = tuple(question if q.question_id == question.question_id else q for q in state.asked)
    return replace(state, asked=asked)


def accept(
    state: RoundState, question_id: str, user_id: int, choice: str, at: datetime
) -> tuple[RoundState, AcceptOutcome]:
    """`judge_answer` on a whole state: the state with the answer in it, and Locked or why
    not. A question id the round never asked is forged."""
    question = state.question(question_id)
    if question is None:
        raise Forged("That question is not part of this round.")
    judged = rounds.judge_answer(
        question, question.answer_of(user_id), user_id, choice, at, running=state.running
    )
    if isinstance(judged, Refusal):
        return state, judged
    new = _with(state, replace(question, answers=(*question.answers, judged)))
    return new, Locked(judged.choice, question.kind is QuestionType.FREE_RESPONSE)


def self_assess(
    state: RoundState, question_id: str, user_id: int, assessment: SelfAssessment | str
) -> tuple[RoundState, AssessOutcome]:
    """`judge_assessment` on a whole state: the state with the judgement in it, and Judged or
    why not."""
    question = state.question(question_id)
    if question is None:
        raise Forged("That question takes no self-assessment.")
    previous = question.answer_of(user_id)
    judged = rounds.judge_assessment(question, previous, assessment)
    if isinstance(judged, Refusal):
        return state, judged
    if previous is None:  # judge_assessment refuses a judgement of no answer
        raise RoundError("a self-assessment was accepted without an answer")
    updated = replace(previous, assessment=judged)
    answers = tuple(updated if a.user_id == user_id else a for a in question.answers)
    return _with(state, replace(question, answers=answers)), Judged(
        judged, self_assessed_points(judged)
    )
