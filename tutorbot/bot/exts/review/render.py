"""/review's own messages: the line above the first question, nothing due, the limit reached,
the settings, and the summary. The questions themselves are the quiz's screens (`quiz.render`).

Pure functions of the plan and the summary, inside Discord's limits at any length (topic titles
are clipped by `limits.bounded_lines`).
"""

from __future__ import annotations

import discord

from tutorbot.bot.components import button
from tutorbot.bot.custom_ids import make
from tutorbot.bot.exts.quiz.render import NEUTRAL, resume_id, topic_list, unfinished, when
from tutorbot.bot.exts.topics.render import Rendered
from tutorbot.services.review import ReviewPlan
from tutorbot.storage.review_settings import ReviewSettings

FEATURE = "review"
DM_CLOSED = (
    "🔕 Your daily reminders are off: Discord would not let me send you a direct message. "
    "Allow direct messages from this server's members (Privacy Settings), then turn them on "
    "again with `/remind on`."
)


def minutes_text(minutes: int) -> str:
    """About how long a review takes, in words."""
    return "about 1 minute" if minutes <= 1 else f"about {minutes} minutes"


def intro(plan: ReviewPlan) -> str:
    """The line above a review's first question: how many are due and how long today's take."""
    count = len(plan.keys)
    due = f"**{plan.due} due**" if plan.due == count else f"**{plan.due} due**, {count} today"
    lines = [f"🧠 {due}, {minutes_text(plan.minutes)}."]
    if plan.dm_closed:
        lines.append(DM_CLOSED)
    return "\n".join(lines)


def nothing_to_do(plan: ReviewPlan) -> Rendered:
    """No review now: the limit is used up, or nothing is due; when the next one is, and what to
    learn instead."""
    if plan.limit_reached:
        title = "That's today's reviews done"
        lines = [
            f"You answered your daily limit of **{plan.limit}** reviews today. "
            f"**{plan.due}** more are due: they wait for tomorrow, or raise the limit with "
            "`/review limit:`."
        ]
    elif plan.next_due is not None:
        title = "Nothing to review right now"
        lines = [f"✅ You're up to date. Your next review comes {when(plan.next_due)}."]
    else:
        title = "Nothing to review yet"
        lines = [
            "Questions you answer in `/quiz` and in rounds come back here just before you "
            "would forget them."
        ]
    embed = discord.Embed(title=title, description="\n".join(lines), colour=NEUTRAL)
    if plan.next_topics:
        embed.add_field(
            name="Learn something new instead", value=topic_list(plan.next_topics), inline=False
        )
    embed.set_footer(text="Private: only you can see this.")
    view = discord.ui.View(timeout=None)
    for topic in plan.next_topics[:3]:
        view.add_item(button(make("topic", "card", topic.id), topic.title))
    return Rendered([embed], view, DM_CLOSED if plan.dm_closed else None)


def settings_text(settings: ReviewSettings, limit: int, local_now: str | None) -> str:
    """The student's review settings after a change."""
    zone = settings.timezone or "UTC"
    lines = [
        f"Daily limit: **{limit}** reviews.",
        f"Time zone: **{zone}**: your day, for reviews and streaks, runs from midnight to "
        "midnight there.",
    ]
    if local_now is not None:
        lines.append(f"It is {local_now} there now.")
    if settings.remind_at is not None:
        lines.append(f"Daily reminder at **{settings.remind_at}** ({zone}).")
    return "\n".join(lines)


def ask_replace(session_id: int, kind: str, topic_id: str) -> Rendered:
    """A quiz or placement is in progress: end it and review, or go back to it."""
    embed = discord.Embed(
        title=f"You have a {kind} in progress",
        description=(
            f"{unfinished(kind, topic_id)} is not finished. Review instead? The {kind} will end "
            "where it is."
        ),
        colour=NEUTRAL,
    )
    view = discord.ui.View(timeout=None)
    view.add_item(button(make(FEATURE, "more"), "Start review", style=discord.ButtonStyle.primary))
    view.add_item(button(resume_id(kind, session_id), f"Continue the {kind}"))
    return Rendered([embed], view)
