"""/review: today's spaced review, a private quiz across topics, every button restart-proof.

A review uses the quiz's screens and buttons (`bot/exts/quiz`): this extension starts one,
resumes one, and changes the student's review settings. Discord does not let a command both run
and hold subcommands, so the settings are `/review`'s options: `/review limit:30`,
`/review timezone:Europe/Paris` (without options, /review starts or resumes the review).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from tutorbot.bot.components import FeatureButton
from tutorbot.bot.custom_ids import CustomId
from tutorbot.bot.errors import refuse
from tutorbot.bot.exts.quiz import render as quiz_render
from tutorbot.bot.exts.review import render
from tutorbot.bot.scopes import bot_of
from tutorbot.bot.timezone_option import autocomplete_timezone
from tutorbot.domain.days import zone_or_utc
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.review import MAX_DAILY_LIMIT, MIN_DAILY_LIMIT
from tutorbot.storage.review_settings import ReviewSettings

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot


class ReviewButton(FeatureButton):
    """/review's own buttons: start (from a reminder) and more (after a summary)."""

    feature = render.FEATURE


async def open_review(interaction: discord.Interaction[Any], *, edit: bool, ask: bool) -> None:
    """Resume the student's review in progress, or start today's (first asking, when `ask`,
    whether to end a quiz in progress), or say why there is nothing to review."""
    bot = bot_of(interaction)
    user_id = interaction.user.id
    active = await bot.services.quiz.active(user_id)
    if active is not None and active.kind == "review":
        screen = await bot.services.quiz.current(active.id, user_id)
        if not isinstance(screen, Refusal):
            await quiz_render.resume_message(screen).reply(interaction, edit=edit)
            return
    elif active is not None and ask:
        await render.ask_replace(active.id, active.kind, active.topic_id).reply(
            interaction, edit=edit
        )
        return
    channel_id = interaction.channel_id or user_id
    started = await bot.services.review.start(user_id, interaction.guild_id, channel_id)
    if isinstance(started, Refusal):
        await refuse(interaction, started)
        return
    plan, first = started
    if first is None:
        await render.nothing_to_do(plan).reply(interaction, edit=edit)
        return
    rendered = quiz_render.question_message(first)
    rendered.content = render.intro(plan)
    message_id = await rendered.reply(interaction, edit=edit)
    if message_id is not None:
        await bot.services.quiz.attach_message(first.session_id, message_id)


@ReviewButton.action("start")
async def _start(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    await open_review(interaction, edit=False, ask=True)


@ReviewButton.action("more")
async def _more(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    await open_review(interaction, edit=True, ask=False)


class Review(commands.Cog):
    """The /review command."""

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot

    @app_commands.command(name="review", description="Today's spaced review, or its settings")
    @app_commands.describe(
        limit="Settings: the most reviews a day (default 20)",
        timezone="Settings: your time zone, which decides when your day starts",
    )
    @app_commands.autocomplete(timezone=autocomplete_timezone)
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def review(
        self,
        interaction: discord.Interaction[Any],
        limit: app_commands.Range[int, MIN_DAILY_LIMIT, MAX_DAILY_LIMIT] | None = None,
        timezone: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        """Start or resume today's review; with options, change the review settings instead."""
        if limit is None and timezone is None:
            await open_review(interaction, edit=False, ask=True)
            return
        await self._settings(interaction, limit, timezone)

    async def _settings(
        self, interaction: discord.Interaction[Any], limit: int | None, timezone: str | None
    ) -> None:
        review = self.bot.services.review
        user_id = interaction.user.id
        settings: ReviewSettings | None = None
        if timezone is not None:
            zoned = await review.set_timezone(user_id, timezone)
            if isinstance(zoned, Refusal):
                await refuse(interaction, zoned)
                return
            settings = zoned
        if limit is not None:
            limited = await review.set_limit(user_id, limit)
            if isinstance(limited, Refusal):
                await refuse(interaction, limited)
                return
            settings = limited
        if settings is None:  # no option: the command only comes here with one
            settings = await review.settings(user_id)
        zone = zone_or_utc(settings.timezone)
        now = self.bot.services.clock().astimezone(zone)
        local_now = now.strftime("%H:%M") if timezone is not None else None
        text = render.settings_text(settings, review.daily_limit(settings), local_now)
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: TutorBot) -> None:
    """Add the /review command and its buttons (discord.py calls this when it loads the
    extension)."""
    await bot.add_cog(Review(bot))
