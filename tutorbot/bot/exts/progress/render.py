"""The /progress embed: goal and bar, next topics, recent mastery."""

from __future__ import annotations

import discord

from tutorbot.bot import limits
from tutorbot.content.library import Library
from tutorbot.domain.progress import Progress, bar

COLOUR = discord.Colour.gold()


def _titles(library: Library, ids: tuple[str, ...] | list[str]) -> list[str]:
    found = (library.get(t) for t in ids)
    return [f"• {t.title}" for t in found if t is not None]


def progress_embed(library: Library, overview: Progress) -> discord.Embed:
    """Goal, a progress bar of its known prerequisites, next topics and recent mastery."""
    total = len(library.topics)
    lines = [f"You know **{len(overview.known)}** of {total} topics."]
    goal = overview.goal
    topic = library.get(goal.goal) if goal else None
    if goal is not None and topic is not None:
        lines += [
            "",
            f"🎯 **Goal: {topic.title}**" + (" ✅ reached" if goal.goal_known else ""),
            f"`{bar(goal.fraction)}` {goal.known} / {goal.total} prerequisites known "
            f"({goal.percentage}%)",
        ]
    else:
        lines += ["", "No goal set. Pick one with `/goal set` or **Set as goal** on a topic card."]
    embed = discord.Embed(title="Your progress", description="\n".join(lines), colour=COLOUR)
    next_lines = _titles(library, overview.next_topics)
    embed.add_field(
        name="Learn next" + (" (on the way to your goal first)" if topic else ""),
        value=limits.bounded_lines(next_lines, limits.FIELD_VALUE) or "Nothing left: well done!",
        inline=False,
    )
    recent = _titles(library, overview.recently_mastered)
    if recent:
        embed.add_field(
            name="Recently mastered",
            value=limits.bounded_lines(recent, limits.FIELD_VALUE),
            inline=False,
        )
    return embed
