"""Timers that survive restarts, owned by no feature: a feature registers a handler per kind, and
one task per process sleeps until the earliest due row and fires it.

Claiming: before a timer fires, the scheduler claims it in one write (`TimerStore.claim`) with a
lease, so several processes on one database never fire a timer twice. The lease is renewed every
third of its length while this process holds anything, however long a handler runs; if the
process dies, the lease runs out and another process takes the timer over (a bot restarted after
being killed is a new holder too, so what it held then fires at most one `LEASE` late; a clean
`stop()` gives its timers back at once). Leases compare the processes' clocks, which must agree
to well within a lease. A timer of a kind nobody here registered is never claimed: it is left
for the process that handles it.

Delivery: a fired timer is deleted after its handler returns, and only if this process still
holds it, so a crash between the two fires it again (at least once). Handlers make that exactly
once in effect: each changes state through a compare-and-swap (e.g. "close round 42 at version
7"), so a second firing finds nothing to do. Handlers do their database step and return; slow
work such as Discord edits is queued by the feature, so one slow channel never holds up another
channel's deadline. Within a process the loop runs handlers one at a time, in due order.

Shards: a process that runs some of the bot's shards (`shards`) claims the timers of those
shards (`TimerShards`): a round's timers are its server's shard's, a timer of no server (a review
reminder, sent by direct message) is shard 0's. It takes over another shard's timer only once
that has been claimable for `TimerShards.takeover` (default twice the lease): the process of its
shard is dead, or gone for longer than a restart takes. The claim is still the one guard, so a
timer fires in one process at a time. Unsharded, a process claims every shard's.

Held past the handler: a handler that hands its work on (a reveal queued for Discord) returns
`KEEP`, and the timer stays claimed by this process, its lease renewed, until the work calls
`done`; a step may also store a timer already held by this process (`hold`), to do
the work at once itself. Either way, if the process dies first the lease runs out and the timer
fires again elsewhere: at least once, for work that must not be lost.

A handler that raises is logged and tried again later (`retry_delay` times the attempt), at most
`max_attempts` times; the loop itself never dies of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from tutorbot.clock import Clock, utc_now
from tutorbot.guild_scope import in_guild
from tutorbot.storage.timers import Timer, TimerShards, TimerStore

log = logging.getLogger(__name__)

KEEP = "keep"
"""What a handler returns to keep holding its timer after it returns (see the module)."""

TimerHandler = Callable[[Timer], Awaitable[object]]

MAX_SLEEP_SECONDS = 60.0
"""Re-check at least this often, so a wall-clock jump, or a timer another process added, cannot
be slept past for longer."""
LEASE = timedelta(seconds=30)
"""How long a claim lasts unless renewed: the longest a dead process's timers wait."""
CLAIM_BATCH = 20


