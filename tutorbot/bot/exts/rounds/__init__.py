"""/round: timed group rounds in a channel, for instructors; every button restart-proof.

A click is judged by the interaction's own time (`clicked_at`), answered privately at once, and
counted by the database; the channel message's answer count is updated in batches.
"""

from __future__ import annotations

import contextlib
import io
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from tutorbot.bot import limits
from tutorbot.bot.components import ANSWER_FIELD, FeatureButton, modal_action, open_answer_form
from tutorbot.bot.custom_ids import CustomId, make
from tutorbot.bot.errors import UserFacingError, refuse, reply_private
from tutorbot.bot.exts.rounds import render
from tutorbot.bot.exts.rounds.present import DiscordPresenter, add_class_picture, names_in
from tutorbot.bot.scopes import bot_of, server_channel, server_group
from tutorbot.bot.topic_option import autocomplete_topic, resolve_topic
from tutorbot.content.models import Topic
from tutorbot.domain import round_options as opts
from tutorbot.domain import round_state, typed_answers
from tutorbot.domain import rounds as rules
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.rounds import MAX_TYPED_ANSWER
from tutorbot.services import round_options
from tutorbot.services.round_options import AskedOptions, RoundOptions
from tutorbot.services.round_views import NotInstructor, QuestionView

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


THREAD_NAME = "Round: {title}"
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440
"""A round's thread hides itself from the channel list a day after its last message."""
THREAD_PERMISSIONS = (
    ("create_public_threads", "Create Public Threads"),
    ("send_messages_in_threads", "Send Messages in Threads"),
)
"""What the bot needs in a channel to run a round in a new thread of it, as Discord names it."""


async def _locked_text(
    interaction: discord.Interaction[Any], outcome: rules.AcceptOutcome, round_id: int
) -> str:
    """What a student is told of their answer; a player's first answer that counts in a round
    with teams also says which team they joined (and joins it)."""
    text = outcome.text
    if not isinstance(outcome, rules.Locked):
        return text
    roles = [r.id for r in getattr(interaction.user, "roles", ())]
    team = await _presenter(interaction).teams.join(
        round_id, interaction.user.id, roles, clicked_at(interaction)
    )
    if team is None:
        return text
    return f"{text}\nYou play for **{render.team_name(team)}**."


