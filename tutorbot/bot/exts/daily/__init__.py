"""/daily: the question of the day in a server's channel (issue 21).

`/daily set` and `/daily off` are for instructors (the service checks); `/daily status` and
`/daily leaderboard` for anyone. Posts and reveals are the daily service's timers; this extension
shows them (`DiscordDailyPresenter`) and answers the buttons and forms privately. An answer is
stored before the click is answered; the post's answer count is edited in batches, at most every
`COUNT_EVERY` seconds while answers keep coming, never once per click.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from tutorbot.bot.components import ANSWER_FIELD, FeatureButton, modal_action, open_answer_form
from tutorbot.bot.custom_ids import BadCustomId, CustomId, make
from tutorbot.bot.errors import UserFacingError, refuse
from tutorbot.bot.exts.daily import render
from tutorbot.bot.exts.rounds import clicked_at, is_instructor
from tutorbot.bot.exts.rounds.present import COUNT_EVERY
from tutorbot.bot.scopes import bot_of, server_channel, server_group
from tutorbot.bot.timezone_option import autocomplete_timezone
from tutorbot.bot.topic_option import autocomplete_topic, resolve_topic
from tutorbot.domain import daily as rules
from tutorbot.domain import typed_answers
from tutorbot.domain.refusals import Refusal
from tutorbot.services.daily import (
    ChannelGone,
    DailyQuestionView,
    DailyRevealView,
    Locked,
)

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot

log = logging.getLogger(__name__)

NEEDED = ("view_channel", "send_messages", "embed_links")
NEEDED_NAMES = "View Channel, Send Messages and Embed Links"

DayKey = tuple[int, str]


class DailyButton(FeatureButton):
    """Every button of the question of the day."""

    feature = render.FEATURE


def _cog(interaction: discord.Interaction[Any]) -> Daily:
    cog: Any = bot_of(interaction).get_cog("Daily")
    found: Daily = cog
    return found


def _day(interaction: discord.Interaction[Any], cid: CustomId) -> tuple[int, str]:
    """The server and day a button or form names; one naming another server than the one it
    was clicked in is forged (`BadCustomId`: "no longer active")."""
    guild_id = cid.int_arg(0)
    if guild_id != interaction.guild_id:
        raise BadCustomId("a daily question of another server")
    return guild_id, rules.day_of_number(cid.int_arg(1))


async def _answered(
    interaction: discord.Interaction[Any], guild_id: int, day: str, outcome: Locked | Refusal
) -> None:
    if isinstance(outcome, Refusal):
        await refuse(interaction, outcome)
        return
    await interaction.response.send_message(outcome.text, ephemeral=True)
    _cog(interaction).presenter.answered(guild_id, day)


@DailyButton.action("answer")
async def _answer(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    guild_id, day = _day(interaction, cid)
    outcome = await bot_of(interaction).services.daily.answer(
        guild_id, day, interaction.user.id, cid.arg(2), clicked_at(interaction)
    )
    await _answered(interaction, guild_id, day, outcome)


@DailyButton.action("type")
async def _type(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    guild_id, day = _day(interaction, cid)
    refused = await bot_of(interaction).services.daily.check_open(
        guild_id, day, interaction.user.id
    )
    form_id = make(render.FEATURE, "typed", *cid.args)
    await open_answer_form(
        interaction, refused, form_id, "Your answer", typed_answers.MAX_TYPED_ANSWER
    )


@modal_action(render.FEATURE, "typed")
async def _typed(
    interaction: discord.Interaction[Any], cid: CustomId, values: dict[str, str]
) -> None:
    guild_id, day = _day(interaction, cid)
    outcome = await bot_of(interaction).services.daily.answer(
        guild_id, day, interaction.user.id, values.get(ANSWER_FIELD, ""), clicked_at(interaction)
    )
    await _answered(interaction, guild_id, day, outcome)


class DiscordDailyPresenter:
    """The daily service's front end in Discord (see `DailyPresenter`)."""

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot
        self._dirty: set[DayKey] = set()
        self._counters: dict[DayKey, asyncio.Task[None]] = {}

    async def post(self, view: DailyQuestionView) -> int:
        """Post the day's question; ChannelGone when the channel is gone or closed to the bot
        (Discord answers 404, "Unknown Channel", or 403, "Missing Access" or "Missing
        Permissions": trying again will not help)."""
        rendered = render.question_message(view)
        try:
            message = await self.bot.get_partial_messageable(view.channel_id).send(
                **rendered.send_kwargs()
            )
        except (discord.NotFound, discord.Forbidden) as exc:
            raise ChannelGone(str(exc)) from exc
        finally:
            rendered.view.stop()  # buttons are routed by the dynamic items, not a stored view
        return message.id

    async def reveal(self, view: DailyRevealView) -> int:
        """Post the reveal, or edit the one already posted (`view.reveal_message_id`: a retry
        after the bot stopped, which never posts a second); its message id. The pending
        answer-count update of the question is dropped: the question closes next."""
        key = (view.guild_id, view.day)
        self._dirty.discard(key)
        task = self._counters.pop(key, None)
        if task is not None:
            task.cancel()
        channel = self.bot.get_partial_messageable(view.channel_id)
        rendered = render.reveal_message(view)
        try:
            if view.reveal_message_id is None:
                return (await channel.send(**rendered.send_kwargs())).id
            await channel.get_partial_message(view.reveal_message_id).edit(**rendered.send_kwargs())
        except discord.NotFound as exc:
            if view.reveal_message_id is None:
                raise ChannelGone(str(exc)) from exc
            log.info("daily reveal of server %s (%s) is gone", view.guild_id, view.day)
        except discord.Forbidden as exc:
            raise ChannelGone(str(exc)) from exc
        finally:
            rendered.view.stop()
        return view.reveal_message_id

    async def close_question(self, view: DailyRevealView) -> None:
        """Close the question's own buttons (an edit: the same however often it is done)."""
        if view.message_id is None:
            return
        channel = self.bot.get_partial_messageable(view.channel_id)
        closed = render.closed_message(view)
        try:
            await channel.get_partial_message(view.message_id).edit(**closed.send_kwargs())
        except discord.NotFound:
            log.info("daily question of server %s (%s) is gone", view.guild_id, view.day)
        except discord.Forbidden as exc:
            raise ChannelGone(str(exc)) from exc
        finally:
            closed.view.stop()

    def answered(self, guild_id: int, day: str) -> None:
        """A new answer to the day's question: update its count soon (batched)."""
        key = (guild_id, day)
        self._dirty.add(key)
        task = self._counters.get(key)
        if task is None or task.done():
            self._counters[key] = asyncio.create_task(
                self._count(key), name=f"tutorbot-daily-count-{guild_id}"
            )

    async def _count(self, key: DayKey) -> None:
        guild_id, day = key
        while key in self._dirty:
            await asyncio.sleep(COUNT_EVERY)
            self._dirty.discard(key)
            try:
                found = await self.bot.services.daily.question_view(guild_id, day)
                if found is None:
                    return
                view, message_id = found
                rendered = render.question_message(view)
                message = self.bot.get_partial_messageable(view.channel_id)
                try:
                    await message.get_partial_message(message_id).edit(**rendered.send_kwargs())
                finally:
                    rendered.view.stop()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("could not update the answer count of the daily question")

    async def close(self) -> None:
        """Cancel the pending count updates (on shutdown)."""
        for task in self._counters.values():
            task.cancel()
        self._counters.clear()


