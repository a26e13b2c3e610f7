"""The benchmarks' floor: a bare discord.py bot whose handlers only answer.

Run as its own process, like `tutorbot run`, against the URLs in TUTORBOT_DISCORD_API_URL and
TUTORBOT_DISCORD_GATEWAY_URL with TUTORBOT_DISCORD_TOKEN. It syncs one command with an
autocomplete and, once ready, posts one message with one button in BENCH_CHANNEL_ID.

With TUTORBOT_SHARD_COUNT and TUTORBOT_SHARD_IDS (as `tutorbot run` reads them) it is an
`AutoShardedClient` running those shards, as TutorBot's sharded processes are, and only the
process running shard 0 syncs the command (the floor beside `_shards.py`'s two processes).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
from typing import Any

import discord
from discord import app_commands

from tutorbot.bot.proxy import redirect_discord

BUTTON = "bench:ok"


class Ok(discord.ui.DynamicItem[discord.ui.Button[Any]], template=re.escape(BUTTON)):
    """Answers a click and does nothing else."""

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(label="ok", custom_id=BUTTON))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: Any, match: re.Match[str], /
    ) -> Ok:
        """The button, rebuilt for a click (it carries no state)."""
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Answer at once: the least work a bot can do for a click."""
        await interaction.response.send_message("ok", ephemeral=True)


class BareBot(discord.Client):
    """A bot with no features: one command, one button, nothing stored (the floor)."""

    def __init__(self, channel_id: int, **options: Any) -> None:
        super().__init__(
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.channel_id = channel_id
        self.syncs = 0 in options.get("shard_ids", [0])
        self.tree = app_commands.CommandTree(self)
        self.add_dynamic_items(Ok)

        @self.tree.command(description="Pick a topic")
        async def pick(interaction: discord.Interaction[Any], topic: str) -> None:
            await interaction.response.send_message(topic, ephemeral=True)

        @pick.autocomplete("topic")
        async def topics(
            interaction: discord.Interaction[Any], current: str
        ) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=f"{current} {i}", value=str(i)) for i in range(25)]

    async def setup_hook(self) -> None:
        """Sync the one command before connecting (shard 0's process only, when sharded)."""
        if self.syncs:
            await self.tree.sync()

    async def on_ready(self) -> None:
        """Post the message whose button the benchmark clicks."""
        channel = self.get_channel(self.channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise RuntimeError(f"BENCH_CHANNEL_ID {self.channel_id} is not a text channel here")
        view = discord.ui.View(timeout=None)
        view.add_item(Ok())
        await channel.send("click", view=view)


class ShardedBareBot(BareBot, discord.AutoShardedClient):
    """The bare bot running some shards of a sharded bot, as `tutorbot run` does when sharded."""


def bare_bot() -> BareBot:
    """The bare bot, sharded when the environment names a shard count and shard ids."""
    channel_id = int(os.environ["BENCH_CHANNEL_ID"])
    count = os.environ.get("TUTORBOT_SHARD_COUNT")
    if not count:
        return BareBot(channel_id)
    ids = [int(i) for i in os.environ["TUTORBOT_SHARD_IDS"].split(",")]
    return ShardedBareBot(channel_id, shard_count=int(count), shard_ids=ids)


async def main() -> None:
    """Run against the fake Discord the benchmark names in the environment, until signalled."""
    redirect_discord(
        os.environ["TUTORBOT_DISCORD_API_URL"], os.environ["TUTORBOT_DISCORD_GATEWAY_URL"]
    )
    bot = bare_bot()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    runner = asyncio.create_task(bot.start(os.environ["TUTORBOT_DISCORD_TOKEN"]))
    await stop.wait()
    await bot.close()
    runner.cancel()


if __name__ == "__main__":
    asyncio.run(main())
