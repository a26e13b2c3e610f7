"""Use cases of a group round: start, answer (the fast path), close and reveal, next, stop, results.

Everything that matters is in the database: the domain's `RoundState` without its answers in
`rounds.state`, each answer a row of `round_answers` (UNIQUE per student per question: the
database, not memory, decides that the first answer is final), deadlines as timer rows. Each step
of a round is a compare-and-swap on the round's version, so a timer firing twice, a skip racing
the deadline, or a second bot process apply once. After a restart `start()` picks every running
round up where it was: an overdue deadline reveals at once.

A click is the hot path (a whole class answers within a second): it reads a cached snapshot of
the open question, judges the click by its own time, and makes one conditional write.

Front ends learn what to show through a `RoundPresenter` (the Discord extension posts and edits
channel messages); the service never imports Discord.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from tutorbot.content.models import QuestionType, Topic
from tutorbot.domain import round_results as results
from tutorbot.domain import rounds as rules
from tutorbot.domain._time import to_iso, utc
from tutorbot.domain.refusals import Forged, Refusal
from tutorbot.domain.rounds import (
    AcceptOutcome,
    AssessOutcome,
    FirstAnswerStands,
    Locked,
    RoundAnswer,
    RoundError,
    RoundQuestion,
    RoundSettings,
    RoundState,
    TooLate,
)
from tutorbot.domain.scoring import NoAnswerToAssess, SelfAssessment
from tutorbot.services.round_views import (
    AlreadyRevealed,
    AlreadyRunning,
    JustEnded,
    JustRevealed,
    MissedView,
    NoRoundHere,
    NoSuchRound,
    NotInstructor,
    NotShown,
    PastRound,
    QuestionView,
    RevealView,
    RoundEnd,
    RoundGone,
    RoundPresenter,
    SilentPresenter,
    StrugglingView,
)
from tutorbot.services.serial import SerialQueues
from tutorbot.storage import RoundAlreadyRunningError
from tutorbot.storage._unset import UNSET, Unset
from tutorbot.storage.guild_settings import GuildSettings
from tutorbot.storage.rounds import Round, RoundAnswerRow
from tutorbot.storage.timers import Timer

if TYPE_CHECKING:
    from tutorbot.services import Services

log = logging.getLogger(__name__)

TIMER_CLOSE = "round.close"
TIMER_NEXT = "round.next"
TIMER_REVEAL = "round.reveal"
"""Another try at a reveal that Discord did not take (the round itself has moved on)."""
REVEAL_RETRY_FIRST = timedelta(seconds=5)
REVEAL_RETRY_MOST = timedelta(minutes=5)
CLOSE_GRACE = timedelta(seconds=1)
"""The reveal waits this long past the deadline, so a click made in time but still in flight is
recorded (clicks are judged by their own time, not by when they arrive)."""
NEXT_PAUSE = timedelta(seconds=4)
"""Between a reveal and the next question (or the podium)."""
SETTLE_SECONDS = 5.0
"""On shutdown, how long the Discord updates already queued may take to finish."""


@dataclass(frozen=True)
class _Live:
    """The cached snapshot the click path reads: a running round at one version."""

    round: Round
    state: RoundState


def reveal_retry_delay(attempt: int) -> timedelta:
    """How long after failed try number `attempt` (1 is the first) a reveal is tried again:
    5 s, doubling each time, at most 5 minutes; it keeps trying until Discord takes it."""
    return min(REVEAL_RETRY_FIRST * 2 ** min(max(attempt - 1, 0), 16), REVEAL_RETRY_MOST)


def _key(round_id: int, kind: str) -> str:
    """The timer key of one kind of step of one round: `round:42:close`, `round:42:next`."""
    return f"round:{round_id}:{kind.rpartition('.')[2]}"


_COLUMN_KEYS = ("instructor_id", "status", "started_at")
"""What the round's row holds instead of its JSON: the host (`host_id`, so /forgetme finds it in
one place), the status and the start (`created_at`)."""


def _dump(state: RoundState) -> dict[str, Any]:
    """The state as stored in `rounds.state`: without what the row's columns hold (see
    `_COLUMN_KEYS`) and without answers (rows of round_answers). Each fact is stored once."""
    data = state.to_dict()
    for key in _COLUMN_KEYS:
        del data[key]
    for question in data["asked"]:
        question["answers"] = []
    return data


def _state_of(rnd: Round) -> RoundState:
    """The stored state of a round: its JSON with the facts its columns hold (see `_dump`).

    A round whose state was never written (NULL or empty) reads as a round that asked nothing,
    so it can still be stopped and never holds its channel for good.
    """
    columns = {
        "instructor_id": rnd.host_id,
        "status": rnd.status,
        "started_at": to_iso(rnd.created_at),
    }
    if not rnd.state:
        empty = RoundState("", None, RoundSettings(), (), rnd.created_at).to_dict()
        return RoundState.from_dict({**empty, **columns})
    return RoundState.from_dict({**rnd.state, **columns})


def _domain_answer(row: RoundAnswerRow) -> RoundAnswer:
    assessment = SelfAssessment(row.assessment) if row.assessment else None
    return RoundAnswer(row.user_id, row.answer, row.answered_at, row.seconds, assessment)


class RoundService:
    """Group rounds in channels, at most one running per channel."""

    def __init__(self, services: Services, rng: random.Random | None = None) -> None:
        self._s = services
        self._rng = rng or random.Random()
        self._presenter: RoundPresenter = SilentPresenter()
        self._live: dict[int, _Live] = {}
        self._updates: SerialQueues[int] = SerialQueues("tutorbot-round-updates")
        """What the front end is shown, queued per round: timer handlers do the database step
        and return, so a slow channel never delays another round's deadline."""
        services.scheduler.register(TIMER_CLOSE, self._on_close)
        services.scheduler.register(TIMER_NEXT, self._on_next)
        services.scheduler.register(TIMER_REVEAL, self._on_reveal)

    # -- lifecycle ------------------------------------------------------------------------------

    def attach(self, presenter: RoundPresenter) -> None:
        """Show rounds through this front end."""
        self._presenter = presenter

    async def resume(self) -> None:
        """Pick up every running round (before the scheduler starts firing its deadlines)."""
        pending = {t.key for t in await self._s.storage.timers.all() if t.key}
        for rnd in await self._s.storage.rounds.running():
            try:
                await self._resume(rnd, pending)
            except Exception:
                log.exception("could not resume round %s", rnd.id)

    async def settle(self) -> None:
        """Let the front-end updates already queued finish (on shutdown), for a few seconds."""
        await self._updates.settle(SETTLE_SECONDS)

    async def _resume(self, rnd: Round, pending: set[str]) -> None:
        """Make sure a running round has its next step pending, whatever write a crash cut
        short: an open question its deadline (and its message), a closed one its follow-up."""
        if rnd.state is None:
            return
        _, state = await self._load(rnd.id)
        question = state.current
        if question is not None and not question.closed:
            if _key(rnd.id, TIMER_CLOSE) not in pending:
                await self._schedule(TIMER_CLOSE, rnd, question.deadline + CLOSE_GRACE)
            if rnd.message_id is None:
                self._post(rnd, state)
        elif _key(rnd.id, TIMER_NEXT) not in pending:
            next_at = self._s.clock() + NEXT_PAUSE
            await self._schedule(TIMER_NEXT, rnd, next_at)
            if question is not None:
                self._show_reveal(rnd, state, last=not state.remaining, next_at=next_at)

    # -- permissions and settings ---------------------------------------------------------------

    async def settings_for(self, guild_id: int) -> GuildSettings:
        """The server's instructor role and round defaults."""
        return await self._s.storage.settings.get(guild_id)

    async def update_settings(
        self,
        guild_id: int,
        *,
        instructor_role_id: int | Unset | None = UNSET,
        questions: int | None = None,
        seconds: int | None = None,
        scoring: str | None = None,
    ) -> GuildSettings | Refusal:
        """Change the server's instructor role and round defaults; options left out keep theirs.

        The defaults are checked as a round checks them (`rules.settings_from`), so a refused
        change stores nothing.
        """
        current = await self.settings_for(guild_id)
        checked = rules.settings_from(
            questions if questions is not None else current.round_questions,
            seconds if seconds is not None else current.round_seconds,
            scoring or current.round_scoring,
        )
        if isinstance(checked, Refusal):
            return checked
        return await self._s.storage.settings.update(
            guild_id,
            now=self._s.clock(),
            instructor_role_id=instructor_role_id,
            round_questions=questions if questions is not None else UNSET,
            round_seconds=seconds if seconds is not None else UNSET,
            round_scoring=scoring if scoring is not None else UNSET,
        )

    async def is_instructor(
        self, guild_id: int, manage_guild: bool, role_ids: Collection[int]
    ) -> bool:
        """Manage Server, or the server's configured instructor role."""
        if manage_guild:
            return True
        role = (await self.settings_for(guild_id)).instructor_role_id
        return role is not None and role in role_ids

    # -- start ----------------------------------------------------------------------------------

    async def start_round(
        self,
        *,
        guild_id: int,
        channel_id: int,
        instructor_id: int,
        is_instructor: bool,
        topic: Topic,
        questions: int | None = None,
        seconds: int | None = None,
        scoring: str | None = None,
    ) -> QuestionView | Refusal:
        """Start a round on `topic` in the channel and post its first question.

        Options left out take the server's defaults. Refuses non-instructors, bad settings, a
        topic without questions, and a channel with a round.
        """
        if not is_instructor:
            return NotInstructor()
        defaults = await self.settings_for(guild_id)
        settings = rules.settings_from(
            questions if questions is not None else defaults.round_questions,
            seconds if seconds is not None else defaults.round_seconds,
            scoring or defaults.round_scoring,
        )
        if isinstance(settings, Refusal):
            return settings
        if await self._s.storage.rounds.running_in(channel_id) is not None:
            return AlreadyRunning()
        now = self._s.clock()
        state = rules.start_round(topic, instructor_id, settings, now, self._rng)
        if isinstance(state, Refusal):
            return state
        current = state.current
        if current is None:  # start_round opens the first question or refuses
            raise RoundError("a round started without a question open")
        try:
            rnd = await self._s.storage.rounds.start(
                guild_id=guild_id,
                channel_id=channel_id,
                host_id=instructor_id,
                now=now,
                deadline=current.deadline,
                state=_dump(state),
                current_index=state.index_of(current.question_id),
            )
        except RoundAlreadyRunningError:
            return AlreadyRunning()
        self._remember(rnd, state)
        await self._schedule(TIMER_CLOSE, rnd, current.deadline + CLOSE_GRACE)
        view = self._question_view(rnd, state)
        # The instructor hears back once the question is posted (and its message id stored).
        await self._updates.run(rnd.id, partial(self._show_question, rnd, state, view))
        return view

    def _post(self, rnd: Round, state: RoundState) -> QuestionView:
        """Queue the question's message; returns what it shows."""
        view = self._question_view(rnd, state)
        self._updates.submit(rnd.id, partial(self._show_question, rnd, state, view))
        return view

    async def _show_question(self, rnd: Round, state: RoundState, view: QuestionView) -> None:
        """Post a question and store its message id, unless the round moved on meanwhile."""
        try:
            message_id = await self._presenter.show_question(view)
        except Exception:
            log.exception("could not post question %s of round %s", view.number, rnd.id)
            return
        if message_id is None:
            return
        updated = await self._s.storage.rounds.set_message_id(
            rnd.id, now=self._s.clock(), expected_index=view.index, message_id=message_id
        )
        if updated is not None and updated.version == rnd.version:
            self._remember(updated, state)
        else:
            self._live.pop(rnd.id, None)  # read afresh: the round took a step meanwhile

    # -- answers (the fast path) ----------------------------------------------------------------

    async def accept(
        self, round_id: int, question_index: int, user_id: int, choice: str, at: datetime
    ) -> AcceptOutcome:
        """A student's answer to the question at `question_index`, clicked at `at`.

        Locked (recorded: it will count), or a Refusal: FirstAnswerStands (the first answer
        stands), TooLate, EmptyAnswer. A forged option raises `Forged`. The hot path: one cached
        read, the click judged by `rules.judge_answer`, one conditional write; the database's
        UNIQUE answer per student and question decides which of two clicks was first.
        """
        live = await self._snapshot(round_id)
        rnd, state = live.round, live.state
        question = state.current
        if rnd.status != "running" or rnd.current_index != question_index or question is None:
            return await self._late(live, question_index, user_id, None)
        judged = rules.judge_answer(question, None, user_id, choice, at)
        if isinstance(judged, TooLate):
            return await self._late(live, question_index, user_id, question.deadline)
        if isinstance(judged, Refusal):
            return judged
        recorded = await self._s.storage.rounds.record_open_answer(
            round_id=round_id,
            question_index=question_index,
            question_id=question.question_id,
            topic_id=state.topic_id,
            user_id=user_id,
            answer=judged.choice,
            correct=question.credit_of(judged) >= 1.0,
            seconds=judged.seconds,
            points=question.points_of(judged, state.settings.scoring),
            now=self._s.clock(),
        )
        typed = question.kind is QuestionType.FREE_RESPONSE
        if recorded is None:
            self._live.pop(round_id, None)
            return await self._late(live, question_index, user_id, question.deadline)
        if not recorded.first:
            return FirstAnswerStands(recorded.answer.answer, typed)
        return Locked(judged.choice, typed)

    async def check_writable(
        self, round_id: int, question_index: int, user_id: int, at: datetime
    ) -> Refusal | None:
        """None if the student may still type an answer; else why not (answered, too late)."""
        live = await self._snapshot(round_id)
        question = live.state.current
        if (
            live.round.status != "running"
            or live.round.current_index != question_index
            or question is None
            or question.closed
            or utc(at) > question.deadline
        ):
            return await self._late(live, question_index, user_id, None)
        if question.kind is not QuestionType.FREE_RESPONSE:
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
        typed = asked is not None and asked.kind is QuestionType.FREE_RESPONSE
        return FirstAnswerStands(given.answer, typed)

    async def _snapshot(self, round_id: int) -> _Live:
        live = self._live.get(round_id)
        if live is not None:
            return live
        rnd = await self._s.storage.rounds.get(round_id)
        if rnd is None:
            raise RoundGone
        return self._remember(rnd, _state_of(rnd))

    def _remember(self, rnd: Round, state: RoundState) -> _Live:
        live = _Live(rnd, state)
        if rnd.status == "running":
            self._live[rnd.id] = live
        else:
            self._live.pop(rnd.id, None)
        return live

    async def answer_count(self, round_id: int, question_index: int) -> int:
        """How many students answered the question so far (the live counter)."""
        return await self._s.storage.rounds.answer_count(round_id, question_index)

    async def question_view(self, round_id: int) -> QuestionView | None:
        """The open question of a running round, for redrawing its message; else None."""
        live = await self._snapshot(round_id)
        question = live.state.current
        if live.round.status != "running" or question is None or question.closed:
            return None
        return self._question_view(live.round, live.state)

    async def assess(
        self, round_id: int, question_index: int, user_id: int, assessment: str
    ) -> AssessOutcome:
        """Got it / Partly / Missed it on a revealed free-response answer, judged by
        `rules.judge_assessment` against this question and the student's answer to it; the
        first judgement stands (the database's conditional write decides between two)."""
        rnd = await self._s.storage.rounds.get(round_id)
        if rnd is None:
            raise RoundGone
        state = _state_of(rnd)
        question = state.question_at(question_index)
        if question is None:
            raise Forged("That question is not part of this round.")
        row = await self._s.storage.rounds.answer_of(round_id, question_index, user_id)
        previous = _domain_answer(row) if row is not None else None
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
        )
        if saved is None:  # judged a moment ago (a double click), or forgotten meanwhile
            again = await self._s.storage.rounds.answer_of(round_id, question_index, user_id)
            now = rules.judge_assessment(
                question, _domain_answer(again) if again is not None else None, assessment
            )
            return now if isinstance(now, Refusal) else NoAnswerToAssess()
        return rules.Judged(judged, points)

    # -- close, reveal, next, end ---------------------------------------------------------------

    async def skip(self, channel_id: int, is_instructor: bool) -> Refusal | None:
        """`/round skip`: reveal the open question now; None once done, else why not."""
        if not is_instructor:
            return NotInstructor()
        rnd = await self._s.storage.rounds.running_in(channel_id)
        if rnd is None:
            return NoRoundHere()
        state = _state_of(rnd)
        if state.current is None or state.current.closed:
            return AlreadyRevealed()
        if not await self._close(rnd.id, rnd.version):
            return JustRevealed()
        return None

    async def stop_round(self, channel_id: int, is_instructor: bool) -> RoundEnd | Refusal:
        """`/round stop`: reveal the open question and end the round with its podium."""
        if not is_instructor:
            return NotInstructor()
        running = await self._s.storage.rounds.running_in(channel_id)
        if running is None:
            return NoRoundHere()
        rnd, state = await self._load(running.id)
        open_before = state.current is not None and not state.current.closed
        stopped = rules.stop(state, self._s.clock())
        end = await self._end(rnd, stopped, reason=None)
        if end is None:
            return JustEnded()
        if open_before:
            self._show_reveal(rnd, stopped, last=True)
        await self._updates.run(rnd.id, partial(self._presenter.show_end, end))
        return end

    async def _on_close(self, timer: Timer) -> None:
        await self._close(int(timer.payload["round_id"]), int(timer.payload["version"]))

    async def _on_next(self, timer: Timer) -> None:
        await self._advance(int(timer.payload["round_id"]), int(timer.payload["version"]))

    async def _close(self, round_id: int, version: int) -> bool:
        """Close the open question at `version`, show its reveal and schedule what follows."""
        rnd, state = await self._load(round_id)
        question = state.current
        if rnd.status != "running" or rnd.version != version or question is None:
            return False
        if question.closed:
            return False
        closed = rules.close_current(state, self._s.clock(), skip=True)
        saved = await self._s.storage.rounds.save_state(
            rnd.id,
            now=self._s.clock(),
            expected_version=rnd.version,
            state=_dump(closed),
            current_index=rnd.current_index,
            deadline=None,
        )
        if saved is None:
            return False
        self._remember(saved, closed)
        # A skip leaves the close timer in place: it fires later and finds nothing to do
        # (every step is a compare-and-swap on the round's version).
        last = not closed.remaining
        next_at = self._s.clock() + NEXT_PAUSE
        await self._schedule(TIMER_NEXT, saved, next_at)
        self._show_reveal(saved, closed, last=last, next_at=next_at)
        return True

    def _show_reveal(
        self, rnd: Round, state: RoundState, *, last: bool, next_at: datetime | None = None
    ) -> None:
        """Queue the reveal of the round's current question."""
        question = state.current
        if question is None:  # only a round that asked a question is revealed
            raise RoundError("a reveal of a round that asked nothing")
        view = RevealView(
            self._question_view(rnd, state, answered=len(question.answers)),
            results.reveal(question),
            rnd.message_id,
            last,
            next_at,
        )
        self._updates.submit(rnd.id, partial(self._reveal, view, 1))

    async def _reveal(self, view: RevealView, attempt: int) -> None:
        """Show a reveal; if the front end cannot now (Discord failing), try again from a timer
        with backoff. The round's own step is already in the database and does not wait."""
        view = await self._with_message(view)
        question = view.question
        try:
            await self._presenter.show_reveal(view)
        except NotShown as exc:
            delay = reveal_retry_delay(attempt)
            log.warning(
                "could not show the reveal of round %s question %s (try %d: %s); "
                "trying again in %d s",
                question.round_id,
                question.number,
                attempt,
                exc,
                delay.total_seconds(),
            )
            payload = {
                "round_id": question.round_id,
                "index": question.index,
                "message_id": view.message_id,
                "attempt": attempt,
            }
            await self._s.scheduler.schedule(
                TIMER_REVEAL,
                self._s.clock() + delay,
                payload,
                key=_key(question.round_id, TIMER_REVEAL),
            )
        except Exception:
            log.exception("could not show the reveal of round %s", question.round_id)

    async def _on_reveal(self, timer: Timer) -> None:
        """Another try at a reveal Discord did not take, on that question's own message (the
        round may be further on by now, so no "next question" line; if the message is gone,
        nothing stale is left to fix)."""
        rnd, state = await self._load(int(timer.payload["round_id"]))
        asked = state.question_at(int(timer.payload["index"]))
        if asked is None or not asked.closed:
            return
        message_id = timer.payload.get("message_id")
        shown = replace(
            self._question_view(rnd, state, answered=len(asked.answers), asked=asked),
            message_id=message_id,
        )
        view = RevealView(shown, results.reveal(asked), message_id, False, None, repost=False)
        self._updates.submit(rnd.id, partial(self._reveal, view, int(timer.payload["attempt"]) + 1))

    async def _with_message(self, view: RevealView) -> RevealView:
        """A reveal queued before its question's message id was stored (the post was still on
        its way) edits that message once it is known, rather than posting a second one."""
        question = view.question
        if view.message_id is not None or not view.repost:
            return view
        rnd = await self._s.storage.rounds.get(question.round_id)
        if rnd is None or rnd.current_index != question.index or rnd.message_id is None:
            return view
        return replace(
            view, question=replace(question, message_id=rnd.message_id), message_id=rnd.message_id
        )

    async def _advance(self, round_id: int, version: int) -> None:
        """After a reveal: open the next question, or end the round after the last."""
        rnd, state = await self._load(round_id)
        if rnd.status != "running" or rnd.version != version:
            return
        if state.current is not None and not state.current.closed:
            return
        now = self._s.clock()
        topic = self._s.library.get(state.topic_id)
        if topic is None:
            reason = "The topic of this round was removed from the course content."
            end = await self._end(rnd, rules.finish(state, now), reason=reason)
            if end is not None:
                self._updates.submit(rnd.id, partial(self._presenter.show_end, end))
            return
        new = rules.next_question(state, topic, now)
        if not new.running or new.current is None or new.current.closed:
            end = await self._end(rnd, new, reason=None)
            if end is not None:
                self._updates.submit(rnd.id, partial(self._presenter.show_end, end))
            return
        current = new.current
        saved = await self._s.storage.rounds.save_state(
            rnd.id,
            now=now,
            expected_version=rnd.version,
            state=_dump(new),
            current_index=new.index_of(current.question_id),
            deadline=current.deadline,
            message_id=None,
        )
        if saved is None:
            return
        self._remember(saved, new)
        await self._schedule(TIMER_CLOSE, saved, current.deadline + CLOSE_GRACE)
        self._post(saved, new)

    async def _end(self, rnd: Round, state: RoundState, *, reason: str | None) -> RoundEnd | None:
        """Store the round as finished or stopped; None if another step ended it first."""
        saved = await self._s.storage.rounds.save_state(
            rnd.id,
            now=self._s.clock(),
            expected_version=rnd.version,
            state=_dump(state),
            current_index=rnd.current_index,
            deadline=None,
            status="stopped" if state.status is rules.RoundStatus.STOPPED else "finished",
        )
        if saved is None:
            return None
        self._live.pop(rnd.id, None)
        # Timers left behind fire later and find the round over (a compare-and-swap on its
        # version), so ending never has to chase them.
        return await self._summary(saved, state, reason)

    async def _summary(self, rnd: Round, state: RoundState, reason: str | None) -> RoundEnd:
        library = self._s.library
        topic = library.get(state.topic_id)
        mastered: dict[int, frozenset[str]] = {}
        for standing in results.struggling(state):
            student = await self._s.progress.student(standing.user_id)
            mastered[standing.user_id] = frozenset(student.mastered)
        report = results.instructor_report(state, library.graph, mastered)

        def prompt(question_id: str) -> str:
            found = topic.question(question_id) if topic is not None else None
            return found.prompt if found is not None else question_id

        ranked = results.standings(state)
        return RoundEnd(
            round_id=rnd.id,
            guild_id=rnd.guild_id,
            channel_id=rnd.channel_id,
            instructor_id=state.instructor_id,
            topic_title=self._title(state.topic_id),
            stopped=state.status is rules.RoundStatus.STOPPED,
            reason=reason,
            asked=sum(1 for q in state.asked if q.closed),
            podium=tuple(ranked[:3]),
            top=tuple(ranked[:10]),
            participants=len(ranked),
            most_missed=tuple(
                MissedView(m.question_id, prompt(m.question_id), m.correct_share)
                for m in report.most_missed
            ),
            struggling=tuple(
                StrugglingView(
                    s.standing.user_id, s.standing.accuracy, tuple(self._title(t) for t in s.review)
                )
                for s in report.struggling
            ),
        )

    # -- results --------------------------------------------------------------------------------

    async def results_csv(
        self,
        guild_id: int,
        round_id: int | None,
        names: Mapping[int, str],
        *,
        is_instructor: bool,
    ) -> tuple[Round, str] | Refusal:
        """The `/round results` CSV of a round of this server (default: its latest); for
        instructors only."""
        if not is_instructor:
            return NotInstructor()
        if round_id is None:
            recent = await self._s.storage.rounds.recent_in_guild(guild_id, 1)
            rnd = recent[0] if recent else None
        else:
            rnd = await self._s.storage.rounds.get(round_id)
        if rnd is None or rnd.guild_id != guild_id or rnd.state is None:
            return NoSuchRound()
        _, state = await self._load(rnd.id)
        return rnd, results.csv_text(results.result_rows(state, names))

    async def report(
        self, guild_id: int, round_id: int, *, is_instructor: bool
    ) -> RoundEnd | Refusal:
        """The standings and instructor report of a round of this server, at any time; for
        instructors only."""
        if not is_instructor:
            return NotInstructor()
        rnd = await self._s.storage.rounds.get(round_id)
        if rnd is None or rnd.guild_id != guild_id:
            return NoSuchRound()
        rnd, state = await self._load(round_id)
        return await self._summary(rnd, state, None)

    async def recent(self, guild_id: int, limit: int = 25) -> list[PastRound]:
        """The server's latest rounds, newest first."""
        return [
            PastRound(rnd.id, self._title(_state_of(rnd).topic_id), rnd.created_at, rnd.status)
            for rnd in await self._s.storage.rounds.recent_in_guild(guild_id, limit)
        ]

    def _title(self, topic_id: str) -> str:
        """A topic's title, or its id once a content reload removed it."""
        topic = self._s.library.get(topic_id)
        return topic.title if topic is not None else topic_id

    # -- helpers --------------------------------------------------------------------------------

    async def _load(self, round_id: int) -> tuple[Round, RoundState]:
        """The round with every answer recorded so far (for reveals, standings and the CSV)."""
        rnd = await self._s.storage.rounds.get(round_id)
        if rnd is None:
            raise RoundGone
        state = _state_of(rnd)
        by_question: dict[str, list[RoundAnswer]] = {}
        for row in await self._s.storage.rounds.answers(round_id):
            question_id = state.question_ids[row.question_index]
            by_question.setdefault(question_id, []).append(_domain_answer(row))
        asked = tuple(
            replace(q, answers=tuple(by_question.get(q.question_id, ()))) for q in state.asked
        )
        return rnd, replace(state, asked=asked)

    async def _schedule(self, kind: str, rnd: Round, due_at: datetime) -> None:
        """Store this round's next step of `kind`, due at `due_at`, for its current version."""
        await self._s.scheduler.schedule(
            kind, due_at, {"round_id": rnd.id, "version": rnd.version}, key=_key(rnd.id, kind)
        )

    def _question_view(
        self,
        rnd: Round,
        state: RoundState,
        answered: int = 0,
        asked: RoundQuestion | None = None,
    ) -> QuestionView:
        """The view of the current question, or of `asked`, an earlier one of the round."""
        question = asked or state.current
        if question is None:  # only a round that asked a question is shown
            raise RoundError("a question view of a round that asked nothing")
        number = 1 + [q.question_id for q in state.asked].index(question.question_id)
        topic = self._s.library.get(state.topic_id)
        return QuestionView(
            round_id=rnd.id,
            guild_id=rnd.guild_id,
            channel_id=rnd.channel_id,
            topic_title=self._title(state.topic_id),
            index=state.index_of(question.question_id),
            number=number,
            total=state.total,
            asked=question,
            question=topic.question(question.question_id) if topic is not None else None,
            answered=answered,
            message_id=rnd.message_id,
        )
