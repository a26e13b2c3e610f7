"""Where commands work, and who they belong to.

Student commands work everywhere (servers, DMs, group DMs) and as a user-installed app: those are
the command tree's defaults. Instructor and admin commands are groups made with `server_group`:
they change a server or post in its channels, so they need the bot installed in that server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from tutorbot.bot.errors import UserFacingError

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot

EVERYWHERE = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
ANY_INSTALL = app_commands.AppInstallationType(guild=True, user=True)


class NotInServer(app_commands.CheckFailure, UserFacingError):
    """A server command that reached the bot from outside a server (a forged or odd client)."""


class _ServerGroup(app_commands.Group):
    """Discord offers these commands only in servers; one sent from anywhere else (a DM, a
    forged interaction) gets a polite refusal before any command of the group runs."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        if interaction.guild_id is None or interaction.channel_id is None:
            raise NotInServer(
                f"/{self.name} works only in a server channel where TutorBot is installed, "
                "not in direct messages."
            )
        return True


def server_channel(interaction: discord.Interaction[Any]) -> tuple[int, int]:
    """The server and channel ids of a server command (`server_group` checked they exist)."""
    if interaction.guild_id is None or interaction.channel_id is None:
        raise NotInServer("This works only in a server channel where TutorBot is installed.")
    return interaction.guild_id, interaction.channel_id


def server_group(name: str, description: str, **options: Any) -> app_commands.Group:
    """A command group for servers that have the bot installed, never DMs or user installs."""
    return _ServerGroup(
        name=name,
        description=description,
        guild_only=True,
        allowed_installs=app_commands.AppInstallationType(guild=True, user=False),
        allowed_contexts=app_commands.AppCommandContext(
            guild=True, dm_channel=False, private_channel=False
        ),
        **options,
    )


def bot_of(interaction: discord.Interaction[Any]) -> TutorBot:
    """The bot an interaction reached, typed (discord.py types it as a plain Client)."""
    bot: TutorBot = interaction.client
    return bot
