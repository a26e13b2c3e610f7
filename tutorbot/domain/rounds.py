"""The rules of a timed group round in a channel: start, judge a click, judge a self-assessment,
close, next, stop, finish, and what each returns (the outcomes and refusals). The values they work
on (settings, the questions asked, the state) are in `domain/round_state.py`.

The round snapshots what it needs from each question when it opens it (kind, options, correct
answer), so a content reload mid-round cannot change how answers already given are scored.
Every click is judged by the time it was made (`at`, the interaction's own timestamp), not by
when it was processed. What a round shows and leaves behind (the reveal, standings, podium, CSV
and report) is computed from the state in `round_results`, never stored.

Life of a round: start (question 1 opens) -> answers -> close (time up, skip or stop; the reveal)
-> next question ... -> finished. Free-response answers are typed; after the reveal each student
who answered judges their own answer. Short answers and numbers are typed too, and judged at once
by the question's key (`RoundQuestion.typed_right`), scored as a choice is; a numeric answer that
is no number is refused (nothing recorded), so the student may type again.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tutorbot.content.models import TYPED, Question, QuestionType, Topic
from tutorbot.domain import typed_answers
from tutorbot.domain._time import seconds_between, utc
from tutorbot.domain.refusals import Forged, Refusal
from tutorbot.domain.round_state import (
    DEFAULT_PODIUM,
    InvalidSettings,
    RoundAnswer,
    RoundQuestion,
    RoundSettings,
    RoundState,
    RoundStatus,
)
from tutorbot.domain.scoring import (
    ASSESSMENT_LABELS,
    ScoringMode,
    SelfAssessment,
    judge_self_assessment,
)

MAX_TYPED_ANSWER = 1000
TRUE_FALSE_OPTIONS = ("True", "False")


class RoundError(Exception):
    """A step of a round asked for at the wrong moment: a bug in the caller, never a refusal."""


@dataclass(frozen=True)
class BadSettings(Refusal):
    """A round setting out of range, in the words of `InvalidSettings`."""

    reason: str

    @property
    def text(self) -> str:
        """What the instructor is told."""
        return self.reason


@dataclass(frozen=True)
class NoQuestionsToAsk(Refusal):
    """A round on a topic without questions."""

    @property
    def text(self) -> str:
        """What the instructor is told."""
        return "This topic has no questions yet."


def settings_from(
    questions: int,
    seconds: int,
    scoring: str,
    *,
    teams: int = 0,
    streak: bool = False,
    podium: int = DEFAULT_PODIUM,
    team_names: Sequence[str] = (),
    team_roles: Sequence[int] = (),
) -> RoundSettings | Refusal:
    """The round settings asked for, or why not: the one check of `/round start` options and of
    a server's round defaults."""
    try:
        mode = ScoringMode(scoring)
    except ValueError:
        return BadSettings(f"scoring must be speed or flat, got {scoring!r}")
    try:
        return RoundSettings(
            questions,
            seconds,
            mode,
            teams=teams,
            streak=streak,
            podium=podium,
            team_names=tuple(team_names),
            team_roles=tuple(team_roles),
        )
    except InvalidSettings as exc:
        return BadSettings(str(exc))


@dataclass(frozen=True)
class Locked:
    """The answer counts: "Locked in: B"."""

    choice: str
    typed: bool = False

    @property
    def text(self) -> str:
        """What the student is told."""
        return "Locked in your answer." if self.typed else f"Locked in: **{self.choice}**"


@dataclass(frozen=True)
class FirstAnswerStands(Refusal):
    """The first answer is final: "You already answered B"."""

    choice: str
    typed: bool = False

    @property
    def text(self) -> str:
        """What the student is told."""
        given = "your typed answer" if self.typed else f"**{self.choice}**"
        return f"You already answered {given}. Your first answer is final."


@dataclass(frozen=True)
class TooLate(Refusal):
    """The click came after the deadline (or after the question closed): "Time is up"."""

    deadline: datetime

    @property
    def text(self) -> str:
        """What the student is told."""
        return "Time is up for this question."


@dataclass(frozen=True)
class EmptyAnswer(Refusal):
    """A typed answer with nothing in it."""

    @property
    def text(self) -> str:
        """What the student is told."""
        return "Type an answer first."


AcceptOutcome = Locked | Refusal


@dataclass(frozen=True)
class Judged:
    """A self-assessment that counts, with the points it earns."""

    assessment: SelfAssessment
    points: int

    @property
    def text(self) -> str:
        """What the student is told."""
        return f"Thanks: **{ASSESSMENT_LABELS[self.assessment]}**, {self.points} points."


AssessOutcome = Judged | Refusal


def typed_key(question: Question) -> Question:
    """What a round keeps of a short-answer or numeric question to judge its typed answers by:
    its key (accepted answers, number, tolerance, range) without the words shown."""
    return question.model_copy(update={"prompt": "-", "explanation": "-", "hint": None})


def _snapshot(topic: Topic, question_id: str, now: datetime, seconds: int) -> RoundQuestion | None:
    question = topic.question(question_id)
    if question is None:
        return None
    key = None
    if question.type is QuestionType.MULTIPLE_CHOICE:
        options: tuple[str, ...] = tuple(question.letters)
        correct: str | None = str(question.answer)
    elif question.type is QuestionType.TRUE_FALSE:
        options, correct = TRUE_FALSE_OPTIONS, ("True" if question.answer else "False")
    elif question.type in TYPED:
        options, correct, key = (), question.answer_text(), typed_key(question)
    else:
        options, correct = (), None
    return RoundQuestion(
        question_id=question_id,
        kind=question.type,
        options=options,
        correct=correct,
        opened_at=now,
        deadline=now + timedelta(seconds=seconds),
        key=key,
    )