def missing_permissions(interaction: discord.Interaction[Any], channel_id: int) -> str | None:
    """Why the bot cannot post the daily question in this channel of the server, or None."""
    guild = interaction.guild
    channel = None if guild is None else guild.get_channel(channel_id)
    if guild is None or channel is None or not isinstance(channel, discord.TextChannel):
        return (
            f"I cannot see <#{channel_id}> as a text channel of this server. Pick a text "
            "channel I can see. Nothing changed."
        )
    perms = channel.permissions_for(guild.me)
    if all(getattr(perms, name) for name in NEEDED):
        return None
    return (
        f"I cannot post in <#{channel_id}>: I need {NEEDED_NAMES} there. Give me those "
        "permissions or pick another channel. Nothing changed."
    )


async def autocomplete_pack(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """The server's pack names containing what was typed."""
    if interaction.guild_id is None:
        return []
    names = bot_of(interaction).services.packs.names(interaction.guild_id)
    wanted = current.strip().lower()
    found = [n for n in names if wanted in n.lower()][:25]
    return [app_commands.Choice(name=n[:100], value=n[:100]) for n in found]


class ChannelId(app_commands.Transformer):
    """A text channel option read as its id: a channel the bot cannot see (absent from its
    cache) still reaches the command, which refuses it politely (`missing_permissions`)."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        """A channel option."""
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        """Discord offers text and announcement channels."""
        return [discord.ChannelType.text, discord.ChannelType.news]

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> int:
        """The channel's id."""
        return int(value.id)


class Daily(commands.Cog):
    """The /daily commands."""

    daily = server_group("daily", "A question of the day in a channel of this server")

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot
        self.presenter = DiscordDailyPresenter(bot)

    async def cog_load(self) -> None:
        """Show the daily service's questions and reveals in Discord from now on."""
        self.bot.services.daily.attach(self.presenter)

    async def cog_unload(self) -> None:
        """Let the presenter finish its queued Discord updates."""
        await self.presenter.close()

    @daily.command(name="set", description="Post a question every day at a time (instructors)")
    @app_commands.describe(
        channel="Where the question is posted",
        time="Time of day, HH:MM on a 24-hour clock (e.g. 09:00)",
        timezone="The server's time zone (type a city, e.g. Paris or New York)",
        topic="Draw from this topic only (default: every topic)",
        pack="Draw from this server pack only",
        reveal_hours="Reveal the answer this many hours after posting (default: with the next one)",
    )
    @app_commands.autocomplete(
        timezone=autocomplete_timezone, topic=autocomplete_topic, pack=autocomplete_pack
    )
    async def set_up(
        self,
        interaction: discord.Interaction[Any],
        channel: app_commands.Transform[int, ChannelId],
        time: str,
        timezone: str,
        topic: str | None = None,
        pack: str | None = None,
        reveal_hours: app_commands.Range[int, rules.MIN_REVEAL_HOURS, rules.MAX_REVEAL_HOURS]
        | None = None,
    ) -> None:
        """Set up the daily question (instructors only), or say politely why not."""
        guild_id, _ = server_channel(interaction)
        allowed = await is_instructor(interaction)
        daily = self.bot.services.daily
        notice = await daily.take_notice(guild_id, clear=False) if allowed else None
        scope_kind, scope = "all", None
        if allowed:
            problem = missing_permissions(interaction, channel)
            if problem is not None:
                raise UserFacingError(problem)
            if topic and pack:
                raise UserFacingError("Give a topic or a pack, not both. Nothing changed.")
            if topic:
                scope_kind, scope = "topic", resolve_topic(self.bot.services.library, topic).id
            elif pack:
                scope_kind, scope = "pack", pack.strip()
        result = await self.bot.services.daily.set_up(
            guild_id,
            is_instructor=allowed,
            channel_id=channel,
            at_text=time,
            zone_name=timezone,
            scope_kind=scope_kind,
            scope=scope,
            reveal_hours=reveal_hours,
        )
        if isinstance(result, Refusal):
            await refuse(interaction, result)
            return
        text = render.turned_on(result)
        if notice is not None:
            text = f"{render.stopped_notice(notice)}\n\n{text}"
        await interaction.response.send_message(text, ephemeral=True)

    @daily.command(name="off", description="Stop the question of the day (instructors)")
    async def off(self, interaction: discord.Interaction[Any]) -> None:
        """Turn the daily question off, saying whether it was on."""
        guild_id, _ = server_channel(interaction)
        allowed = await is_instructor(interaction)
        result = await self.bot.services.daily.turn_off(guild_id, is_instructor=allowed)
        if isinstance(result, Refusal):
            await refuse(interaction, result)
            return
        await interaction.response.send_message(render.turned_off(result), ephemeral=True)

    @daily.command(name="status", description="When the next question of the day comes")
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        """Say how the daily question is set up (and if it turned itself off, why)."""
        guild_id, _ = server_channel(interaction)
        found = await self.bot.services.daily.status(guild_id)
        await interaction.response.send_message(render.status_text(found), ephemeral=True)

    @daily.command(name="leaderboard", description="Streaks and totals of the daily questions")
    async def leaderboard(
        self,
        interaction: discord.Interaction[Any],
        visibility: Literal["private", "public"] = "private",
    ) -> None:
        """The server's daily streaks and totals (privately unless asked to show everyone)."""
        guild_id, _ = server_channel(interaction)
        standings = await self.bot.services.daily.leaderboard(guild_id)
        shown = [s.user_id for s in standings[: render.LEADERBOARD_ROWS]]
        names = await self.bot.services.names.in_guild(guild_id, shown)
        rendered = render.leaderboard_message(standings, names)
        await interaction.response.send_message(
            **rendered.send_kwargs(), ephemeral=visibility == "private"
        )


async def setup(bot: TutorBot) -> None:
    """Add the /daily commands (discord.py calls this when it loads the extension)."""
    await bot.add_cog(Daily(bot))
