"""A group round's state, as plain frozen values: its settings, the questions asked (each with the
snapshot it was asked with and the answers given), and the round as a whole, with its JSON form.
A short-answer or numeric question's snapshot keeps its key (`RoundQuestion.key`), so its typed
answers are judged the same way whenever a round's results are computed, whatever the content says
by then.

The rules that move a round from one state to the next, and what they return, are in
`domain/rounds.py`; what a round shows and leaves behind is in `domain/round_results.py`. Kept
apart because the values are read everywhere (services, renderers, results, storage's JSON) while
the rules are applied only by the round services.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from tutorbot.content.models import TYPED, Question, QuestionType
from tutorbot.domain import typed_answers
from tutorbot.domain._time import from_iso, required_iso, to_iso
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.scoring import (
    ScoringMode,
    SelfAssessment,
    answer_points,
    credit,
    self_assessed_points,
)

MIN_QUESTIONS, MAX_QUESTIONS, DEFAULT_QUESTIONS = 1, 50, 10
MIN_SECONDS, MAX_SECONDS, DEFAULT_SECONDS = 5, 300, 20
MIN_TEAMS, MAX_TEAMS = 2, 8
MIN_PODIUM, MAX_PODIUM, DEFAULT_PODIUM = 3, 10, 3
WRITTEN = frozenset({QuestionType.FREE_RESPONSE, *TYPED})
"""The kinds a student answers in a form ("Write my answer", "Type my answer"), not by a button;
of them, only free response is judged by its author (short answer and numeric at once)."""


class InvalidSettings(ValueError):
    """A round setting out of range; the message is fit to show the instructor."""


class RoundStatus(StrEnum):
    """Whether a round is on, ran to its end, or was stopped by an instructor."""

    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"


@dataclass(frozen=True)
class RoundSettings:
    """`/round start` options, validated on construction.

    `teams` is 0 for no teams, else 2 to 8 (`team_names` one name per team, `team_roles` the
    role of each team when teams go by role, else empty); `streak` turns the streak bonus on;
    `podium` is how many places the end shows (3 to 10). Their rules are in
    `domain/round_options.py`."""

    questions: int = DEFAULT_QUESTIONS
    seconds: int = DEFAULT_SECONDS
    scoring: ScoringMode = ScoringMode.SPEED
    teams: int = 0
    streak: bool = False
    podium: int = DEFAULT_PODIUM
    team_names: tuple[str, ...] = ()
    team_roles: tuple[int, ...] = ()

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
        if self.teams != 0 and not MIN_TEAMS <= self.teams <= MAX_TEAMS:
            raise InvalidSettings(
                f"teams must be between {MIN_TEAMS} and {MAX_TEAMS}, got {self.teams}"
            )
        if not MIN_PODIUM <= self.podium <= MAX_PODIUM:
            raise InvalidSettings(
                f"podium must have between {MIN_PODIUM} and {MAX_PODIUM} places, got {self.podium}"
            )
        if self.team_roles and len(self.team_roles) != self.teams:
            raise InvalidSettings("each team needs one role when teams go by role")
        if self.team_names and len(self.team_names) != self.teams:
            raise InvalidSettings("each team needs one name")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, kept inside the round's state (options left at their default are
        left out, so a plain round's state is as it always was)."""
        data: dict[str, Any] = {
            "questions": self.questions,
            "seconds": self.seconds,
            "scoring": self.scoring.value,
        }
        if self.teams:
            data |= {
                "teams": self.teams,
                "team_names": list(self.team_names),
                "team_roles": [str(r) for r in self.team_roles],
            }
        if self.streak:
            data["streak"] = True
        if self.podium != DEFAULT_PODIUM:
            data["podium"] = self.podium
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoundSettings:
        """Inverse of `to_dict` (checked again, as any settings are)."""
        return cls(
            int(data["questions"]),
            int(data["seconds"]),
            ScoringMode(data["scoring"]),
            teams=int(data.get("teams", 0)),
            streak=bool(data.get("streak", False)),
            podium=int(data.get("podium", DEFAULT_PODIUM)),
            team_names=tuple(str(n) for n in data.get("team_names", ())),
            team_roles=tuple(int(r) for r in data.get("team_roles", ())),
        )


