"""Timers that survive restarts, owned by no feature: a feature registers a handler per kind, and
one task sleeps until the earliest due row and fires it. A timer of a kind nobody here
registered is never fired nor deleted: it is left for the code that handles it.

Delivery: a fired timer is deleted after its handler returns, so a crash between the two fires
it again (at least once). Handlers make that exactly
once in effect: each changes state through a compare-and-swap (e.g. "close round 42 at version
7"), so a second firing finds nothing to do. Handlers do their database step and return; slow
work such as Discord edits is queued by the feature, so one slow channel never holds up another
channel's deadline. Within a process the loop runs handlers one at a time, in due order.

A handler that raises is logged and tried again later (`retry_delay` times the attempt), at most
`max_attempts` times; the loop itself never dies of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from tutorbot.storage._time import utcnow
from tutorbot.storage.timers import Timer, TimerStore

log = logging.getLogger(__name__)

Handler = Callable[[Timer], Awaitable[None]]
Clock = Callable[[], datetime]

MAX_SLEEP_SECONDS = 60.0
"""Re-check at least this often, so a wall-clock jump cannot strand a timer."""


class Scheduler:
    """Fires due `Timer` rows through the handler registered for their kind."""

    def __init__(
        self,
        timers: TimerStore,
        clock: Clock = utcnow,
        *,
        max_attempts: int = 5,
        retry_delay: timedelta = timedelta(seconds=5),
    ) -> None:
        self._timers = timers
        self._handlers: dict[str, Handler] = {}
        self._clock = clock
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def register(self, kind: str, handler: Handler) -> None:
        """Fire timers of `kind` through `handler`; one handler per kind."""
        if kind in self._handlers:
            raise ValueError(f"timer kind {kind!r} already has a handler")
        self._handlers[kind] = handler
        self._wake.set()

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds this scheduler fires."""
        return frozenset(self._handlers)

    async def start(self) -> None:
        """Start the loop; overdue timers (from before a restart) fire first, in due order."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="tutorbot-scheduler")

    async def stop(self) -> None:
        """Stop the loop; a handler in progress is cancelled and its timer stays for next time."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def schedule(
        self,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any],
        *,
        key: str | None = None,
        user_id: int | None = None,
    ) -> Timer:
        """Store a timer and wake the loop so a sooner one is not slept past."""
        if kind not in self._handlers:
            raise ValueError(f"no handler for timer kind {kind!r}")
        timer = await self._timers.add(
            kind, due_at, payload, self._clock(), key=key, user_id=user_id
        )
        self._wake.set()
        return timer

    def wake(self) -> None:
        """Look at the timers again now rather than at the end of the current sleep (after the
        clock jumped, e.g. in tests that move it forward)."""
        self._wake.set()

    async def cancel(self, timer_id: int | None = None, *, key: str | None = None) -> int:
        """Cancel one timer by id, or every timer with `key`; returns how many were removed."""
        if (timer_id is None) == (key is None):
            raise ValueError("pass exactly one of timer_id or key")
        if timer_id is not None:
            return int(await self._timers.delete(timer_id))
        assert key is not None
        return await self._timers.delete_key(key)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                due = await self._timers.due(self._clock(), self.kinds)
                for timer in due:
                    await self._fire(timer)
                if due:
                    continue
                upcoming = await self._timers.next_due(self.kinds)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduler could not read its timers; retrying")
                upcoming = None
                await asyncio.sleep(1)
            delay = MAX_SLEEP_SECONDS
            if upcoming is not None:
                wait = (upcoming - self._clock()).total_seconds()
                delay = min(max(wait, 0.0), MAX_SLEEP_SECONDS)
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for loses a cancel that lands
            # as the wake-up completes, and stop() then waited forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()

    async def _fire(self, timer: Timer) -> None:
        handler = self._handlers[timer.kind]
        try:
            await handler(timer)
        except asyncio.CancelledError:
            raise
        except Exception:
            attempts = timer.attempts + 1
            if attempts >= self._max_attempts:
                log.exception(
                    "timer %s (%s) failed %d times; dropping it",
                    timer.id,
                    timer.kind,
                    attempts,
                )
                await self._timers.delete(timer.id)
            else:
                log.exception(
                    "timer %s (%s) failed (attempt %d); retrying",
                    timer.id,
                    timer.kind,
                    attempts,
                )
                await self._timers.retry_later(
                    timer.id, self._clock() + self._retry_delay * attempts
                )
            return
        await self._timers.delete(timer.id)
