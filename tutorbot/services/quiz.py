"""Use cases of a private quiz: start, answer, reveal, write, self-assess, next, stop.

Each step loads the session, applies the domain rule, and saves the new state together with the
answer it produced in one compare-and-swap commit (`QuizStore.save_step`): a click the student
was told about is recorded, and a racing second click changes nothing. A step that cannot happen
returns a `Refusal` (the domain's, or one of the three below), never raises it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutorbot.content.models import Question, Topic
from tutorbot.domain import progress as progress_rules
from tutorbot.domain import quiz as rules
from tutorbot.domain.quiz import QuizRefused, QuizState
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.scoring import SelfAssessment, quiz_points
from tutorbot.storage.quizzes import NewAnswer, QuizSession

if TYPE_CHECKING:
    from tutorbot.services import Services


@dataclass(frozen=True)
class QuizGone(QuizRefused):
    """A button of a quiz the database no longer has (deleted by /forgetme, say)."""

    default = "This quiz no longer exists. Start a new one with /quiz."


@dataclass(frozen=True)
class StepConflict(QuizRefused):
    """A step that lost the compare-and-swap: another click moved the quiz first."""

    default = "That click was already counted."


@dataclass(frozen=True)
class BadPosition(QuizRefused):
    """A button of a question that is not, or no longer, the one on screen."""

    default = "This button belongs to a question that is no longer on screen."


@dataclass(frozen=True)
class Screen:
    """A quiz at its current question, for the renderers."""

    session_id: int
    topic: Topic
    state: QuizState
    question: Question

    @property
    def number(self) -> int:
        """1-based number of the question on screen."""
        return self.state.position + 1

    @property
    def total(self) -> int:
        """How many questions the quiz has."""
        return len(self.state.question_ids)


@dataclass(frozen=True)
class QuizEnd:
    """A finished quiz: the summary and what it changed in the student's progress."""

    session_id: int
    topic: Topic
    summary: rules.QuizSummary
    newly_mastered: bool
    unlocked: tuple[Topic, ...]
    review: tuple[Topic, ...]
    next_topics: tuple[Topic, ...]


