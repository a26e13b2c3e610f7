"""How rounds appear in Discord: channel messages posted and edited for the round service.

The live answer count is batched: a click marks its question dirty, and one task per question
edits the message at most every `COUNT_EVERY` seconds while answers keep coming (never once per
click). The reveal takes the question's lock, so a count edit can never land after it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import aiohttp
import discord

from tutorbot.bot.exts.rounds import render
from tutorbot.bot.exts.topics.render import Rendered
from tutorbot.bot.pictures import add_picture
from tutorbot.services import round_options, round_reports
from tutorbot.services.round_options import RevealExtras, TeamBook
from tutorbot.services.round_views import NotShown, QuestionView, RevealView, RoundEnd

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot

log = logging.getLogger(__name__)

UNAVAILABLE = (
    discord.DiscordServerError,
    discord.RateLimited,
    aiohttp.ClientError,
    OSError,
    TimeoutError,
)
"""Discord failing or unreachable: a later try may work (a 4xx refusal will not)."""

COUNT_EVERY = 3.0
"""Seconds between two edits of a question's answer count (Discord's per-channel edit rate)."""

QuestionKey = tuple[int, int]


async def add_class_picture(
    bot: TutorBot, end: RoundEnd, edit: Callable[[discord.File], Awaitable[object]]
) -> None:
    """Add the class at a glance to the instructor's report once sent (`edit(file)` attaches
    it); a round nobody answered has none."""
    await add_picture(edit, round_reports.class_picture(bot.services, end.round_id), "class")


async def names_in(bot: TutorBot, end: RoundEnd) -> dict[int, str]:
    """The display names of everyone a round's podium, top 10 and report show."""
    shown = [s.user_id for s in (*end.podium, *end.top)] + [s.user_id for s in end.struggling]
    return await bot.services.names.in_guild(end.guild_id, shown)


