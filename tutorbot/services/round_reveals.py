"""Showing a question's reveal, durably, and trying again until the front end takes it.

A reveal is decided in the database: the step that closes a question stores a `round.reveal`
timer in its own write (`reveal_timer`), already claimed by the closing process, which shows the
reveal at once from the round's queue of front-end updates and deletes the timer once Discord
took it. If the process dies first, the timer's lease runs out and whichever process claims it
(another shard's after the takeover time, or this one restarted) shows the reveal instead. When
Discord cannot take it now (`NotShown`) a later try is stored with backoff, on that question's
own message. Kept apart from the round's steps (`services/rounds.py`) because it is about
getting a message shown, not about where the round is.

What that guarantees (docs/postgres.md, "Reveals"): a decided reveal is shown at least once. It
is an edit of the question's message, so showing it again shows the same message once; only when
the question's message was never stored (its post was cut short) is the reveal posted as a new
message, and a kill after Discord took that post but before the timer was deleted posts it a
second time. A later try never posts anew when the question's message is gone. A reveal the
front end fails on with an unexpected error (a bug, not Discord) is logged and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from tutorbot.domain import round_results as results
from tutorbot.domain._time import from_iso, to_iso
from tutorbot.domain.round_state import RoundState
from tutorbot.domain.rounds import RoundError
from tutorbot.guild_scope import enter_guild
from tutorbot.scheduler import KEEP
from tutorbot.services import round_reports, round_rows
from tutorbot.services.round_views import NotShown, RevealView, RoundPresenter
from tutorbot.services.serial import SerialQueues
from tutorbot.storage.rounds import Round
from tutorbot.storage.timers import StepTimer, Timer

if TYPE_CHECKING:
    from tutorbot.services import Services

log = logging.getLogger(__name__)

TIMER_REVEAL = "round.reveal"
"""A reveal decided but not yet shown: the first try (attempt 0), or another try at one that
Discord did not take (the round itself may have moved on)."""
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

    def timer(
        self,
        round_id: int,
        index: int,
        message_id: int | None,
        *,
        last: bool,
        next_at: datetime | None = None,
    ) -> StepTimer:
        """The reveal of question `index`, for the step that closes it to store in its own
        write: due now, and held by this process, which shows it (`show`)."""
        payload = {
            "round_id": round_id,
            "index": index,
            "message_id": message_id,
            "attempt": 0,
            "last": last,
            "next_at": to_iso(next_at),
        }
        return StepTimer(
            TIMER_REVEAL,
            self._s.clock(),
            payload,
            key=round_rows.timer_key(round_id, TIMER_REVEAL),
            held_by=self._s.scheduler.owner,
            lease_until=self._s.scheduler.lease_until(),
        )

    def show(
        self,
        rnd: Round,
        state: RoundState,
        timer_id: int,
        *,
        last: bool,
        next_at: datetime | None = None,
    ) -> None:
        """Queue the reveal of the round's current question, whose timer (stored by the step
        that closed it, `timer`) this process holds until Discord took it."""
        question = state.current
        if question is None:  # only a round that asked a question is revealed
            raise RoundError("a reveal of a round that asked nothing")
        self._s.scheduler.hold(timer_id)
        view = RevealView(
            round_reports.question_view(self._s, rnd, state, answered=len(question.answers)),
            results.reveal(question),
            rnd.message_id,
            last,
            next_at,
        )
        self._updates.submit(rnd.id, partial(self._reveal, view, 1, timer_id))

    async def _reveal(self, view: RevealView, attempt: int, timer_id: int) -> None:
        """Show a reveal and delete its timer; if the front end cannot now (Discord failing),
        store another try with backoff instead. The round's own step is already in the database
        and does not wait."""
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
            # The next try is stored before this one is let go: a kill between the two leaves
            # two tries of one edit, never none.
            await self._s.scheduler.schedule(
                TIMER_REVEAL,
                self._s.clock() + delay,
                payload,
                key=round_rows.timer_key(question.round_id, TIMER_REVEAL),
            )
        except Exception:
            log.exception("could not show the reveal of round %s", question.round_id)
        await self._s.scheduler.done(timer_id)

    async def _on_retry(self, timer: Timer) -> object:
        """A reveal whose try did not finish: Discord refused it (a later try, on that
        question's own message; the round may be further on by now, so no "next question" line),
        or the process that closed the question died before showing it (the first try, shown
        as that process would have while the round is still at the question). A message that is
        gone is not posted anew: nothing stale is left to fix, and a first try cut short by a
        kill may have posted it already."""
        rnd, state = await round_rows.load(self._s.storage.rounds, int(timer.payload["round_id"]))
        enter_guild(rnd.guild_id)  # the question's topic may be one of the server's packs
        await self._s.packs.hold(rnd.guild_id)
        index = int(timer.payload["index"])
        asked = state.question_at(index)
        if asked is None or not asked.closed:
            return None
        message_id = timer.payload.get("message_id")
        if message_id is None and rnd.current_index == index:
            message_id = rnd.message_id
        last, next_at = False, None
        still_there = rnd.status == "running" and rnd.current_index == index
        if int(timer.payload["attempt"]) == 0 and still_there:
            last = bool(timer.payload.get("last"))
            next_at = from_iso(timer.payload.get("next_at"))
            if next_at is not None and next_at <= self._s.clock():
                next_at = None
        shown = replace(
            round_reports.question_view(
                self._s, rnd, state, answered=len(asked.answers), asked=asked
            ),
            message_id=message_id,
        )
        view = RevealView(shown, results.reveal(asked), message_id, last, next_at, repost=False)
        attempt = int(timer.payload["attempt"]) + 1
        self._updates.submit(rnd.id, partial(self._reveal, view, attempt, timer.id))
        return KEEP

    async def _with_message(self, view: RevealView) -> RevealView:
        """A reveal queued before its question's message id was stored (the post was still on
        its way, perhaps queued just before it by a process taking both over) edits that
        message once it is known, rather than posting a second one."""
        question = view.question
        if view.message_id is not None:
            return view
        rnd = await self._s.storage.rounds.get(question.round_id)
        if rnd is None or rnd.current_index != question.index or rnd.message_id is None:
            return view
        return replace(
            view, question=replace(question, message_id=rnd.message_id), message_id=rnd.message_id
        )
