"""A student's private quiz on one topic: a small state machine over the topic's questions.

Each step is a pure function `step(state, ..., now) -> result` whose result carries the new state
and what the student should see; a click that cannot do anything returns a `QuizRefused` (a
`Refusal`, carrying the words the student sees) and changes nothing. Questions are looked up in the
current `Topic` at every step, so a question removed from content is noticed (QuestionRemoved) and
skipped by `next_question` instead of wedging the quiz.

Life of one question: shown (at `shown_at`) -> answered (multiple choice, true/false: `answer`;
short answer, numeric: `answer_typed`, judged by `typed_answers`) or revealed -> self-assessed
(free response) -> `next_question`. Next after the last question finishes the quiz.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from tutorbot.content.models import TYPED, Question, QuestionType, Topic
from tutorbot.domain import typed_answers
from tutorbot.domain._time import from_iso, required_iso, seconds_between, to_iso, utc
from tutorbot.domain.placement import quiz_order
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.scoring import (
    SelfAssessment,
    credit,
    fraction,
    is_mastered,
    judge_self_assessment,
)

MAX_WRITTEN_ANSWER = 4000
MIN_QUIZ_QUESTIONS, MAX_QUIZ_QUESTIONS = 1, 50


class QuizRefused(Refusal):
    """A click the quiz cannot act on; each subclass says which, in the words the student sees."""

    __slots__ = ()


@dataclass(frozen=True)
class NotYourQuiz(QuizRefused):
    """A click on another student's quiz (its buttons are visible to the whole channel)."""

    default = "This quiz belongs to someone else; start your own with /quiz."


@dataclass(frozen=True)
class AlreadyAnswered(QuizRefused):
    """A second answer to the same question; the first one counts and is named back."""

    given: str

    @property
    def text(self) -> str:
        """What the student is told."""
        return f"You already answered this question ({self.given})."


@dataclass(frozen=True)
class NotCurrentQuestion(QuizRefused):
    """A click on a question the quiz has moved past (an older message's buttons)."""

    default = "That question is not the one your quiz is on now."


@dataclass(frozen=True)
class NotAnsweredYet(QuizRefused):
    """Next pressed before the question on screen was answered."""

    default = "Answer this question first, then press Next."


@dataclass(frozen=True)
class WrongKind(QuizRefused):
    """A button of another kind than the question takes (a choice for a free response one)."""

    default = "That button does not fit this kind of question."


@dataclass(frozen=True)
class NothingTyped(QuizRefused):
    """A typed answer (short answer, numeric) that is empty once its spaces are trimmed."""

    default = "Type your answer first: nothing was recorded."


@dataclass(frozen=True)
class InvalidChoice(QuizRefused):
    """A choice the question does not offer (a letter past its last option, say)."""

    default = "That is not one of this question's options."


@dataclass(frozen=True)
class QuestionRemoved(QuizRefused):
    """An answer to a question that a content reload removed; Next still moves on."""

    default = "This question was removed from the content; press Next to go on."


@dataclass(frozen=True)
class TopicRemoved(QuizRefused):
    """Any step of a quiz whose topic a content reload removed."""

    default = "This topic was removed from the content, so the quiz cannot go on."


@dataclass(frozen=True)
class NoQuestions(QuizRefused):
    """A quiz asked for on a topic without questions."""

    default = "This topic has no questions yet."


@dataclass(frozen=True)
class BadQuestionCount(QuizRefused):
    """A question count outside MIN_QUIZ_QUESTIONS..MAX_QUIZ_QUESTIONS."""

    default = (
        f"A quiz has between {MIN_QUIZ_QUESTIONS} and {MAX_QUIZ_QUESTIONS} questions; "
        "leave the number out to get all of the topic's."
    )


@dataclass(frozen=True)
class QuizFinished(QuizRefused):
    """Any step of a quiz that has already ended."""

    default = "This quiz is over; start a new one with /quiz."


