"""`/round pause` and `/round resume`: the open question's countdown stops, and starts again
with the time it had left.

A pause is a step of the round like any other: the state (with `paused_at`) is saved by a
compare-and-swap on the round's version with no deadline, so the close timer already pending
finds the version moved and does nothing, and the database refuses answers (`record_open_answer`
takes them only while a deadline is set). Resuming saves the question's clock shifted by the
pause (`round_options.resume`) with its new deadline and the close timer for it, in one write.
Everything is in the database, so a restart while paused stays paused (`RoundService._resume`
leaves a paused round alone) and `/round resume` after it works as before.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from tutorbot.domain import round_options as opts
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.round_state import RoundState
from tutorbot.guild_scope import enter_guild
from tutorbot.services import round_reports, round_rows
from tutorbot.services.round_answers import RoundAnswers
from tutorbot.services.round_views import (
    JustRevealed,
    NoRoundHere,
    NotInstructor,
    QuestionView,
    RoundPresenter,
)
from tutorbot.services.serial import SerialQueues
from tutorbot.storage.rounds import Round
from tutorbot.storage.timers import StepTimer

if TYPE_CHECKING:
    from tutorbot.services import Services


class RoundPauses:
    """Pausing and resuming running rounds (reached through `RoundService.pause`/`resume`)."""

    def __init__(
        self,
        services: Services,
        answers: RoundAnswers,
        updates: SerialQueues[int],
        presenter: Callable[[], RoundPresenter],
        close_timer: Callable[[Round, RoundState], StepTimer],
    ) -> None:
        self._s = services
        self._answers = answers
        self._updates = updates
        self._presenter = presenter
        self._close_timer = close_timer
        """The close timer of the round's open question, for the step saving `rnd`."""

    async def _running(self, channel_id: int) -> tuple[Round, RoundState] | Refusal:
        """The channel's running round with its state (no answers), or NoRoundHere."""
        found = await self._s.storage.rounds.running_in(channel_id)
        if found is None:
            return NoRoundHere()
        rnd, state = await round_rows.load(self._s.storage.rounds, found.id, answers="none")
        enter_guild(rnd.guild_id)
        return rnd, state

    async def pause(self, channel_id: int, is_instructor: bool) -> QuestionView | Refusal:
        """Stop the open question's countdown (whoever may stop the round may pause it); the
        question's message shows that it is paused and how long it had left."""
        if not is_instructor:
            return NotInstructor()
        found = await self._running(channel_id)
        if isinstance(found, Refusal):
            return found
        rnd, state = found
        paused = opts.pause(state, self._s.clock())
        if isinstance(paused, Refusal):
            return paused
        saved = await self._s.storage.rounds.save_state(
            rnd.id,
            now=self._s.clock(),
            expected_version=rnd.version,
            state=round_rows.dump(paused),
            current_index=rnd.current_index,
            deadline=None,
        )
        if saved is None:
            return JustRevealed()
        return await self._show(saved, paused)

    async def resume(self, channel_id: int, is_instructor: bool) -> QuestionView | Refusal:
        """Start the paused question's countdown again with the time it had left."""
        if not is_instructor:
            return NotInstructor()
        found = await self._running(channel_id)
        if isinstance(found, Refusal):
            return found
        rnd, state = found
        resumed = opts.resume(state, self._s.clock())
        if isinstance(resumed, Refusal):
            return resumed
        question = resumed.current
        open_ = question is not None and not question.closed
        stepped = await self._s.storage.rounds.save_step(
            rnd.id,
            now=self._s.clock(),
            expected_version=rnd.version,
            state=round_rows.dump(resumed),
            current_index=rnd.current_index,
            deadline=question.deadline if question is not None and open_ else None,
            timers=[self._close_timer(rnd, resumed)] if open_ else [],
        )
        if stepped is None:
            return JustRevealed()
        self._s.scheduler.wake()
        return await self._show(stepped[0], resumed)

    async def _show(self, rnd: Round, state: RoundState) -> QuestionView:
        """Refresh the click path's snapshot and redraw the question's message."""
        self._answers.remember(rnd, state)
        answered = await self._answers.answer_count(rnd.id, rnd.current_index)
        view = round_reports.question_view(self._s, rnd, state, answered)
        self._updates.submit(rnd.id, partial(self._presenter().update_question, view))
        return view
