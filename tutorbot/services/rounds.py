"""Use cases of a group round: start, answer (the fast path), close and reveal, next, stop, results.

Everything that matters is in the database: the domain's `RoundState` without its answers in
`rounds.state`, each answer a row of `round_answers` (UNIQUE per student per question: the
database, not memory, decides that the first answer is final), deadlines as timer rows. Each step
of a round is a compare-and-swap on the round's version, so a timer firing twice, a skip racing
the deadline, or a second bot process apply once. After a restart `start()` picks every running
round up where it was: an overdue deadline reveals at once.

`RoundService` is the one entry front ends and tests use. This module holds a round's steps (start,
close and reveal, next, stop, the timer handlers and resuming after a restart); the rest is split
by concern and reached through it: the click path (`round_answers.py`: a cached snapshot, the
click judged by its own time, one conditional write), who may run rounds and the server's
defaults (`round_settings.py`), what a round shows and leaves behind (`round_reports.py`: views,
the podium and report, the CSV), showing reveals and retrying them (`round_reveals.py`), and
how a round is stored and read back (`round_rows.py`).

Front ends learn what to show through a `RoundPresenter` (the Discord extension posts and edits
channel messages); the service never imports Discord.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from tutorbot.content.models import Topic
from tutorbot.domain import round_state
from tutorbot.domain import rounds as rules
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.round_state import RoundQuestion, RoundState
from tutorbot.domain.rounds import AcceptOutcome, AssessOutcome, RoundError
from tutorbot.guild_scope import enter_guild
from tutorbot.scheduler import KEEP
from tutorbot.services import round_reports, round_rows, round_settings
from tutorbot.services.round_answers import RoundAnswers
from tutorbot.services.round_options import RoundOptions
from tutorbot.services.round_pause import RoundPauses
from tutorbot.services.round_reveals import TIMER_REVEAL, RoundReveals
from tutorbot.services.round_views import (
    AlreadyRevealed,
    AlreadyRunning,
    JustEnded,
    JustRevealed,
    NoRoundHere,
    NotInstructor,
    PastRound,
    QuestionView,
    RoundEnd,
    RoundPresenter,
    SilentPresenter,
)
from tutorbot.services.serial import SerialQueues
from tutorbot.storage import RoundAlreadyRunningError
from tutorbot.storage._unset import UNSET, Unset
from tutorbot.storage.guild_settings import GuildSettings
from tutorbot.storage.rounds import Round
from tutorbot.storage.timers import StepTimer, Timer

if TYPE_CHECKING:
    from tutorbot.services import Services

log = logging.getLogger(__name__)

TIMER_CLOSE = "round.close"
TIMER_NEXT = "round.next"
TIMER_POST = "round.post"
"""A question's message to post: held by the process that opened the question, which posts it at
once and deletes the timer once its message id is stored; if it dies first, whoever claims the
timer posts it."""
CLOSE_GRACE = timedelta(seconds=1)
"""The reveal waits this long past the deadline, so a click made in time but still in flight is
recorded (clicks are judged by their own time, not by when they arrive)."""
NEXT_PAUSE = timedelta(seconds=4)
"""Between a reveal and the next question (or the podium)."""
SETTLE_SECONDS = 5.0
"""On shutdown, how long the Discord updates already queued may take to finish."""


class RoundService:
    """Group rounds in channels, at most one running per channel."""

    def __init__(self, services: Services, rng: random.Random | None = None) -> None:
        self._s = services
        self._rng = rng or random.Random()  # noqa: S311 (draws questions, no secret)
        self._presenter: RoundPresenter = SilentPresenter()
        self._answers = RoundAnswers(services)
        """The click path, with its cache of the running rounds."""
        self._updates: SerialQueues[int] = SerialQueues("tutorbot-round-updates")
        """What the front end is shown, queued per round: timer handlers do the database step
        and return, so a slow channel never delays another round's deadline."""
        services.scheduler.register(TIMER_CLOSE, self._on_close)
        services.scheduler.register(TIMER_NEXT, self._on_next)
        services.scheduler.register(TIMER_POST, self._on_post)
        self._reveals = RoundReveals(services, self._updates, lambda: self._presenter)
        """Reveals, retried until the front end takes them (registers `round.reveal`)."""
        self._pauses = RoundPauses(
            services, self._answers, self._updates, lambda: self._presenter, self._close_timer
        )
        """`/round pause` and `/round resume` (services/round_pause.py)."""

    # -- lifecycle ------------------------------------------------------------------------------

    def attach(self, presenter: RoundPresenter) -> None:
        """Show rounds through this front end."""
        self._presenter = presenter

    async def resume(self) -> None:
        """Pick up every running round of this process's servers (before the scheduler starts
        firing its deadlines)."""
        pending = {t.key for t in await self._s.storage.timers.all() if t.key}
        for rnd in await self._s.storage.rounds.running():
            if not self._s.owns_guild(rnd.guild_id):
                continue  # another process's shard resumes it
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
        _, state = await self._load(rnd.id, "current")
        question = state.current
        # A question whose message was never stored: its post timer posts it, if it has one.
        post_key = round_rows.timer_key(rnd.id, TIMER_POST)
        unposted = rnd.message_id is None and post_key not in pending
        if state.paused_at is not None:  # paused: it waits for /round resume, and no timer
            if unposted and question is not None:
                self._post(rnd, state)
            return
        if question is not None and not question.closed:
            if round_rows.timer_key(rnd.id, TIMER_CLOSE) not in pending:
                await self._schedule(TIMER_CLOSE, rnd, question.deadline + CLOSE_GRACE)
            if unposted:
                self._post(rnd, state)
        elif round_rows.timer_key(rnd.id, TIMER_NEXT) not in pending:
            # Only a round stored before a close wrote its follow-ups in its own transaction.
            next_at = self._s.clock() + NEXT_PAUSE
            await self._schedule(TIMER_NEXT, rnd, next_at)
            reveal_key = round_rows.timer_key(rnd.id, TIMER_REVEAL)
            if question is not None and reveal_key not in pending:
                reveal = self._reveals.timer(
                    rnd.id, rnd.current_index, rnd.message_id, last=not state.remaining
                )
                await self._s.scheduler.schedule(
                    reveal.kind, reveal.due_at, reveal.payload, key=reveal.key
                )

    # -- permissions and settings (services/round_settings.py) ---------------------------------

    async def settings_for(self, guild_id: int) -> GuildSettings:
        """The server's instructor role and round defaults."""
        return await round_settings.settings_for(self._s, guild_id)

    async def update_settings(
        self,
        guild_id: int,
        *,
        instructor_role_id: int | Unset | None = UNSET,
        questions: int | None = None,
        seconds: int | None = None,
        scoring: str | None = None,
    ) -> GuildSettings | Refusal:
        """Change the server's instructor role and round defaults (see
        `round_settings.update_settings`); options left out keep theirs."""
        return await round_settings.update_settings(
            self._s,
            guild_id,
            instructor_role_id=instructor_role_id,
            questions=questions,
            seconds=seconds,
            scoring=scoring,
        )

    async def is_instructor(
        self, guild_id: int, manage_guild: bool, role_ids: Collection[int]
    ) -> bool:
        """Manage Server, or the server's configured instructor role."""
        return await round_settings.is_instructor(self._s, guild_id, manage_guild, role_ids)

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
        options: RoundOptions | None = None,
    ) -> QuestionView | Refusal:
        """Start a round on `topic` in the channel and post its first question.

        Options left out take the server's defaults (`options`, teams, streak and podium, come
        resolved: `round_options.resolve`). Refuses non-instructors, bad settings, a topic
        without questions, and a channel with a round.
        """
        if not is_instructor:
            return NotInstructor()
        defaults = await self.settings_for(guild_id)
        settings = rules.settings_from(
            questions if questions is not None else defaults.round_questions,
            seconds if seconds is not None else defaults.round_seconds,
            scoring or defaults.round_scoring,
            **(options.settings_args() if options is not None else {}),
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
            rnd, (_, post_id) = await self._s.storage.rounds.start_with(
                guild_id=guild_id,
                channel_id=channel_id,
                host_id=instructor_id,
                now=now,
                deadline=current.deadline,
                state=round_rows.dump(state),
                current_index=state.index_of(current.question_id),
                then=partial(self._first_steps, due_at=current.deadline + CLOSE_GRACE),
            )
        except RoundAlreadyRunningError:
            return AlreadyRunning()
        self._s.scheduler.wake()
        self._answers.remember(rnd, state)
        view = self._question_view(rnd, state)
        self._s.scheduler.hold(post_id)
        # The instructor hears back once the question is posted (and its message id stored).
        await self._updates.run(rnd.id, partial(self._show_question, rnd, state, view, post_id))
        return view

    def _post(self, rnd: Round, state: RoundState, timer_id: int | None = None) -> QuestionView:
        """Queue the question's message (its `round.post` timer, held by this process, is
        deleted once the message is stored); returns what it shows."""
        view = self._question_view(rnd, state)
        if timer_id is not None:
            self._s.scheduler.hold(timer_id)
        self._updates.submit(rnd.id, partial(self._show_question, rnd, state, view, timer_id))
        return view

    async def _show_question(
        self, rnd: Round, state: RoundState, view: QuestionView, timer_id: int | None = None
    ) -> None:
        """Post a question and store its message id, unless the round moved on meanwhile; then
        its post timer is done."""
        await self._post_and_store(rnd, state, view)
        if timer_id is not None:
            await self._s.scheduler.done(timer_id)

    async def _post_and_store(self, rnd: Round, state: RoundState, view: QuestionView) -> None:
        """Post the question; store its message id if the round is still at it."""
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
            self._answers.remember(updated, state)
        else:
            self._answers.forget(rnd.id)  # read afresh: the round took a step meanwhile

    async def _on_post(self, timer: Timer) -> object:
        """A question's post that its process did not finish (it died, or stopped): post it
        now, unless its message was stored meanwhile or the round moved on."""
        rnd, state = await self._load(int(timer.payload["round_id"]), "none")
        question = state.current
        if (
            rnd.status != "running"
            or rnd.current_index != int(timer.payload["index"])
            or rnd.message_id is not None
            or question is None
            or question.closed
        ):
            return None
        self._post(rnd, state, timer.id)
        return KEEP

    # -- answers: the click path (services/round_answers.py) ------------------------------------

    async def accept(
        self, round_id: int, question_index: int, user_id: int, choice: str, at: datetime
    ) -> AcceptOutcome:
        """A student's answer, clicked at `at`: Locked or why not (`RoundAnswers.accept`)."""
        return await self._answers.accept(round_id, question_index, user_id, choice, at)

    async def check_writable(
        self, round_id: int, question_index: int, user_id: int, at: datetime
    ) -> Refusal | None:
        """None if the student may still type an answer; else why not (answered, too late)."""
        return await self._answers.check_writable(round_id, question_index, user_id, at)

    async def assess(
        self, round_id: int, question_index: int, user_id: int, assessment: str
    ) -> AssessOutcome:
        """A self-assessment of a revealed typed answer (`RoundAnswers.assess`)."""
        return await self._answers.assess(round_id, question_index, user_id, assessment)

    async def answer_count(self, round_id: int, question_index: int) -> int:
        """How many students answered the question so far (the live counter)."""
        return await self._answers.answer_count(round_id, question_index)

    async def question_view(self, round_id: int) -> QuestionView | None:
        """The open question of a running round, for redrawing its message; else None."""
        live = await self._answers.snapshot(round_id)
        question = live.state.current
        if live.round.status != "running" or question is None or question.closed:
            return None
        return self._question_view(live.round, live.state)

    # -- close, reveal, next, end ---------------------------------------------------------------

    async def skip(self, channel_id: int, is_instructor: bool) -> Refusal | None:
        """`/round skip`: reveal the open question now; None once done, else why not."""
        if not is_instructor:
            return NotInstructor()
        rnd = await self._s.storage.rounds.running_in(channel_id)
        if rnd is None:
            return NoRoundHere()
        state = round_rows.state_of(rnd)
        if state.current is None or state.current.closed:
            return AlreadyRevealed()
        if not await self._close(rnd.id, rnd.version):
            return JustRevealed()
        return None

    async def pause(self, channel_id: int, is_instructor: bool) -> QuestionView | Refusal:
        """`/round pause`: stop the open question's countdown (`RoundPauses.pause`)."""
        return await self._pauses.pause(channel_id, is_instructor)

    async def resume_round(self, channel_id: int, is_instructor: bool) -> QuestionView | Refusal:
        """`/round resume`: the paused question's countdown goes on (`RoundPauses.resume`)."""
        return await self._pauses.resume(channel_id, is_instructor)

    async def stop_round(self, channel_id: int, is_instructor: bool) -> RoundEnd | Refusal:
        """`/round stop`: reveal the open question and end the round with its podium."""
        if not is_instructor:
            return NotInstructor()
        running = await self._s.storage.rounds.running_in(channel_id)
        if running is None:
            return NoRoundHere()
        rnd, state = await self._load(running.id, "current")
        open_before = state.current is not None and not state.current.closed
        stopped = rules.stop(state, self._s.clock())
        reveal = self._reveals.timer(rnd.id, rnd.current_index, rnd.message_id, last=True)
        ended = await self._end(rnd, stopped, reason=None, timers=[reveal] if open_before else [])
        if ended is None:
            return JustEnded()
        end, timer_ids = ended
        if open_before:
            self._reveals.show(rnd, stopped, timer_ids[0], last=True)
        await self._updates.run(rnd.id, partial(self._presenter.show_end, end))
        return end

    async def _on_close(self, timer: Timer) -> None:
        await self._close(int(timer.payload["round_id"]), int(timer.payload["version"]))

    async def _on_next(self, timer: Timer) -> None:
        await self._advance(int(timer.payload["round_id"]), int(timer.payload["version"]))

    async def _close(self, round_id: int, version: int) -> bool:
        """Close the open question at `version`, show its reveal and schedule what follows.

        The closed state, the next step's timer and the reveal's are one write: a kill at any
        moment leaves the question open (its close timer fires again) or closed with both
        pending, never closed with nothing to move the round on."""
        rnd, state = await self._load(round_id, "current")
        question = state.current
        if rnd.status != "running" or rnd.version != version or question is None:
            return False
        if question.closed:
            return False
        now = self._s.clock()
        closed = rules.close_current(state, now, skip=True)
        last = not closed.remaining
        next_at = now + NEXT_PAUSE
        reveal = self._reveals.timer(
            rnd.id, rnd.current_index, rnd.message_id, last=last, next_at=next_at
        )
        stepped = await self._s.storage.rounds.save_step(
            rnd.id,
            now=now,
            expected_version=rnd.version,
            state=round_rows.dump(closed),
            current_index=rnd.current_index,
            deadline=None,
            timers=[self._step_timer(TIMER_NEXT, rnd, next_at), reveal],
        )
        if stepped is None:
            return False
        saved, (_, reveal_id) = stepped
        self._s.scheduler.wake()
        self._answers.remember(saved, closed)
        # A skip leaves the close timer in place: it fires later and finds nothing to do
        # (every step is a compare-and-swap on the round's version).
        self._reveals.show(saved, closed, reveal_id, last=last, next_at=next_at)
        return True

    async def _advance(self, round_id: int, version: int) -> None:
        """After a reveal: open the next question, or end the round after the last."""
        rnd, state = await self._load(round_id, "none")
        if rnd.status != "running" or rnd.version != version:
            return
        if state.current is not None and not state.current.closed:
            return
        now = self._s.clock()
        topic = self._s.library.get(state.topic_id)
        if topic is None:
            reason = "The topic of this round was removed from the course content."
            ended = await self._end(rnd, rules.finish(state, now), reason=reason)
            if ended is not None:
                self._updates.submit(rnd.id, partial(self._presenter.show_end, ended[0]))
            return
        new = rules.next_question(state, topic, now)
        if not new.running or new.current is None or new.current.closed:
            ended = await self._end(rnd, new, reason=None)
            if ended is not None:
                self._updates.submit(rnd.id, partial(self._presenter.show_end, ended[0]))
            return
        current = new.current
        stepped = await self._s.storage.rounds.save_step(
            rnd.id,
            now=now,
            expected_version=rnd.version,
            state=round_rows.dump(new),
            current_index=new.index_of(current.question_id),
            deadline=current.deadline,
            message_id=None,
            timers=[
                self._step_timer(TIMER_CLOSE, rnd, current.deadline + CLOSE_GRACE),
                self._post_timer(rnd.id, new.index_of(current.question_id)),
            ],
        )
        if stepped is None:
            return
        saved, (_, post_id) = stepped
        self._s.scheduler.wake()
        self._answers.remember(saved, new)
        self._post(saved, new, post_id)

    async def _end(
        self,
        rnd: Round,
        state: RoundState,
        *,
        reason: str | None,
        timers: Sequence[StepTimer] = (),
    ) -> tuple[RoundEnd, list[int]] | None:
        """Store the round as finished or stopped, with `timers` (a reveal) in the same write;
        its end and the timers' ids, or None if another step ended it first."""
        stepped = await self._s.storage.rounds.save_step(
            rnd.id,
            now=self._s.clock(),
            expected_version=rnd.version,
            state=round_rows.dump(state),
            current_index=rnd.current_index,
            deadline=None,
            status="stopped" if state.status is round_state.RoundStatus.STOPPED else "finished",
            timers=timers,
        )
        if stepped is None:
            return None
        saved, timer_ids = stepped
        self._answers.forget(rnd.id)
        # Timers left behind fire later and find the round over (a compare-and-swap on its
        # version), so ending never has to chase them. The steps read only the answers they
        # show; the standings need them all.
        full = await round_rows.with_all_answers(self._s.storage.rounds, rnd.id, state)
        return await round_reports.summary(self._s, saved, full, reason), timer_ids

    # -- results (services/round_reports.py) ----------------------------------------------------

    async def results_csv(
        self, guild_id: int, round_id: int | None, *, is_instructor: bool
    ) -> tuple[Round, str] | Refusal:
        """The `/round results` CSV of a round of this server (default: its latest); for
        instructors only."""
        return await round_reports.results_csv(
            self._s, guild_id, round_id, is_instructor=is_instructor
        )

    async def report(
        self, guild_id: int, round_id: int, *, is_instructor: bool
    ) -> RoundEnd | Refusal:
        """The standings and instructor report of a round of this server, at any time; for
        instructors only."""
        return await round_reports.report(self._s, guild_id, round_id, is_instructor=is_instructor)

    async def recent(self, guild_id: int, limit: int = 25) -> list[PastRound]:
        """The server's latest rounds, newest first."""
        return await round_reports.recent(self._s, guild_id, limit)

    # -- helpers --------------------------------------------------------------------------------

    async def _load(
        self, round_id: int, answers: round_rows.Answers = "all"
    ) -> tuple[Round, RoundState]:
        """The round with the answers a step needs (`round_rows.load`); the rest of the step is
        for the round's server (its packs' topics), whether a click or a timer runs it."""
        rnd, state = await round_rows.load(self._s.storage.rounds, round_id, answers=answers)
        enter_guild(rnd.guild_id)
        await self._s.packs.hold(rnd.guild_id)  # a timer taken over from another shard's process
        return rnd, state

    async def _schedule(self, kind: str, rnd: Round, due_at: datetime) -> None:
        """Store this round's next step of `kind`, due at `due_at`, for its current version."""
        await self._s.scheduler.schedule(
            kind,
            due_at,
            {"round_id": rnd.id, "version": rnd.version},
            key=round_rows.timer_key(rnd.id, kind),
        )

    def _close_timer(self, rnd: Round, state: RoundState) -> StepTimer:
        """The close timer of `state`'s open question, for the step saving `rnd`."""
        question = state.current
        if question is None:
            raise RoundError("a close timer for a round with no question open")
        return self._step_timer(TIMER_CLOSE, rnd, question.deadline + CLOSE_GRACE)

    def _first_steps(self, rnd: Round, *, due_at: datetime) -> list[StepTimer]:
        """A new round's first close timer and its first question's post, stored in the write
        that creates it (run inside that write, with the new row)."""
        payload = {"round_id": rnd.id, "version": rnd.version}
        key = round_rows.timer_key(rnd.id, TIMER_CLOSE)
        return [
            StepTimer(TIMER_CLOSE, due_at, payload, key=key),
            self._post_timer(rnd.id, rnd.current_index),
        ]

    def _post_timer(self, round_id: int, index: int) -> StepTimer:
        """The post of question `index`'s message, due now and held by this process (which
        posts it at once), for the step that opens the question to store."""
        return StepTimer(
            TIMER_POST,
            self._s.clock(),
            {"round_id": round_id, "index": index},
            key=round_rows.timer_key(round_id, TIMER_POST),
            held_by=self._s.scheduler.owner,
            lease_until=self._s.scheduler.lease_until(),
        )

    @staticmethod
    def _step_timer(kind: str, rnd: Round, due_at: datetime) -> StepTimer:
        """The round's next step of `kind`, for the step saving `rnd` (at its next version) to
        store in its own write."""
        payload = {"round_id": rnd.id, "version": rnd.version + 1}
        return StepTimer(kind, due_at, payload, key=round_rows.timer_key(rnd.id, kind))

    def _question_view(
        self,
        rnd: Round,
        state: RoundState,
        answered: int = 0,
        asked: RoundQuestion | None = None,
    ) -> QuestionView:
        """The view of the current question, or of `asked`, an earlier one of the round."""
        return round_reports.question_view(self._s, rnd, state, answered, asked)
