"""The round burst across two bot processes, one per shard of two, sharing one PostgreSQL.

Like `round_burst.py` (which `scale.py` runs in one process), but the fake Discord recommends
two shards and holds two servers, one on each; `tutorbot run` runs twice, with
`TUTORBOT_SHARD_COUNT=2` and `TUTORBOT_SHARD_IDS` 0 and 1, on the same database. A round is
open in each server, and n students (half in each) click an answer at once. Figures in
`scale.py`'s shape (`interactions.Result`): clicks answered within 3 s, p50/p99 over those,
CPU per click (both processes together), and the answers the database holds afterwards.

`floor_two_shards(n)` is its like-for-like floor: `bare_bot.py` run the same way, once per
shard, each answering clicks on its own message's button in its server, the clicks split alike.

`burst_two_shards(n, url)` and `floor_two_shards(n)` are what `scale.py` calls beside its
one-process rows; run alone it prints the floors (bare discord.py in one process, and in two)
and the two-process row, beside the two-process floor:

    python bench/_shards.py [--clicks 1000 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

from _pg import pg_server
from bare_bot import BUTTON
from fakediscord import FakeGuild, FakeMember, FakeMessage
from interactions import (
    FLOORS,
    HERE,
    READY_DELAY,
    FakeDiscord,
    Fire,
    Result,
    _unless_exited,
    cpu_seconds,
    run,
    settle,
)
from round_burst import GOAL, TOPIC

from tutorbot.settings import BUNDLED_CONTENT_DIR
from tutorbot.storage import open_storage

SHARDS = 2
NAME = "tutorbot 2 shards (pg)"
"""The row's name, short enough for `scale.py`'s 24-character column."""
FLOOR_NAME = "floor: 2 bare shards"
"""The like-for-like floor's name: `bare_bot.py` once per shard."""
Servers = list[tuple[FakeGuild, FakeMember, list[FakeMember]]]
"""Each shard's server, its admin and its students."""
Aim = tuple[FakeMessage, list[str], list[FakeMember]]
"""A message to click in one server, the custom ids to click on it, and the clicking students."""


def _servers(fake: FakeDiscord, n: int) -> Servers:
    """One server per shard (the fake's own is on shard 0), each with an admin and its half
    of the n students; add them before the bots connect."""
    guilds = [fake.guild, fake.add_guild("Shard One", shard=(1, SHARDS))]
    servers = []
    for shard, guild in enumerate(guilds):
        admin = (
            fake.admin
            if guild is fake.guild
            else fake.add_member(guild, "admin1", manage_guild=True)
        )
        share = range(shard, n, SHARDS)
        servers.append((guild, admin, [fake.add_member(guild, f"student{i}") for i in share]))
    return servers


async def _open_round(fake: FakeDiscord, guild: FakeGuild, admin: FakeMember) -> list[str]:
    """Start a one-question round in the server's channel (as `round_burst.py` does, again
    while it opens with a free-response question); its answer buttons' custom ids."""
    channel = guild.text_channel
    for _ in range(20):
        before = len(fake.messages_in(channel))
        start = await fake.slash(
            "round start", {"topic": TOPIC, "questions": 1, "seconds": 120}, admin
        )
        await fake.wait_response(start)
        await fake.wait_until(lambda n=before: len(fake.messages_in(channel)) == n + 1, timeout=10)
        message = fake.messages_in(channel)[-1]
        ids = [
            c["custom_id"]
            for row in message.components
            for c in row["components"]
            if c.get("custom_id", "").startswith("round:answer:")
        ]
        if ids:
            return ids
        await fake.wait_response(await fake.slash("round stop", {}, admin))
        await fake.wait_until(lambda n=before: len(fake.messages_in(channel)) >= n + 2, timeout=10)
    raise RuntimeError(f"{TOPIC} kept opening with a free-response question")


def _fire(fake: FakeDiscord, aims: list[Aim]) -> Fire:
    """fire(i) = student i (alternating servers) clicks one of its server's custom ids."""

    def fire(i: int):  # type: ignore[no-untyped-def]
        message, ids, students = aims[i % SHARDS]
        k = i // SHARDS
        return fake.click(message, ids[k % len(ids)], students[k])

    return fire


