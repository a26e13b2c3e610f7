"""Benchmark: 1,000 concurrent button clicks or autocompletes through the fake Discord.

Each bot runs in its own process, as in production (`tutorbot run`, or the bare discord.py bot
in `bare_bot.py` for the floor), against the fake Discord in this process: the fake's work and
the bot's do not share one event loop. Measured from the moment the fake dispatches an
interaction to the moment the bot's answer reaches it (p50, p99), how many were answered
within Discord's 3 s, and the bot process's CPU time (user + system, all its threads) per
interaction, for the floor and for TutorBot in the same run.

Latency through the fake is dominated by the fake itself (it shares this process with the
benchmark), so CPU per interaction is the figure that shows what the bot's own code costs. It
is sampled once the bot has gone idle after its setup (start, login, members, the scenario's
own commands) and again when the last answer arrives, so only the burst is counted. The floor
and TutorBot alternate for `--rounds` rounds; the medians follow the rounds' tables.

    python bench/interactions.py [--n 1000] [--kind button|autocomplete] [--rounds 5]
        [--profile DIR]

`--profile DIR` runs each bot under cProfile (`profiled.py`) switched on for the burst only and
writes DIR/<bot>-<round>.pstats (the main thread; profiling inflates the CPU figures).
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
from dataclasses import dataclass, field, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from fakediscord import FakeDiscord, FakeMember, InteractionRecord  # noqa: E402

from tutorbot.settings import BUNDLED_CONTENT_DIR  # noqa: E402

Fire = Callable[[int], Awaitable[InteractionRecord]]
SEED = "self-supervised-learning-theory"
STUDENTS = 50
CPU_GOAL = 2.0
"""TutorBot's CPU per interaction, at most this many times the floor's (issue 14)."""
TICKS = os.sysconf("SC_CLK_TCK")
READY_DELAY = 3.0
"""Seconds from connecting to the burst at least: discord.py dispatches on_ready 2 s (its
guild_ready_timeout) after the last GUILD_CREATE, and what ready starts is setup, not burst."""


@dataclass(frozen=True)
class Scenario:
    """A bot process to measure, the world it needs, and how to fire interaction number i."""

    name: str
    command: Sequence[str]
    prepare: Callable[[FakeDiscord], Awaitable[Fire]]
    populate: Callable[[FakeDiscord], None] = lambda fake: None
    """Called before the bot connects (the fake sends guilds and members at login)."""
    env: Mapping[str, str] = field(default_factory=dict)
    profile: Path | None = None
    """Where to write a cProfile of the burst (the bot runs under `profiled.py`), if anywhere."""

    @property
    def argv(self) -> list[str]:
        """The bot process's command line, under `profiled.py` when profiling."""
        if self.profile is None:
            return list(self.command)
        return [self.command[0], str(HERE / "profiled.py"), str(self.profile), *self.command[1:]]


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
    cpu_ms: float
    """The bot process's CPU time (user + system) during the burst, per interaction."""

    @property
    def late(self) -> int:
        """Interactions sent but not answered in time."""
        return self.sent - self.answered


def median_of(results: Sequence[Result]) -> Result:
    """One scenario's rounds as one row: the median of each figure, the worst of the counts."""
    return Result(
        results[0].name,
        results[0].sent,
        min(r.answered for r in results),
        max(r.rejected for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
        statistics.median(r.max_ms for r in results),
        statistics.median(r.wall_s for r in results),
        statistics.median(r.cpu_ms for r in results),
    )


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far (user + system, every thread), from /proc."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime: fields 14 and 15


async def settle(pid: int, window: float = 0.3, timeout: float = 20.0) -> None:  # noqa: ASYNC109
    """Wait until the process has gone idle (at most one clock tick of CPU in `window`), so
    that what it still does for its setup is not counted in the burst."""
    deadline = time.perf_counter() + timeout
    before = cpu_seconds(pid)
    while time.perf_counter() < deadline:
        await asyncio.sleep(window)
        now = cpu_seconds(pid)
        if now - before <= 1.0 / TICKS:
            return
        before = now
    print(f"warning: process {pid} was still busy after {timeout:.0f} s", file=sys.stderr)


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
TUTORBOT: dict[str, Callable[[], Scenario]] = {
    "button": lambda: tutorbot(tutorbot_card_button, "tutorbot: card button"),
    "autocomplete": lambda: tutorbot(tutorbot_autocomplete, "tutorbot: autocomplete"),
}
"""Each run of TutorBot gets a fresh database (a second run on one would not sync commands)."""


async def _unless_exited(proc: asyncio.subprocess.Process, step: Awaitable[object]) -> None:
    """Wait for a startup step of the bot, or fail at once if its process exits meanwhile
    (its error is on stderr) instead of waiting out the step's timeout."""
    waiting = asyncio.ensure_future(step)
    exited = asyncio.ensure_future(proc.wait())
    try:
        await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
        if waiting.done():
            waiting.result()
        else:
            raise RuntimeError(f"the bot process exited with {proc.returncode} while starting")
    finally:
        waiting.cancel()
        exited.cancel()


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
    proc = await asyncio.create_subprocess_exec(*scenario.argv, env=env)
    try:
        await _unless_exited(proc, fake.wait_ready(timeout=60))
        await _unless_exited(
            proc, fake.wait_for_request("PUT", r"/applications/\d+/commands", timeout=60)
        )
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout=15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def _profiling(proc: asyncio.subprocess.Process, signum: int) -> None:
    """Switch the bot's profiler (`profiled.py`) on or off, and give its loop time to notice."""
    proc.send_signal(signum)
    await asyncio.sleep(0.5)


async def run(scenario: Scenario, n: int) -> Result:
    """A fresh fake, the scenario's bot process, n interactions fired at once; the bot's CPU
    is counted from when it has settled after its setup to when the last answer arrives."""
    async with FakeDiscord() as fake:
        scenario.populate(fake)
        async with bot_process(scenario, fake) as proc:
            connected = time.perf_counter()
            fire = await scenario.prepare(fake)
            await asyncio.sleep(max(0.0, connected + READY_DELAY - time.perf_counter()))
            await settle(proc.pid)
            if scenario.profile is not None:
                await _profiling(proc, signal.SIGUSR1)
            cpu_before = cpu_seconds(proc.pid)
            start = time.perf_counter()
            records = await asyncio.gather(*(fire(i) for i in range(n)))
            waits = [fake.wait_response(rec, timeout=30) for rec in records]
            await asyncio.gather(*waits, return_exceptions=True)
            wall = time.perf_counter() - start
            cpu = cpu_seconds(proc.pid) - cpu_before
            if scenario.profile is not None:
                await _profiling(proc, signal.SIGUSR2)
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
        cpu * 1000 / n,
    )