def process_name() -> str:
    """A name for this scheduler in the timers it claims: host, pid and a random part (a restart
    on the same pid is still someone else)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class Scheduler:
    """Fires due `Timer` rows through the handler registered for their kind."""

    def __init__(
        self,
        timers: TimerStore,
        clock: Clock = utc_now,
        *,
        lease: timedelta = LEASE,
        max_attempts: int = 5,
        retry_delay: timedelta = timedelta(seconds=5),
        owner: str | None = None,
        shards: TimerShards | None = None,
    ) -> None:
        self._timers = timers
        self._handlers: dict[str, TimerHandler] = {}
        self._clock = clock
        self._lease = lease
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        self.owner = owner or process_name()
        """Whose name this scheduler's claims carry."""
        self.shards = shards
        """The shards whose timers this process fires; None for all (unsharded). Set before
        `start`."""
        self._wake = asyncio.Event()
        self._holding = False
        self._kept: set[int] = set()
        """Timers held past their handler (`KEEP`, `hold`) until `done`."""
        self._tasks: list[asyncio.Task[None]] = []

    def register(self, kind: str, handler: TimerHandler) -> None:
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
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._run(), name="tutorbot-scheduler"),
                asyncio.create_task(self._keep_leases(), name="tutorbot-scheduler-leases"),
            ]

    async def stop(self) -> None:
        """Stop the loop; a handler in progress is cancelled, and the timers this process holds
        are given back at once (they fire on the next start, here or in another process)."""
        if not self._tasks:
            return
        held = self._holding or bool(self._kept)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._holding = False
        self._kept.clear()
        if not held:
            return
        try:
            await self._timers.release(self.owner)
        except Exception:
            log.exception("could not give back the timers this process held")

    async def schedule(
        self,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any],
        *,
        key: str | None = None,
        user_id: int | None = None,
        guild_id: int | None = None,
        elsewhere: bool = False,
    ) -> Timer:
        """Store a timer and wake the loop so a sooner one is not slept past. A kind no
        handler here fires is refused (a typo would never fire), unless `elsewhere` says another
        process fires it (the console stores reminders for the bot). `guild_id` is the server
        the timer is for, which decides the shard that fires it (`TimerStore.add`)."""
        if kind not in self._handlers and not elsewhere:
            raise ValueError(f"no handler for timer kind {kind!r}")
        timer = await self._timers.add(
            kind, due_at, payload, self._clock(), key=key, user_id=user_id, guild_id=guild_id
        )
        self._wake.set()
        return timer

    def hold(self, timer_id: int) -> None:
        """Keep renewing the lease of a timer stored already claimed by this process (see
        `lease_until`) until `done`."""
        self._kept.add(timer_id)

    def lease_until(self) -> datetime:
        """When a claim made now lapses unless renewed."""
        return self._clock() + self._lease

    async def done(self, timer_id: int) -> None:
        """The work of a held timer is done: delete it (whoever holds it by now)."""
        self._kept.discard(timer_id)
        await self._timers.delete(timer_id)

    def wake(self) -> None:
        """Look at the timers again now rather than at the end of the current sleep (after the
        clock jumped, e.g. in tests that move it forward)."""
        self._wake.set()

    async def cancel(self, timer_id: int | None = None, *, key: str | None = None) -> int:
        """Cancel one timer by id, or every timer with `key`; returns how many were removed."""
        if timer_id is not None and key is None:
            return int(await self._timers.delete(timer_id))
        if key is not None and timer_id is None:
            return await self._timers.delete_key(key)
        raise ValueError("pass exactly one of timer_id or key")

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                now = self._clock()
                self._holding = True
                claimed = await self._timers.claim(
                    self.owner, self.kinds, now, now + self._lease, CLAIM_BATCH, self.shards
                )
                for timer in claimed:
                    await self._fire(timer)
                self._holding = False
                if claimed:
                    continue
                upcoming = await self._timers.next_due(self.kinds, self.shards)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Leases of a batch cut short are no longer renewed: they run out, and the
                # timers are claimed again (here or elsewhere).
                self._holding = False
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

    async def _keep_leases(self) -> None:
        """Renew this process's leases while it holds timers, so a handler that outlasts the
        lease is never fired a second time by another process meanwhile."""
        every = self._lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            if not self._holding and not self._kept:
                continue
            try:
                await self._timers.renew(self.owner, self._clock() + self._lease)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("could not renew the leases of this process's timers")

    async def _fire(self, timer: Timer) -> None:
        handler = self._handlers[timer.kind]
        try:
            with in_guild(None):  # a handler may enter its server's scope; it ends here
                outcome = await handler(timer)
        except asyncio.CancelledError:
            raise
        except Exception:
            attempts = timer.attempts + 1
            if attempts >= self._max_attempts:
                log.exception(
                    "timer %s (%s) failed %d times; dropping it", timer.id, timer.kind, attempts
                )
                await self._timers.finish(timer.id, self.owner)
            else:
                log.exception(
                    "timer %s (%s) failed (attempt %d); retrying", timer.id, timer.kind, attempts
                )
                await self._timers.retry_later(
                    timer.id, self.owner, self._clock() + self._retry_delay * attempts
                )
            return
        if outcome == KEEP:
            self._kept.add(timer.id)
            return
        if not await self._timers.finish(timer.id, self.owner):
            log.info("timer %s (%s) was cancelled or taken over while it ran", timer.id, timer.kind)