class Deck(Protocol):
    """Where a quiz's questions come from: a `Topic`, or a review's `ReviewDeck`."""

    @property
    def id(self) -> str:
        """The topic id the quiz's state carries."""

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None once content removed it."""


@dataclass(frozen=True)
class QuizAnswer:
    """One answered question: what was given ("B", "True", or a self-assessment) and its credit."""

    question_id: str
    given: str
    credit: float
    seconds: float
    answered_at: datetime
    written: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, kept inside the quiz's state."""
        return {
            "question_id": self.question_id,
            "given": self.given,
            "credit": self.credit,
            "seconds": self.seconds,
            "answered_at": to_iso(self.answered_at),
            "written": self.written,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuizAnswer:
        """Inverse of `to_dict`."""
        answered_at = required_iso(data["answered_at"])
        return cls(
            question_id=str(data["question_id"]),
            given=str(data["given"]),
            credit=float(data["credit"]),
            seconds=float(data["seconds"]),
            answered_at=answered_at,
            written=data.get("written"),
        )


@dataclass(frozen=True)
class QuizState:
    """Everything a quiz remembers; `to_dict()` is what storage keeps in its `state` column."""

    user_id: int
    topic_id: str
    question_ids: tuple[str, ...]
    started_at: datetime
    position: int = 0
    shown_at: datetime | None = None
    reveal_at: datetime | None = None
    revealed: bool = False
    written: str | None = None
    answers: tuple[QuizAnswer, ...] = ()
    skipped: tuple[str, ...] = ()
    finished_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def finished(self) -> bool:
        """Whether the quiz has ended (past its last question, or given up)."""
        return self.finished_at is not None

    @property
    def current_id(self) -> str | None:
        """Id of the question on screen, or None once the quiz is finished."""
        if self.finished or self.position >= len(self.question_ids):
            return None
        return self.question_ids[self.position]

    def answer_for(self, question_id: str) -> QuizAnswer | None:
        """The answer given to this question, or None if it has none yet."""
        return next((a for a in self.answers if a.question_id == question_id), None)

    @property
    def is_last(self) -> bool:
        """Whether the question on screen is the quiz's last (Next then shows the summary)."""
        return self.position >= len(self.question_ids) - 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form; unknown keys read by `from_dict` are kept in `extra` and written back."""
        return {
            **self.extra,
            "user_id": self.user_id,
            "topic_id": self.topic_id,
            "question_ids": list(self.question_ids),
            "started_at": to_iso(self.started_at),
            "position": self.position,
            "shown_at": to_iso(self.shown_at),
            "reveal_at": to_iso(self.reveal_at),
            "revealed": self.revealed,
            "written": self.written,
            "answers": [a.to_dict() for a in self.answers],
            "skipped": list(self.skipped),
            "finished_at": to_iso(self.finished_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuizState:
        """Inverse of `to_dict`, tolerant of keys a newer version added."""
        started_at = required_iso(data["started_at"])
        known = {
            "user_id", "topic_id", "question_ids", "started_at", "position", "shown_at",
            "reveal_at", "revealed", "written", "answers", "skipped", "finished_at",
        }  # fmt: skip
        return cls(
            user_id=int(data["user_id"]),
            topic_id=str(data["topic_id"]),
            question_ids=tuple(str(q) for q in data["question_ids"]),
            started_at=started_at,
            position=int(data.get("position", 0)),
            shown_at=from_iso(data.get("shown_at")),
            reveal_at=from_iso(data.get("reveal_at")),
            revealed=bool(data.get("revealed", False)),
            written=data.get("written"),
            answers=tuple(QuizAnswer.from_dict(a) for a in data.get("answers", ())),
            skipped=tuple(str(q) for q in data.get("skipped", ())),
            finished_at=from_iso(data.get("finished_at")),
            extra={k: v for k, v in data.items() if k not in known},
        )


@dataclass(frozen=True)
class Answered:
    """Result of a multiple-choice, true/false or typed answer, for the "right or wrong" message.

    For a typed answer (`typed`), `given` is what the student typed (trimmed, at most
    `typed_answers.MAX_TYPED_ANSWER` characters) and `accepted` the accepted answer a near
    match (a typo forgiven) was taken for, None otherwise."""

    state: QuizState
    question: Question
    given: str
    correct: bool
    correct_answer: str
    explanation: str
    seconds: float
    is_last: bool
    typed: bool = False
    accepted: str | None = None


@dataclass(frozen=True)
class NotYet:
    """The model answer opens at `opens_at` (the question's think time has not passed)."""

    state: QuizState
    opens_at: datetime
    seconds_left: float


@dataclass(frozen=True)
class Revealed:
    """The model answer, shown beside what the student wrote (if anything)."""

    state: QuizState
    question: Question
    model_answer: str
    explanation: str
    written: str | None


@dataclass(frozen=True)
class Assessed:
    """Result of a free-response self-assessment."""

    state: QuizState
    question: Question
    assessment: SelfAssessment
    credit: float
    is_last: bool


@dataclass(frozen=True)
class QuizSummary:
    """The end of a quiz: score out of count, percentage, mastery and what was missed.

    `missed` lists the questions that earned less than full credit ("partly" included: both are
    worth reviewing), in the order they were asked. Questions removed from content mid-quiz are
    not counted.
    """

    topic_id: str
    score: float
    count: int
    percentage: float
    mastered: bool
    missed: tuple[str, ...]
    unanswered: tuple[str, ...]
    seconds: float


def _reveal_at(question: Question, shown_at: datetime) -> datetime:
    return shown_at + timedelta(seconds=question.think_seconds or 0)


def _show(state: QuizState, topic: Deck, now: datetime) -> QuizState:
    """Advance past removed questions to the next one still in content and mark it shown."""
    position, skipped = state.position, list(state.skipped)
    while position < len(state.question_ids):
        question = topic.question(state.question_ids[position])
        if question is not None:
            return replace(
                state,
                position=position,
                shown_at=now,
                reveal_at=_reveal_at(question, now),
                revealed=False,
                written=None,
                skipped=tuple(skipped),
            )
        skipped.append(state.question_ids[position])
        position += 1
    return replace(
        state,
        position=position,
        shown_at=None,
        reveal_at=None,
        revealed=False,
        written=None,
        skipped=tuple(skipped),
        finished_at=now,
    )


def start_quiz(
    topic: Topic,
    user_id: int,
    now: datetime,
    rng: random.Random,
    count: int | None = None,
    seen: Collection[str] = (),
) -> QuizState | QuizRefused:
    """A new quiz on `topic`: `count` questions (default all, capped at what exists), shuffled,
    the questions `seen` in the student's latest placement last (`placement.quiz_order`)."""
    now = utc(now)
    if not topic.questions:
        return NoQuestions()
    if count is not None and not MIN_QUIZ_QUESTIONS <= count <= MAX_QUIZ_QUESTIONS:
        return BadQuestionCount()
    ids = [q.id for q in topic.questions]
    rng.shuffle(ids)
    ids = quiz_order(ids, seen)
    chosen = tuple(ids[: count or len(ids)])
    state = QuizState(user_id=user_id, topic_id=topic.id, question_ids=chosen, started_at=now)
    return _show(state, topic, now)


def start_review(
    deck: Deck, keys: tuple[str, ...], user_id: int, now: datetime
) -> QuizState | QuizRefused:
    """A review over `keys` (in the order given), at its first question still in content."""
    now = utc(now)
    if not keys:
        return NoQuestions()
    state = QuizState(user_id=user_id, topic_id=deck.id, question_ids=keys, started_at=now)
    return _show(state, deck, now)


def _current(
    state: QuizState, topic: Deck | None, user_id: int, question_id: str
) -> Question | QuizRefused:
    """The question a click addresses, or the first check that refuses the click."""
    if user_id != state.user_id:
        return NotYourQuiz()
    if topic is None or topic.id != state.topic_id:
        return TopicRemoved()
    previous = state.answer_for(question_id)
    if previous is not None:
        return AlreadyAnswered(previous.given)
    if state.finished:
        return QuizFinished()
    if question_id != state.current_id:
        return NotCurrentQuestion()
    question = topic.question(question_id)
    if question is None:
        return QuestionRemoved()
    return question


def _normalise_choice(question: Question, choice: str) -> tuple[str, bool] | QuizRefused:
    """The answer as shown ("B", "True") and whether it is right, or why it does not fit."""
    text = choice.strip()
    if question.type is QuestionType.MULTIPLE_CHOICE:
        letter = text.upper()
        if len(letter) != 1 or letter not in question.letters:
            return InvalidChoice()
        return letter, letter == question.answer
    if question.type is QuestionType.TRUE_FALSE:
        lowered = text.lower()
        if lowered not in ("true", "false"):
            return InvalidChoice()
        value = lowered == "true"
        return ("True" if value else "False"), value == question.answer
    return WrongKind()


def answer(
    state: QuizState,
    topic: Deck | None,
    user_id: int,
    question_id: str,
    choice: str,
    now: datetime,
) -> Answered | QuizRefused:
    """Record a multiple-choice letter ("A".."J") or true/false ("true"/"false") answer."""
    now = utc(now)
    question = _current(state, topic, user_id, question_id)
    if isinstance(question, QuizRefused):
        return question
    normalised = _normalise_choice(question, choice)
    if isinstance(normalised, QuizRefused):
        return normalised
    given, correct = normalised
    seconds = seconds_between(state.shown_at or now, now)
    record = QuizAnswer(question_id, given, 1.0 if correct else 0.0, seconds, now)
    new = replace(state, answers=(*state.answers, record))
    return Answered(
        state=new,
        question=question,
        given=given,
        correct=correct,
        correct_answer=question.answer_text(),
        explanation=question.explained,
        seconds=seconds,
        is_last=new.is_last,
    )


def answer_typed(
    state: QuizState,
    topic: Deck | None,
    user_id: int,
    question_id: str,
    text: str,
    now: datetime,
) -> Answered | Refusal:
    """Record a short-answer or numeric answer the student typed, judged at once by
    `typed_answers` (right: full credit; wrong: none). Nothing is recorded for an empty text, a
    numeric answer that is not a number (`typed_answers.NotANumber`, said politely), or a
    question of another kind (`WrongKind`)."""
    now = utc(now)
    question = typed_question(state, topic, user_id, question_id)
    if isinstance(question, QuizRefused):
        return question
    given = typed_answers.clean(text)
    judged = judge_typed(question, given)
    if isinstance(judged, Refusal):
        return judged
    seconds = seconds_between(state.shown_at or now, now)
    record = QuizAnswer(question_id, given, 1.0 if judged.correct else 0.0, seconds, now)
    new = replace(state, answers=(*state.answers, record))
    return Answered(
        state=new,
        question=question,
        given=given,
        correct=judged.correct,
        correct_answer=judged.expected,
        explanation=question.explained,
        seconds=seconds,
        is_last=new.is_last,
        typed=True,
        accepted=_shown_accepted(given, judged.accepted),
    )


def typed_question(
    state: QuizState, topic: Deck | None, user_id: int, question_id: str
) -> Question | QuizRefused:
    """The short-answer or numeric question on screen a typed answer addresses, or why none may
    be typed now (as `answer_typed` would refuse before reading the text)."""
    question = _current(state, topic, user_id, question_id)
    if isinstance(question, QuizRefused):
        return question
    if question.type not in TYPED:
        return WrongKind()
    return question


def judge_typed(question: Question, text: str) -> typed_answers.TypedJudgement | Refusal:
    """A typed answer to a short-answer or numeric question judged (the one rule quizzes,
    reviews and placements share), or why it cannot be: `WrongKind` for another kind of
    question, `NothingTyped` for an empty text, `typed_answers.NotANumber` for a numeric
    answer that is not a number."""
    if question.type not in TYPED:
        return WrongKind()
    given = typed_answers.clean(text)
    if not given:
        return NothingTyped()
    return typed_answers.judge(question, given)


def _shown_accepted(given: str, accepted: str | None) -> str | None:
    """The accepted answer worth naming beside what was typed: the one a near match (a typo)
    was taken for; None when the text typed matched it exactly (once normalised)."""
    if accepted is None or typed_answers.normalise(accepted) == typed_answers.normalise(given):
        return None
    return accepted


def _free_response(
    state: QuizState, topic: Deck | None, user_id: int, question_id: str
) -> Question | QuizRefused:
    question = _current(state, topic, user_id, question_id)
    if isinstance(question, QuizRefused):
        return question
    if question.type is not QuestionType.FREE_RESPONSE:
        return WrongKind()
    return question


def reveal(
    state: QuizState, topic: Deck | None, user_id: int, question_id: str, now: datetime
) -> NotYet | Revealed | QuizRefused:
    """The model answer once the think time has passed since the question was shown, else NotYet.

    Revealing again is harmless and shows the same answer (a restart may replay a click).
    """
    now = utc(now)
    question = _free_response(state, topic, user_id, question_id)
    if isinstance(question, QuizRefused):
        return question
    opens_at = state.reveal_at or now
    if not state.revealed and now < opens_at:
        return NotYet(state, opens_at, (opens_at - now).total_seconds())
    new = replace(state, revealed=True)
    return Revealed(new, question, question.answer_text(), question.explained, new.written)


def write_answer(
    state: QuizState, topic: Deck | None, user_id: int, question_id: str, text: str
) -> QuizState | QuizRefused:
    """Keep the student's own free-response answer (trimmed, at most 4000 characters)."""
    question = _free_response(state, topic, user_id, question_id)
    if isinstance(question, QuizRefused):
        return question
    cleaned = text.strip()[:MAX_WRITTEN_ANSWER]
    return replace(state, written=cleaned or None)


def self_assess(
    state: QuizState,
    topic: Deck | None,
    user_id: int,
    question_id: str,
    assessment: SelfAssessment | str,
    now: datetime,
) -> Assessed | Refusal:
    """Record Got it / Partly / Missed it (credit 1, 0.5, 0) after the model answer was revealed,
    by the rule rounds share (`scoring.judge_self_assessment`, whose refusal it returns as is).
    A value that is no judgement is forged and raises `Forged`."""
    now = utc(now)
    question = _free_response(state, topic, user_id, question_id)
    if isinstance(question, QuizRefused):
        return question
    judged = judge_self_assessment(assessment, revealed=state.revealed)
    if isinstance(judged, Refusal):
        return judged
    seconds = seconds_between(state.shown_at or now, now)
    record = QuizAnswer(question_id, judged.value, credit(judged), seconds, now, state.written)
    new = replace(state, answers=(*state.answers, record))
    return Assessed(new, question, judged, record.credit, new.is_last)


def next_question(
    state: QuizState, topic: Deck | None, user_id: int, now: datetime
) -> QuizState | QuizRefused:
    """Move on once the current question is answered (or was removed); after the last, finish."""
    now = utc(now)
    if user_id != state.user_id:
        return NotYourQuiz()
    if state.finished:
        return QuizFinished()
    if topic is None or topic.id != state.topic_id:
        return TopicRemoved()
    current = state.current_id
    if current is None:  # a position past the last question: nothing left to move on to
        return QuizFinished()
    answered = state.answer_for(current) is not None
    if not answered and topic.question(current) is not None:
        return NotAnsweredYet()
    skipped = state.skipped if answered else (*state.skipped, current)
    return _show(replace(state, position=state.position + 1, skipped=skipped), topic, now)


def finish(state: QuizState, now: datetime) -> QuizState:
    """End the quiz now (e.g. the student gave up); unanswered questions count as missed."""
    if state.finished:
        return state
    return replace(state, finished_at=utc(now), shown_at=None, reveal_at=None)


def summarize(state: QuizState) -> QuizSummary:
    """Score, percentage and mastery of a quiz (at any point; usually once it is finished)."""
    counted = [q for q in state.question_ids if q not in state.skipped]
    by_id = {a.question_id: a for a in state.answers}
    score = sum(a.credit for a in state.answers if a.question_id in counted)
    missed = tuple(q for q in counted if q not in by_id or by_id[q].credit < 1.0)
    unanswered = tuple(q for q in counted if q not in by_id)
    return QuizSummary(
        topic_id=state.topic_id,
        score=score,
        count=len(counted),
        percentage=round(100 * fraction(score, len(counted)), 1),
        mastered=is_mastered(score, len(counted)),
        missed=missed,
        unanswered=unanswered,
        seconds=sum(a.seconds for a in state.answers),
    )
