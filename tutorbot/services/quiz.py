"""Use cases of a private quiz: start, answer, reveal, write, self-assess, next, stop.

Each step loads the session, applies the domain rule, and saves the new state together with the
answer it produced in one compare-and-swap commit (`QuizStore.save_step`): a click the student
was told about is recorded, and a racing second click changes nothing. A step that cannot happen
returns a `Refusal` (the domain's, or one of the three below), never raises it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from tutorbot.content.models import Question, Topic
from tutorbot.domain import progress as progress_rules
from tutorbot.domain import quiz as rules
from tutorbot.domain.memory import Rating, rating_for_assessment, rating_for_choice
from tutorbot.domain.quiz import QuizRefused, QuizState
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.review import REVIEW_DECK, ReviewDeck, look_at, split_key
from tutorbot.domain.scoring import SelfAssessment, quiz_points
from tutorbot.storage.quizzes import NewAnswer, QuizSession

if TYPE_CHECKING:
    from tutorbot.services import Services
    from tutorbot.services.review import ReviewEnd

Deck = Topic | ReviewDeck
"""Where a session's questions come from: a quiz's topic, or a review's deck."""


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
    """A quiz (or review) at its current question, for the renderers."""

    session_id: int
    topic: Topic
    """The question's topic (in a review, each question has its own)."""
    state: QuizState
    question: Question
    look_at: tuple[Topic, ...] = ()
    """After a missed review question: the prerequisites to look at again."""

    @property
    def is_review(self) -> bool:
        """Whether this is a /review rather than a quiz on one topic."""
        return self.state.topic_id == REVIEW_DECK

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
    """Private quizzes and reviews, one active per student."""

    def __init__(self, services: Services, rng: random.Random | None = None) -> None:
        self._s = services
        self._rng = rng or random.Random()  # noqa: S311 (shuffles questions, no secret)

    async def active(self, user_id: int) -> QuizSession | None:
        """The student's session in progress, if any, of any kind: a quiz, a review or a
        placement (front ends look at its `kind`)."""
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
        """A new quiz on `topic` (abandoning any other), at its first question; the questions
        the student saw in their latest placement come last."""
        seen = await self._s.placement.latest_seen(user_id, topic.id)
        state = rules.start_quiz(topic, user_id, self._s.clock(), self._rng, count, seen)
        if isinstance(state, Refusal):
            return state
        return await self.begin(state, topic, guild_id=guild_id, channel_id=channel_id)

    async def begin(
        self, state: QuizState, deck: Deck, *, guild_id: int | None, channel_id: int
    ) -> Screen | Refusal:
        """Store a new session for `state` (a quiz's, or a review's over `deck`), abandoning any
        other of the student's, and show its first question."""
        session = await self._s.storage.quizzes.create(
            user_id=state.user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            topic_id=state.topic_id,
            question_ids=state.question_ids,
            now=state.started_at,
            state=state.to_dict(),
            reveal_at=state.reveal_at,
            kind="review" if isinstance(deck, ReviewDeck) else "quiz",
        )
        return self._screen(session.id, deck, state)

    async def attach_message(self, session_id: int, message_id: int) -> None:
        """Remember which message the quiz lives in."""
        await self._s.storage.quizzes.update(session_id, now=self._s.clock(), message_id=message_id)

    async def current(self, session_id: int, user_id: int) -> Screen | Refusal:
        """Where an active quiz stands (used to resume one)."""
        loaded = await self._load(session_id, user_id)
        if isinstance(loaded, Refusal):
            return loaded
        session, state, deck = loaded
        if deck is None:
            return rules.TopicRemoved()
        return self._screen(session.id, deck, state)

    async def answer(
        self, session_id: int, user_id: int, position: int, choice: str
    ) -> tuple[Screen, rules.Answered] | Refusal:
        """A multiple-choice letter or true/false answer to the question at `position`."""
        at = await self._at(session_id, user_id, position)
        if isinstance(at, Refusal):
            return at
        session, state, deck, key = at
        result = rules.answer(state, deck, user_id, key, choice, self._s.clock())
        return await self._answered(session, deck, key, result)

    async def answer_typed(
        self, session_id: int, user_id: int, position: int, text: str
    ) -> tuple[Screen, rules.Answered] | Refusal:
        """A short answer or number the student typed for the question at `position`, judged at
        once and recorded like a choice (points, memory); a refusal records nothing."""
        at = await self._at(session_id, user_id, position)
        if isinstance(at, Refusal):
            return at
        session, state, deck, key = at
        result = rules.answer_typed(state, deck, user_id, key, text, self._s.clock())
        return await self._answered(session, deck, key, result)

    async def check_typeable(self, session_id: int, user_id: int, position: int) -> Refusal | None:
        """Why the typed-answer form may not be opened for the question at `position` (another
        kind, already answered, a stale button), or None when it may."""
        at = await self._at(session_id, user_id, position)
        if isinstance(at, Refusal):
            return at
        _, state, deck, key = at
        question = rules.typed_question(state, deck, user_id, key)
        return question if isinstance(question, Refusal) else None

    async def _answered(
        self, session: QuizSession, deck: Deck, key: str, result: rules.Answered | Refusal
    ) -> tuple[Screen, rules.Answered] | Refusal:
        """Record a judged answer (a choice or typed) with its review, and the screen after it."""
        if isinstance(result, Refusal):
            return result
        now = result.state.answers[-1].answered_at
        rating = rating_for_choice(result.correct)
        credit = 1.0 if result.correct else 0.0
        record = self._record(
            session, deck, key, result.given, result.correct, result.seconds, credit, rating, now
        )
        saved = await self._save(session, result.state, record)
        if isinstance(saved, Refusal):
            return saved
        screen = self._screen(session.id, deck, result.state)
        if isinstance(screen, Refusal):
            return screen
        return self._with_look_at(screen, rating), result

    async def reveal(
        self, session_id: int, user_id: int, position: int
    ) -> tuple[Screen, rules.NotYet | rules.Revealed] | Refusal:
        """The model answer of a free-response question, once its think time has passed."""
        at = await self._at(session_id, user_id, position)
        if isinstance(at, Refusal):
            return at
        session, state, deck, key = at
        result = rules.reveal(state, deck, user_id, key, self._s.clock())
        if isinstance(result, Refusal):
            return result
        if isinstance(result, rules.Revealed) and result.state != state:
            saved = await self._save(session, result.state)
            if isinstance(saved, Refusal):
                return saved
        screen = self._screen(session.id, deck, result.state)
        if isinstance(screen, Refusal):
            return screen
        return screen, result

    async def check_writable(self, session_id: int, user_id: int, position: int) -> Refusal | None:
        """Why a form may not be opened for the question at `position` (as `write` would
        refuse), or None when it may."""
        at = await self._at(session_id, user_id, position)
        if isinstance(at, Refusal):
            return at
        _, state, deck, key = at
        written = rules.write_answer(state, deck, user_id, key, "")
        return written if isinstance(written, Refusal) else None

    async def write(
        self, session_id: int, user_id: int, position: int, text: str
    ) -> Screen | Refusal:
        """Keep the student's own answer to show beside the model answer."""
        at = await self._at(session_id, user_id, position)
        if isinstance(at, Refusal):
            return at
        session, state, deck, key = at
        new = rules.write_answer(state, deck, user_id, key, text)
        if isinstance(new, Refusal):
            return new
        saved = await self._save(session, new)
        if isinstance(saved, Refusal):
            return saved
        return self._screen(session.id, deck, new)

    async def assess(
        self, session_id: int, user_id: int, position: int, assessment: str
    ) -> tuple[Screen, rules.Assessed, rules.Revealed] | Refusal:
        """Got it / Partly / Missed it for a revealed free-response question."""
        at = await self._at(session_id, user_id, position)
        if isinstance(at, Refusal):
            return at
        session, state, deck, key = at
        now = self._s.clock()
        result = rules.self_assess(state, deck, user_id, key, assessment, now)
        if isinstance(result, Refusal):
            return result
        judged = SelfAssessment(result.assessment)
        rating = rating_for_assessment(judged)
        record = self._record(
            session, deck, key, judged.value, result.credit >= 1.0, None, result.credit, rating, now
        )
        saved = await self._save(session, result.state, record)
        if isinstance(saved, Refusal):
            return saved
        q = result.question
        revealed = rules.Revealed(result.state, q, q.answer_text(), q.explained, state.written)
        screen = self._screen(session.id, deck, result.state)
        if isinstance(screen, Refusal):
            return screen
        return self._with_look_at(screen, rating), result, revealed

    async def next(
        self, session_id: int, user_id: int, position: int
    ) -> Screen | QuizEnd | ReviewEnd | Refusal:
        """Move past the answered question at `position`; after the last, the summary."""
        at = await self._at(session_id, user_id, position)
        if isinstance(at, Refusal):
            return at
        session, state, deck, _ = at
        if isinstance(deck, ReviewDeck):
            deck = await self._s.review.deck_for(session.user_id, state)
        new = rules.next_question(state, deck, user_id, self._s.clock())
        if isinstance(new, Refusal):
            return new
        if new.finished:
            return await self._finish(session, new, deck)
        saved = await self._save(session, new)
        if isinstance(saved, Refusal):
            return saved
        return self._screen(session.id, deck, new)

    async def stop(self, session_id: int, user_id: int) -> QuizEnd | ReviewEnd | Refusal:
        """End the quiz now; unanswered questions count as missed."""
        loaded = await self._load(session_id, user_id)
        if isinstance(loaded, Refusal):
            return loaded
        session, state, deck = loaded
        if deck is None:
            await self._s.storage.quizzes.finish(session.id, self._s.clock(), "abandoned")
            return rules.TopicRemoved()
        return await self._finish(session, rules.finish(state, self._s.clock()), deck)

    async def _finish(
        self, session: QuizSession, state: QuizState, deck: Deck
    ) -> QuizEnd | ReviewEnd | Refusal:
        if isinstance(deck, ReviewDeck):
            saved = await self._save(session, state)
            if isinstance(saved, Refusal):
                return saved
            return await self._s.review.ended(session.id, state, deck)
        topic = deck
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

    def _record(
        self,
        session: QuizSession,
        deck: Deck,
        key: str,
        given: str,
        correct: bool,
        seconds: float | None,
        credit: float,
        rating: Rating,
        now: datetime,
    ) -> NewAnswer:
        """The answer to store with a step, with its review of the question's memory card."""
        topic_id, question_id = _located(deck, key)
        step = self._s.memory.step(topic_id, question_id, rating, session.kind, now)
        return NewAnswer(
            question_id, given, correct, seconds, quiz_points(credit), topic_id, practice=step
        )

    def _with_look_at(self, screen: Screen, rating: Rating) -> Screen:
        """A missed review question names its topic's direct prerequisites, which the miss
        made due now: mastered once, they are what a review finds forgotten."""
        if not screen.is_review or rating is not Rating.AGAIN:
            return screen
        ids = look_at(self._s.library.graph, [screen.topic.id])
        return replace(screen, look_at=self._topics(ids))

    def _deck(self, session: QuizSession) -> Deck | None:
        if session.kind == "review":
            return ReviewDeck(self._s.library.get)
        return self._s.library.get(session.topic_id)

    async def _load(
        self, session_id: int, user_id: int
    ) -> tuple[QuizSession, QuizState, Deck | None] | Refusal:
        session = await self._s.storage.quizzes.get(session_id)
        if session is None or session.kind == "placement":  # a placement's steps are its own
            return QuizGone()
        if session.user_id != user_id:
            return rules.NotYourQuiz()
        if session.status != "active":
            return rules.QuizFinished()
        return session, QuizState.from_dict(session.state), self._deck(session)

    async def _at(
        self, session_id: int, user_id: int, position: int
    ) -> tuple[QuizSession, QuizState, Deck, str] | Refusal:
        """The quiz, its deck and the id of the question a button at `position` refers to."""
        loaded = await self._load(session_id, user_id)
        if isinstance(loaded, Refusal):
            return loaded
        session, state, deck = loaded
        question_id = self._question_at(state, position)
        if isinstance(question_id, Refusal):
            return question_id
        if deck is None:
            return rules.TopicRemoved()
        return session, state, deck, question_id

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

    def _screen(self, session_id: int, deck: Deck, state: QuizState) -> Screen | Refusal:
        key = state.current_id
        question = deck.question(key) if key else None
        topic = deck if isinstance(deck, Topic) else deck.topic(key) if key else None
        if question is None or topic is None:
            return rules.QuestionRemoved()
        return Screen(session_id, topic, state, question)


def _located(deck: Deck, key: str) -> tuple[str, str]:
    """(topic id, question id) of a question of `deck`."""
    return (deck.id, key) if isinstance(deck, Topic) else split_key(key)
