"""The `timezone` option /review and /remind share: autocomplete over the IANA names."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from rapidfuzz import fuzz, process

from tutorbot.bot import limits
from tutorbot.domain.days import zone_names, zones_containing

POPULAR = (
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)
"""What an empty box offers before anything is typed."""
FUZZY_CUTOFF = 75


def timezone_choices(query: str) -> list[app_commands.Choice[str]]:
    """Up to 25 IANA names: those containing what was typed (ignoring case, spaces as
    underscores), the ones whose city starts with it first; failing any, the closest spellings."""
    wanted = query.strip().replace(" ", "_").lower()[:64]
    names = zone_names()
    if not wanted:
        found = [n for n in POPULAR if n in names]
    else:
        found = zones_containing(wanted)
        if not found:
            close = process.extract(
                wanted,
                names,
                scorer=fuzz.WRatio,
                processor=str.lower,
                limit=limits.AUTOCOMPLETE_CHOICES,
                score_cutoff=FUZZY_CUTOFF,
            )
            found = [name for name, _, _ in close]
    return [app_commands.Choice(name=n, value=n) for n in found[: limits.AUTOCOMPLETE_CHOICES]]


async def autocomplete_timezone(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete callback for any `timezone` option."""
    return timezone_choices(current)