class QuizService:
    """Private quizzes, one active per student."""

    def __init__(self, services: Services, rng: random.Random | None = None) -> None:
        self._s = services
        self._rng = rng or random.Random()  # noqa: S311 (shuffles questions, no secret)

    async def active(self, user_id: int) -> QuizSession | None:
        """The student's quiz in progress, if any."""
        return await self._s.storage.quizzes.active_for(user_id)

    async def start(
        self,
        *,
        user_id: int,
        guild_id: int | None,
        channel_id: int,
        topic: Topic,
        count: int | None,
    ) -> Screen | Refusal:
        """A new quiz on `topic` (abandoning any other), at its first question."""
        now = self._s.clock()
        state = rules.start_quiz(topic, user_id, now, self._rng, count)
        if isinstance(state, Refusal):
            return state
        session = await self._s.storage.quizzes.create(
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            topic_id=topic.id,
            question_ids=state.question_ids,
            now=now,
            state=state.to_dict(),
            reveal_at=state.reveal_at,
        )
        return self._screen(session.id, topic, state)

    async def attach_message(self, session_id: int, message_id: int) -> None:
        """Remember which message the quiz lives in."""
        await self._s.storage.quizzes.update(session_id, now=self._s.clock(), message_id=message_id)

    async def current(self, session_id: int, user_id: int) -> Screen | Refusal:
        """Where an active quiz stands (used to resume one)."""
        loaded = await self._load(session_id, user_id)
        if isinstance(loaded, Refusal):
            return loaded
        session, state, topic = loaded
        if topic is None:
            return rules.TopicRemoved()
        return self._screen(session.id, topic, state)

    async def answer(
        self, session_id: int, user_id: int, position: int, choice: str
    ) -> tuple[Screen, rules.Answered] | Refusal:
        """A multiple-choice letter or true/false answer to the question at `position`."""
        at = await self._at(session_id, user_id, position)
        if isinstance(at, Refusal):
            return at
        session, state, topic, question_id = at
        result = rules.answer(state, topic, user_id, question_id, choice, self._s.clock())
        if isinstance(result, Refusal):
            return result
        record = NewAnswer(
            question_id,
            result.given,
            result.correct,
            result.seconds,
            quiz_points(1.0 if result.correct else 0.0),
        )
        saved = await self._save(session, result.state, record)
        if isinstance(saved, Refusal):
            return saved
        return Screen(session.id, topic, result.state, result.question), result

    async def reveal(
        self, session_id: int, user_id: int, position: int
    ) -> tuple[Screen, rules.NotYet | rules.Revealed] | Refusal:
        """The model answer of a free-response question, once its think time has passed."""
        at = await self._at(session_id, user_id, position)
        if isinstance(at, Refusal):
            return at
        session, state, topic, question_id = at
        result = rules.reveal(state, topic, user_id, question_id, self._s.clock())
        if isinstance(result, Refusal):
            return result
        if isinstance(result, rules.Revealed) and result.state != state:
            saved = await self._save(session, result.state)
            if isinstance(saved, Refusal):
                return saved
        question = topic.question(question_id)
        if question is None:  # rules.reveal refuses a removed question before this
            return rules.QuestionRemoved()
        return Screen(session.id, topic, result.state, question), result

    async def check_writable(self, session_id: int, user_id: int, position: int) -> Refusal | None:
        """Why a form may not be opened for the question at `position` (as `write` would
        refuse), or None when it may."""
        at = await self._at(session_id, user_id, position)
        if isinstance(at, Refusal):
            return at
        _, state, topic, question_id = at
        written = rules.write_answer(state, topic, user_id, question_id, "")
        return written if isinstance(written, Refusal) else None

    async def write(
        self, session_id: int, user_id: int, position: int, text: str
    ) -> Screen | Refusal:
        """Keep the student's own answer to show beside the model answer."""
        at = await self._at(session_id, user_id, position)
        if isinstance(at, Refusal):
            return at
        session, state, topic, question_id = at
        new = rules.write_answer(state, topic, user_id, question_id, text)
        if isinstance(new, Refusal):
            return new
        saved = await self._save(session, new)
        if isinstance(saved, Refusal):
            return saved
        return self._screen(session.id, topic, new)

    async def assess(
        self, session_id: int, user_id: int, position: int, assessment: str
    ) -> tuple[Screen, rules.Assessed, rules.Revealed] | Refusal:
        """Got it / Partly / Missed it for a revealed free-response question."""
        at = await self._at(session_id, user_id, position)
        if isinstance(at, Refusal):
            return at
        session, state, topic, question_id = at
        now = self._s.clock()
        result = rules.self_assess(state, topic, user_id, question_id, assessment, now)
        if isinstance(result, Refusal):
            return result
        judged = SelfAssessment(result.assessment)
        record = NewAnswer(
            question_id, judged.value, result.credit >= 1.0, None, quiz_points(result.credit)
        )
        saved = await self._save(session, result.state, record)
        if isinstance(saved, Refusal):
            return saved
        q = result.question
        revealed = rules.Revealed(result.state, q, q.answer_text(), q.explanation, state.written)
        return Screen(session.id, topic, result.state, q), result, revealed

    async def next(
        self, session_id: int, user_id: int, position: int
    ) -> Screen | QuizEnd | Refusal:
        """Move past the answered question at `position`; after the last, the summary."""
        at = await self._at(session_id, user_id, position)
        if isinstance(at, Refusal):
            return at
        session, state, topic, _ = at
        new = rules.next_question(state, topic, user_id, self._s.clock())
        if isinstance(new, Refusal):
            return new
        if new.finished:
            return await self._finish(session, new, topic)
        saved = await self._save(session, new)
        if isinstance(saved, Refusal):
            return saved
        return self._screen(session.id, topic, new)

    async def stop(self, session_id: int, user_id: int) -> QuizEnd | Refusal:
        """End the quiz now; unanswered questions count as missed."""
        loaded = await self._load(session_id, user_id)
        if isinstance(loaded, Refusal):
            return loaded
        session, state, topic = loaded
        if topic is None:
            await self._s.storage.quizzes.finish(session.id, self._s.clock(), "abandoned")
            return rules.TopicRemoved()
        return await self._finish(session, rules.finish(state, self._s.clock()), topic)

    async def _finish(
        self, session: QuizSession, state: QuizState, topic: Topic
    ) -> QuizEnd | Refusal:
        summary = rules.summarize(state)
        student = await self._s.progress.student(session.user_id)
        newly = summary.mastered and topic.id not in student.mastered
        saved = await self._save(session, state, mastered=summary.mastered)
        if isinstance(saved, Refusal):
            return saved
        graph = self._s.library.graph
        unlocked = progress_rules.newly_unlocked(graph, student.known, topic.id) if newly else ()
        review = (
            progress_rules.prerequisites_to_review(graph, topic.id, student.mastered)
            if summary.missed
            else ()
        )
        after = await self._s.progress.overview(session.user_id)
        return QuizEnd(
            session.id,
            topic,
            summary,
            newly,
            self._topics(unlocked),
            self._topics(review),
            self._topics(after.next_topics),
        )

    def _topics(self, ids: tuple[str, ...] | list[str]) -> tuple[Topic, ...]:
        found = (self._s.library.get(t) for t in ids)
        return tuple(t for t in found if t is not None)

    async def _load(
        self, session_id: int, user_id: int
    ) -> tuple[QuizSession, QuizState, Topic | None] | Refusal:
        session = await self._s.storage.quizzes.get(session_id)
        if session is None:
            return QuizGone()
        if session.user_id != user_id:
            return rules.NotYourQuiz()
        if session.status != "active":
            return rules.QuizFinished()
        return session, QuizState.from_dict(session.state), self._s.library.get(session.topic_id)

    async def _at(
        self, session_id: int, user_id: int, position: int
    ) -> tuple[QuizSession, QuizState, Topic, str] | Refusal:
        """The quiz, its topic and the id of the question a button at `position` refers to."""
        loaded = await self._load(session_id, user_id)
        if isinstance(loaded, Refusal):
            return loaded
        session, state, topic = loaded
        question_id = self._question_at(state, position)
        if isinstance(question_id, Refusal):
            return question_id
        if topic is None:
            return rules.TopicRemoved()
        return session, state, topic, question_id

    @staticmethod
    def _question_at(state: QuizState, position: int) -> str | Refusal:
        """The question a button at `position` refers to; stale positions are refused."""
        if not 0 <= position < len(state.question_ids):
            return BadPosition()
        question_id = state.question_ids[position]
        if position != state.position:
            previous = state.answer_for(question_id)
            if previous is not None:
                return rules.AlreadyAnswered(previous.given)
            return BadPosition()
        return question_id

    async def _save(
        self,
        session: QuizSession,
        state: QuizState,
        answer: NewAnswer | None = None,
        *,
        mastered: bool = False,
    ) -> QuizSession | Refusal:
        saved = await self._s.storage.quizzes.save_step(
            session,
            now=self._s.clock(),
            state=state.to_dict(),
            position=state.position,
            reveal_at=state.reveal_at,
            status="finished" if state.finished else "active",
            answer=answer,
            mastered=mastered,
        )
        if saved is None:
            return StepConflict()
        return saved

    def _screen(self, session_id: int, topic: Topic, state: QuizState) -> Screen | Refusal:
        question_id = state.current_id
        question = topic.question(question_id) if question_id else None
        if question is None:
            return rules.QuestionRemoved()
        return Screen(session_id, topic, state, question)
