"""The /stats and /leaderboard embeds. The leaderboard shows the names members last showed in the
server (escaped), or a mention for someone never seen: inside an embed it never pings anyone."""

from __future__ import annotations

from collections.abc import Mapping

import discord

from tutorbot.bot.members import name_of
from tutorbot.content.card import plural
from tutorbot.domain.standings import LeaderboardEntry
from tutorbot.services.stats import StudentStats
from tutorbot.storage.answers import UserStats

COLOUR = discord.Colour.teal()
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


def _line(stats: UserStats) -> str:
    return (
        f"{stats.answered} answered · {stats.correct} right ({stats.accuracy:.0%}) · "
        f"{stats.points} points"
    )


def streak_line(days: int) -> str | None:
    """'🔥 Review streak: 4 days', or None without a streak (nothing answered today or
    yesterday): a zero is left out rather than shown."""
    if days <= 0:
        return None
    return f"🔥 Review streak: {plural(days, 'day')}"


def stats_embed(user: discord.abc.User, figures: StudentStats) -> discord.Embed:
    """A student's figures: the review streak, here, everywhere, and their progress through
    the topics."""
    streak = streak_line(figures.review_streak)
    description = f"<@{user.id}>" + (f"\n{streak}" if streak else "")
    embed = discord.Embed(title="Stats", description=description, colour=COLOUR)
    if figures.here is not None:
        rank = f" · rank {figures.standing.rank}" if figures.standing else ""
        embed.add_field(name="In this server", value=_line(figures.here) + rank, inline=False)
    embed.add_field(name="Everywhere", value=_line(figures.overall), inline=False)
    student = figures.student
    embed.add_field(
        name="Topics",
        value=(
            f"{len(student.known)} of {figures.topics_total} known · "
            f"{len(student.mastered)} mastered by quiz · "
            f"{figures.overall.topics_practised} practised"
        ),
        inline=False,
    )
    return embed


def _entry(entry: LeaderboardEntry, me: int, names: Mapping[int, str]) -> str:
    mark = MEDALS.get(entry.rank, f"`{entry.rank:>2}.`")
    you = " ← you" if entry.user_id == me else ""
    who = name_of(entry.user_id, names)
    return f"{mark} {who} · **{entry.points}** points · {entry.accuracy:.0%} right{you}"


def leaderboard_embed(
    top: list[LeaderboardEntry],
    mine: LeaderboardEntry | None,
    me: int,
    names: Mapping[int, str],
) -> discord.Embed:
    """The top 10 and, when the caller is below it, their own rank."""
    if not top:
        text = "Nobody has answered a question in this server yet. Try /quiz or a round!"
    else:
        text = "\n".join(_entry(e, me, names) for e in top)
        if mine is not None and all(e.user_id != me for e in top):
            text += f"\n…\n{_entry(mine, me, names)}"
        elif mine is None:
            text += "\n\nYou are not on the board yet: answer a question to join."
    return discord.Embed(title="Leaderboard", description=text, colour=COLOUR)