async def _prepare(fake: FakeDiscord, servers: Servers) -> Fire:
    """A round in each server; fire(i) = student i (alternating servers) clicks an answer."""
    aims = []
    for guild, admin, students in servers:
        ids = await _open_round(fake, guild, admin)
        message = fake.messages_in(guild.text_channel)[-1]
        aims.append((message, ids, students))
    return _fire(fake, aims)


async def _prepare_bare(fake: FakeDiscord, servers: Servers) -> Fire:
    """Wait for each bare bot's message (one per server); fire(i) = student i (alternating
    servers) clicks its button, as `interactions.bare_button` does in one process."""
    aims = []
    for guild, _, students in servers:
        channel = guild.text_channel
        await fake.wait_until(lambda c=channel: bool(fake.messages_in(c)), timeout=30)
        aims.append((fake.messages_in(channel)[-1], [BUTTON], students))
    return _fire(fake, aims)


@contextlib.asynccontextmanager
async def _processes(
    fake: FakeDiscord, command: list[str], env_of: Callable[[int], dict[str, str]]
) -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """`command` once per shard (with `env_of(shard)` added to its environment); SIGTERM
    afterwards."""
    procs: list[asyncio.subprocess.Process] = []
    try:
        for shard in range(SHARDS):
            env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
            env.update(
                TUTORBOT_DISCORD_TOKEN=fake.token,
                TUTORBOT_DISCORD_API_URL=fake.api_url,
                TUTORBOT_DISCORD_GATEWAY_URL=fake.gateway_url,
                TUTORBOT_SHARD_COUNT=str(SHARDS),
                TUTORBOT_SHARD_IDS=str(shard),
                TUTORBOT_LOG_LEVEL="ERROR",  # not one warning per late click
                **env_of(shard),
            )
            proc = await asyncio.create_subprocess_exec(*command, env=env)
            procs.append(proc)
            await _unless_exited(proc, fake.wait_ready(timeout=60, shards=[shard]))
            if shard == 0:  # shard 0's process syncs the commands
                await _unless_exited(
                    proc, fake.wait_for_request("PUT", r"/applications/\d+/commands", timeout=60)
                )
        yield procs
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), timeout=15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def _recorded(url: str, guild_ids: list[int]) -> int:
    """Answers the database holds for the servers' latest rounds (after the bots stopped)."""
    storage = await open_storage(url)
    try:
        total = 0
        for guild_id in guild_ids:
            rounds = await storage.rounds.recent_in_guild(guild_id, 1)
            total += len(await storage.rounds.answers(rounds[0].id)) if rounds else 0
        return total
    finally:
        await storage.close()


async def _burst(
    n: int,
    name: str,
    command: list[str],
    env_of: Callable[[Servers, int], dict[str, str]],
    prepare: Callable[[FakeDiscord, Servers], Awaitable[Fire]],
) -> tuple[Result, list[int]]:
    """One burst of n clicks on `command` run once per shard (shards 0 and 1 of 2, one server
    on each): its result and the servers' ids. CPU per click counts both processes."""
    async with FakeDiscord(shard_count=SHARDS) as fake:
        servers = _servers(fake, n)
        async with _processes(fake, command, lambda shard: env_of(servers, shard)) as procs:
            connected = time.perf_counter()
            fire = await prepare(fake, servers)
            await asyncio.sleep(max(0.0, connected + READY_DELAY - time.perf_counter()))
            for proc in procs:
                await settle(proc.pid)
            cpu_before = sum(cpu_seconds(p.pid) for p in procs)
            start = time.perf_counter()
            records = await asyncio.gather(*(fire(i) for i in range(n)))
            waits = [fake.wait_response(rec, timeout=30) for rec in records]
            await asyncio.gather(*waits, return_exceptions=True)
            wall = time.perf_counter() - start
            cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu_before
        latencies = sorted(
            rec.latency for rec in records if rec.latency is not None and rec.latency <= 3.0
        )
        rejected = len(fake.rejections)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    result = Result(
        name,
        n,
        len(latencies),
        rejected,
        cuts[49] * 1000,
        cuts[98] * 1000,
        (latencies[-1] if latencies else 0.0) * 1000,
        wall,
        cpu * 1000 / n,
    )
    return result, [guild.id for guild, _, _ in servers]