def _open_next(state: RoundState, topic: Topic, now: datetime) -> RoundState:
    """Open the next question still in content; with none left the round finishes."""
    skipped = list(state.skipped)
    for question_id in state.remaining:
        opened = _snapshot(topic, question_id, now, state.settings.seconds)
        if opened is not None:
            return replace(state, asked=(*state.asked, opened), skipped=tuple(skipped))
        skipped.append(question_id)
    return replace(state, skipped=tuple(skipped), status=RoundStatus.FINISHED, ended_at=now)


def start_round(
    topic: Topic, instructor_id: int, settings: RoundSettings, now: datetime, rng: random.Random
) -> RoundState | Refusal:
    """A new round on `topic` with its first question open (fewer if the topic has fewer)."""
    now = utc(now)
    if not topic.questions:
        return NoQuestionsToAsk()
    ids = [q.id for q in topic.questions]
    rng.shuffle(ids)
    state = RoundState(
        topic_id=topic.id,
        instructor_id=instructor_id,
        settings=settings,
        question_ids=tuple(ids[: settings.questions]),
        started_at=now,
    )
    return _open_next(state, topic, now)


def _normalise(question: RoundQuestion, choice: str) -> str | Refusal:
    text = choice.strip()
    if question.kind is QuestionType.FREE_RESPONSE:
        return text[:MAX_TYPED_ANSWER] if text else EmptyAnswer()
    if question.kind in TYPED:
        return _typed(question, choice)
    text = text.capitalize() if question.kind is QuestionType.TRUE_FALSE else text.upper()
    if text not in question.options:
        raise Forged("That is not one of this question's options.")
    return text


def _typed(question: RoundQuestion, text: str) -> str | Refusal:
    """A short or numeric answer as typed (trimmed, clipped to `typed_answers.MAX_TYPED_ANSWER`), or
    why it is no answer: empty, or for a numeric question not a number (nothing is recorded,
    so the student may type again)."""
    given = typed_answers.clean(text)
    if not given:
        return EmptyAnswer()
    if question.key is None:  # the snapshot of a typed question always has its key
        raise RoundError(f"typed question {question.question_id!r} asked without its key")
    judged = typed_answers.judge(question.key, given)
    return judged if isinstance(judged, Refusal) else given


def judge_answer(
    question: RoundQuestion,
    previous: RoundAnswer | None,
    user_id: int,
    choice: str,
    at: datetime,
    *,
    running: bool = True,
) -> RoundAnswer | Refusal:
    """Whether a click made at `at` on `question` counts, given the student's earlier answer to
    it (`previous`): the answer to record, or why not. The first answer is final; a click at the
    deadline still counts, after it (or once the question closed, or the round ended) it is
    TooLate. An option the question does not have is forged and raises `Forged`."""
    at = utc(at)
    typed = question.typed
    if previous is not None:
        return FirstAnswerStands(previous.choice, typed)
    if at > question.deadline or question.closed or not running:
        return TooLate(question.deadline)
    given = _normalise(question, choice)
    if isinstance(given, Refusal):
        return given
    return RoundAnswer(user_id, given, at, seconds_between(question.opened_at, at))


def judge_assessment(
    question: RoundQuestion, previous: RoundAnswer | None, assessment: str
) -> SelfAssessment | Refusal:
    """A student's judgement of their typed answer to `question` (`previous`, if they gave one),
    by the rule quizzes share (`scoring.judge_self_assessment`): after the reveal, once. A
    question that takes no judgement, or a value that is none, is forged and raises."""
    if not question.self_assessed:
        raise Forged("That question takes no self-assessment.")
    return judge_self_assessment(
        assessment,
        revealed=question.closed,
        answered=previous is not None,
        previous=previous.assessment if previous is not None else None,
    )


def _replace_question(state: RoundState, question: RoundQuestion) -> RoundState:
    asked = tuple(question if q.question_id == question.question_id else q for q in state.asked)
    return replace(state, asked=asked)


def close_current(state: RoundState, now: datetime, *, skip: bool = False) -> RoundState:
    """Close the open question for its reveal: when time is up, or early on skip. Closing a closed
    question changes nothing (a timer may fire twice after a restart)."""
    now = utc(now)
    question = state.current
    if question is None or question.closed:
        return state
    if not skip and now < question.deadline:
        raise RoundError("Time is not up yet; use skip to reveal early.")
    # A question skipped (or stopped) while paused closes, and the pause ends with it.
    return replace(_replace_question(state, replace(question, closed_at=now)), paused_at=None)


def next_question(state: RoundState, topic: Topic, now: datetime) -> RoundState:
    """Open the next question once the current one is closed; after the last, the round finishes."""
    now = utc(now)
    if not state.running:
        raise RoundError("This round is over.")
    if state.current is not None and not state.current.closed:
        raise RoundError("The current question is still open.")
    if topic.id != state.topic_id:
        raise RoundError("That is not this round's topic.")
    return _open_next(state, topic, now)


def stop(state: RoundState, now: datetime) -> RoundState:
    """End the round now (`/round stop`): the open question closes, the rest are not asked."""
    now = utc(now)
    if not state.running:
        return state
    closed = close_current(state, now, skip=True)
    return replace(closed, status=RoundStatus.STOPPED, ended_at=now)


def finish(state: RoundState, now: datetime) -> RoundState:
    """Mark a round whose last question closed as finished."""
    if not state.running:
        return state
    return replace(close_current(state, now, skip=True), status=RoundStatus.FINISHED, ended_at=now)
