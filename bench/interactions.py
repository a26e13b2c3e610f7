"""Benchmark: 1,000 concurrent button clicks or autocompletes through the fake Discord.

Measures dispatch-to-answer latency (p50, p99) for each scenario, and how many interactions
were answered within Discord's 3 s. The floor is a bare discord.py client whose handler only
answers; a scenario for the real bot plugs in beside it (a `Scenario` with its own client
factory and its own way of firing one interaction).

    python bench/interactions.py [--n 1000] [--kind button|autocomplete]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import discord
from discord import app_commands

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fakediscord import FakeDiscord, InteractionRecord, running

Fire = Callable[[int], Awaitable[InteractionRecord]]


@dataclass(frozen=True)
class Scenario:
    """A client to measure, and how to prepare the fake and fire interaction number i."""

    name: str
    make_client: Callable[[FakeDiscord], discord.Client]
    prepare: Callable[[FakeDiscord, discord.Client], Awaitable[Fire]]


@dataclass(frozen=True)
class Result:
    name: str
    sent: int
    answered: int
    rejected: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    wall_s: float


class Ok(discord.ui.DynamicItem[discord.ui.Button], template=r"bench:ok"):
    """The floor's button: answers and does nothing else."""

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(label="ok", custom_id="bench:ok"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item, match: re.Match[str]
    ) -> Ok:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


def bare_client(fake: FakeDiscord) -> discord.Client:
    """The floor: discord.py with one button handler and one autocomplete, nothing else."""
    client = discord.Client(
        intents=discord.Intents.default(),
        guild_ready_timeout=0.05,
        allowed_mentions=discord.AllowedMentions.none(),
    )
    client.add_dynamic_items(Ok)
    tree = app_commands.CommandTree(client)

    @tree.command(description="Pick a topic")
    async def pick(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.send_message(topic, ephemeral=True)

    @pick.autocomplete("topic")
    async def topics(interaction: discord.Interaction, current: str) -> list:
        return [app_commands.Choice(name=f"{current} {i}", value=str(i)) for i in range(25)]

    async def setup_hook() -> None:
        await tree.sync()

    client.setup_hook = setup_hook  # type: ignore[method-assign]
    return client


async def button_on_a_message(fake: FakeDiscord, client: discord.Client) -> Fire:
    """Post a message with the floor's button; fire = one member clicks it."""
    channel = client.get_channel(fake.channel.id)
    assert isinstance(channel, discord.TextChannel)
    view = discord.ui.View(timeout=None)
    view.add_item(Ok())
    sent = await channel.send("click", view=view)
    message = fake.messages[sent.id]
    users = [fake.add_member(fake.guild, f"student{i}") for i in range(50)]
    return lambda i: fake.click(message, "bench:ok", users[i % len(users)])


async def autocomplete_pick(fake: FakeDiscord, client: discord.Client) -> Fire:
    return lambda i: fake.autocomplete("pick", "topic", f"t{i}", fake.student)


async def run(scenario: Scenario, n: int) -> Result:
    """Start a fresh fake, log the scenario's client in, fire n interactions at once."""
    async with FakeDiscord() as fake:
        async with running(scenario.make_client(fake), fake) as client:
            fire = await scenario.prepare(fake, client)
            start = time.perf_counter()
            records = await asyncio.gather(*(fire(i) for i in range(n)))
            waits = [fake.wait_response(rec, timeout=30) for rec in records]
            await asyncio.gather(*waits, return_exceptions=True)
            wall = time.perf_counter() - start
        latencies = sorted(rec.latency for rec in records if rec.latency is not None)
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
    floor = results[0]
    lines = [
        f"{'scenario':<24}{'answered':>12}{'rejected':>10}{'p50 ms':>10}{'p99 ms':>10}"
        f"{'max ms':>10}{'wall s':>8}{'p50 x':>8}{'p99 x':>8}"
    ]
    for res in results:
        lines.append(
            f"{res.name:<24}{f'{res.answered}/{res.sent}':>12}{res.rejected:>10}"
            f"{res.p50_ms:>10.1f}{res.p99_ms:>10.1f}{res.max_ms:>10.1f}{res.wall_s:>8.2f}"
            f"{res.p50_ms / floor.p50_ms:>8.2f}{res.p99_ms / floor.p99_ms:>8.2f}"
        )
    return "\n".join(lines)


def tutorbot_client(fake: FakeDiscord) -> discord.Client:
    """The real bot, with the bundled content and a fresh database in a temp folder."""
    from pydantic import SecretStr

    from tutorbot.bot.client import TutorBot
    from tutorbot.settings import BUNDLED_CONTENT_DIR, Settings

    folder = Path(tempfile.mkdtemp(prefix="tutorbot-bench-"))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        discord_token=SecretStr(fake.token),
        db_path=folder / "bench.sqlite3",
        content_dir=BUNDLED_CONTENT_DIR,
        discord_api_url=fake.api_url,
        discord_gateway_url=fake.gateway_url,
    )
    return TutorBot(settings, guild_ready_timeout=0.05)


async def tutorbot_card_button(fake: FakeDiscord, client: discord.Client) -> Fire:
    """A /topic card; fire = a student opens its prerequisite chain (reads their progress)."""
    card = await fake.slash("topic", {"topic": SEED}, fake.student)
    await fake.wait_response(card)
    message = fake.original(card)
    users = [fake.add_member(fake.guild, f"student{i}") for i in range(50)]
    return lambda i: fake.click(message, f"topic:chain:{SEED}:0", users[i % len(users)])


async def tutorbot_autocomplete(fake: FakeDiscord, client: discord.Client) -> Fire:
    """fire = a student types into /topic's autocomplete."""
    words = ["self", "div", "chain", "count", "kern", "limit", "frac", "optim"]
    return lambda i: fake.autocomplete("topic", "topic", words[i % len(words)], fake.student)


SEED = "self-supervised-learning-theory"
TUTORBOT = {
    "button": Scenario("tutorbot: card button", tutorbot_client, tutorbot_card_button),
    "autocomplete": Scenario("tutorbot: autocomplete", tutorbot_client, tutorbot_autocomplete),
}

FLOORS = {
    "button": Scenario("floor: bare button", bare_client, button_on_a_message),
    "autocomplete": Scenario("floor: bare autocomplete", bare_client, autocomplete_pick),
}


async def main(n: int, kind: str, extra: list[Scenario]) -> list[Result]:
    results = [await run(FLOORS[kind], n)]
    for scenario in extra:
        results.append(await run(scenario, n))
    return results


def cli(extra: list[Scenario] | None = None) -> None:
    """Run the floor and any extra scenarios (the real bot's) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--kind", choices=sorted(FLOORS), default="button")
    args = parser.parse_args()
    scenarios = [TUTORBOT[args.kind], *(extra or [])]
    results = asyncio.run(main(args.n, args.kind, scenarios))
    print(report(results))
    if any(r.answered < r.sent or r.rejected for r in results):
        raise SystemExit("not every interaction was answered in time")


if __name__ == "__main__":
    cli()