async def burst_two_shards(n: int, database_url: str) -> tuple[Result, int]:
    """One round burst of n clicks on two `tutorbot run` processes (shards 0 and 1 of 2) on
    the PostgreSQL database at `database_url`; its result and how many answers the database
    holds for the two rounds afterwards (the shape of `scale.burst`)."""

    def env_of(servers: Servers, shard: int) -> dict[str, str]:
        return {
            "TUTORBOT_DATABASE_URL": database_url,
            "TUTORBOT_CONTENT_DIR": str(BUNDLED_CONTENT_DIR),
            "TUTORBOT_DB_PATH": str(tempfile.mkdtemp(prefix="shards-unused-")),
        }

    command = [sys.executable, "-m", "tutorbot", "run"]
    result, guild_ids = await _burst(n, NAME, command, env_of, _prepare)
    return result, await _recorded(database_url, guild_ids)


async def floor_two_shards(n: int) -> Result:
    """The like-for-like floor of `burst_two_shards`: two bare discord.py processes
    (`bare_bot.py`, shards 0 and 1 of 2), n clicks on their buttons split the same way."""

    def env_of(servers: Servers, shard: int) -> dict[str, str]:
        return {"BENCH_CHANNEL_ID": str(servers[shard][0].text_channel.id)}

    command = [sys.executable, str(HERE / "bare_bot.py")]
    result, _ = await _burst(n, FLOOR_NAME, command, env_of, _prepare_bare)
    return result


def _row(n: int, result: Result, floor: Result, recorded: int | None) -> str:
    """A row of `scale.py`'s burst table."""
    p99_x = result.p99_ms / floor.p99_ms if floor.p99_ms else float("inf")
    cpu_x = result.cpu_ms / floor.cpu_ms if floor.cpu_ms else float("inf")
    lost = "-" if recorded is None else str(max(0, result.answered - recorded))
    kept = "-" if recorded is None else f"{recorded}/{n}"
    return (
        f"{n:>7}  {result.name:<24}{f'{result.answered}/{n}':>12}{result.p50_ms:>9.1f}"
        f"{result.p99_ms:>9.1f}{p99_x:>7.2f}{result.cpu_ms:>8.2f}{cpu_x:>7.2f}{kept:>11}{lost:>6}"
    )


def main() -> None:
    """The floor and the two-process burst for each size, on a throwaway durable server."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clicks", type=int, nargs="+", default=[1000, 5000])
    args = parser.parse_args()
    print(
        f"{'clicks':>7}  {'bot':<24}{'in 3 s':>12}{'p50 ms':>9}{'p99 ms':>9}{'p99 x':>7}"
        f"{'cpu ms':>8}{'cpu x':>7}{'recorded':>11}{'lost':>6}",
        flush=True,
    )
    with pg_server() as server:
        for n in args.clicks:
            one = asyncio.run(run(replace(FLOORS["button"], name="floor: bare discord.py"), n))
            print(_row(n, one, one, None), flush=True)
            floor = asyncio.run(floor_two_shards(n))
            print(_row(n, floor, floor, None), flush=True)
            result, recorded = asyncio.run(burst_two_shards(n, server.fresh_database()))
            print(_row(n, result, floor, recorded), flush=True)
            p99_x = result.p99_ms / floor.p99_ms if floor.p99_ms else float("inf")
            met = result.answered == n and recorded == n and p99_x <= GOAL
            print(
                f"{n} clicks, {NAME}: all in 3 s {result.answered == n}, 0 lost {recorded == n}, "
                f"p99 {p99_x:.2f}x (goal <= {GOAL}x): {'met' if met else 'NOT met'}",
                flush=True,
            )


if __name__ == "__main__":
    main()
