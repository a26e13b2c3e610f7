"""/topic: the topic card and its buttons (explainer, practice, I know this, goal, chain, map)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from tutorbot.bot.components import FeatureButton
from tutorbot.bot.custom_ids import CustomId, make
from tutorbot.bot.errors import UserFacingError
from tutorbot.bot.exts.progress.map import add_map
from tutorbot.bot.exts.topics import render
from tutorbot.bot.scopes import bot_of
from tutorbot.bot.topic_option import autocomplete_topic, resolve_topic, topic_or_gone
from tutorbot.pictures import maps

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot


GONE = "That topic is no longer in the course content. Use /topic to find another."


class TopicButton(FeatureButton):
    """Every button on a topic card, explainer page or chain page."""

    feature = render.FEATURE


async def show_card(
    interaction: discord.Interaction[Any], topic_id: str, note: str | None = None
) -> None:
    """Edit the clicked message back to the topic card, with an optional note above it."""
    bot = bot_of(interaction)
    topic = topic_or_gone(bot.services.library, topic_id)
    student = await bot.services.progress.student(interaction.user.id)
    rendered = render.topic_card(bot.services.library, topic, student)
    rendered.content = note
    await rendered.edit(interaction)


@TopicButton.action("card")
async def _card(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    await show_card(interaction, cid.arg(0))


@TopicButton.action("explainer")
async def _explainer(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    topic = topic_or_gone(bot_of(interaction).services.library, cid.arg(0))
    rendered = render.explainer_page(topic, cid.int_arg(1))
    await rendered.edit(interaction)


@TopicButton.action("chain")
async def _chain(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    bot = bot_of(interaction)
    topic = topic_or_gone(bot.services.library, cid.arg(0))
    student = await bot.services.progress.student(interaction.user.id)
    rendered = render.chain_page(bot.services.library, topic, cid.int_arg(1), student.known)
    await rendered.edit(interaction)


@TopicButton.action("known")
async def _known(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    bot = bot_of(interaction)
    topic = topic_or_gone(bot.services.library, cid.arg(0))
    marked = await bot.services.progress.toggle_known(interaction.user.id, topic.id)
    if marked:
        note = f"Marked **{topic.title}** as known; its prerequisites count as known too."
    else:
        note = f"**{topic.title}** is no longer marked as known."
    await show_card(interaction, topic.id, note)


@TopicButton.action("goal")
async def _goal(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    bot = bot_of(interaction)
    topic = topic_or_gone(bot.services.library, cid.arg(0))
    await bot.services.progress.set_goal(interaction.user.id, topic.id)
    await show_card(
        interaction, topic.id, f"🎯 Goal set: **{topic.title}**. /progress shows the way there."
    )


async def _map_around(
    interaction: discord.Interaction[Any], topic_id: str, page: int | None, *, edit: bool
) -> None:
    """The clicker's map around the topic: a new private message (`edit` False) or the clicked
    map message turned to `page`; its picture added when drawn."""
    services = bot_of(interaction).services
    topic = topic_or_gone(services.library, topic_id)
    if edit:
        await interaction.response.defer()
    found = await maps.student_layout(services, interaction.user.id, around=topic.id, page=page)
    if found is None:  # a topic a reload removed between the two reads
        raise UserFacingError(GONE)
    embed = render.map_embed(topic, found.alt_text())
    if edit:
        await interaction.edit_original_response(embed=embed)
    else:
        await interaction.response.send_message(embed=embed, ephemeral=True)

    def page_id(page: int, direction: str) -> str:
        return make(render.FEATURE, "mappage", topic.id, page, direction)

    await add_map(interaction, services, embed, found, page_id)


@TopicButton.action("map")
async def _map(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    await _map_around(interaction, cid.arg(0), None, edit=False)


@TopicButton.action("mappage")
async def _map_page(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    await _map_around(interaction, cid.arg(0), cid.int_arg(1), edit=True)


class Topics(commands.Cog):
    """The /topic command."""

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot

    @app_commands.command(name="topic", description="Show a topic card: core idea, figures, links")
    @app_commands.describe(topic="Topic to show (type to search titles and ids)")
    @app_commands.autocomplete(topic=autocomplete_topic)
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def topic(self, interaction: discord.Interaction[Any], topic: str) -> None:
        """Show the topic card with the student's own marks, privately."""
        library = self.bot.services.library
        found = resolve_topic(library, topic)
        student = await self.bot.services.progress.student(interaction.user.id)
        rendered = render.topic_card(library, found, student)
        await interaction.response.send_message(**rendered.send_kwargs(), ephemeral=True)


async def setup(bot: TutorBot) -> None:
    """Add the /topic command (discord.py calls this when it loads the extension)."""
    await bot.add_cog(Topics(bot))
