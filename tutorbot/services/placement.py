"""Use cases of a placement (issue 16): start, answer, reveal, assess, stop, resume.

A placement is a `quiz_sessions` row of kind 'placement', one active session per student like
quizzes and reviews (starting one abandons the other). Its state (`PlacementState.to_dict()`)
lives in `quiz_live` while it runs, and every step is saved with `QuizStore.save_step`'s
compare-and-swap, so a double click is counted once and a stale button changes nothing.

**Answers are not practice.** They are not rows of `answers` (no points, not in /stats or the
leaderboard: they measure what the student knew before), but each is a review of its memory card
with source 'placement' (the usual ratings), without implicit credit and without making
prerequisites due: placement learns where a student stands, it does not exercise anything.

**The end**, in one write with the last step: the student's earlier placement marks are
replaced by the topics placed (quiz mastery and "I know this" are never touched), and each placed
topic with no memory card yet gets one, due within a week (`placement.gentle_cards`).

A placement shows no right or wrong: an answer is recorded and the next question shown at once.
"I don't know" (`DONT_KNOW`) counts as a wrong answer: it is what a student who does not know
the topic would most often get, and it spares them a guess that could place them too high. A
typed answer (short answer, numeric) is judged at once as in a quiz (`answer_typed`), right or
wrong like a choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tutorbot.content.models import TYPED, Question, QuestionType, Topic
from tutorbot.domain import placement as rules
from tutorbot.domain import quiz as quiz_rules
from tutorbot.domain.memory import Rating, ReviewSource, rating_for_assessment, rating_for_choice
from tutorbot.domain.placement import (
    NotCurrentQuestion,
    NotYourPlacement,
    PlacementOver,
    PlacementRefused,
    PlacementState,
    Result,
)
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.scoring import SelfAssessment, judge_self_assessment
from tutorbot.services.memory import row_of
from tutorbot.storage.memory import CardRow, PracticeStep
from tutorbot.storage.quizzes import QuizSession

if TYPE_CHECKING:
    from tutorbot.services import Services

PLACEMENT_DECK = "*placement"
"""The topic id of a placement's session row when it has no goal (the whole course)."""
DONT_KNOW = "idk"
"""The choice "I don't know": counted as a wrong answer (see the module docstring)."""
PLACEMENT_SOURCE: ReviewSource = "placement"
"""The review source of placement answers in memory_reviews."""


@dataclass(frozen=True)
class PlacementGone(PlacementRefused):
    """A button of a placement the database no longer has (deleted by /forgetme, say)."""

    default = "This placement no longer exists. Start a new one with /placement."


@dataclass(frozen=True)
class PlacementConflict(PlacementRefused):
    """A step that lost the compare-and-swap: another click moved the placement first."""

    default = "That click was already counted."


@dataclass(frozen=True)
class PlacementQuestionRemoved(PlacementRefused):
    """The question on screen is no longer in the content (a reload removed it)."""

    default = (
        "This question was removed from the course; stop the placement and take it again "
        "with /placement."
    )


@dataclass(frozen=True)
class PlacementScreen:
    """A placement at its current question, for the renderers."""

    session_id: int
    state: PlacementState
    topic: Topic
    question: Question
    number: int
    """1-based: the answers so far, plus one."""
    cap: int
    """The most questions this placement asks."""
    candidates: int
    """How many topics the placement decides (those on the way not known before)."""
    decided: int
    """How many of them are decided so far (passed or failed)."""

    @property
    def opens_at(self) -> datetime:
        """When a free response's model answer may be shown (what `reveal` checks)."""
        return _opens_at(self.state, self.question)


@dataclass(frozen=True)
class PlacementEnd:
    """A finished placement: the topics placed, what to learn next and what it took."""

    session_id: int
    """0 when nothing was left to place (no session was stored)."""
    placed: tuple[Topic, ...]
    """Topics found known (not known before), in learning order."""
    frontier: tuple[Topic, ...]
    """What to learn next, over what was known before and what was placed."""
    questions: int
    goal: Topic | None
    already_known: int
    """Topics on the way the student knew before ("I know this" or mastered), never asked."""
    undecided: int
    """Topics still undecided at the end (the cap, or given up): counted as not known."""


