"""Timers of a sharded bot: each timer is for a server (a round's step for its round's server, a
reminder for none), and a process claims the timers of its own shards; a dead process's timers
go to the next process running the same shards once its lease runs out, and to a process of
other shards once they are orphaned (claimable for the takeover time), so a live owner always
fires its own and a dead one's are fired all the same, once."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tutorbot.scheduler import Scheduler
from tutorbot.storage import Storage, open_storage
from tutorbot.storage.backend import PgConn
from tutorbot.storage.migrations import load_migrations, migrate, migrate_pg
from tutorbot.storage.timers import Timer, TimerShards

from ._round_rows import round_state
from .conftest import wait_for


def guild_on(shard: int, count: int = 4) -> int:
    """A server id that Discord puts on `shard` of `count`."""
    return ((1000 * count + shard) << 22) | 12345


def _real_now() -> datetime:
    return datetime.now(UTC)


async def test_a_round_timer_is_for_its_rounds_server(storage: Storage, now: datetime) -> None:
    rnd = await storage.rounds.start(
        guild_id=guild_on(3),
        channel_id=1,
        host_id=1,
        now=now,
        state=round_state("t", ["a"], {}),
        deadline=now + timedelta(seconds=20),
    )
    step = await storage.timers.add("round.close", now, {"round_id": rnd.id, "version": 1}, now)
    said = await storage.timers.add("round.next", now, {"round_id": rnd.id}, now, guild_id=7)
    reminder = await storage.timers.add("review.remind", now, {"round_id": rnd.id}, now)
    assert step.guild_id == guild_on(3)
    assert said.guild_id == 7  # what the caller says wins
    assert reminder.guild_id is None  # not a round's kind: no server unless given


async def test_a_process_claims_only_its_shards_timers(storage: Storage, now: datetime) -> None:
    for shard in range(4):
        await storage.timers.add("job", now, {"name": f"s{shard}"}, now, guild_id=guild_on(shard))
    await storage.timers.add("job", now, {"name": "dm"}, now)
    await storage.timers.add("job", now + timedelta(hours=1), {"name": "later"}, now)
    lease = now + timedelta(seconds=30)

    async def claim(owner: str, ids: set[int]) -> set[str]:
        shards = TimerShards(4, frozenset(ids))
        got = await storage.timers.claim(owner, {"job"}, now, lease, shards=shards)
        return {t.payload["name"] for t in got}

    assert await storage.timers.next_due({"job"}, TimerShards(4, frozenset({3}))) == now
    assert await claim("b", {1, 2}) == {"s1", "s2"}
    assert await claim("a", {0}) == {"s0", "dm"}  # shard 0 has the timers of no server
    assert await storage.timers.next_due({"job"}, TimerShards(4, frozenset({1, 2}))) == lease
    assert await storage.timers.next_due({"job"}, TimerShards(4, frozenset({0}))) == now + (
        timedelta(seconds=30)
    )
    assert await claim("c", {3}) == {"s3"}
    assert await storage.timers.next_due({"job"}, TimerShards(4, frozenset({3}))) == lease


async def _add_held(
    storage: Storage, name: str, due: datetime, lease_until: datetime, guild_id: int
) -> None:
    """A timer that a process ("dead") claimed at `due`, holding it until `lease_until` (add
    these before any unclaimed timer: the claim takes the earliest claimable)."""
    await storage.timers.add("job", due, {"name": name}, due, guild_id=guild_id)
    held = await storage.timers.claim("dead", {"job"}, due, lease_until, limit=1)
    assert [t.payload["name"] for t in held] == [name]


async def test_another_shards_timer_is_taken_over_once_orphaned(
    storage: Storage, now: datetime
) -> None:
    takeover = timedelta(seconds=60)
    ago = lambda seconds: now - timedelta(seconds=seconds)  # noqa: E731
    zero, one = guild_on(0, 2), guild_on(1, 2)
    await _add_held(storage, "lapsed", ago(300), ago(61), zero)  # lease ran out 61 s ago
    await _add_held(storage, "lapsing", ago(200), ago(10), zero)  # ran out only 10 s ago
    await _add_held(storage, "held", ago(100), now + timedelta(seconds=10), zero)  # owner lives
    for name, due, guild in (
        ("old", ago(61), zero),
        ("recent", ago(30), zero),
        ("dm", ago(61), None),  # shard 0's
        ("mine", now, one),
    ):
        await storage.timers.add("job", due, {"name": name}, due, guild_id=guild)
    shards = TimerShards(2, frozenset({1}), takeover)
    got = await storage.timers.claim(
        "one", {"job"}, now, now + timedelta(seconds=30), shards=shards
    )
    assert [t.payload["name"] for t in got] == ["lapsed", "old", "dm", "mine"]  # in due order
    # What is left: "recent" is orphaned 60 s after its due time; "lapsing" 60 s after its lease.
    assert await storage.timers.next_due({"job"}, shards) == ago(30) + takeover
    assert await storage.timers.next_due({"job"}, TimerShards(2, frozenset({0}))) == ago(30)


async def test_a_timer_of_no_orphan_waits_for_its_own_shard(
    storage: Storage, now: datetime
) -> None:
    await storage.timers.add("job", now, {"name": "s0"}, now, guild_id=guild_on(0, 2))
    shards = TimerShards(2, frozenset({1}), timedelta(seconds=5))
    later = now + timedelta(seconds=4)
    assert await storage.timers.claim("one", {"job"}, later, later, shards=shards) == []
    assert await storage.timers.next_due({"job"}, shards) == now + timedelta(seconds=5)
    after = now + timedelta(seconds=5)
    got = await storage.timers.claim("one", {"job"}, after, after, shards=shards)
    assert [t.payload["name"] for t in got] == ["s0"]


async def _fire_in_two_processes(url_or_path: Path | str) -> list[tuple[str, str]]:
    """Two schedulers on two connections, shards {0, 1} and {2, 3} of 4, fire a timer per shard
    and one of no server."""
    first = await open_storage(url_or_path)
    second = await open_storage(url_or_path)
    fired: list[tuple[str, str]] = []
    now = _real_now()
    for shard in range(4):
        await first.timers.add("job", now, {"name": f"s{shard}"}, now, guild_id=guild_on(shard))
    await first.timers.add("job", now, {"name": "dm"}, now)
    schedulers = []
    for who, storage, ids in (("low", first, {0, 1}), ("high", second, {2, 3})):
        scheduler = Scheduler(storage.timers, shards=TimerShards(4, frozenset(ids)))

        async def handle(timer: Timer, who: str = who) -> None:
            fired.append((who, timer.payload["name"]))

        scheduler.register("job", handle)
        schedulers.append(scheduler)
    try:
        for scheduler in schedulers:
            await scheduler.start()
        await wait_for(lambda: len(fired) == 5)
        await asyncio.sleep(0.2)  # nothing fires twice
        assert await first.timers.all() == []
    finally:
        for scheduler in schedulers:
            await scheduler.stop()
        await first.close()
        await second.close()
    return fired


async def test_two_processes_on_postgresql_fire_only_their_shards_timers(pg_server: Any) -> None:
    fired = await _fire_in_two_processes(pg_server.fresh_database())
    assert sorted(fired) == [
        ("high", "s2"),
        ("high", "s3"),
        ("low", "dm"),
        ("low", "s0"),
        ("low", "s1"),
    ]


async def test_a_dead_processs_timer_goes_to_its_shards_next_process(pg_server: Any) -> None:
    url = pg_server.fresh_database()
    dead = await open_storage(url)
    now = _real_now()
    await dead.timers.add("job", now, {"name": "held"}, now, guild_id=guild_on(2))
    mine = TimerShards(4, frozenset({2, 3}))
    held = await dead.timers.claim("dead", {"job"}, now, now + timedelta(seconds=1), shards=mine)
    assert [t.payload["name"] for t in held] == ["held"]
    await dead.close()  # it never renews, finishes or releases

    fired: list[tuple[str, str]] = []
    others = await open_storage(url)
    heirs = await open_storage(url)
    schedulers = []
    for who, storage, shards in (
        ("other", others, TimerShards(4, frozenset({0, 1}))),
        ("heir", heirs, mine),
    ):
        scheduler = Scheduler(storage.timers, shards=shards)

        async def handle(timer: Timer, who: str = who) -> None:
            fired.append((who, timer.payload["name"]))

        scheduler.register("job", handle)
        schedulers.append(scheduler)
    try:
        for scheduler in schedulers:
            await scheduler.start()
        await asyncio.sleep(0.3)
        assert fired == []  # still held: the lease runs
        await wait_for(lambda: bool(fired))
        await asyncio.sleep(0.2)
        assert fired == [("heir", "held")]  # not the other shards' process: not orphaned yet
        assert await heirs.timers.all() == []
    finally:
        for scheduler in schedulers:
            await scheduler.stop()
        await others.close()
        await heirs.close()


def _recording_scheduler(
    storage: Storage, who: str, shards: TimerShards, fired: list[tuple[str, str]]
) -> Scheduler:
    """A scheduler of `shards` whose "job" handler records (who, timer name) in `fired`."""
    scheduler = Scheduler(storage.timers, shards=shards)

    async def handle(timer: Timer) -> None:
        fired.append((who, timer.payload["name"]))

    scheduler.register("job", handle)
    return scheduler


async def test_a_live_owner_fires_its_own_timers_first(pg_server: Any) -> None:
    url = pg_server.fresh_database()
    zero, one = await open_storage(url), await open_storage(url)
    now = _real_now()
    for i in range(10):
        await zero.timers.add("job", now, {"name": f"s0-{i}"}, now, guild_id=guild_on(0, 2))
    fired: list[tuple[str, str]] = []
    takeover = timedelta(seconds=5)
    schedulers = [
        _recording_scheduler(one, "one", TimerShards(2, frozenset({1}), takeover), fired),
        _recording_scheduler(zero, "zero", TimerShards(2, frozenset({0}), takeover), fired),
    ]
    try:
        for scheduler in schedulers:
            await scheduler.start()
        await wait_for(lambda: len(fired) == 10)
        assert {who for who, _ in fired} == {"zero"}
    finally:
        for scheduler in schedulers:
            await scheduler.stop()
        await zero.close()
        await one.close()


async def test_a_dead_processs_timers_are_taken_over_by_another_shards_process(
    pg_server: Any,
) -> None:
    url = pg_server.fresh_database()
    dead = await open_storage(url)
    now = _real_now()
    await _add_held(dead, "held", now, now + timedelta(seconds=1), guild_on(0, 2))
    await dead.timers.add("job", now, {"name": "waiting"}, now, guild_id=guild_on(0, 2))
    await dead.timers.add("job", now, {"name": "reminder"}, now)  # shard 0's: no server
    await dead.close()  # it never renews, fires, finishes or releases anything

    fired: list[tuple[str, str]] = []
    survivor = await open_storage(url)
    scheduler = _recording_scheduler(
        survivor, "one", TimerShards(2, frozenset({1}), timedelta(seconds=0.5)), fired
    )
    try:
        await scheduler.start()
        await wait_for(lambda: len(fired) == 3)
        await asyncio.sleep(0.3)  # and nothing fires twice
        assert sorted(fired) == [("one", "held"), ("one", "reminder"), ("one", "waiting")]
        assert await survivor.timers.all() == []
    finally:
        await scheduler.stop()
        await survivor.close()


_OLD_ROUND = (
    "INSERT INTO rounds (id, guild_id, channel_id, status, created_at, updated_at) "
    "VALUES (5, ?, 1, 'running', 'x', 'x')"
)
_OLD_TIMERS = (
    "INSERT INTO timers (kind, due_at, payload, created_at) VALUES "
    "('round.close', 'x', '{\"round_id\": 5, \"version\": 2}', 'x'), "
    "('review.remind', 'x', '{}', 'x')"
)


def test_migration_13_gives_waiting_round_timers_their_server_on_sqlite(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "old.sqlite3", isolation_level=None)
    try:
        migrate(conn, target=12)
        conn.execute(_OLD_ROUND, (guild_on(1),))
        conn.execute(_OLD_TIMERS)
        migrate(conn)
        found = conn.execute("SELECT kind, guild_id FROM timers ORDER BY id").fetchall()
    finally:
        conn.close()
    assert found == [("round.close", guild_on(1)), ("review.remind", None)]


def test_migration_13_gives_waiting_round_timers_their_server_on_postgresql(
    pg_server: Any,
) -> None:
    conn = PgConn.connect(pg_server.fresh_database())
    try:
        migrate_pg(conn, tuple(m for m in load_migrations() if m.version <= 12))
        conn.execute(_OLD_ROUND, (guild_on(1),))
        conn.execute(_OLD_TIMERS)
        migrate_pg(conn)
        found = [tuple(r) for r in conn.execute("SELECT kind, guild_id FROM timers ORDER BY id")]
    finally:
        conn.close()
    assert found == [("round.close", guild_on(1)), ("review.remind", None)]
