"""A timed group round in a channel: settings, one question at a time, answers, reveal, scores.

The round snapshots what it needs from each question when it opens it (kind, options, correct
answer), so a content reload mid-round cannot change how answers already given are scored.
Every click is judged by the time it was made (`at`, the interaction's own timestamp), not by
when it was processed. What a round shows and leaves behind (the reveal, standings, podium, CSV
and report) is computed from the state in `round_results`, never stored.

Life of a round: start (question 1 opens) -> answers -> close (time up, skip or stop; the reveal)
-> next question ... -> finished. Free-response answers are typed; after the reveal each student
who answered judges their own answer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from tutorbot.content.models import QuestionType, Topic
from tutorbot.domain._time import from_iso, required_iso, seconds_between, to_iso, utc
from tutorbot.domain.refusals import Forged, Refusal
from tutorbot.domain.scoring import (
    ASSESSMENT_LABELS,
    ScoringMode,
    SelfAssessment,
    answer_points,
    credit,
    judge_self_assessment,
    self_assessed_points,
)

MIN_QUESTIONS, MAX_QUESTIONS, DEFAULT_QUESTIONS = 1, 50, 10
MIN_SECONDS, MAX_SECONDS, DEFAULT_SECONDS = 5, 300, 20
MAX_TYPED_ANSWER = 1000
TRUE_FALSE_OPTIONS = ("True", "False")


class InvalidSettings(ValueError):
    """A round setting out of range; the message is fit to show the instructor."""


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


class RoundStatus(StrEnum):
    """Whether a round is on, ran to its end, or was stopped by an instructor."""

    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"


@dataclass(frozen=True)
class RoundSettings:
    """`/round start` options, validated on construction."""

    questions: int = DEFAULT_QUESTIONS
    seconds: int = DEFAULT_SECONDS
    scoring: ScoringMode = ScoringMode.SPEED

    def __post_init__(self) -> None:
        if not MIN_QUESTIONS <= self.questions <= MAX_QUESTIONS:
            raise InvalidSettings(
                f"questions must be between {MIN_QUESTIONS} and {MAX_QUESTIONS}, "
                f"got {self.questions}"
            )
        if not MIN_SECONDS <= self.seconds <= MAX_SECONDS:
            raise InvalidSettings(
                f"seconds must be between {MIN_SECONDS} and {MAX_SECONDS}, got {self.seconds}"
            )
        try:
            object.__setattr__(self, "scoring", ScoringMode(self.scoring))
        except ValueError:
            raise InvalidSettings(f"scoring must be speed or flat, got {self.scoring!r}") from None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, kept inside the round's state."""
        return {"questions": self.questions, "seconds": self.seconds, "scoring": self.scoring.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoundSettings:
        """Inverse of `to_dict` (checked again, as any settings are)."""
        return cls(int(data["questions"]), int(data["seconds"]), ScoringMode(data["scoring"]))


@dataclass(frozen=True)
class RoundAnswer:
    """One student's answer: a letter, "True"/"False", or typed text for free response."""

    user_id: int
    choice: str
    answered_at: datetime
    seconds: float
    assessment: SelfAssessment | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, kept inside the round's state."""
        return {
            "user_id": self.user_id,
            "choice": self.choice,
            "answered_at": to_iso(self.answered_at),
            "seconds": self.seconds,
            "assessment": self.assessment.value if self.assessment else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoundAnswer:
        """Inverse of `to_dict`."""
        answered_at = required_iso(data["answered_at"])
        assessment = data.get("assessment")
        return cls(
            user_id=int(data["user_id"]),
            choice=str(data["choice"]),
            answered_at=answered_at,
            seconds=float(data["seconds"]),
            assessment=SelfAssessment(assessment) if assessment else None,
        )


@dataclass(frozen=True)
class RoundQuestion:
    """One asked question: its snapshot, its clock and its answers (first answer per user only)."""

    question_id: str
    kind: QuestionType
    options: tuple[str, ...]
    correct: str | None
    opened_at: datetime
    deadline: datetime
    answers: tuple[RoundAnswer, ...] = ()
    closed_at: datetime | None = None

    @property
    def closed(self) -> bool:
        """Whether the question was closed: it takes no more answers."""
        return self.closed_at is not None

    @property
    def limit(self) -> float:
        """Seconds from opening to deadline: the time speed scoring measures against."""
        return (self.deadline - self.opened_at).total_seconds()

    def answer_of(self, user_id: int) -> RoundAnswer | None:
        """This student's answer (the first is the only one kept), or None."""
        return next((a for a in self.answers if a.user_id == user_id), None)

    def credit_of(self, answer: RoundAnswer) -> float:
        """1 for a right choice, the self-assessed credit for free response, else 0."""
        if self.kind is QuestionType.FREE_RESPONSE:
            return credit(answer.assessment) if answer.assessment else 0.0
        return 1.0 if answer.choice == self.correct else 0.0

    def points_of(self, answer: RoundAnswer, scoring: ScoringMode) -> int:
        """Points this answer earns under the round's scoring."""
        if self.kind is QuestionType.FREE_RESPONSE:
            return self_assessed_points(answer.assessment) if answer.assessment else 0
        return answer_points(answer.choice == self.correct, answer.seconds, self.limit, scoring)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, kept inside the round's state."""
        return {
            "question_id": self.question_id,
            "kind": self.kind.value,
            "options": list(self.options),
            "correct": self.correct,
            "opened_at": to_iso(self.opened_at),
            "deadline": to_iso(self.deadline),
            "answers": [a.to_dict() for a in self.answers],
            "closed_at": to_iso(self.closed_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoundQuestion:
        """Inverse of `to_dict`."""
        opened_at, deadline = required_iso(data["opened_at"]), required_iso(data["deadline"])
        return cls(
            question_id=str(data["question_id"]),
            kind=QuestionType(data["kind"]),
            options=tuple(str(o) for o in data.get("options", ())),
            correct=data.get("correct"),
            opened_at=opened_at,
            deadline=deadline,
            answers=tuple(RoundAnswer.from_dict(a) for a in data.get("answers", ())),
            closed_at=from_iso(data.get("closed_at")),
        )


def settings_from(questions: int, seconds: int, scoring: str) -> RoundSettings | Refusal:
    """The round settings asked for, or why not: the one check of `/round start` options and of
    a server's round defaults."""
    try:
        mode = ScoringMode(scoring)
    except ValueError:
        return BadSettings(f"scoring must be speed or flat, got {scoring!r}")
    try:
        return RoundSettings(questions, seconds, mode)
    except InvalidSettings as exc:
        return BadSettings(str(exc))


_STATE_KEYS = frozenset(
    {"topic_id", "instructor_id", "settings", "question_ids", "skipped", "asked", "status",
     "started_at", "ended_at"}
)  # fmt: skip


@dataclass(frozen=True)
class RoundState:
    """A round; `asked` holds the questions opened so far, the last one being the current one.

    `question_ids` are the questions drawn at the start and never change (a question's place in
    them is the index its buttons and answers carry); `skipped` are those a content reload
    removed before they were asked.
    """

    topic_id: str
    instructor_id: int | None
    """Who runs the round; None once they asked to be forgotten (the round stays for others)."""
    settings: RoundSettings
    question_ids: tuple[str, ...]
    started_at: datetime
    asked: tuple[RoundQuestion, ...] = ()
    status: RoundStatus = RoundStatus.RUNNING
    ended_at: datetime | None = None
    skipped: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def current(self) -> RoundQuestion | None:
        """The question most recently opened (possibly closed, awaiting next), if any."""
        return self.asked[-1] if self.asked else None

    @property
    def running(self) -> bool:
        """Whether the round still asks questions."""
        return self.status is RoundStatus.RUNNING

    @property
    def remaining(self) -> tuple[str, ...]:
        """Question ids not opened yet and not skipped (some may be removed from content)."""
        done = {q.question_id for q in self.asked} | set(self.skipped)
        return tuple(q for q in self.question_ids if q not in done)

    @property
    def total(self) -> int:
        """How many questions the round asks: those drawn, less those skipped."""
        return len(self.question_ids) - len(self.skipped)

    def index_of(self, question_id: str) -> int:
        """A drawn question's place in `question_ids` (what its buttons and answers carry)."""
        return self.question_ids.index(question_id)

    def question_at(self, index: int) -> RoundQuestion | None:
        """The asked question at place `index` of `question_ids`; None for any other index."""
        if not 0 <= index < len(self.question_ids):
            return None
        return self.question(self.question_ids[index])

    def question(self, question_id: str) -> RoundQuestion | None:
        """The asked question with this id, or None if the round has not asked it."""
        return next((q for q in self.asked if q.question_id == question_id), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form; unknown keys read by `from_dict` are kept in `extra` and written back."""
        return {
            **self.extra,
            "topic_id": self.topic_id,
            "instructor_id": self.instructor_id,
            "settings": self.settings.to_dict(),
            "question_ids": list(self.question_ids),
            "skipped": list(self.skipped),
            "asked": [q.to_dict() for q in self.asked],
            "status": self.status.value,
            "started_at": to_iso(self.started_at),
            "ended_at": to_iso(self.ended_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoundState:
        """Inverse of `to_dict`, tolerant of keys a newer version added."""
        started_at = required_iso(data["started_at"])
        return cls(
            topic_id=str(data["topic_id"]),
            instructor_id=None if data.get("instructor_id") is None else int(data["instructor_id"]),
            settings=RoundSettings.from_dict(data["settings"]),
            question_ids=tuple(str(q) for q in data["question_ids"]),
            started_at=started_at,
            asked=tuple(RoundQuestion.from_dict(q) for q in data.get("asked", ())),
            status=RoundStatus(data.get("status", RoundStatus.RUNNING)),
            ended_at=from_iso(data.get("ended_at")),
            skipped=tuple(str(q) for q in data.get("skipped", ())),
            extra={k: v for k, v in data.items() if k not in _STATE_KEYS},
        )


# Outcomes of a click on an answer button: Locked, or a Refusal.
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


def _snapshot(topic: Topic, question_id: str, now: datetime, seconds: int) -> RoundQuestion | None:
    question = topic.question(question_id)
    if question is None:
        return None
    if question.type is QuestionType.MULTIPLE_CHOICE:
        options: tuple[str, ...] = tuple(question.letters)
        correct: str | None = str(question.answer)
    elif question.type is QuestionType.TRUE_FALSE:
        options, correct = TRUE_FALSE_OPTIONS, ("True" if question.answer else "False")
    else:
        options, correct = (), None
    return RoundQuestion(
        question_id=question_id,
        kind=question.type,
        options=options,
        correct=correct,
        opened_at=now,
        deadline=now + timedelta(seconds=seconds),
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
    text = text.capitalize() if question.kind is QuestionType.TRUE_FALSE else text.upper()
    if text not in question.options:
        raise Forged("That is not one of this question's options.")
    return text


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
    typed = question.kind is QuestionType.FREE_RESPONSE
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
    if question.kind is not QuestionType.FREE_RESPONSE:
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
    return _replace_question(state, replace(question, closed_at=now))


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