@dataclass(frozen=True)
class NotYet:
    """The model answer of a free response opens at `opens_at` (think time not over)."""

    opens_at: datetime
    seconds_left: float


class PlacementService:
    """Placements, one active session per student (shared with quizzes and reviews)."""

    def __init__(self, services: Services) -> None:
        self._s = services

    async def start(
        self,
        *,
        user_id: int,
        guild_id: int | None,
        channel_id: int,
        goal: Topic | None,
        cap: int | None = None,
    ) -> PlacementScreen | PlacementEnd | Refusal:
        """A new placement toward `goal` (the whole course if None), abandoning any quiz,
        review or placement in progress, at its first question; an end at once (nothing
        stored) when nothing is left to place."""
        now = self._s.clock()
        student = await self._s.progress.student(user_id)
        known = student.marked | student.mastered
        graph, topics = self._s.library.graph, self._s.library.topics
        goal_id = None if goal is None else goal.id
        state = rules.start(
            graph, topics, user_id, goal_id, known, now, rules.DEFAULT_CAP if cap is None else cap
        )
        if isinstance(state, rules.NothingToPlace):
            return self._nothing_left(user_id, goal_id, known, now)
        if isinstance(state, Refusal):
            return state
        session = await self._s.storage.quizzes.create(
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            topic_id=goal_id or PLACEMENT_DECK,
            question_ids=[],
            now=now,
            state=state.to_dict(),
            kind="placement",
        )
        return self._screen(session.id, state)

    async def current(self, session_id: int, user_id: int) -> PlacementScreen | Refusal:
        """Where an active placement stands (to resume it, after a restart say)."""
        loaded = await self._load(session_id, user_id)
        if isinstance(loaded, Refusal):
            return loaded
        session, state = loaded
        return self._screen(session.id, state)

    async def answer(
        self, session_id: int, user_id: int, number: int, choice: str
    ) -> PlacementScreen | PlacementEnd | Refusal:
        """A letter, true/false or `DONT_KNOW` for question `number`: recorded, and the next
        question (or the end) at once."""
        at = await self._at(session_id, user_id, number)
        if isinstance(at, Refusal):
            return at
        session, state, question = at
        correct = _judged(question, choice)
        if isinstance(correct, Refusal):
            return correct
        return await self._step(
            session, state, rules.result_for_choice(correct), rating_for_choice(correct)
        )

    async def answer_typed(
        self, session_id: int, user_id: int, number: int, text: str
    ) -> PlacementScreen | PlacementEnd | Refusal:
        """A short answer or number typed for question `number`, judged by the quizzes' rule
        (`quiz.judge_typed`): recorded, and the next question (or the end) at once. Text that
        is no number for a numeric question is refused politely and records nothing."""
        at = await self._at(session_id, user_id, number)
        if isinstance(at, Refusal):
            return at
        session, state, question = at
        judged = quiz_rules.judge_typed(question, text)
        if isinstance(judged, Refusal):
            return judged
        correct = judged.correct
        return await self._step(
            session, state, rules.result_for_choice(correct), rating_for_choice(correct)
        )

    async def check_typeable(self, session_id: int, user_id: int, number: int) -> Refusal | None:
        """Why the typed-answer form may not be opened for question `number` (another kind of
        question, a stale button), or None when it may."""
        at = await self._at(session_id, user_id, number)
        if isinstance(at, Refusal):
            return at
        if at[2].type not in TYPED:
            return quiz_rules.WrongKind()
        return None

    async def reveal(
        self, session_id: int, user_id: int, number: int
    ) -> PlacementScreen | NotYet | Refusal:
        """The free response `number` on screen once its think time has passed (the front end
        then shows its model answer), else when it opens. Nothing is stored."""
        at = await self._at(session_id, user_id, number)
        if isinstance(at, Refusal):
            return at
        session, state, question = at
        if question.type is not QuestionType.FREE_RESPONSE:
            return quiz_rules.WrongKind()
        opens_at = _opens_at(state, question)
        now = self._s.clock()
        if now < opens_at:
            return NotYet(opens_at, (opens_at - now).total_seconds())
        return self._screen(session.id, state)

    async def assess(
        self, session_id: int, user_id: int, number: int, assessment: str
    ) -> PlacementScreen | PlacementEnd | Refusal:
        """Got it / Partly / Missed it for the free response `number`, once its model answer
        may be shown; a value that is no judgement raises `Forged`."""
        at = await self._at(session_id, user_id, number)
        if isinstance(at, Refusal):
            return at
        session, state, question = at
        if question.type is not QuestionType.FREE_RESPONSE:
            return quiz_rules.WrongKind()
        revealed = self._s.clock() >= _opens_at(state, question)
        judged = judge_self_assessment(assessment, revealed=revealed)
        if isinstance(judged, Refusal):
            return judged
        return await self._step(
            session,
            state,
            rules.result_for_assessment(judged),
            rating_for_assessment(SelfAssessment(judged)),
        )

    async def stop(self, session_id: int, user_id: int) -> PlacementEnd | Refusal:
        """Give up: the placement ends with the result so far (undecided topics not known)."""
        loaded = await self._load(session_id, user_id)
        if isinstance(loaded, Refusal):
            return loaded
        session, state = loaded
        return await self._end(session, rules.give_up(state, self._s.clock()), None)

    async def latest_seen(self, user_id: int, topic_id: str) -> tuple[str, ...]:
        """The questions of `topic_id` asked in the student's latest finished placement."""
        session = await self._s.storage.quizzes.latest_placement(user_id)
        if session is None:
            return ()
        return _ended_state(session).asked_in(topic_id)

    async def _step(
        self, session: QuizSession, state: PlacementState, result: Result, rating: Rating
    ) -> PlacementScreen | PlacementEnd | Refusal:
        """Record an answer to the question on screen (its memory review in the same commit)
        and move on: the next question, or the end."""
        if state.current is None:
            return PlacementOver()
        topic_id, question_id = state.current
        now = self._s.clock()
        graph, topics = self._s.library.graph, self._s.library.topics
        new = rules.answer(state, graph, topics, state.user_id, topic_id, question_id, result, now)
        if isinstance(new, Refusal):
            return new
        practice = self._practice(topic_id, question_id, rating, now)
        if new.finished:
            return await self._end(session, new, practice)
        saved = await self._save(session, new, practice=practice)
        if isinstance(saved, Refusal):
            return saved
        return self._screen(session.id, new)

    def _practice(
        self, topic_id: str, question_id: str, rating: Rating, now: datetime
    ) -> PracticeStep:
        """A placement answer's review of its card (no implicit credit, nothing made due: the
        rule `domain.memory.practice` keeps for placement answers)."""
        return self._s.memory.step(topic_id, question_id, rating, PLACEMENT_SOURCE, now)

    async def _end(
        self, session: QuizSession, state: PlacementState, practice: PracticeStep | None
    ) -> PlacementEnd | Refusal:
        """Finish: the last answer's review, the placement marks replaced and the gentle cards,
        in one commit with the last step."""
        graph, topics = self._s.library.graph, self._s.library.topics
        found = rules.outcome(state, graph, topics)
        now = state.finished_at or self._s.clock()
        with_cards = await self._s.storage.memory.cards_of_topics(session.user_id, found.placed)
        carded = {c.topic_id for c in with_cards} | {a.topic_id for a in state.asked}
        cards = rules.gentle_cards(self._s.memory.model, topics, state, found.placed, carded, now)
        saved = await self._save(
            session,
            state,
            practice=practice,
            placed=found.placed,
            new_cards=[row_of(c) for c in cards],
        )
        if isinstance(saved, Refusal):
            return saved
        standing = rules.standing(state, graph, topics)
        return PlacementEnd(
            session_id=session.id,
            placed=self._topics(found.placed),
            frontier=self._topics(found.frontier),
            questions=found.questions,
            goal=None if state.goal is None else self._s.library.get(state.goal),
            already_known=len(standing.known),
            undecided=len(standing.undecided),
        )

    def _nothing_left(
        self, user_id: int, goal_id: str | None, known: frozenset[str], now: datetime
    ) -> PlacementEnd:
        """The end of a placement that had nothing to ask: every topic on the way known."""
        graph, topics = self._s.library.graph, self._s.library.topics
        empty = PlacementState(
            user_id=user_id, goal=goal_id, started_at=now, known=rules.highest(graph, known)
        )
        standing = rules.standing(empty, graph, topics)
        found = rules.outcome(empty, graph, topics)
        return PlacementEnd(
            session_id=0,
            placed=(),
            frontier=self._topics(found.frontier),
            questions=0,
            goal=None if goal_id is None else self._s.library.get(goal_id),
            already_known=len(standing.known),
            undecided=0,
        )

    async def _save(
        self,
        session: QuizSession,
        state: PlacementState,
        *,
        practice: PracticeStep | None,
        placed: tuple[str, ...] | None = None,
        new_cards: Sequence[CardRow] = (),
    ) -> QuizSession | Refusal:
        saved = await self._s.storage.quizzes.save_step(
            session,
            now=self._s.clock(),
            state=state.to_dict(),
            position=len(state.asked),
            reveal_at=None,
            status="finished" if state.finished else "active",
            practice=practice,
            placed=placed,
            new_cards=new_cards,
        )
        if saved is None:
            return PlacementConflict()
        return saved

    async def _load(
        self, session_id: int, user_id: int
    ) -> tuple[QuizSession, PlacementState] | Refusal:
        session = await self._s.storage.quizzes.get(session_id)
        if session is None or session.kind != "placement":
            return PlacementGone()
        if session.user_id != user_id:
            return NotYourPlacement()
        if session.status != "active":
            return PlacementOver()
        return session, PlacementState.from_dict(session.state)

    async def _at(
        self, session_id: int, user_id: int, number: int
    ) -> tuple[QuizSession, PlacementState, Question] | Refusal:
        """The placement and the question on screen, if a button for question `number` still
        addresses it (an older message's buttons are refused)."""
        loaded = await self._load(session_id, user_id)
        if isinstance(loaded, Refusal):
            return loaded
        session, state = loaded
        if number != len(state.asked) + 1 or state.current is None:
            return NotCurrentQuestion()
        question = self._question(*state.current)
        if question is None:
            return PlacementQuestionRemoved()
        return session, state, question

    def _question(self, topic_id: str, question_id: str) -> Question | None:
        topic = self._s.library.get(topic_id)
        if topic is None:
            return None
        return next((q for q in topic.questions if q.id == question_id), None)

    def _screen(self, session_id: int, state: PlacementState) -> PlacementScreen | Refusal:
        if state.current is None:
            return PlacementOver()
        topic = self._s.library.get(state.current[0])
        question = self._question(*state.current)
        if topic is None or question is None:
            return PlacementQuestionRemoved()
        found = rules.standing(state, self._s.library.graph, self._s.library.topics)
        return PlacementScreen(
            session_id=session_id,
            state=state,
            topic=topic,
            question=question,
            number=len(state.asked) + 1,
            cap=state.cap,
            candidates=len(found.candidates) - len(found.known),
            decided=len(found.passed) + len(found.failed),
        )

    def _topics(self, ids: tuple[str, ...]) -> tuple[Topic, ...]:
        found = (self._s.library.get(t) for t in ids)
        return tuple(t for t in found if t is not None)


