"""Benchmark: 1,000 concurrent button clicks or autocompletes through the fake Discord.

Each bot runs in its own process, as in production (`tutorbot run`, or the bare discord.py bot
in `bare_bot.py` for the floor), against the fake Discord in this process: the fake's work and
the bot's do not share one event loop. Measured from the moment the fake dispatches an
interaction to the moment the bot's answer reaches it (p50, p99), and how many were answered
within Discord's 3 s, for the floor and for TutorBot in the same run.

    python bench/interactions.py [--n 1000] [--kind button|autocomplete]
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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from fakediscord import FakeDiscord, FakeMember, InteractionRecord  # noqa: E402

from tutorbot.settings import BUNDLED_CONTENT_DIR  # noqa: E402

Fire = Callable[[int], Awaitable[InteractionRecord]]
SEED = "self-supervised-learning-theory"
STUDENTS = 50


@dataclass(frozen=True)
class Scenario:
    """A bot process to measure, the world it needs, and how to fire interaction number i."""

    name: str
    command: Sequence[str]
    prepare: Callable[[FakeDiscord], Awaitable[Fire]]
    populate: Callable[[FakeDiscord], None] = lambda fake: None
    """Called before the bot connects (the fake sends guilds and members at login)."""
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    """One scenario's run: how many answered within 3 s, and the latency percentiles."""

    name: str
    sent: int
    answered: int
    rejected: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    wall_s: float

    @property
    def late(self) -> int:
        """Interactions sent but not answered in time."""
        return self.sent - self.answered


def _students(fake: FakeDiscord) -> None:
    for i in range(STUDENTS):
        fake.add_member(fake.guild, f"student{i}")


def students(fake: FakeDiscord) -> list[FakeMember]:
    """The members `populate` added, in order."""
    return [m for m in fake.guild.members.values() if m.user.name.startswith("student")]


async def bare_button(fake: FakeDiscord) -> Fire:
    """Wait for the floor's message; fire = a student clicks its button."""
    await fake.wait_until(lambda: bool(fake.messages_in(fake.channel)), timeout=30)
    message = fake.messages_in(fake.channel)[-1]
    who = students(fake)
    return lambda i: fake.click(message, "bench:ok", who[i % len(who)])


async def bare_autocomplete(fake: FakeDiscord) -> Fire:
    """Fire = a student types into the floor's autocomplete."""
    who = students(fake)
    return lambda i: fake.autocomplete("pick", "topic", f"t{i}", who[i % len(who)])


async def tutorbot_card_button(fake: FakeDiscord) -> Fire:
    """A /topic card; fire = a student opens its prerequisite chain (reads their progress)."""
    card = await fake.slash("topic", {"topic": SEED}, fake.student)
    await fake.wait_response(card)
    message = fake.original(card)
    who = students(fake)
    return lambda i: fake.click(message, f"topic:chain:{SEED}:0", who[i % len(who)])


async def tutorbot_autocomplete(fake: FakeDiscord) -> Fire:
    """Fire = a student types into /topic's autocomplete."""
    words = ["self", "div", "chain", "count", "kern", "limit", "frac", "optim"]
    who = students(fake)
    return lambda i: fake.autocomplete("topic", "topic", words[i % len(words)], who[i % len(who)])


def bare_bot(prepare: Callable[[FakeDiscord], Awaitable[Fire]], name: str) -> Scenario:
    """The floor: `bare_bot.py`, a bot that does nothing but answer."""
    return Scenario(name, [sys.executable, str(HERE / "bare_bot.py")], prepare, _students)


def tutorbot(
    prepare: Callable[[FakeDiscord], Awaitable[Fire]],
    name: str,
    populate: Callable[[FakeDiscord], None] = _students,
    db_path: Path | None = None,
) -> Scenario:
    """`tutorbot run` itself, with the bundled content and a fresh database."""
    db = db_path or Path(tempfile.mkdtemp(prefix="tutorbot-bench-")) / "bench.sqlite3"
    env = {
        "TUTORBOT_DB_PATH": str(db),
        "TUTORBOT_CONTENT_DIR": str(BUNDLED_CONTENT_DIR),
        "TUTORBOT_LOG_LEVEL": "WARNING",
    }
    return Scenario(name, [sys.executable, "-m", "tutorbot", "run"], prepare, populate, env)


