"""The rounds feature (being written)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot


async def setup(bot: TutorBot) -> None:
    """Nothing registered yet."""
