"""Showing a question's reveal, and trying again until the front end takes it.

The round's own step (closing the question) is already in the database when a reveal is shown,
so nothing here holds a round up: a reveal goes on the round's queue of front-end updates, and
when Discord cannot take it now (`NotShown`) it is tried again from a timer (`round.reveal`) with
backoff, on that question's own message. Kept apart from the round's steps (`services/rounds.py`)
because it is about getting a message shown, not about where the round is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from tutorbot.domain import round_results as results
from tutorbot.domain.round_state import RoundState
from tutorbot.domain.rounds import RoundError
from tutorbot.services import round_reports, round_rows
from tutorbot.services.round_views import NotShown, RevealView, RoundPresenter
from tutorbot.services.serial import SerialQueues
from tutorbot.storage.rounds import Round
from tutorbot.storage.timers import Timer

if TYPE_CHECKING:
    from tutorbot.services import Services

log = logging.getLogger(__name__)

TIMER_REVEAL = "round.reveal"
"""Another try at a reveal that Discord did not take (the round itself has moved on)."""
REVEAL_RETRY_FIRST = timedelta(seconds=5)
REVEAL_RETRY_MOST = timedelta(minutes=5)


def reveal_retry_delay(attempt: int) -> timedelta:
    """How long after failed try number `attempt` (1 is the first) a reveal is tried again:
    5 s, doubling each time, at most 5 minutes; it keeps trying until Discord takes it."""
    return min(REVEAL_RETRY_FIRST * 2 ** min(max(attempt - 1, 0), 16), REVEAL_RETRY_MOST)


class RoundReveals:
    """Reveals of closed questions, queued per round and retried from a timer."""

    def __init__(
        self,
        services: Services,
        updates: SerialQueues[int],
        presenter: Callable[[], RoundPresenter],
    ) -> None:
        self._s = services
        self._updates = updates
        self._presenter = presenter
        services.scheduler.register(TIMER_REVEAL, self._on_retry)

    def show(
        self, rnd: Round, state: RoundState, *, last: bool, next_at: datetime | None = None
    ) -> None:
        """Queue the reveal of the round's current question."""
        question = state.current
        if question is None:  # only a round that asked a question is revealed
            raise RoundError("a reveal of a round that asked nothing")
        view = RevealView(
            round_reports.question_view(self._s, rnd, state, answered=len(question.answers)),
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
            await self._presenter().show_reveal(view)
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
                key=round_rows.timer_key(question.round_id, TIMER_REVEAL),
            )
        except Exception:
            log.exception("could not show the reveal of round %s", question.round_id)

    async def _on_retry(self, timer: Timer) -> None:
        """Another try at a reveal Discord did not take, on that question's own message (the
        round may be further on by now, so no "next question" line; if the message is gone,
        nothing stale is left to fix)."""
        rnd, state = await round_rows.load(self._s.storage.rounds, int(timer.payload["round_id"]))
        asked = state.question_at(int(timer.payload["index"]))
        if asked is None or not asked.closed:
            return
        message_id = timer.payload.get("message_id")
        shown = replace(
            round_reports.question_view(
                self._s, rnd, state, answered=len(asked.answers), asked=asked
            ),
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
