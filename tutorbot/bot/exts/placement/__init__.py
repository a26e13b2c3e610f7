"""/placement: a short private adaptive test that finds where a student starts (issue 16).

One question at a time, from the topic that splits what is still unknown best; an answer moves
straight on to the next question (a placement measures, it does not teach), and the end lists
the topics known by placement and what to learn next. Every button is restart-proof: it carries
the session and the question's number, and the service refuses an older message's click.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from tutorbot.bot.components import ANSWER_FIELD, FeatureButton, modal_action, open_answer_form
from tutorbot.bot.custom_ids import CustomId, make
from tutorbot.bot.errors import refuse
from tutorbot.bot.exts.placement import render
from tutorbot.bot.exts.quiz.render import TYPE_LABEL, not_yet_text, when
from tutorbot.bot.exts.topics.render import Rendered
from tutorbot.bot.scopes import bot_of
from tutorbot.bot.topic_option import autocomplete_topic, resolve_topic, topic_or_gone
from tutorbot.content.models import Topic
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.typed_answers import MAX_TYPED_ANSWER
from tutorbot.services.placement import NotYet, PlacementEnd, PlacementScreen

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot


class PlacementButton(FeatureButton):
    """Every button of a placement."""

    feature = render.FEATURE


async def begin(interaction: discord.Interaction[Any], goal: Topic | None, *, edit: bool) -> None:
    """Resume the student's placement in progress, or start one: first asking whether to end a
    quiz or review in progress."""
    bot = bot_of(interaction)
    user_id = interaction.user.id
    active = await bot.services.quiz.active(user_id)
    if active is not None and active.kind == "placement":
        screen = await bot.services.placement.current(active.id, user_id)
        if not isinstance(screen, Refusal):
            await render.resume_message(screen, start_over=render.new_id(goal)).reply(
                interaction, edit=edit
            )
            return
    elif active is not None:
        rendered = render.ask_first(active.id, active.kind, active.topic_id, goal)
        await rendered.reply(interaction, edit=edit)
        return
    await start_now(interaction, goal, edit=edit)


async def start_now(
    interaction: discord.Interaction[Any], goal: Topic | None, *, edit: bool
) -> None:
    """Start a placement toward `goal` (ending any quiz, review or placement in progress)."""
    bot = bot_of(interaction)
    step = await bot.services.placement.start(
        user_id=interaction.user.id,
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id or interaction.user.id,
        goal=goal,
    )
    if isinstance(step, Refusal):
        await refuse(interaction, step)
        return
    await _step(step).reply(interaction, edit=edit)


def _step(step: PlacementScreen | PlacementEnd) -> Rendered:
    if isinstance(step, PlacementEnd):
        return render.end_message(step)
    return render.question_message(step)


@PlacementButton.action("answer")
async def _answer(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    step = await bot_of(interaction).services.placement.answer(
        cid.int_arg(0), interaction.user.id, cid.int_arg(1), cid.arg(2)
    )
    if isinstance(step, Refusal):
        await refuse(interaction, step)
        return
    await _step(step).edit(interaction)


@PlacementButton.action("type")
async def _type(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    refused = await bot_of(interaction).services.placement.check_typeable(
        cid.int_arg(0), interaction.user.id, cid.int_arg(1)
    )
    form_id = make(render.FEATURE, "typed", *cid.args[:2])
    await open_answer_form(interaction, refused, form_id, TYPE_LABEL, MAX_TYPED_ANSWER)


@modal_action(render.FEATURE, "typed")
async def _typed(
    interaction: discord.Interaction[Any], cid: CustomId, values: dict[str, str]
) -> None:
    step = await bot_of(interaction).services.placement.answer_typed(
        cid.int_arg(0), interaction.user.id, cid.int_arg(1), values.get(ANSWER_FIELD, "")
    )
    if isinstance(step, Refusal):
        await refuse(interaction, step)
        return
    await _step(step).edit(interaction)


@PlacementButton.action("reveal")
async def _reveal(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    step = await bot_of(interaction).services.placement.reveal(
        cid.int_arg(0), interaction.user.id, cid.int_arg(1)
    )
    if isinstance(step, Refusal):
        await refuse(interaction, step)
        return
    if isinstance(step, NotYet):
        opens = when(step.opens_at)
        await interaction.response.send_message(not_yet_text(opens), ephemeral=True)
        return
    await render.revealed_message(step).edit(interaction)


@PlacementButton.action("assess")
async def _assess(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    step = await bot_of(interaction).services.placement.assess(
        cid.int_arg(0), interaction.user.id, cid.int_arg(1), cid.arg(2)
    )
    if isinstance(step, Refusal):
        await refuse(interaction, step)
        return
    await _step(step).edit(interaction)


@PlacementButton.action("stop")
async def _stop(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    end = await bot_of(interaction).services.placement.stop(cid.int_arg(0), interaction.user.id)
    if isinstance(end, Refusal):
        await refuse(interaction, end)
        return
    await render.end_message(end).edit(interaction)


@PlacementButton.action("resume")
async def _resume(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    screen = await bot_of(interaction).services.placement.current(
        cid.int_arg(0), interaction.user.id
    )
    if isinstance(screen, Refusal):
        await refuse(interaction, screen)
        return
    await render.resume_message(screen).edit(interaction)


@PlacementButton.action("new")
async def _new(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    library = bot_of(interaction).services.library
    goal = topic_or_gone(library, cid.arg(0)) if cid.args else None
    await start_now(interaction, goal, edit=True)


class Placement(commands.Cog):
    """The /placement command."""

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="placement", description="Find where to start: a short test of what you know"
    )
    @app_commands.describe(
        goal="Only the topics on the way to this one (type to search; default: the whole course)"
    )
    @app_commands.autocomplete(goal=autocomplete_topic)
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def placement(
        self, interaction: discord.Interaction[Any], goal: str | None = None
    ) -> None:
        """Start a private placement (or resume the one in progress), first asking whether to
        end a quiz or review in progress."""
        found = resolve_topic(self.bot.services.library, goal) if goal is not None else None
        await begin(interaction, found, edit=False)


async def setup(bot: TutorBot) -> None:
    """Add the /placement command and its buttons (discord.py calls this when it loads the
    extension)."""
    await bot.add_cog(Placement(bot))
