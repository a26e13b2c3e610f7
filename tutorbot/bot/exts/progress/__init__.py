"""/progress and /goal: where a student stands and what to learn next, with their knowledge map
(the way to the goal) as a picture."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from tutorbot.bot.components import FeatureButton
from tutorbot.bot.custom_ids import CustomId, make
from tutorbot.bot.exts.progress.map import add_map
from tutorbot.bot.exts.progress.render import progress_embed
from tutorbot.bot.scopes import bot_of
from tutorbot.bot.topic_option import autocomplete_topic, resolve_topic
from tutorbot.pictures import maps

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot


FEATURE = "progress"


class ProgressButton(FeatureButton):
    """The page buttons of the knowledge map under /progress."""

    feature = FEATURE


def _page_id(page: int, direction: str) -> str:
    return make(FEATURE, "map", page, direction)


async def _overview_embed(bot: TutorBot, user_id: int) -> discord.Embed:
    """The /progress embed for the student, as it is now."""
    services = bot.services
    overview, student = await services.progress.overview_and_student(user_id)
    remembering = await services.progress.remembering(user_id, overview)
    return progress_embed(services.library, overview, remembering, student)


async def _add_goal_map(
    interaction: discord.Interaction[Any], embed: discord.Embed, page: int | None = None
) -> None:
    """Add the student's map (the way to the goal, or around what is ready) to the sent
    /progress message."""
    services = bot_of(interaction).services
    found = await maps.student_layout(services, interaction.user.id, page=page)
    if found is not None:
        await add_map(interaction, services, embed, found, _page_id)


@ProgressButton.action("map")
async def _map_page(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    """Show another page of the map, with the overview as it is now."""
    page = cid.int_arg(0)
    await interaction.response.defer()
    embed = await _overview_embed(bot_of(interaction), interaction.user.id)
    await _add_goal_map(interaction, embed, page)


class ProgressCommands(commands.Cog, name="Progress"):
    """The /progress and /goal commands."""

    goal = app_commands.Group(name="goal", description="Set or clear the topic you are aiming for")

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot

    @app_commands.command(name="progress", description="Your goal, progress bar and next topics")
    async def progress(self, interaction: discord.Interaction[Any]) -> None:
        """Show the student their overview privately, then add their map when it is drawn."""
        embed = await _overview_embed(self.bot, interaction.user.id)
        await interaction.response.send_message(embed=embed, ephemeral=True)
        await _add_goal_map(interaction, embed)

    @goal.command(name="set", description="Aim for a topic: /progress then shows the way there")
    @app_commands.describe(topic="The topic you want to reach (type to search)")
    @app_commands.autocomplete(topic=autocomplete_topic)
    async def goal_set(self, interaction: discord.Interaction[Any], topic: str) -> None:
        """Store the goal and show the overview with the way there (noting a goal already known)."""
        services = self.bot.services
        found = resolve_topic(services.library, topic)
        await services.progress.set_goal(interaction.user.id, found.id)
        overview, student = await services.progress.overview_and_student(interaction.user.id)
        remembering = await services.progress.remembering(interaction.user.id, overview)
        embed = progress_embed(services.library, overview, remembering, student)
        note = f"🎯 Goal set: **{found.title}**."
        if overview.goal is not None and overview.goal.goal_known:
            note += " You already know this topic: a later one makes a goal worth climbing to."
        await interaction.response.send_message(note, embed=embed, ephemeral=True)
        await _add_goal_map(interaction, embed)

    @goal.command(name="clear", description="Clear your goal")
    async def goal_clear(self, interaction: discord.Interaction[Any]) -> None:
        """Forget the student's goal, saying whether there was one."""
        cleared = await self.bot.services.progress.clear_goal(interaction.user.id)
        text = "Goal cleared." if cleared else "You had no goal set."
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: TutorBot) -> None:
    """Add the /progress and /goal commands (discord.py calls this when it loads the extension)."""
    await bot.add_cog(ProgressCommands(bot))