FLOORS = {
    "button": bare_bot(bare_button, "floor: bare button"),
    "autocomplete": bare_bot(bare_autocomplete, "floor: bare autocomplete"),
}
TUTORBOT = {
    "button": tutorbot(tutorbot_card_button, "tutorbot: card button"),
    "autocomplete": tutorbot(tutorbot_autocomplete, "tutorbot: autocomplete"),
}


@contextlib.asynccontextmanager
async def bot_process(scenario: Scenario, fake: FakeDiscord):  # type: ignore[no-untyped-def]
    """Start the scenario's bot process against `fake`; stop it with SIGTERM afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
    env.update(
        TUTORBOT_DISCORD_TOKEN=fake.token,
        TUTORBOT_DISCORD_API_URL=fake.api_url,
        TUTORBOT_DISCORD_GATEWAY_URL=fake.gateway_url,
        BENCH_CHANNEL_ID=str(fake.channel.id),
        PYTHONPATH=os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH")])),
        **scenario.env,
    )
    proc = await asyncio.create_subprocess_exec(*scenario.command, env=env)
    try:
        await fake.wait_ready(timeout=60)
        await fake.wait_for_request("PUT", r"/applications/\d+/commands", timeout=60)
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout=15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def run(scenario: Scenario, n: int) -> Result:
    """A fresh fake, the scenario's bot process, n interactions fired at once."""
    async with FakeDiscord() as fake:
        scenario.populate(fake)
        async with bot_process(scenario, fake):
            fire = await scenario.prepare(fake)
            start = time.perf_counter()
            records = await asyncio.gather(*(fire(i) for i in range(n)))
            waits = [fake.wait_response(rec, timeout=30) for rec in records]
            await asyncio.gather(*waits, return_exceptions=True)
            wall = time.perf_counter() - start
        latencies = sorted(
            rec.latency for rec in records if rec.latency is not None and rec.latency <= 3.0
        )
        rejected = len(fake.rejections)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Result(
        scenario.name,
        n,
        len(latencies),
        rejected,
        cuts[49] * 1000,
        cuts[98] * 1000,
        (latencies[-1] if latencies else 0.0) * 1000,
        wall,
    )


def report(results: list[Result]) -> str:
    """A table, each row beside the first (the floor)."""
    floor = results[0]
    lines = [
        f"{'scenario':<26}{'in 3 s':>12}{'rejected':>10}{'p50 ms':>10}{'p99 ms':>10}"
        f"{'max ms':>10}{'wall s':>8}{'p50 x':>8}{'p99 x':>8}"
    ]
    for res in results:
        lines.append(
            f"{res.name:<26}{f'{res.answered}/{res.sent}':>12}{res.rejected:>10}"
            f"{res.p50_ms:>10.1f}{res.p99_ms:>10.1f}{res.max_ms:>10.1f}{res.wall_s:>8.2f}"
            f"{res.p50_ms / floor.p50_ms:>8.2f}{res.p99_ms / floor.p99_ms:>8.2f}"
        )
    return "\n".join(lines)


async def main(n: int, scenarios: list[Scenario]) -> list[Result]:
    """Run each scenario in turn, so no two share the machine."""
    return [await run(scenario, n) for scenario in scenarios]


def cli() -> None:
    """Run the floor and TutorBot for one kind of interaction and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--kind", choices=sorted(FLOORS), default="button")
    args = parser.parse_args()
    results = asyncio.run(main(args.n, [FLOORS[args.kind], TUTORBOT[args.kind]]))
    print(report(results))
    if any(r.late or r.rejected for r in results):
        raise SystemExit("not every interaction was answered within 3 s")


if __name__ == "__main__":
    cli()
