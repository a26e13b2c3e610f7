"""Stopping the scheduler always stops it, even when a wake-up arrives at the same moment."""

from __future__ import annotations

import asyncio

from tutorbot.scheduler import Scheduler
from tutorbot.storage import Storage
from tutorbot.storage.timers import Timer


async def _nothing(timer: Timer) -> None:
    return None


async def test_stop_right_after_a_wake_up_stops_the_loop(storage: Storage) -> None:
    """On Python 3.11 `asyncio.wait_for` loses a cancel that lands as its wait completes, so
    the loop slept on and `stop()` (and the bot's shutdown) never returned."""
    for _ in range(20):
        scheduler = Scheduler(storage.timers)
        scheduler.register("x", _nothing)
        await scheduler.start()
        await asyncio.sleep(0.01)  # the loop is asleep, waiting to be woken
        scheduler.wake()
        stopping = asyncio.ensure_future(scheduler.stop())
        done, _ = await asyncio.wait({stopping}, timeout=1)
        assert stopping in done, "stop() did not return"
