"""The /progress embed: goal and bar, reviews due, next topics, recent mastery and how well
each is remembered today."""

from __future__ import annotations

from collections.abc import Mapping

import discord

from tutorbot.bot import limits
from tutorbot.content.card import plural
from tutorbot.content.library import Library
from tutorbot.domain.progress import Progress, bar
from tutorbot.services.progress import Remembering, StudentView

COLOUR = discord.Colour.gold()


def _titles(library: Library, ids: tuple[str, ...] | list[str]) -> list[str]:
    found = (library.get(t) for t in ids)
    return [f"• {t.title}" for t in found if t is not None]


def due_line(due: int) -> str | None:
    """'🧠 5 reviews due today — /review', or None when nothing is due."""
    if due <= 0:
        return None
    return f"🧠 **{plural(due, 'review')} due today** — /review"


def remembered_text(retention: float) -> str:
    """How well a topic is remembered today: '87% remembered today'."""
    return f"{retention:.0%} remembered today"


def _mastered_lines(
    library: Library, ids: tuple[str, ...], retention: Mapping[str, float]
) -> list[str]:
    lines = []
    for topic_id in ids:
        topic = library.get(topic_id)
        if topic is None:
            continue
        kept = retention.get(topic_id)
        extra = f" · {remembered_text(kept)}" if kept is not None else ""
        lines.append(f"• {topic.title}{extra}")
    return lines


def known_line(known: int, total: int, student: StudentView | None) -> str:
    """'You know **N** of T topics (M by placement).', M the topics known by placement alone
    (left out when none)."""
    placed = 0 if student is None else len(student.placed_only)
    by_placement = f" ({placed} by placement)" if placed else ""
    return f"You know **{known}** of {total} topics{by_placement}."


def progress_embed(
    library: Library,
    overview: Progress,
    remembering: Remembering | None = None,
    student: StudentView | None = None,
) -> discord.Embed:
    """Goal, a progress bar of its known prerequisites, reviews due today, topics known (how
    many by placement alone, given the `student`), next topics, and recent mastery with how
    well each topic is remembered today."""
    memory = remembering or Remembering()
    total = len(library.topics)
    lines = [known_line(len(overview.known), total, student)]
    due = due_line(memory.due)
    if due:
        lines.append(due)
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
    recent = _mastered_lines(library, overview.recently_mastered, memory.retention)
    if recent:
        embed.add_field(
            name="Recently mastered",
            value=limits.bounded_lines(recent, limits.FIELD_VALUE),
            inline=False,
        )
    return embed