class DiscordPresenter:
    """The round service's front end in Discord (see `RoundPresenter`)."""

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot
        self._dirty: set[QuestionKey] = set()
        self._closed: set[QuestionKey] = set()
        self._counters: dict[QuestionKey, asyncio.Task[None]] = {}
        self._locks: dict[QuestionKey, asyncio.Lock] = {}
        self.teams = TeamBook(bot.services)
        """Players joining the teams of running rounds (their first answer that counts)."""

    def _channel(self, channel_id: int) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(channel_id)

    async def _send(self, channel_id: int, rendered: Rendered) -> int:
        message = await self._channel(channel_id).send(**rendered.send_kwargs())
        rendered.view.stop()  # buttons are routed by the dynamic items, not by a stored view
        return message.id

    async def _edit(self, channel_id: int, message_id: int, rendered: Rendered) -> None:
        message = self._channel(channel_id).get_partial_message(message_id)
        await message.edit(**rendered.send_kwargs())
        rendered.view.stop()

    async def show_question(self, view: QuestionView) -> int | None:
        """Post the question with its answer buttons in the round's channel."""
        return await self._send(view.channel_id, render.question_message(view))

    async def update_question(self, view: QuestionView) -> None:
        """Redraw the open question's message: paused (the time it had left), or its
        countdown going again after /round resume."""
        if view.message_id is None:
            return
        key = (view.round_id, view.index)
        async with self._locks.setdefault(key, asyncio.Lock()):
            if key in self._closed:
                return
            await self._edit(view.channel_id, view.message_id, render.question_message(view))

    async def _extras(self, view: RevealView) -> RevealExtras | None:
        """What the reveal shows of the round's options (streaks, teams), or None if it
        cannot be read now (the reveal is shown without)."""
        question = view.question
        try:
            settings = await self.teams.settings_of(question.round_id)
            if settings is None or not (settings.streak or settings.teams):
                return None  # a round without them: nothing more is read
            return await round_options.reveal_extras(
                self.bot.services, question.round_id, question.index, settings
            )
        except Exception:
            log.exception("could not read the streaks and teams of round %s", question.round_id)
            return None

    async def show_reveal(self, view: RevealView) -> int | None:
        """Stop the countdown and edit the question message into its reveal (see the protocol)."""
        question = view.question
        key = (question.round_id, question.index)
        async with self._locks.setdefault(key, asyncio.Lock()):
            self._closed.add(key)
            self._dirty.discard(key)
            task = self._counters.pop(key, None)
            if task is not None:
                task.cancel()
        self._locks.pop(key, None)
        extras = await self._extras(view)
        shown = [f.user_id for f in view.reveal.fastest]
        shown += [user for user, _ in extras.streaks] if extras is not None else []
        names = await self.bot.services.names.in_guild(question.guild_id, shown)
        rendered = render.reveal_message(view, names, extras)
        try:
            if view.message_id is not None:
                try:
                    await self._edit(question.channel_id, view.message_id, rendered)
                    return view.message_id
                except discord.NotFound:
                    if not view.repost:
                        log.info("question message of round %s is gone", question.round_id)
                        return None
                    log.info(
                        "question message of round %s is gone; revealing anew", question.round_id
                    )
            return await self._send(question.channel_id, rendered)
        except UNAVAILABLE as exc:
            raise NotShown(f"{type(exc).__name__}: {exc}") from exc

    async def show_end(self, end: RoundEnd) -> None:
        """Post the podium; send the host the report unless /round stop already answered them."""
        self._closed = {k for k in self._closed if k[0] != end.round_id}
        self.teams.forget(end.round_id)
        names = await names_in(self.bot, end)
        await self._send(end.channel_id, render.end_message(end, names))
        await self._tell_parent(end, names)
        if end.stopped and end.reason is None:
            return  # `/round stop` answers the instructor with the report itself
        if end.instructor_id is None:
            return  # the host asked to be forgotten
        try:
            dm = await self.bot.create_dm(discord.Object(end.instructor_id))
            sent = await dm.send(render.report_text(end, names))
            await add_class_picture(self.bot, end, lambda file: sent.edit(attachments=[file]))
        except discord.HTTPException:
            log.info("could not DM the report of round %s to its instructor", end.round_id)

    async def _tell_parent(self, end: RoundEnd, names: dict[int, str]) -> None:
        """A round that ran in a thread: its winners in one line in the channel it was started
        from (the podium itself is in the thread)."""
        try:
            parent = await round_options.parent_of(self.bot.services, end.round_id)
            if parent is None:
                return
            text = render.thread_end_text(end, names)
            await self._channel(parent).send(text)
        except discord.HTTPException:
            log.info("could not announce the end of round %s in its channel", end.round_id)

    def answered(self, round_id: int, question_index: int) -> None:
        """A new answer to this question: update its count soon (batched)."""
        key = (round_id, question_index)
        if key in self._closed:
            return
        self._dirty.add(key)
        task = self._counters.get(key)
        if task is None or task.done():
            self._counters[key] = asyncio.create_task(
                self._count(key), name=f"tutorbot-round-count-{round_id}"
            )

    async def _count(self, key: QuestionKey) -> None:
        round_id, index = key
        rounds = self.bot.services.rounds
        while key in self._dirty:
            await asyncio.sleep(COUNT_EVERY)
            self._dirty.discard(key)
            try:
                view = await rounds.question_view(round_id)
                if view is None or view.index != index or view.message_id is None:
                    return
                count = await rounds.answer_count(round_id, index)
                async with self._locks.setdefault(key, asyncio.Lock()):
                    if key in self._closed:
                        return
                    rendered = render.question_message(replace(view, answered=count))
                    await self._edit(view.channel_id, view.message_id, rendered)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("could not update the answer count of round %s", round_id)

    async def close(self) -> None:
        """Cancel the pending count updates (on shutdown)."""
        for task in self._counters.values():
            task.cancel()
        self._counters.clear()