def _judged(question: Question, choice: str) -> bool | Refusal:
    """Whether a choice is right: a letter of a multiple-choice question, true/false, or
    `DONT_KNOW` (wrong); anything else does not fit the question."""
    text = choice.strip()
    if text.lower() == DONT_KNOW:
        return False
    if question.type is QuestionType.MULTIPLE_CHOICE:
        letter = text.upper()
        if len(letter) != 1 or letter not in question.letters:
            return quiz_rules.InvalidChoice()
        return letter == question.answer
    if question.type is QuestionType.TRUE_FALSE:
        lowered = text.lower()
        if lowered not in ("true", "false"):
            return quiz_rules.InvalidChoice()
        return (lowered == "true") == question.answer
    return quiz_rules.WrongKind()


def _opens_at(state: PlacementState, question: Question) -> datetime:
    """When a free response's model answer may be shown: its think time after it was shown."""
    shown = state.shown_at or state.started_at
    return shown + timedelta(seconds=question.think_seconds or 0)


def _ended_state(session: QuizSession) -> PlacementState:
    """A finished placement's state: its row keeps only what no column holds (`_ENDED_STATE`
    in storage), so the student, start and end come from the columns."""
    kept = dict(session.state)
    kept.setdefault("user_id", session.user_id)
    kept.setdefault("started_at", session.created_at.isoformat())
    kept.setdefault("finished_at", session.updated_at.isoformat())
    return PlacementState.from_dict(kept)
