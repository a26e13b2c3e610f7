"""Benchmark: 1,000 students answer one round question within one second.

The real TutorBot runs against the fake Discord with a round open in a channel; N distinct
students each click an answer button at once. Reported beside the floor (a bare discord.py
client whose button handler only answers) from the same run: p50 and p99 click-to-answer,
how many were answered within Discord's 3 s, and how many answers the database holds (every
acknowledged click must be there). Goal: p99 at most 1.5 times the floor's.

    python bench/round_burst.py [--n 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

import discord
from interactions import FLOORS, Fire, Result, Scenario, report, run
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot
from tutorbot.settings import BUNDLED_CONTENT_DIR, Settings
from tutorbot.storage import open_storage

TOPIC = "addition-within-10"
GOAL = 1.5


class RoundBurst:
    """The real bot with a round open; remembers where its database is for the final count."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.db_path = Path(tempfile.mkdtemp(prefix="round-burst-")) / "tutorbot.sqlite3"
        self.users: list = []

    def make_client(self, fake: FakeDiscord) -> discord.Client:
        # Members exist before the bot connects, as the fake asks.
        self.users = [fake.add_member(fake.guild, f"student{i}") for i in range(self.n)]
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            discord_token=SecretStr(fake.token),
            db_path=self.db_path,
            content_dir=BUNDLED_CONTENT_DIR,
            discord_api_url=fake.api_url,
            discord_gateway_url=fake.gateway_url,
        )
        return TutorBot(settings, guild_ready_timeout=0.05)

    async def prepare(self, fake: FakeDiscord, client: discord.Client) -> Fire:
        """Start a round (as the admin, through /round start) and aim at its first question;
        a free-response first question is stopped and the round started again."""
        for _ in range(20):
            before = len(fake.messages_in(fake.channel))
            start = await fake.slash(
                "round start", {"topic": TOPIC, "questions": 1, "seconds": 120}, fake.admin
            )
            await fake.wait_response(start)
            await fake.wait_until(
                lambda n=before: len(fake.messages_in(fake.channel)) == n + 1, timeout=10
            )
            message = fake.messages_in(fake.channel)[-1]
            ids = [
                c["custom_id"]
                for row in message.components
                for c in row["components"]
                if c.get("custom_id", "").startswith("round:answer:")
            ]
            if ids:
                return lambda i: fake.click(message, ids[i % len(ids)], self.users[i])
            await fake.wait_response(await fake.slash("round stop", {}, fake.admin))
            await fake.wait_until(
                lambda n=before: len(fake.messages_in(fake.channel)) >= n + 2, timeout=10
            )
        raise RuntimeError(f"{TOPIC} kept opening with a free-response question")

    async def recorded(self) -> int:
        storage = await open_storage(self.db_path)
        try:
            rounds = await storage.rounds.running()
            return len(await storage.rounds.answers(rounds[0].id)) if rounds else -1
        finally:
            await storage.close()


async def main(n: int) -> tuple[list[Result], int]:
    burst = RoundBurst(n)
    floor = await run(FLOORS["button"], n)
    bot = await run(Scenario("tutorbot: round answer", burst.make_client, burst.prepare), n)
    return [floor, bot], await burst.recorded()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    results, recorded = asyncio.run(main(args.n))
    print(report(results))
    floor, bot = results
    ratio = bot.p99_ms / floor.p99_ms
    print(f"answers in the database: {recorded}/{args.n}")
    print(f"p99 vs floor: {ratio:.2f}x (goal <= {GOAL}x)")
    if any(r.answered < r.sent or r.rejected for r in results) or recorded != args.n:
        raise SystemExit("not every click was answered in time and recorded")
    if bot.max_ms > 3000:
        raise SystemExit("a click took longer than Discord's 3 s")


if __name__ == "__main__":
    cli()
