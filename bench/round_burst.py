"""Benchmark: 1,000 students answer one round question within one second.

`tutorbot run` runs in its own process against the fake Discord with a round open in a channel
(started by an instructor through `/round start`); N distinct students each click an answer
button at once. Reported beside the floor (the bare discord.py bot of `bare_bot.py`, whose
button handler only answers): p50 and p99 click-to-answer, how many were answered within
Discord's 3 s, the bot process's CPU time per click during the burst (see `interactions.py`),
and how many answers the database holds afterwards (every acknowledged click must be there).
The floor and TutorBot alternate for `--rounds` rounds, each TutorBot round on a fresh
database; medians are printed after the rounds' tables. Goals: p99 at most 1.5 times the
floor's; CPU per click at most 2 times the floor's (latency through the fake is dominated by
the fake itself, so the CPU figure is the one that shows what our code costs).

    python bench/round_burst.py [--n 1000] [--rounds 5] [--profile DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from interactions import (
    FLOORS,
    FakeDiscord,
    Fire,
    Result,
    arguments,
    bot_label,
    median_of,
    profiled,
    run,
    summary,
    tutorbot,
)

from tutorbot.storage import open_storage

TOPIC = "addition-within-10"
GOAL = 1.5


class RoundBurst:
    """The round's setup, and where the bot's database is for the final count: the SQLite file
    at `db_path`, or the PostgreSQL database at `database_url` when one is given (the bot
    process must then get it as TUTORBOT_DATABASE_URL; `scale.py` does)."""

    def __init__(self, n: int, database_url: str | None = None) -> None:
        self.n = n
        self.db_path = Path(tempfile.mkdtemp(prefix="round-burst-")) / "tutorbot.sqlite3"
        self.database_url = database_url
        self.guild_id = 0

    def populate(self, fake: FakeDiscord) -> None:
        """Add the n students to the fake's server before the bot connects."""
        self.guild_id = fake.guild.id
        for i in range(self.n):
            fake.add_member(fake.guild, f"student{i}")

    async def prepare(self, fake: FakeDiscord) -> Fire:
        """Start a round (as the admin, through /round start) and aim at its first question;
        a free-response first question is stopped and the round started again."""
        who = [m for m in fake.guild.members.values() if m.user.name.startswith("student")]
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
                return lambda i: fake.click(message, ids[i % len(ids)], who[i])
            await fake.wait_response(await fake.slash("round stop", {}, fake.admin))
            await fake.wait_until(
                lambda n=before: len(fake.messages_in(fake.channel)) >= n + 2, timeout=10
            )
        raise RuntimeError(f"{TOPIC} kept opening with a free-response question")

    async def recorded(self) -> int:
        """Answers the database holds for the round (read after the bot has stopped)."""
        storage = await open_storage(self.database_url or self.db_path)
        try:
            rounds = await storage.rounds.recent_in_guild(self.guild_id, 1)
            return len(await storage.rounds.answers(rounds[0].id)) if rounds else -1
        finally:
            await storage.close()


async def main(
    n: int, rounds: int = 1, profile: Path | None = None
) -> list[tuple[list[Result], int]]:
    """`rounds` times over: the floor's button click, then the round answer burst on a fresh
    database; each round's results and the answers its database recorded."""
    runs = []
    for k in range(1, rounds + 1):
        floor_scenario = FLOORS["button"]
        floor = await run(profiled(floor_scenario, profile, f"{bot_label(floor_scenario)}-{k}"), n)
        burst = RoundBurst(n)
        scenario = tutorbot(burst.prepare, "tutorbot: round answer", burst.populate, burst.db_path)
        bot = await run(profiled(scenario, profile, f"{bot_label(scenario)}-{k}"), n)
        runs.append(([floor, bot], await burst.recorded()))
    return runs


def cli() -> None:
    """Run both, alternating, and print the tables and how many answers the database kept."""
    parser: argparse.ArgumentParser = arguments((__doc__ or "").splitlines()[0])
    args = parser.parse_args()
    runs = asyncio.run(main(args.n, args.rounds, args.profile))
    rounds = [results for results, _ in runs]
    recorded = [count for _, count in runs]
    print(summary(rounds))
    floor, bot = (median_of([results[i] for results in rounds]) for i in range(2))
    print(f"answers in the database: {', '.join(f'{c}/{args.n}' for c in recorded)}")
    print(f"p99 vs floor (medians): {bot.p99_ms / floor.p99_ms:.2f}x (goal <= {GOAL}x)")
    if any(r.late or r.rejected for results in rounds for r in results) or any(
        c != args.n for c in recorded
    ):
        raise SystemExit("not every click was answered within 3 s and recorded")


if __name__ == "__main__":
    cli()
