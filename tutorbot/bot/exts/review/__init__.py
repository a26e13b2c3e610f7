"""/review: today's spaced review (being built: issue 15)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot


class Review(commands.Cog):
    """The /review command."""

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot


async def setup(bot: TutorBot) -> None:
    """Add the /review command (discord.py calls this when it loads the extension)."""
    await bot.add_cog(Review(bot))
