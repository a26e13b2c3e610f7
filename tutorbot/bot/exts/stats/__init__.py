"""/stats and /leaderboard: a student's figures and the server's top 10."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from tutorbot.bot.errors import UserFacingError
from tutorbot.bot.exts.stats.render import leaderboard_embed, stats_embed
from tutorbot.bot.pictures import add_picture

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot

NEEDS_SERVER = (
    "The leaderboard ranks the students of one server, so it only works in a server. "
    "Use /stats to see your own figures here."
)


class Stats(commands.Cog):
    """The /stats and /leaderboard commands."""

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot

    @app_commands.command(name="stats", description="Answers, accuracy, points and topics known")
    @app_commands.describe(user="Whose stats to show (default: yours)")
    async def stats(
        self, interaction: discord.Interaction[Any], user: discord.User | None = None
    ) -> None:
        """Show someone's totals privately (overall, and in this server when used in one), then
        add their activity chart to the message when it is drawn."""
        who = user or interaction.user
        if who.bot:
            raise UserFacingError("Bots don't study, so they have no stats.")
        stats = self.bot.services.stats
        figures = await stats.for_user(who.id, interaction.guild_id)
        embed = stats_embed(who, figures)
        await interaction.response.send_message(embed=embed, ephemeral=True)
        if figures.activity is None:
            return

        async def edit(file: discord.File) -> None:
            embed.set_image(url=f"attachment://{file.filename}")
            await interaction.edit_original_response(embed=embed, attachments=[file])

        await add_picture(edit, stats.activity_picture(figures.activity), "activity")

    @app_commands.command(name="leaderboard", description="This server's top 10 by points")
    async def leaderboard(self, interaction: discord.Interaction[Any]) -> None:
        """Post the server's top 10, with the caller's own line when they are not in it."""
        if interaction.guild_id is None:
            raise UserFacingError(NEEDS_SERVER)
        top, mine = await self.bot.services.stats.leaderboard(
            interaction.guild_id, interaction.user.id
        )
        shown = [e.user_id for e in top] + ([mine.user_id] if mine is not None else [])
        names = await self.bot.services.names.in_guild(interaction.guild_id, shown)
        embed = leaderboard_embed(top, mine, interaction.user.id, names)
        await interaction.response.send_message(embed=embed)


async def setup(bot: TutorBot) -> None:
    """Add /stats and /leaderboard (discord.py calls this when it loads the extension)."""
    await bot.add_cog(Stats(bot))
