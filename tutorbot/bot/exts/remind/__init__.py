"""/remind on and /remind off: a daily direct message with the reviews due (issue 15).

The reminders themselves are timers of the reminder service (`services/reminders.py`); this
extension gives it a way to send direct messages, and answers the two commands privately.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from tutorbot.bot.errors import refuse
from tutorbot.bot.exts.remind import render
from tutorbot.bot.timezone_option import autocomplete_timezone
from tutorbot.domain.refusals import Refusal
from tutorbot.services.reminders import Delivery, Reminder

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot

log = logging.getLogger(__name__)

CANNOT_DM = 50007
"""Discord's code for "Cannot send messages to this user" (closed direct messages, no shared
server, or the bot blocked)."""


class DirectMessages:
    """Sends the reminder service's reminders as direct messages (a `ReminderSender`)."""

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot

    async def __call__(self, reminder: Reminder) -> Delivery:
        """Send the reminder; `REFUSED` when Discord will not deliver direct messages to them."""
        rendered = render.reminder_message(reminder)
        try:
            channel = await self.bot.create_dm(discord.Object(reminder.user_id))
            await channel.send(**rendered.send_kwargs())
        except discord.Forbidden as exc:
            if exc.code != CANNOT_DM:
                raise
            return Delivery.REFUSED
        finally:
            rendered.view.stop()  # buttons are routed by the dynamic items, not a stored view
        return Delivery.SENT


class Remind(commands.Cog):
    """The /remind commands."""

    remind = app_commands.Group(
        name="remind", description="A daily direct message with your reviews due"
    )

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Send the reminder service's reminders as direct messages from now on."""
        self.bot.services.reminders.attach(DirectMessages(self.bot))

    @remind.command(name="on", description="Get a direct message each day with your reviews due")
    @app_commands.describe(
        time="Time of day, HH:MM on a 24-hour clock (e.g. 07:30)",
        timezone="Your time zone (type a city, e.g. Paris or New York)",
    )
    @app_commands.autocomplete(timezone=autocomplete_timezone)
    async def remind_on(
        self, interaction: discord.Interaction[Any], time: str, timezone: str
    ) -> None:
        """Turn daily reminders on (or move them), and say when the next one comes."""
        result = await self.bot.services.reminders.turn_on(interaction.user.id, time, timezone)
        if isinstance(result, Refusal):
            await refuse(interaction, result)
            return
        await interaction.response.send_message(render.turned_on(result), ephemeral=True)

    @remind.command(name="off", description="Stop the daily review reminder")
    async def remind_off(self, interaction: discord.Interaction[Any]) -> None:
        """Turn daily reminders off, saying whether they were on."""
        was_on = await self.bot.services.reminders.turn_off(interaction.user.id)
        await interaction.response.send_message(render.turned_off(was_on), ephemeral=True)


async def setup(bot: TutorBot) -> None:
    """Add the /remind commands (discord.py calls this when it loads the extension)."""
    await bot.add_cog(Remind(bot))
