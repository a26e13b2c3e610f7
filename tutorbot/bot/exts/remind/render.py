"""What /remind and its daily direct message say (pure functions, within Discord's limits)."""

from __future__ import annotations

import discord

from tutorbot.bot.components import button
from tutorbot.bot.custom_ids import make
from tutorbot.bot.exts.quiz.render import topic_list, when
from tutorbot.bot.exts.review.render import minutes_text
from tutorbot.bot.exts.topics.render import Rendered
from tutorbot.services.reminders import Reminder, ReminderOn

START_REVIEW = make("review", "start")
"""The reminder's button: the /review extension starts today's review from it."""
DUE_COLOUR = discord.Colour.blurple()
QUIET_COLOUR = discord.Colour.light_grey()
TOPIC_BUTTONS = 3
"""Topic cards offered on a day with nothing due."""


def turned_on(on: ReminderOn) -> str:
    """The private answer to /remind on: the time, the zone and when the first one comes."""
    at = discord.utils.format_dt(on.next_at, "f")
    return (
        f"⏰ Daily review reminder on: every day at **{on.remind_at}**, {on.timezone} time. "
        f"The next one comes {at} ({when(on.next_at)}) as a direct message from me. "
        "Turn it off with `/remind off`."
    )


def turned_off(was_on: bool) -> str:
    """The private answer to /remind off."""
    if was_on:
        return "Daily review reminders are off. Turn them back on with `/remind on`."
    return "Daily review reminders were already off. Turn them on with `/remind on`."


def _count(n: int) -> str:
    return "1 review is" if n == 1 else f"{n} reviews are"


def reminder_message(reminder: Reminder) -> Rendered:
    """The daily direct message: what is due today and a button to start, or, with nothing
    due, when the next review comes and what to learn meanwhile."""
    plan = reminder.plan
    footer = f"Every day at {reminder.remind_at} ({reminder.timezone}) · /remind off to stop"
    if plan.keys:
        lines = [f"**{_count(len(plan.keys))} due today**, {minutes_text(plan.minutes)}."]
        if plan.due > len(plan.keys):
            lines.append(f"{plan.due - len(plan.keys)} more wait for another day (daily limit).")
        embed = discord.Embed(
            title="Time for today's review", description="\n".join(lines), colour=DUE_COLOUR
        )
        embed.set_footer(text=footer)
        view = discord.ui.View(timeout=None)
        view.add_item(button(START_REVIEW, "Start review", style=discord.ButtonStyle.primary))
        return Rendered([embed], view)
    embed = discord.Embed(title="Nothing to review today", colour=QUIET_COLOUR)
    lines = []
    if plan.limit_reached:
        lines.append("You have done today's reviews: the rest wait for tomorrow.")
    elif plan.next_due is not None:
        lines.append(f"Your next review comes {when(plan.next_due)}.")
    else:
        lines.append("Practise a topic with `/quiz`: its questions come back here for review.")
    embed.description = "\n".join(lines)
    embed.set_footer(text=footer)
    view = discord.ui.View(timeout=None)
    if plan.next_topics:
        embed.add_field(name="Learn next", value=topic_list(plan.next_topics), inline=False)
        for topic in plan.next_topics[:TOPIC_BUTTONS]:
            view.add_item(button(make("topic", "card", topic.id), topic.title))
    return Rendered([embed], view)