@RoundButton.action("answer")
async def _answer(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    round_id, index = cid.int_arg(0), cid.int_arg(1)
    outcome = await bot_of(interaction).services.rounds.accept(
        round_id, index, interaction.user.id, cid.arg(2), clicked_at(interaction)
    )
    text = await _locked_text(interaction, outcome, round_id)
    await interaction.response.send_message(text, ephemeral=True)
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
    text = await _locked_text(interaction, outcome, round_id)
    await interaction.response.send_message(text, ephemeral=True)
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
        teams="Split the players into 2-8 teams as they answer; 0: none (default: /tutoradmin)",
        team_roles="Teams by role: roles separated by commas (@Red, @Blue or their names)",
        streak="on: +100 per right answer in a row after the first, at most +500",
        thread="on: run the round in a new thread of this channel",
        podium="Places on the podium at the end (3-10)",
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
        teams: app_commands.Range[int, 0, round_state.MAX_TEAMS] | None = None,
        team_roles: app_commands.Range[str, 1, 500] | None = None,
        streak: Literal["on", "off"] | None = None,
        thread: Literal["on", "off"] | None = None,
        podium: app_commands.Range[int, opts.MIN_PODIUM, opts.MAX_PODIUM] | None = None,
    ) -> None:
        """Start a round here, or in a new thread of this channel (the service refuses
        non-instructors), and tell the host privately."""
        guild_id, channel_id = server_channel(interaction)
        found = resolve_topic(self.bot.services.library, topic)
        allowed = await is_instructor(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        asked = _asked_options(interaction, teams, team_roles, streak, thread, podium)
        options = await round_options.resolve(
            self.bot.services, guild_id, asked, members=_members_besides_me(interaction)
        )
        if isinstance(options, Refusal):
            await refuse(interaction, options)
            return
        where = channel_id
        if options.thread and allowed and found.questions:
            where = await self._thread_for(interaction, found)
        view = await self.bot.services.rounds.start_round(
            guild_id=guild_id,
            channel_id=where,
            instructor_id=interaction.user.id,
            is_instructor=allowed,
            topic=found,
            questions=questions,
            seconds=seconds,
            scoring=scoring,
            options=options,
        )
        if isinstance(view, Refusal):
            if where != channel_id:
                await self._drop_thread(where)
            await refuse(interaction, view)
            return
        if where != channel_id:
            await round_options.set_thread(self.bot.services, view.round_id, channel_id)
            await self._announce(channel_id, found, where)
        await reply_private(interaction, _started_text(found, view, options))

    async def _thread_for(self, interaction: discord.Interaction[Any], topic: Topic) -> int:
        """A new public thread of the command's channel for the round (or the thread the
        command was used in); raises the missing permission, in Discord's words, if the bot
        may not start one or post in it."""
        channel = interaction.channel
        if isinstance(channel, discord.Thread):
            return channel.id
        missing = [
            name
            for flag, name in THREAD_PERMISSIONS
            if not getattr(interaction.app_permissions, flag)
        ]
        if missing:
            raise UserFacingError(
                "I cannot run the round in a thread here: I need the "
                + " and ".join(f"**{name}**" for name in missing)
                + " permission in this channel. Nothing was started: give me "
                + ("it" if len(missing) == 1 else "them")
                + ", or start the round with thread:off."
            )
        name = limits.clip(THREAD_NAME.format(title=topic.title), 100)
        try:
            data = await self.bot.http.start_thread_without_message(
                interaction.channel_id or 0,
                name=name,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                type=11,  # a public thread
            )
        except discord.Forbidden:
            raise UserFacingError(
                "Discord did not let me start a thread here: I need the **Create Public "
                "Threads** permission in this channel. Nothing was started."
            ) from None
        except discord.HTTPException:
            raise UserFacingError(
                "I cannot start a thread in this channel (threads need a text channel). "
                "Nothing was started: use thread:off, or another channel."
            ) from None
        return int(data["id"])

    async def _drop_thread(self, thread_id: int) -> None:
        """Delete a thread started for a round that was then refused (if the bot may)."""
        with contextlib.suppress(discord.HTTPException):
            await self.bot.http.delete_channel(thread_id)

    async def _announce(self, channel_id: int, topic: Topic, thread_id: int) -> None:
        """Tell the channel where its round runs."""
        with contextlib.suppress(discord.HTTPException):
            await self.bot.get_partial_messageable(channel_id).send(
                render.thread_start_text(topic.title, thread_id)
            )

    @round.command(name="pause", description="Stop the countdown of the current question")
    async def pause(self, interaction: discord.Interaction[Any]) -> None:
        """Pause the open question (whoever may stop the round may pause it)."""
        _, channel_id = server_channel(interaction)
        allowed = await is_instructor(interaction)
        where = await round_options.round_channel(self.bot.services, channel_id)
        view = await self.bot.services.rounds.pause(where, allowed)
        if isinstance(view, Refusal):
            await refuse(interaction, view)
            return
        left = round(view.paused_left or 0)
        await interaction.response.send_message(
            f"Paused question {view.number} of {view.total} with {left} s left. "
            "/round resume goes on from there.",
            ephemeral=True,
        )

    @round.command(name="resume", description="Start the paused countdown again")
    async def resume(self, interaction: discord.Interaction[Any]) -> None:
        """Resume the paused question with the time it had left."""
        _, channel_id = server_channel(interaction)
        allowed = await is_instructor(interaction)
        where = await round_options.round_channel(self.bot.services, channel_id)
        view = await self.bot.services.rounds.resume_round(where, allowed)
        if isinstance(view, Refusal):
            await refuse(interaction, view)
            return
        ends = discord.utils.format_dt(view.asked.deadline, "R")
        await interaction.response.send_message(
            f"Resumed question {view.number} of {view.total}: time is up {ends}.", ephemeral=True
        )

    @round.command(name="skip", description="Reveal the current question's answers now")
    async def skip(self, interaction: discord.Interaction[Any]) -> None:
        """Reveal the open question now, or say why not."""
        _, channel_id = server_channel(interaction)
        allowed = await is_instructor(interaction)
        where = await round_options.round_channel(self.bot.services, channel_id)
        refused = await self.bot.services.rounds.skip(where, allowed)
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
        where = await round_options.round_channel(self.bot.services, channel_id)
        end = await self.bot.services.rounds.stop_round(where, allowed)
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


def _asked_options(
    interaction: discord.Interaction[Any],
    teams: int | None,
    team_roles: str | None,
    streak: str | None,
    thread: str | None,
    podium: int | None,
) -> AskedOptions:
    """The round options given to /round start (team roles looked up among the server's
    roles); raises what is wrong with the roles named."""
    roles: tuple[round_options.TeamRole, ...] = ()
    if team_roles:
        guild = interaction.guild
        known = [(r.id, r.name) for r in guild.roles] if guild is not None else []
        everyone = guild.id if guild is not None else None
        parsed = round_options.parse_team_roles(team_roles, known, everyone)
        if isinstance(parsed, Refusal):
            raise UserFacingError(parsed.text)
        roles = parsed
    return AskedOptions(
        teams=teams,
        team_roles=roles,
        streak=None if streak is None else streak == "on",
        thread=None if thread is None else thread == "on",
        podium=podium,
    )


def _members_besides_me(interaction: discord.Interaction[Any]) -> int | None:
    """How many members the server has besides the bot, when Discord said (teams need
    players)."""
    guild = interaction.guild
    count = guild.member_count if guild is not None else None
    return None if count is None else max(count - 1, 0)


def _started_text(topic: Topic, view: QuestionView, options: RoundOptions) -> str:
    """What the host is told once the round started: where, and the options it runs with."""
    lines = [
        f"Round started on **{discord.utils.escape_markdown(topic.title)}**: "
        f"{view.total} questions in <#{view.channel_id}>. Use /round skip to reveal early, "
        "/round pause to stop the clock, /round stop to end it."
    ]
    extras = []
    if options.teams:
        names = ", ".join(render.team_name(n) for n in options.team_names)
        extras.append(f"{options.teams} teams ({names}), joined with each player's first answer")
    if options.streak:
        extras.append("streak bonus on")
    if options.podium != opts.DEFAULT_PODIUM:
        extras.append(f"a podium of {options.podium}")
    if extras:
        lines.append("With " + "; ".join(extras) + ".")
    return limits.clip("\n".join(lines), limits.CONTENT)


async def setup(bot: TutorBot) -> None:
    """Add the /round commands (discord.py calls this when it loads the extension)."""
    await bot.add_cog(Rounds(bot))
