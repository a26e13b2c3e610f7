"""/round: timed group rounds in a channel, for instructors; every button restart-proof.

A click is judged by the interaction's own time (`clicked_at`), answered privately at once, and
counted by the database; the channel message's answer count is updated in batches.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from tutorbot.bot.components import ANSWER_FIELD, FeatureButton, modal_action, open_answer_form
from tutorbot.bot.custom_ids import CustomId, make
from tutorbot.bot.errors import refuse, reply_private
from tutorbot.bot.exts.rounds import render
from tutorbot.bot.exts.rounds.present import DiscordPresenter, add_class_picture, names_in
from tutorbot.bot.scopes import bot_of, server_channel, server_group
from tutorbot.bot.topic_option import autocomplete_topic, resolve_topic
from tutorbot.domain import round_state, typed_answers
from tutorbot.domain import rounds as rules
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.rounds import MAX_TYPED_ANSWER
from tutorbot.services.round_views import NotInstructor

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot


class RoundButton(FeatureButton):
    """Every button of a group round."""

    feature = render.FEATURE


def _presenter(interaction: discord.Interaction[Any]) -> DiscordPresenter:
    """The running cog's presenter (looked up by name: a reloaded extension is a new class)."""
    cog: Any = bot_of(interaction).get_cog("Rounds")
    presenter: DiscordPresenter = cog.presenter
    return presenter


def clicked_at(interaction: discord.Interaction[Any]) -> datetime:
    """When the user acted, on the services' clock: Discord's own timestamp of the interaction,
    shifted by any offset of that clock from the wall clock (none in production; tests move it)."""
    clock = bot_of(interaction).services.clock
    return interaction.created_at + (clock() - discord.utils.utcnow())


async def is_instructor(interaction: discord.Interaction[Any]) -> bool:
    """Manage Server, or the server's instructor role."""
    if interaction.guild_id is None:
        return False
    roles = getattr(interaction.user, "roles", ())
    return await bot_of(interaction).services.rounds.is_instructor(
        interaction.guild_id, interaction.permissions.manage_guild, [r.id for r in roles]
    )


