"""Members' display names: noted from every server interaction, shown safely in messages.

Names are user text: `name_of` escapes Markdown and mentions, and falls back to a mention (which
clients render as the name and which never pings: the client allows no mentions).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import discord

from tutorbot.bot import limits
from tutorbot.bot.scopes import bot_of

NAME_SHOWN = 40
"""Characters of a display name shown in a podium, a table or a report line."""


def note_member(interaction: discord.Interaction[Any]) -> None:
    """Hand the member's display name in this server to the name book (a no-op in DMs, and
    costs no write when the name is already known)."""
    if interaction.guild_id is None:
        return
    user = interaction.user
    bot_of(interaction).services.names.saw(interaction.guild_id, user.id, user.display_name)


def name_of(user_id: int, names: Mapping[int, str]) -> str:
    """A display name safe to put in Markdown, or a mention (rendered as the name, never a ping)."""
    name = names.get(user_id)
    if not name:
        return f"<@{user_id}>"
    return discord.utils.escape_mentions(
        discord.utils.escape_markdown(limits.clip(name, NAME_SHOWN))
    )
