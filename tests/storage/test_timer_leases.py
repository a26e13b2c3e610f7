"""Timers are claimed with a lease before they fire: two processes on one database fire each
timer once, a slow handler keeps its lease, and a killed holder's timer is taken over once its
lease runs out."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tutorbot.scheduler import Scheduler
from tutorbot.storage import Storage, open_storage
from tutorbot.storage.timers import Timer

from .conftest import wait_for

HOLDER = Path(__file__).with_name("_timer_holder.py")


def _now() -> datetime:
    return datetime.now(UTC)


class Counting:
    """A handler that counts each firing by timer name and by the scheduler that fired it."""

    def __init__(self, fired: list[tuple[str, str]], who: str, pause: float = 0.001) -> None:
        self.fired = fired
        self.who = who
        self.pause = pause

    async def __call__(self, timer: Timer) -> None:
        self.fired.append((self.who, timer.payload["name"]))
        await asyncio.sleep(self.pause)


async def test_two_schedulers_on_one_file_fire_each_timer_once(db_path: Path) -> None:
    first, second = await open_storage(db_path), await open_storage(db_path)
    fired: list[tuple[str, str]] = []
    schedulers = []
    for who, storage in (("first", first), ("second", second)):
        scheduler = Scheduler(storage.timers)
        scheduler.register("job", Counting(fired, who))
        schedulers.append(scheduler)
    n = 200
    for i in range(n):
        await first.timers.add("job", _now() - timedelta(seconds=1), {"name": f"t{i}"}, _now())
    try:
        await asyncio.gather(*(s.start() for s in schedulers))
        await wait_for(lambda: len(fired) >= n)
        await asyncio.sleep(0.3)  # a second firing would show up here
        counts = Counter(name for _, name in fired)
        assert sorted(counts) == sorted(f"t{i}" for i in range(n))
        assert set(counts.values()) == {1}
        assert {who for who, _ in fired} == {"first", "second"}  # both took part
        assert await first.timers.all() == []
    finally:
        for scheduler in schedulers:
            await scheduler.stop()
        await first.close()
        await second.close()


async def test_a_handler_that_outlasts_its_lease_is_not_fired_again_meanwhile(
    db_path: Path,
) -> None:
    first, second = await open_storage(db_path), await open_storage(db_path)
    fired: list[tuple[str, str]] = []
    lease = timedelta(seconds=0.3)
    slow = Scheduler(first.timers, lease=lease)
    slow.register("job", Counting(fired, "slow", pause=1.5))  # five leases long
    other = Scheduler(second.timers, lease=lease)
    other.register("job", Counting(fired, "other"))
    await first.timers.add("job", _now(), {"name": "x"}, _now())
    try:
        await slow.start()
        await wait_for(lambda: len(fired) == 1)
        await other.start()
        await asyncio.sleep(2.0)
        assert fired == [("slow", "x")]
        assert await second.timers.all() == []  # deleted by its holder once it returned
    finally:
        await slow.stop()
        await other.stop()
        await first.close()
        await second.close()


async def test_a_killed_holders_timer_is_taken_over_when_its_lease_runs_out(
    db_path: Path,
) -> None:
    storage = await open_storage(db_path)
    await storage.timers.add("job", _now(), {"name": "x"}, _now())
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HOLDER),
        str(db_path),
        "1.0",
        stdout=asyncio.subprocess.PIPE,
        env=env,
    )
    fired: list[tuple[str, str]] = []
    scheduler = Scheduler(storage.timers, lease=timedelta(seconds=1))
    scheduler.register("job", Counting(fired, "survivor"))
    try:
        assert holder.stdout is not None
        line = await asyncio.wait_for(holder.stdout.readline(), timeout=20)
        assert line.decode().strip() == "fired x"
        await scheduler.start()
        await asyncio.sleep(2.5)  # the holder lives and renews: its lease never runs out
        assert fired == []
        [held] = await storage.timers.all()
        assert held.claimed_by is not None and held.claimed_by != scheduler.owner

        os.kill(holder.pid, signal.SIGKILL)
        assert await holder.wait() == -signal.SIGKILL
        killed = asyncio.get_running_loop().time()
        await wait_for(lambda: bool(fired), timeout=5)
        taken_over = asyncio.get_running_loop().time() - killed
        await asyncio.sleep(0.2)
        assert fired == [("survivor", "x")]
        assert taken_over < 2.0  # at most one lease, plus a little
        assert await storage.timers.all() == []
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()
        await scheduler.stop()
        await storage.close()


async def test_a_timer_is_claimed_once_and_given_back_by_its_holder(
    storage: Storage, now: datetime
) -> None:
    timer = await storage.timers.add("job", now, {}, now)
    lease_end = now + timedelta(seconds=30)
    [claimed] = await storage.timers.claim("a", {"job"}, now, lease_end)
    assert (claimed.id, claimed.claimed_by, claimed.lease_until) == (timer.id, "a", lease_end)
    assert await storage.timers.claim("b", {"job"}, now + timedelta(seconds=29), lease_end) == []
    assert await storage.timers.next_due({"job"}) == lease_end
    assert not await storage.timers.finish(timer.id, "b")  # only its holder deletes it
    taken = await storage.timers.claim("b", {"job"}, now + timedelta(seconds=31), lease_end)
    assert [t.claimed_by for t in taken] == ["b"]
    assert not await storage.timers.finish(timer.id, "a")  # "a" lost it when its lease ran out
    assert await storage.timers.release("b") == 1
    assert await storage.timers.next_due({"job"}) == now
    assert await storage.timers.next_due({"other"}) is None