@RoundButton.action("answer")
async def _answer(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    round_id, index = cid.int_arg(0), cid.int_arg(1)
    outcome = await bot_of(interaction).services.rounds.accept(
        round_id, index, interaction.user.id, cid.arg(2), clicked_at(interaction)
    )
    await interaction.response.send_message(outcome.text, ephemeral=True)
    _count(interaction, outcome, round_id, index)


def _count(
    interaction: discord.Interaction[Any], outcome: object, round_id: int, index: int
) -> None:
    """Count a locked-in answer (in batches) on the question's message."""
    if isinstance(outcome, rules.Locked):
        _presenter(interaction).answered(round_id, index)


@RoundButton.action("write")
async def _write(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    await _open_form(interaction, cid, MAX_TYPED_ANSWER)


@RoundButton.action("type")
async def _type(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    await _open_form(interaction, cid, typed_answers.MAX_TYPED_ANSWER)


async def _open_form(interaction: discord.Interaction[Any], cid: CustomId, longest: int) -> None:
    """The answer form of a question answered by typing (free response, short answer, number),
    or privately why not (answered already, time up); the service judges what is sent."""
    round_id, index = cid.int_arg(0), cid.int_arg(1)
    refused = await bot_of(interaction).services.rounds.check_writable(
        round_id, index, interaction.user.id, clicked_at(interaction)
    )
    form_id = make(render.FEATURE, "written", *cid.args)
    await open_answer_form(interaction, refused, form_id, "Your answer", longest)


@modal_action(render.FEATURE, "written")
async def _written(
    interaction: discord.Interaction[Any], cid: CustomId, values: dict[str, str]
) -> None:
    round_id, index = cid.int_arg(0), cid.int_arg(1)
    outcome = await bot_of(interaction).services.rounds.accept(
        round_id, index, interaction.user.id, values.get(ANSWER_FIELD, ""), clicked_at(interaction)
    )
    await interaction.response.send_message(outcome.text, ephemeral=True)
    _count(interaction, outcome, round_id, index)


@RoundButton.action("assess")
async def _assess(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    outcome = await bot_of(interaction).services.rounds.assess(
        cid.int_arg(0), cid.int_arg(1), interaction.user.id, cid.arg(2)
    )
    await interaction.response.send_message(outcome.text, ephemeral=True)


@RoundButton.action("report")
async def _report(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    if interaction.guild_id is None:
        await refuse(interaction, NotInstructor())
        return
    bot = bot_of(interaction)
    allowed = await is_instructor(interaction)
    end = await bot.services.rounds.report(
        interaction.guild_id, cid.int_arg(0), is_instructor=allowed
    )
    if isinstance(end, Refusal):
        await refuse(interaction, end)
        return
    text = render.report_text(end, await names_in(bot, end))
    await interaction.response.send_message(text, ephemeral=True)
    await add_class_picture(
        bot, end, lambda file: interaction.edit_original_response(attachments=[file])
    )


async def _autocomplete_round(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[int]]:
    if interaction.guild_id is None:
        return []
    bot = bot_of(interaction)
    choices = []
    for past in await bot.services.rounds.recent(interaction.guild_id):
        name = (
            f"#{past.round_id} {past.topic_title} · {past.created_at:%Y-%m-%d %H:%M} UTC · "
            f"{past.status}"
        )
        if current.strip() in name:
            choices.append(app_commands.Choice(name=name[:100], value=past.round_id))
    return choices[:25]


class Rounds(commands.Cog):
    """The /round commands."""

    round = server_group("round", "Timed group rounds in this channel (instructors)")

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot
        self.presenter = DiscordPresenter(bot)

    async def cog_load(self) -> None:
        """Show the round service's questions, reveals and podiums in Discord from now on."""
        self.bot.services.rounds.attach(self.presenter)

    async def cog_unload(self) -> None:
        """Let the presenter finish its queued Discord updates."""
        await self.presenter.close()

    @round.command(name="start", description="Start a timed round on a topic in this channel")
    @app_commands.describe(
        topic="Topic to quiz the class on (type to search)",
        questions="How many questions (1-50, default from /tutoradmin settings)",
        seconds="Seconds per question (5-300, default from /tutoradmin settings)",
        scoring="speed: faster right answers score more; flat: 1000 for any right answer",
    )
    @app_commands.autocomplete(topic=autocomplete_topic)
    async def start(
        self,
        interaction: discord.Interaction[Any],
        topic: str,
        questions: app_commands.Range[int, round_state.MIN_QUESTIONS, round_state.MAX_QUESTIONS]
        | None = None,
        seconds: app_commands.Range[int, round_state.MIN_SECONDS, round_state.MAX_SECONDS]
        | None = None,
        scoring: Literal["speed", "flat"] | None = None,
    ) -> None:
        """Start a round here (the service refuses non-instructors) and tell the host privately."""
        guild_id, channel_id = server_channel(interaction)
        found = resolve_topic(self.bot.services.library, topic)
        allowed = await is_instructor(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        view = await self.bot.services.rounds.start_round(
            guild_id=guild_id,
            channel_id=channel_id,
            instructor_id=interaction.user.id,
            is_instructor=allowed,
            topic=found,
            questions=questions,
            seconds=seconds,
            scoring=scoring,
        )
        if isinstance(view, Refusal):
            await refuse(interaction, view)
            return
        await reply_private(
            interaction,
            f"Round started on **{discord.utils.escape_markdown(found.title)}**: "
            f"{view.total} questions in <#{view.channel_id}>. Use /round skip to reveal early, "
            "/round stop to end it.",
        )

    @round.command(name="skip", description="Reveal the current question's answers now")
    async def skip(self, interaction: discord.Interaction[Any]) -> None:
        """Reveal the open question now, or say why not."""
        _, channel_id = server_channel(interaction)
        allowed = await is_instructor(interaction)
        refused = await self.bot.services.rounds.skip(channel_id, allowed)
        if refused is not None:
            await refuse(interaction, refused)
            return
        await interaction.response.send_message("Revealed.", ephemeral=True)

    @round.command(name="stop", description="End the round in this channel and show the podium")
    async def stop(self, interaction: discord.Interaction[Any]) -> None:
        """End the round with its podium; the instructor gets the report privately."""
        _, channel_id = server_channel(interaction)
        allowed = await is_instructor(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        end = await self.bot.services.rounds.stop_round(channel_id, allowed)
        if isinstance(end, Refusal):
            await refuse(interaction, end)
            return
        sent = await interaction.followup.send(
            render.report_text(end, await names_in(self.bot, end)), ephemeral=True, wait=True
        )
        await add_class_picture(self.bot, end, lambda file: sent.edit(attachments=[file]))

    @round.command(name="results", description="Download a round's answers as CSV")
    @app_commands.rename(round_id="round")
    @app_commands.describe(round_id="Which round (default: the latest in this server)")
    @app_commands.autocomplete(round_id=_autocomplete_round)
    async def results(
        self, interaction: discord.Interaction[Any], round_id: int | None = None
    ) -> None:
        """Send the round's CSV privately (instructors only, the service checks)."""
        guild_id, _ = server_channel(interaction)
        allowed = await is_instructor(interaction)
        found = await self.bot.services.rounds.results_csv(
            guild_id, round_id, is_instructor=allowed
        )
        if isinstance(found, Refusal):
            await refuse(interaction, found)
            return
        rnd, text = found
        file = discord.File(io.BytesIO(text.encode("utf-8")), filename=f"round-{rnd.id}.csv")
        await interaction.response.send_message(
            f"Answers of round #{rnd.id}: one row per student per question.",
            file=file,
            ephemeral=True,
        )


async def setup(bot: TutorBot) -> None:
    """Add the /round commands (discord.py calls this when it loads the extension)."""
    await bot.add_cog(Rounds(bot))