@dataclass(frozen=True)
class RoundAnswer:
    """One student's answer: a letter, "True"/"False", or the text typed for free response,
    a short answer or a number."""

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
    """One asked question: its snapshot, its clock and its answers (first answer per user only).

    Its answers are indexed by student the first time one is looked up (`answers_by_user`,
    `answer_of`), so judging a click or writing a class's results never scans them; the index is
    not a field, so it is neither compared nor stored, and a `replace`d question builds its own.
    """

    question_id: str
    kind: QuestionType
    options: tuple[str, ...]
    correct: str | None
    opened_at: datetime
    deadline: datetime
    answers: tuple[RoundAnswer, ...] = ()
    closed_at: datetime | None = None
    key: Question | None = None
    """A short answer's or a numeric question's key as it was when asked (its accepted answers,
    number, tolerance or range): what its typed answers are judged by (`typed_right`)."""

    @property
    def typed(self) -> bool:
        """Whether the question is answered by typing in a form rather than by a button."""
        return self.kind in WRITTEN

    @property
    def self_assessed(self) -> bool:
        """Whether each student judges their own answer after the reveal (free response)."""
        return self.kind is QuestionType.FREE_RESPONSE

    @cached_property
    def _verdicts(self) -> dict[str, bool]:
        """Typed answers already judged, by text (a class types many of the same)."""
        return {}

    def typed_right(self, text: str) -> bool:
        """Whether a typed short or numeric answer is right by the question's key (the one rule
        of `typed_answers.judge`); text that is no answer (not a number) is wrong."""
        if self.key is None:
            raise ValueError(f"question {self.question_id!r} has no key to judge typed answers")
        verdict = self._verdicts.get(text)
        if verdict is None:
            judged = typed_answers.judge(self.key, text)
            verdict = self._verdicts[text] = not isinstance(judged, Refusal) and judged.correct
        return verdict

    def is_right(self, answer: RoundAnswer) -> bool:
        """Whether a chosen or automatically judged answer is right (never free response)."""
        if self.kind in TYPED:
            return self.typed_right(answer.choice)
        return answer.choice == self.correct

    @property
    def closed(self) -> bool:
        """Whether the question was closed: it takes no more answers."""
        return self.closed_at is not None

    @cached_property
    def limit(self) -> float:
        """Seconds from opening to deadline: the time speed scoring measures against."""
        return (self.deadline - self.opened_at).total_seconds()

    @cached_property
    def answers_by_user(self) -> Mapping[int, RoundAnswer]:
        """Each student's answer (the first, the only one kept), by user id; built once per
        question value, in no particular order."""
        return {a.user_id: a for a in reversed(self.answers)}

    def answer_of(self, user_id: int) -> RoundAnswer | None:
        """This student's answer (the first is the only one kept), or None."""
        return self.answers_by_user.get(user_id)

    def credit_of(self, answer: RoundAnswer) -> float:
        """1 for a right choice or typed answer, the self-assessed credit for free response,
        else 0."""
        if self.self_assessed:
            return credit(answer.assessment) if answer.assessment else 0.0
        return 1.0 if self.is_right(answer) else 0.0

    def points_of(self, answer: RoundAnswer, scoring: ScoringMode) -> int:
        """Points this answer earns under the round's scoring."""
        if self.self_assessed:
            return self_assessed_points(answer.assessment) if answer.assessment else 0
        return answer_points(self.is_right(answer), answer.seconds, self.limit, scoring)

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
            **({"key": self.key.model_dump(mode="json", exclude_none=True)} if self.key else {}),
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
            key=Question.model_validate(data["key"]) if data.get("key") else None,
        )


_STATE_KEYS = frozenset(
    {"topic_id", "instructor_id", "settings", "question_ids", "skipped", "asked", "status",
     "started_at", "ended_at", "paused_at"}
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
    paused_at: datetime | None = None
    """When `/round pause` stopped the open question's countdown; None while it runs (see
    `round_options.pause`)."""

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

    @cached_property
    def _asked_by_id(self) -> dict[str, RoundQuestion]:
        """The asked questions by id (built once per state value)."""
        return {q.question_id: q for q in reversed(self.asked)}

    def question(self, question_id: str) -> RoundQuestion | None:
        """The asked question with this id, or None if the round has not asked it."""
        return self._asked_by_id.get(question_id)

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
            **({"paused_at": to_iso(self.paused_at)} if self.paused_at else {}),
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
            paused_at=from_iso(data.get("paused_at")),
        )