def _ratio(value: float, floor: float) -> float:
    return value / floor if floor else float("inf")


def report(results: list[Result]) -> str:
    """A table, each row beside the first (the floor)."""
    floor = results[0]
    lines = [
        f"{'scenario':<26}{'in 3 s':>12}{'rejected':>10}{'p50 ms':>10}{'p99 ms':>10}"
        f"{'max ms':>10}{'wall s':>8}{'cpu ms':>8}{'p50 x':>8}{'p99 x':>8}{'cpu x':>8}"
    ]
    for res in results:
        lines.append(
            f"{res.name:<26}{f'{res.answered}/{res.sent}':>12}{res.rejected:>10}"
            f"{res.p50_ms:>10.1f}{res.p99_ms:>10.1f}{res.max_ms:>10.1f}{res.wall_s:>8.2f}"
            f"{res.cpu_ms:>8.2f}{_ratio(res.p50_ms, floor.p50_ms):>8.2f}"
            f"{_ratio(res.p99_ms, floor.p99_ms):>8.2f}{_ratio(res.cpu_ms, floor.cpu_ms):>8.2f}"
        )
    return "\n".join(lines)


def summary(rounds: Sequence[Sequence[Result]]) -> str:
    """Each round's table, then the medians over the rounds (`cpu ms`: the bot's CPU time per
    interaction during the burst) and TutorBot's CPU per interaction against the goal."""
    parts = [f"round {k}\n{report(list(results))}" for k, results in enumerate(rounds, 1)]
    medians = [median_of([results[i] for results in rounds]) for i in range(len(rounds[0]))]
    parts.append(f"median of {len(rounds)} rounds\n{report(medians)}")
    floor, bot = medians[0], medians[-1]
    parts.append(
        f"CPU per interaction: floor {floor.cpu_ms:.2f} ms, TutorBot {bot.cpu_ms:.2f} ms, "
        f"{_ratio(bot.cpu_ms, floor.cpu_ms):.2f}x (goal <= {CPU_GOAL}x)"
    )
    return "\n\n".join(parts)


def bot_label(scenario: Scenario) -> str:
    """The bot a scenario runs, as a file name: "floor" or "tutorbot"."""
    return scenario.name.split(":")[0]


def profiled(scenario: Scenario, folder: Path | None, label: str) -> Scenario:
    """The scenario, profiled into folder/label.pstats when a folder is given."""
    if folder is None:
        return scenario
    folder.mkdir(parents=True, exist_ok=True)
    return replace(scenario, profile=folder.resolve() / f"{label}.pstats")


async def main(
    n: int,
    scenarios: Sequence[Callable[[], Scenario]],
    rounds: int = 1,
    profile: Path | None = None,
) -> list[list[Result]]:
    """Run the scenarios in turn, `rounds` times over (floor, TutorBot, floor, TutorBot, ...),
    so no two share the machine and neither always runs first; each run is made afresh."""
    results = []
    for k in range(1, rounds + 1):
        made = [scenario() for scenario in scenarios]
        results.append([await run(profiled(s, profile, f"{bot_label(s)}-{k}"), n) for s in made])
    return results


def arguments(description: str) -> argparse.ArgumentParser:
    """The options both click benchmarks take: --n, --rounds, --profile."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5, help="alternate the bots this often")
    parser.add_argument(
        "--profile", type=Path, default=None, help="write a cProfile of each burst here"
    )
    return parser


def cli() -> None:
    """Run the floor and TutorBot for one kind of interaction and print the tables."""
    parser = arguments((__doc__ or "").splitlines()[0])
    parser.add_argument("--kind", choices=sorted(FLOORS), default="button")
    args = parser.parse_args()
    floor = FLOORS[args.kind]
    scenarios = [lambda: floor, TUTORBOT[args.kind]]
    rounds = asyncio.run(main(args.n, scenarios, args.rounds, args.profile))
    print(summary(rounds))
    if any(r.late or r.rejected for results in rounds for r in results):
        raise SystemExit("not every interaction was answered within 3 s")


if __name__ == "__main__":
    cli()
