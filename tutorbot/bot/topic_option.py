"""The `topic` option every command shares: autocomplete over ids and titles, and resolution."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from tutorbot.bot import limits
from tutorbot.bot.errors import UserFacingError
from tutorbot.content.library import Library
from tutorbot.content.models import Topic

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot


def choice_name(topic: Topic, duplicate_titles: set[str]) -> str:
    """The autocomplete label: the title, with the id where two topics share a title."""
    name = f"{topic.title} ({topic.id})" if topic.title in duplicate_titles else topic.title
    return limits.clip(name, limits.CHOICE_NAME)


def topic_choices(library: Library, query: str) -> list[app_commands.Choice[str]]:
    """Up to 25 choices, best match first."""
    found = library.search(query, limits.AUTOCOMPLETE_CHOICES)
    counts = Counter(t.title for t in found)
    duplicates = {title for title, n in counts.items() if n > 1}
    return [app_commands.Choice(name=choice_name(t, duplicates), value=t.id) for t in found]


async def autocomplete_topic(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete callback for any `topic` option."""
    bot: TutorBot = interaction.client
    return topic_choices(bot.services.library, current)


def resolve_topic(library: Library, value: str) -> Topic:
    """The topic a user picked or typed (an id or an exact title); else a polite refusal."""
    topic = library.get(value.strip())
    if topic is not None:
        return topic
    matches = library.search(value, 1)  # an exact title is search's first tier: a dict lookup
    if matches and matches[0].title.lower() == value.strip().lower():
        return matches[0]
    suggestions = [library.get(tid) for tid in library.closest_ids(value, 3)]
    names = ", ".join(f"**{t.title}**" for t in suggestions if t is not None)
    hint = f" Did you mean {names}?" if names else ""
    shown = discord.utils.escape_mentions(discord.utils.escape_markdown(limits.clip(value, 80)))
    raise UserFacingError(f"No topic matches “{shown}”.{hint} Pick one from the list as you type.")


def topic_or_gone(library: Library, topic_id: str) -> Topic:
    """The topic a button refers to, or a polite refusal when content no longer has it."""
    topic = library.get(topic_id)
    if topic is None:
        raise UserFacingError(
            "That topic is no longer in the course content. Use /topic to find another."
        )
    return topic
