"""Timers: earliest first, woken early, overdue first on start, once across restarts; a kind
no handler is registered for is left alone."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tutorbot.scheduler import Scheduler
from tutorbot.storage import Storage, open_storage
from tutorbot.storage.timers import Timer


def _now() -> datetime:
    return datetime.now(UTC)


async def _remaining(storage: Storage, expected: list[str]) -> list[str]:
    """The names of timers still stored, once they settle to `expected` (or after 2 s)."""
    for _ in range(100):
        names = [t.payload["name"] for t in await storage.timers.all()]
        if names == expected:
            break
        await asyncio.sleep(0.02)
    return names


class Recorder:
    """A handler that records each firing as a row, like a real handler's state change."""

    def __init__(self) -> None:
        self.fired: list[str] = []
        self.done = asyncio.Event()
        self.expect = 0

    async def __call__(self, timer: Timer) -> None:
        self.fired.append(timer.payload["name"])
        if len(self.fired) >= self.expect:
            self.done.set()


async def test_fires_in_due_order_and_a_sooner_timer_wakes_the_loop(db_path: Path) -> None:
    storage = await open_storage(db_path)
    rec = Recorder()
    rec.expect = 2
    scheduler = Scheduler(storage.timers)
    scheduler.register("reveal", rec)
    await scheduler.start()
    try:
        await scheduler.schedule("reveal", _now() + timedelta(seconds=30), {"name": "late"})
        await asyncio.sleep(0.05)  # the loop is now asleep until the late one
        started = asyncio.get_running_loop().time()
        await scheduler.schedule("reveal", _now() + timedelta(seconds=0.2), {"name": "soon"})
        await scheduler.schedule("reveal", _now() + timedelta(seconds=0.1), {"name": "sooner"})
        await asyncio.wait_for(rec.done.wait(), timeout=5)
        elapsed = asyncio.get_running_loop().time() - started
        assert rec.fired == ["sooner", "soon"]
        assert 0.1 <= elapsed < 2
        assert await _remaining(storage, ["late"]) == ["late"]
    finally:
        await scheduler.stop()
        await storage.close()


async def test_cancel_by_key(db_path: Path) -> None:
    storage = await open_storage(db_path)
    rec = Recorder()
    scheduler = Scheduler(storage.timers)
    scheduler.register("round_end", rec)
    await scheduler.start()
    try:
        due = _now() + timedelta(seconds=0.2)
        await scheduler.schedule("round_end", due, {"name": "a"}, key="round:1")
        await scheduler.schedule("round_end", due, {"name": "b"}, key="round:2")
        assert await scheduler.cancel(key="round:1") == 1
        rec.expect = 1
        await asyncio.wait_for(rec.done.wait(), timeout=5)
        await asyncio.sleep(0.3)
        assert rec.fired == ["b"]
    finally:
        await scheduler.stop()
        await storage.close()


async def test_timers_fire_once_across_a_restart(db_path: Path) -> None:
    storage = await open_storage(db_path)
    fired_before: list[str] = []

    async def before(timer: Timer) -> None:
        fired_before.append(timer.payload["name"])

    scheduler = Scheduler(storage.timers)
    scheduler.register("next", before)
    await scheduler.start()
    await scheduler.schedule("next", _now() - timedelta(seconds=1), {"name": "already due"})
    await scheduler.schedule("next", _now() + timedelta(seconds=0.4), {"name": "b"})
    await scheduler.schedule("next", _now() + timedelta(seconds=0.3), {"name": "a"})
    await scheduler.schedule("next", _now() + timedelta(hours=1), {"name": "later"})
    await asyncio.sleep(0.15)
    await scheduler.stop()  # the bot goes down while two timers are pending
    await storage.close()
    assert fired_before == ["already due"]
    await asyncio.sleep(0.4)  # both come due while the bot is down

    storage = await open_storage(db_path)
    rec = Recorder()
    rec.expect = 2
    scheduler = Scheduler(storage.timers)
    scheduler.register("next", rec)
    await scheduler.start()
    try:
        await asyncio.wait_for(rec.done.wait(), timeout=5)
        await asyncio.sleep(0.2)
        assert rec.fired == ["a", "b"]  # overdue ones first, in due order, each once
        assert await _remaining(storage, ["later"]) == ["later"]
    finally:
        await scheduler.stop()
        await storage.close()


