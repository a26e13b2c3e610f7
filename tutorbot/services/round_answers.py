"""The click path of a group round: a student's answer, a typed answer's form, a
self-assessment, and the live answer count.

This is the hot path (a whole class answers within a second), so it is kept apart from the
round's steps and small: it reads a cached snapshot of the open question (`_Live`, one per
running round at one version), judges the click by its own time with the domain's per-question
rule, and makes one conditional write; the database's UNIQUE answer per student and question
decides which of two clicks was first. The round's steps (`services/rounds.py`) refresh or drop
the snapshot whenever they move a round on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from tutorbot.domain import rounds as rules
from tutorbot.domain._time import utc
from tutorbot.domain.memory import rating_for_assessment, rating_for_choice
from tutorbot.domain.refusals import Forged, Refusal
from tutorbot.domain.round_options import RoundPaused
from tutorbot.domain.round_state import RoundState
from tutorbot.domain.rounds import (
    AcceptOutcome,
    AssessOutcome,
    FirstAnswerStands,
    Locked,
    RoundError,
    TooLate,
)
from tutorbot.domain.scoring import NoAnswerToAssess
from tutorbot.services.round_rows import domain_answer, state_of
from tutorbot.services.round_views import RoundGone
from tutorbot.storage.rounds import Round

if TYPE_CHECKING:
    from tutorbot.services import Services


@dataclass(frozen=True)
class _Live:
    """The cached snapshot the click path reads: a running round at one version."""

    round: Round
    state: RoundState


class RoundAnswers:
    """Students' answers to the open questions of running rounds."""

    def __init__(self, services: Services) -> None:
        self._s = services
        self._live: dict[int, _Live] = {}

    def remember(self, rnd: Round, state: RoundState) -> _Live:
        """Cache a running round at this version (a round that ended is dropped)."""
        live = _Live(rnd, state)
        if rnd.status == "running":
            self._live[rnd.id] = live
        else:
            self._live.pop(rnd.id, None)
        return live

    def forget(self, round_id: int) -> None:
        """Drop the cached round: the next click reads it afresh."""
        self._live.pop(round_id, None)

    async def snapshot(self, round_id: int) -> _Live:
        """The cached round, or the stored one (without answers) if none is cached."""
        live = self._live.get(round_id)
        if live is not None:
            return live
        rnd = await self._s.storage.rounds.get(round_id)
        if rnd is None:
            raise RoundGone
        return self.remember(rnd, state_of(rnd))

    async def accept(
        self, round_id: int, question_index: int, user_id: int, choice: str, at: datetime
    ) -> AcceptOutcome:
        """A student's answer to the question at `question_index`, clicked at `at`.

        Locked (recorded: it will count), or a Refusal: FirstAnswerStands (the first answer
        stands), TooLate, EmptyAnswer. A forged option raises `Forged`. The hot path: one cached
        read, the click judged by `rules.judge_answer`, one conditional write; the database's
        UNIQUE answer per student and question decides which of two clicks was first.
        """
        live = await self.snapshot(round_id)
        rnd, state = live.round, live.state
        question = state.current
        if rnd.status != "running" or rnd.current_index != question_index or question is None:
            return await self._late(live, question_index, user_id, None)
        if state.paused_at is not None:
            return RoundPaused()
        judged = rules.judge_answer(question, None, user_id, choice, at)
        if isinstance(judged, TooLate):
            return await self._late(live, question_index, user_id, question.deadline)
        if isinstance(judged, Refusal):
            return judged
        correct = question.credit_of(judged) >= 1.0
        typed = question.typed
        now = self._s.clock()
        recorded = await self._s.storage.rounds.record_open_answer(
            round_id=round_id,
            question_index=question_index,
            question_id=question.question_id,
            topic_id=state.topic_id,
            user_id=user_id,
            answer=judged.choice,
            correct=correct,
            seconds=judged.seconds,
            points=question.points_of(judged, state.settings.scoring),
            now=now,
            # A free response is a review once its author judged it (`assess`); a choice, a
            # short answer or a number is judged now, and reviewed as a choice is.
            practice=None
            if question.self_assessed
            else self._s.memory.step(
                state.topic_id, question.question_id, rating_for_choice(correct), "round", now
            ),
        )
        if recorded is None:
            self.forget(round_id)
            if (await self.snapshot(round_id)).state.paused_at is not None:
                return RoundPaused()  # paused a moment ago (the question had no deadline)
            return await self._late(live, question_index, user_id, question.deadline)
        if not recorded.first:
            return FirstAnswerStands(recorded.answer.answer, typed)
        return Locked(judged.choice, typed)

    async def check_writable(
        self, round_id: int, question_index: int, user_id: int, at: datetime
    ) -> Refusal | None:
        """None if the student may still type an answer; else why not (answered, too late)."""
        live = await self.snapshot(round_id)
        question = live.state.current
        if live.state.paused_at is not None and live.round.current_index == question_index:
            return RoundPaused()
        if (
            live.round.status != "running"
            or live.round.current_index != question_index
            or question is None
            or question.closed
            or utc(at) > question.deadline
        ):
            return await self._late(live, question_index, user_id, None)
        if not question.typed:
            raise Forged("This question is answered with the buttons.")
        given = await self._s.storage.rounds.answer_of(round_id, question_index, user_id)
        return None if given is None else FirstAnswerStands(given.answer, typed=True)

    async def _late(
        self, live: _Live, question_index: int, user_id: int, deadline: datetime | None
    ) -> FirstAnswerStands | TooLate:
        """A click on a question no longer open: FirstAnswerStands if the student answered it,
        else TooLate."""
        rnd = live.round
        given = await self._s.storage.rounds.answer_of(rnd.id, question_index, user_id)
        if given is None:
            return TooLate(deadline or self._s.clock())
        asked = live.state.question_at(question_index)
        return FirstAnswerStands(given.answer, asked is not None and asked.typed)

    async def answer_count(self, round_id: int, question_index: int) -> int:
        """How many students answered the question so far (the live counter)."""
        return await self._s.storage.rounds.answer_count(round_id, question_index)

    async def assess(
        self, round_id: int, question_index: int, user_id: int, assessment: str
    ) -> AssessOutcome:
        """Got it / Partly / Missed it on a revealed free-response answer (never a short or
        numeric one: those were judged when typed), judged by
        `rules.judge_assessment` against this question and the student's answer to it; the
        first judgement stands (the database's conditional write decides between two)."""
        rnd = await self._s.storage.rounds.get(round_id)
        if rnd is None:
            raise RoundGone
        state = state_of(rnd)
        question = state.question_at(question_index)
        if question is None:
            raise Forged("That question is not part of this round.")
        row = await self._s.storage.rounds.answer_of(round_id, question_index, user_id)
        previous = domain_answer(row) if row is not None else None
        judged = rules.judge_assessment(question, previous, assessment)
        if isinstance(judged, Refusal):
            return judged
        if previous is None:  # judge_assessment refuses a judgement of no answer
            raise RoundError("a self-assessment was accepted without an answer")
        assessed = replace(previous, assessment=judged)
        points = question.points_of(assessed, state.settings.scoring)
        saved = await self._s.storage.rounds.assess_answer(
            round_id=round_id,
            question_index=question_index,
            question_id=question.question_id,
            user_id=user_id,
            assessment=judged.value,
            correct=question.credit_of(assessed) >= 1.0,
            points=points,
            practice=self._s.memory.step(
                state.topic_id,
                question.question_id,
                rating_for_assessment(judged),
                "round",
                self._s.clock(),
            ),
        )
        if saved is None:  # judged a moment ago (a double click), or forgotten meanwhile
            again = await self._s.storage.rounds.answer_of(round_id, question_index, user_id)
            now = rules.judge_assessment(
                question, domain_answer(again) if again is not None else None, assessment
            )
            return now if isinstance(now, Refusal) else NoAnswerToAssess()
        return rules.Judged(judged, points)