async def test_a_crash_mid_handler_fires_it_again_after_restart(db_path: Path) -> None:
    """At-least-once: the row outlives a handler that never returned (the process died)."""
    storage = await open_storage(db_path)
    entered = asyncio.Event()

    async def hangs(timer: Timer) -> None:
        entered.set()
        await asyncio.sleep(3600)

    scheduler = Scheduler(storage.timers)
    scheduler.register("reveal", hangs)
    await scheduler.start()
    await scheduler.schedule("reveal", _now(), {"name": "x"})
    await asyncio.wait_for(entered.wait(), timeout=5)
    await scheduler.stop()
    await storage.close()

    storage = await open_storage(db_path)
    rec = Recorder()
    rec.expect = 1
    scheduler = Scheduler(storage.timers)
    scheduler.register("reveal", rec)
    await scheduler.start()
    try:
        await asyncio.wait_for(rec.done.wait(), timeout=5)
        assert rec.fired == ["x"]
    finally:
        await scheduler.stop()
        await storage.close()


async def test_a_failing_handler_is_retried_then_dropped_and_the_loop_lives(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    storage = await open_storage(db_path)
    attempts: list[int] = []
    rec = Recorder()
    rec.expect = 1

    async def flaky(timer: Timer) -> None:
        attempts.append(timer.attempts)
        raise RuntimeError("discord said no")

    scheduler = Scheduler(storage.timers, max_attempts=3, retry_delay=timedelta(milliseconds=20))
    scheduler.register("bad", flaky)
    scheduler.register("good", rec)
    await scheduler.start()
    try:
        await scheduler.schedule("bad", _now(), {"name": "bad"})
        await asyncio.sleep(0.5)
        await scheduler.schedule("good", _now(), {"name": "good"})
        await asyncio.wait_for(rec.done.wait(), timeout=5)
        assert attempts == [0, 1, 2]
        assert await _remaining(storage, []) == []
        assert "dropping it" in caplog.text
    finally:
        await scheduler.stop()
        await storage.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM timers").fetchone()[0] == 0


async def test_a_deleted_timer_id_is_never_given_to_a_new_timer(storage: Storage) -> None:
    now = datetime(2025, 3, 1, tzinfo=UTC)
    first = await storage.timers.add("reveal", now, {}, now)
    assert await storage.timers.delete(first.id)
    second = await storage.timers.add("reveal", now, {}, now)
    assert second.id > first.id


class Named:
    """A handler that records which scheduler fired which timer."""

    def __init__(self, fired: list[tuple[str, str]], who: str) -> None:
        self.fired = fired
        self.who = who

    async def __call__(self, timer: Timer) -> None:
        self.fired.append((self.who, timer.payload["name"]))


async def _until(condition: Callable[[], bool]) -> None:
    """Poll `condition` every 20 ms until it holds; fail after 5 s."""
    for _ in range(250):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition never held")


async def test_a_timer_of_a_kind_nobody_registered_is_left_alone(storage: Storage) -> None:
    fired: list[tuple[str, str]] = []
    scheduler = Scheduler(storage.timers, max_attempts=1)
    scheduler.register("job", Named(fired, "here"))
    overdue = _now() - timedelta(hours=1)
    other = await storage.timers.add("review.remind", overdue, {"name": "later"}, _now())
    await scheduler.start()
    try:
        await scheduler.schedule("job", _now() + timedelta(seconds=0.2), {"name": "mine"})
        await _until(lambda: bool(fired))
        await asyncio.sleep(0.3)
        assert fired == [("here", "mine")]
        assert await storage.timers.all() == [other]  # untouched: not claimed, not counted
    finally:
        await scheduler.stop()

    later = Scheduler(storage.timers)  # a process that does handle it, started later
    later.register("review.remind", Named(fired, "reviews"))
    await later.start()
    try:
        await _until(lambda: len(fired) == 2)
        assert fired[-1] == ("reviews", "later")
    finally:
        await later.stop()


async def test_a_kind_has_one_handler(storage: Storage) -> None:
    scheduler = Scheduler(storage.timers)
    scheduler.register("job", Named([], "first"))
    with pytest.raises(ValueError, match="already has a handler"):
        scheduler.register("job", Named([], "second"))
    with pytest.raises(ValueError, match="no handler"):
        await scheduler.schedule("typo", _now(), {})
    assert scheduler.kinds == {"job"}
