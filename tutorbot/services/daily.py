"""/daily: one question a day in a server's channel, at the server's local time (issue 21).

A server's daily question is its settings row (`DailyStore`) and ONE timer of kind `daily.post`
(key `daily:<guild>:post`, for that server's shard) due at the next time the server's clock shows
the post time. The handler claims the day (a row keyed by server and local day, inserted before
anything is sent) together with a `daily.publish` timer held by this process (key
`daily:<guild>:publish:<day>`) in one write, schedules the next day's timer, and queues the
posting: any earlier question still waiting for its reveal is revealed first, then the day's
question is posted, its message id stored, and only then the publish timer is done. A process
that dies in between leaves the publish timer to run out its lease and fire again, here or in
another process, which posts the day's question unless its message id is stored by then. A timer
posts for the local day it fires on once that day's post time has come (`rules.post_day`): a bot
back later the same day after being down at the post time posts then; a day it was down past
entirely is skipped, never posted late; a timer firing twice posts once. A day claimed but never
shown is posted by the retry while it is still that day on the server's clock, and forgotten
(its row deleted) once the day is over, like a day the bot was down for.

When a number of hours is set for the reveal, a `daily.reveal` timer (key
`daily:<guild>:reveal:<day>`) reveals the question then; otherwise the reveal comes with the
next day's question. A question is closed once (`DailyStore.close`), in the same write as a
`daily.reveal` timer marked `show`, held by the closing process until the reveal is shown: a
process dying in between leaves the showing to the next. The reveal message's id is stored as
soon as Discord returns it, and a retry edits that message instead of posting another; then the
question's buttons are closed (an edit, the same however often it is made).

The messages go out through a `DailyPresenter` the front end attaches, on one queue per server,
off the timer loop. When it reports the channel gone (deleted, or the bot may no longer see or post
in it), the daily question turns itself off and the next /daily set or /daily status says why.
The handlers are registered only once a presenter is attached: a process without one (the
console) leaves daily timers to the bot.

Drawing, judging, the day key and streaks are the domain's (`domain/daily.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache, partial
from pathlib import PurePath
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from tutorbot.content.library import Library
from tutorbot.content.models import TYPED, Question
from tutorbot.domain import daily as rules
from tutorbot.domain.days import (
    BadClockTime,
    UnknownTimeZone,
    clock_text,
    next_occurrence,
    parse_clock_time,
    zone_named,
    zone_or_utc,
)
from tutorbot.domain.refusals import Refusal
from tutorbot.guild_scope import in_guild
from tutorbot.scheduler import KEEP
from tutorbot.services.serial import SerialQueues
from tutorbot.storage.daily import DailyAnswer, DailyPost, DailySettings
from tutorbot.storage.timers import StepTimer, Timer

if TYPE_CHECKING:
    from tutorbot.services import Services

log = logging.getLogger(__name__)

TIMER_POST = "daily.post"
TIMER_REVEAL = "daily.reveal"
TIMER_PUBLISH = "daily.publish"
"""A claimed day's post, held by the process posting it until its message id is stored."""
CHANNEL_GONE = "channel_gone"
"""Why a daily question turned itself off: its channel is gone or closed to the bot."""
SETTLE_SECONDS = 5.0
STREAK_WINDOW = 16
"""Questions a leaderboard reads answers of first (further back only while a streak reaches it)."""


def post_key(guild_id: int) -> str:
    """The key of a server's daily post timer."""
    return f"daily:{guild_id}:post"


def publish_key(guild_id: int, day: str) -> str:
    """The key of the timer that posts a server's claimed question of `day`."""
    return f"daily:{guild_id}:publish:{day}"


def reveal_key(guild_id: int, day: str) -> str:
    """The key of the reveal timer of a server's question of `day`."""
    return f"daily:{guild_id}:reveal:{day}"


class ChannelGone(Exception):
    """The presenter cannot post in the channel: it was deleted, or the bot may no longer see or
    post in it."""


@dataclass(frozen=True)
class DailyQuestionView:
    """A day's question as the channel shows it."""

    guild_id: int
    day: str
    channel_id: int
    topic_title: str
    question: Question
    answered: int
    reveal_at: datetime | None
    """None: revealed with the next day's question."""


@dataclass(frozen=True)
class DailyRevealView:
    """A day's question revealed: the right answer, how the server answered, the explanation."""

    guild_id: int
    day: str
    channel_id: int
    message_id: int | None
    topic_title: str
    question: Question
    shares: list[rules.Share]
    answered: int
    reveal_message_id: int | None = None
    """The reveal already posted (a retry edits it), or None."""


class DailyPresenter(Protocol):
    """How a front end shows daily questions; both raise `ChannelGone` when it cannot post."""

    async def post(self, view: DailyQuestionView) -> int:
        """Post the day's question with its answer buttons; the message id."""

    async def reveal(self, view: DailyRevealView) -> int:
        """Post the reveal, or edit it when `view.reveal_message_id` is set (a retry): its
        message id."""

    async def close_question(self, view: DailyRevealView) -> None:
        """Close the question's buttons (an edit: the same however often it is made)."""


@dataclass(frozen=True)
class NotInstructor(Refusal):
    """/daily set or off by someone who is not an instructor."""

    @property
    def text(self) -> str:
        """What the person is told."""
        return (
            "Only instructors can set up the daily question: that takes the Manage Server "
            "permission or this server's instructor role (see /tutoradmin settings)."
        )


@dataclass(frozen=True)
class NothingToAsk(Refusal):
    """A topic or pack with no question a daily post can ask."""

    what: str

    @property
    def text(self) -> str:
        """What the person is told."""
        return (
            f"{self.what} has no question I can ask as a daily question (multiple choice, "
            "true/false, short answer or number). Pick another topic or pack. Nothing changed."
        )


@dataclass(frozen=True)
class UnknownPack(Refusal):
    """A pack name the server does not have."""

    name: str

    @property
    def text(self) -> str:
        """What the person is told."""
        shown = self.name[:80].replace("`", "'")
        return (
            f"This server has no pack named `{shown}`. See /pack list for the names. "
            "Nothing changed."
        )


@dataclass(frozen=True)
class Locked:
    """An answer stored: what the person is told."""

    answer: str
    typed: bool
    reveal_at: datetime | None

    @property
    def text(self) -> str:
        """What the person is told."""
        given = "your answer" if self.typed else f"**{self.answer}**"
        when = (
            "with the next daily question"
            if self.reveal_at is None
            else f"<t:{int(self.reveal_at.timestamp())}:R>"
        )
        return f"Locked in {given}. The answer is revealed {when}."


@dataclass(frozen=True)
class DailyOn:
    """The daily question as set: the settings, the first post, what questions it draws from."""

    settings: DailySettings
    next_at: datetime
    scope_title: str
    questions: int


@dataclass(frozen=True)
class DailyStatus:
    """What /daily status shows."""

    settings: DailySettings | None
    next_at: datetime | None
    latest: DailyPost | None
    answered: int
    stopped_notice: DailySettings | None
    """The settings as they were when the daily question turned itself off (said once)."""


@lru_cache(maxsize=64)
def _question(text: str) -> Question:
    """A stored question (the JSON a post keeps), parsed once per process."""
    return Question.model_validate_json(text)


def _pack_of(library: Library, topic_id: str) -> str | None:
    """The pack a topic of a server's library comes from (None: the course)."""
    parts = PurePath(library.source(topic_id)).parts
    return parts[1] if len(parts) >= 3 and parts[0] == "packs" else None


def pool_of(library: Library, scope_kind: str, scope: str | None) -> list[rules.QuestionKey]:
    """Every question a server's daily question draws from, in a fixed order."""
    if scope_kind == "topic" and scope is not None:
        topics = [t for t in (library.get(scope),) if t is not None]
    elif scope_kind == "pack":
        topics = [t for tid, t in library.topics.items() if _pack_of(library, tid) == scope]
    else:
        topics = list(library.topics.values())
    return sorted(
        (topic.id, q.id) for topic in topics for q in topic.questions if rules.answerable(q)
    )


class DailyService:
    """The question of the day of every server."""

    def __init__(self, services: Services) -> None:
        self._s = services
        self._presenter: DailyPresenter | None = None
        self._jobs: SerialQueues[int] = SerialQueues("tutorbot-daily")
        """Posts and reveals queued per server, sent off the timer loop, in order."""

    def attach(self, presenter: DailyPresenter) -> None:
        """Show daily questions through this front end, and fire daily timers from now on."""
        self._presenter = presenter
        handlers = (
            (TIMER_POST, self._on_post),
            (TIMER_PUBLISH, self._on_publish),
            (TIMER_REVEAL, self._on_reveal),
        )
        for kind, handler in handlers:
            if kind not in self._s.scheduler.kinds:
                self._s.scheduler.register(kind, handler)

    async def settle(self) -> None:
        """Let the posts already queued go out (on shutdown), for a few seconds."""
        await self._jobs.settle(SETTLE_SECONDS)

    # -- the commands ---------------------------------------------------------------------------

    async def set_up(
        self,
        guild_id: int,
        *,
        is_instructor: bool,
        channel_id: int,
        at_text: str,
        zone_name: str,
        scope_kind: str = "all",
        scope: str | None = None,
        reveal_hours: int | None = None,
    ) -> DailyOn | Refusal:
        """Post a question in the channel every day at `at_text` in `zone_name`, drawn from
        every topic, one topic or one pack, replacing the server's earlier setup; refused with
        nothing changed for a non-instructor, a bad time or zone, an unknown pack, or a set
        with no question to ask."""
        if not is_instructor:
            return NotInstructor()
        at = parse_clock_time(at_text)
        if isinstance(at, BadClockTime):
            return at
        zone = zone_named(zone_name)
        if isinstance(zone, UnknownTimeZone):
            return zone
        hours = None if reveal_hours is None else int(reveal_hours)
        if hours is not None and not rules.MIN_REVEAL_HOURS <= hours <= rules.MAX_REVEAL_HOURS:
            raise ValueError(f"reveal hours out of range: {hours}")
        with in_guild(guild_id):
            library = self._s.library
        if scope_kind == "pack" and (scope is None or scope not in self._s.packs.names(guild_id)):
            return UnknownPack(scope or "")
        pool = pool_of(library, scope_kind, scope)
        title = self._scope_title(library, scope_kind, scope)
        if not pool:
            return NothingToAsk(title)
        settings = DailySettings(
            guild_id, channel_id, clock_text(at), zone.key, scope_kind, scope, hours, active=True
        )
        await self._s.storage.daily.put_settings(settings, self._s.clock())
        next_at = await self._first_post(guild_id, at, zone)
        await self._s.scheduler.cancel(key=post_key(guild_id))
        await self._schedule_post(settings, next_at)
        return DailyOn(settings, next_at, title, len(pool))

    async def turn_off(self, guild_id: int, *, is_instructor: bool) -> bool | Refusal:
        """Stop the server's daily question (an open question is still revealed on time, or
        now when it waits for the next day's); False if it was already off."""
        if not is_instructor:
            return NotInstructor()
        await self._s.scheduler.cancel(key=post_key(guild_id))
        was_on = await self._s.storage.daily.turn_off(guild_id, self._s.clock())
        latest = await self._s.storage.daily.latest(guild_id)
        if latest is not None and latest.revealed_at is None and latest.reveal_at is None:
            await self._close_and_show(guild_id, latest.day)
        return was_on

    async def status(self, guild_id: int) -> DailyStatus:
        """The server's daily question: its settings, the next post, the latest question and
        how many answered it; a notice that it turned itself off is given once."""
        store = self._s.storage.daily
        settings = await store.settings(guild_id)
        notice = await self.take_notice(guild_id, settings)
        latest = await store.latest(guild_id)
        answered = 0 if latest is None else await store.answer_count(guild_id, latest.day)
        next_at = None
        if settings is not None and settings.active:
            at = parse_clock_time(settings.post_at)
            if not isinstance(at, BadClockTime):
                next_at = await self._first_post(guild_id, at, zone_or_utc(settings.timezone))
        return DailyStatus(settings, next_at, latest, answered, notice)

    async def take_notice(
        self, guild_id: int, settings: DailySettings | None = None, *, clear: bool = True
    ) -> DailySettings | None:
        """The settings as they stood when the daily question turned itself off, if nobody was
        told yet; they are told now unless `clear` is False (a /daily set clears the notice only
        when it succeeds, by storing new settings)."""
        if settings is None:
            settings = await self._s.storage.daily.settings(guild_id)
        if settings is None or settings.stopped_reason is None:
            return None
        if clear:
            await self._s.storage.daily.clear_notice(guild_id)
        return settings

    async def leaderboard(self, guild_id: int) -> list[rules.Standing]:
        """Everyone who answered the server's daily questions, best first (`rules.standings`).

        Totals are counted by the database; streaks read the answers of the latest
        `STREAK_WINDOW` questions, and all of them (at most `STREAK_DAYS`) only when someone's
        streak reaches the start of those."""
        store = self._s.storage.daily
        days = await store.recent_days(guild_id)
        if not days:
            return []
        latest = await store.post(guild_id, days[0])
        open_day = days[0] if latest is not None and latest.revealed_at is None else None
        totals = await store.totals(guild_id)
        window = STREAK_WINDOW
        while True:
            recent = days[:window]
            answers = await store.answers_since(guild_id, recent[-1])
            found = rules.standings(recent, answers, open_day, totals)
            if len(recent) == len(days) or not rules.streak_window_too_short(found, window):
                return found
            window = len(days)

    # -- answering ------------------------------------------------------------------------------

    async def check_open(self, guild_id: int, day: str, user_id: int) -> Refusal | None:
        """Why the person may not answer the day's question now (closed, answered), or None."""
        post = await self._s.storage.daily.post(guild_id, day)
        if post is None:
            return rules.NoSuchDaily()
        if post.revealed_at is not None:
            return rules.DailyClosed()
        previous = await self._s.storage.daily.answer_of(guild_id, day, user_id)
        if previous is not None:
            return rules.AlreadyAnswered(previous.answer, _question(post.question).type in TYPED)
        return None

    async def answer(
        self, guild_id: int, day: str, user_id: int, given: str, at: datetime
    ) -> Locked | Refusal:
        """Judge and store a person's answer to the day's question (stored before this returns);
        the first answer is final, and a revealed question takes none."""
        store = self._s.storage.daily
        post = await store.post(guild_id, day)
        if post is None:
            return rules.NoSuchDaily()
        if post.revealed_at is not None:
            return rules.DailyClosed()
        question = _question(post.question)
        judged = rules.judge(question, given)
        if isinstance(judged, Refusal):
            return judged
        typed = question.type in TYPED
        stored = await store.add_answer(
            guild_id, day, DailyAnswer(user_id, judged.answer, judged.correct, at)
        )
        if not stored:
            previous = await store.answer_of(guild_id, day, user_id)
            if previous is None:
                return rules.DailyClosed()  # revealed meanwhile
            return rules.AlreadyAnswered(previous.answer, typed)
        return Locked(judged.answer, typed, post.reveal_at)

    async def question_view(self, guild_id: int, day: str) -> tuple[DailyQuestionView, int] | None:
        """The day's question as posted now (with its answer count) and its message id, while
        it is open and posted."""
        post = await self._s.storage.daily.post(guild_id, day)
        if post is None or post.revealed_at is not None or post.message_id is None:
            return None
        return await self._question_view(post), post.message_id

    # -- the timers -----------------------------------------------------------------------------

    async def _on_post(self, timer: Timer) -> None:
        """Post the day's question if that day is still today on the server's clock, then
        schedule the next day's. A stale timer (set for an older time or zone, or the daily
        question since turned off) does nothing: the current setup has its own timer."""
        guild_id = _guild_of(timer)
        store = self._s.storage.daily
        settings = None if guild_id is None else await store.settings(guild_id)
        if guild_id is None or settings is None or not settings.active:
            return
        if timer.payload.get("at") != settings.post_at:
            return
        if timer.payload.get("zone") != settings.timezone:
            return
        at = parse_clock_time(settings.post_at)
        if isinstance(at, BadClockTime):
            return
        zone = zone_or_utc(settings.timezone)
        now = self._s.clock()
        day = rules.post_day(now, at, zone)
        held = None if day is None else await self._claim(settings, day, now)
        await self._s.scheduler.cancel(key=post_key(guild_id))
        await self._schedule_post(settings, next_occurrence(now, at, zone))
        if held is not None and day is not None:
            self._publish_held(guild_id, day, held)

    async def _on_publish(self, timer: Timer) -> object:
        """A claimed day whose post its process did not finish (it died, or stopped): post it
        now while it is still that day on the server's clock and the daily question is on;
        otherwise forget the day, never shown (like a day the bot was down for)."""
        guild_id, day = _guild_of(timer), timer.payload.get("day")
        if guild_id is None or not isinstance(day, str):
            log.warning("daily publish timer %s has no server or day; dropping it", timer.id)
            return None
        store = self._s.storage.daily
        post = await store.post(guild_id, day)
        if post is None or post.message_id is not None:
            return None  # posted (or forgotten) meanwhile
        settings = await store.settings(guild_id)
        if self._still_due(settings, post):
            self._publish_held(guild_id, day, timer.id)
            return KEEP
        if await store.forget_unsent(guild_id, day):
            log.info("daily question of server %s (%s) was never shown: day skipped", guild_id, day)
        return None

    def _still_due(self, settings: DailySettings | None, post: DailyPost) -> bool:
        """Whether a claimed, unshown question may still be posted: the daily question is on
        in the same channel, the question is open, and its day is today on the server's clock."""
        if settings is None or not settings.active or settings.channel_id != post.channel_id:
            return False
        today = rules.day_key(self._s.clock(), zone_or_utc(settings.timezone))
        return post.revealed_at is None and today == post.day

    def _publish_held(self, guild_id: int, day: str, timer_id: int) -> None:
        """Queue the day's post; its publish timer, held by this process, is done once the
        message id is stored (or the post failed for good)."""
        self._s.scheduler.hold(timer_id)
        self._jobs.submit(guild_id, partial(self._publish_then_done, guild_id, day, timer_id))

    async def _publish_then_done(self, guild_id: int, day: str, timer_id: int) -> None:
        await self._publish(guild_id, day)
        await self._s.scheduler.done(timer_id)

    async def _claim(self, settings: DailySettings, day: str, now: datetime) -> int | None:
        """Draw the day's question and claim the day for it, with its publish timer (held by
        this process) and reveal timer in the same write: the publish timer's id if this call
        claimed the day."""
        store = self._s.storage.daily
        guild_id = settings.guild_id
        with in_guild(guild_id):
            library = self._s.library
        pool = pool_of(library, settings.scope_kind, settings.scope)
        cycle, seen = await store.cycle(guild_id)
        due = await store.due_counts(guild_id, now) if pool else {}
        drawn = rules.draw(pool, seen, cycle, due, seed=str(guild_id))
        if drawn is None:
            log.warning("the daily question of server %s has nothing to ask today", guild_id)
            return None
        topic_id, question_id = drawn.key
        topic = library.get(topic_id)
        question = None if topic is None else topic.question(question_id)
        if question is None:  # the pool came from this library: cannot happen
            return None
        reveal_at = None
        if settings.reveal_hours is not None:
            reveal_at = now + timedelta(hours=settings.reveal_hours)
        post = DailyPost(
            guild_id,
            day,
            settings.channel_id,
            drawn.cycle,
            topic_id,
            question_id,
            question.model_dump_json(),
            None,
            now,
            reveal_at,
            None,
        )
        timers = [
            StepTimer(
                TIMER_PUBLISH,
                now,
                {"day": day},
                key=publish_key(guild_id, day),
                held_by=self._s.scheduler.owner,
                lease_until=self._s.scheduler.lease_until(),
            )
        ]
        if reveal_at is not None:
            timers.append(
                StepTimer(TIMER_REVEAL, reveal_at, {"day": day}, key=reveal_key(guild_id, day))
            )
        ids = await store.claim_post(post, timers)
        if ids is None:
            return None
        self._s.scheduler.wake()  # a reveal timer sooner than what the loop sleeps until
        return ids[0]

    async def _on_reveal(self, timer: Timer) -> object:
        """Close a day's question after its hours (once) and queue its reveal; or, for a timer
        marked `show` (its question closed by a process that died before showing the reveal),
        show the reveal now."""
        guild_id, day = _guild_of(timer), timer.payload.get("day")
        if guild_id is None or not isinstance(day, str):
            log.warning("daily reveal timer %s has no server or day; dropping it", timer.id)
            return None
        if timer.payload.get("show"):
            self._show_held(guild_id, day, timer.id)
            return KEEP
        await self._close_and_show(guild_id, day)
        return None

    # -- showing --------------------------------------------------------------------------------

    async def _publish(self, guild_id: int, day: str) -> None:
        """Reveal the earlier questions still waiting for theirs, then post the day's."""
        store = self._s.storage.daily
        for earlier in await store.unrevealed_before(guild_id, day):
            held = await self._close(guild_id, earlier.day)
            if held is not None:
                await self._show_then_done(guild_id, earlier.day, held)
        post = await store.post(guild_id, day)
        presenter = self._presenter
        if post is None or presenter is None or post.message_id is not None:
            return
        try:
            message_id = await presenter.post(await self._question_view(post))
        except ChannelGone:
            await self._gone(guild_id, post.channel_id)
            return
        except Exception:  # Discord failing for good (a 5xx, a timeout): this day is lost
            log.exception("could not post the daily question of server %s (%s)", guild_id, day)
            return
        await store.set_message(guild_id, day, message_id)

    async def _close(self, guild_id: int, day: str) -> int | None:
        """Close the day's question, storing its reveal's `show` timer (held by this process) in
        the same write: the timer's id if this call closed it (a question closes once)."""
        then = StepTimer(
            TIMER_REVEAL,
            self._s.clock(),
            {"day": day, "show": True},
            key=reveal_key(guild_id, day),
            held_by=self._s.scheduler.owner,
            lease_until=self._s.scheduler.lease_until(),
        )
        held = await self._s.storage.daily.close(guild_id, day, self._s.clock(), then)
        if held is not None:
            self._s.scheduler.hold(held)
        return held

    async def _close_and_show(self, guild_id: int, day: str) -> None:
        """Close the day's question now and queue its reveal (if this call closed it)."""
        held = await self._close(guild_id, day)
        if held is not None:
            self._show_held(guild_id, day, held)

    def _show_held(self, guild_id: int, day: str, timer_id: int) -> None:
        """Queue the reveal of a closed question; its timer is held until it is shown."""
        self._s.scheduler.hold(timer_id)
        self._jobs.submit(guild_id, partial(self._show_then_done, guild_id, day, timer_id))

    async def _show_then_done(self, guild_id: int, day: str, timer_id: int) -> None:
        await self._show_reveal(guild_id, day)
        await self._s.scheduler.done(timer_id)

    async def _show_reveal(self, guild_id: int, day: str) -> None:
        """Show a closed question's reveal (posted once: its message id is stored as soon as
        Discord returns it, and a retry edits that message), then close its buttons. Discord
        failing for good is logged: that reveal is lost, the buttons still close."""
        store = self._s.storage.daily
        post = await store.post(guild_id, day)
        presenter = self._presenter
        if post is None or presenter is None or post.message_id is None:
            return  # never shown (Discord failed, or the bot stopped first): nothing to reveal
        question = _question(post.question)
        answers = [rules.Judged(a, ok) for a, ok in await store.answers(guild_id, day)]
        view = DailyRevealView(
            guild_id,
            day,
            post.channel_id,
            post.message_id,
            self._topic_title(guild_id, post.topic_id),
            question,
            rules.distribution(question, answers),
            len(answers),
            post.reveal_message_id,
        )
        if await self._shown(view, "reveal", partial(self._post_reveal, presenter, view)):
            await self._shown(view, "closing", partial(presenter.close_question, view))

    async def _post_reveal(self, presenter: DailyPresenter, view: DailyRevealView) -> None:
        """Post the reveal and store its message id at once (or edit the one already stored)."""
        message_id = await presenter.reveal(view)
        if view.reveal_message_id is None:
            await self._s.storage.daily.set_reveal_message(view.guild_id, view.day, message_id)

    async def _shown(
        self, view: DailyRevealView, what: str, step: Callable[[], Awaitable[None]]
    ) -> bool:
        """Run one Discord step of a reveal: False if the channel is gone (the daily question
        turns itself off, nothing more is sent there); Discord failing otherwise is logged."""
        try:
            await step()
        except ChannelGone:
            await self._gone(view.guild_id, view.channel_id)
            return False
        except Exception:
            log.exception(
                "could not show the daily %s of server %s (%s)", what, view.guild_id, view.day
            )
        return True

    async def _gone(self, guild_id: int, channel_id: int) -> None:
        """The channel is gone or closed to the bot: the daily question turns itself off, if it
        still posts there (a reveal in the channel of an earlier setup changes nothing)."""
        settings = await self._s.storage.daily.settings(guild_id)
        if settings is None or not settings.active or settings.channel_id != channel_id:
            log.info("daily question of server %s: channel %s is gone", guild_id, channel_id)
            return
        log.info("daily question of server %s: its channel is gone; turning it off", guild_id)
        await self._s.scheduler.cancel(key=post_key(guild_id))
        await self._s.storage.daily.turn_off(guild_id, self._s.clock(), CHANNEL_GONE)

    async def _question_view(self, post: DailyPost) -> DailyQuestionView:
        count = await self._s.storage.daily.answer_count(post.guild_id, post.day)
        return DailyQuestionView(
            post.guild_id,
            post.day,
            post.channel_id,
            self._topic_title(post.guild_id, post.topic_id),
            _question(post.question),
            count,
            post.reveal_at,
        )

    # -- helpers --------------------------------------------------------------------------------

    def _topic_title(self, guild_id: int, topic_id: str) -> str:
        with in_guild(guild_id):
            topic = self._s.library.get(topic_id)
        return topic_id if topic is None else topic.title

    @staticmethod
    def _scope_title(library: Library, scope_kind: str, scope: str | None) -> str:
        if scope_kind == "topic" and scope is not None:
            topic = library.get(scope)
            return scope if topic is None else topic.title
        if scope_kind == "pack":
            return f"The pack {scope}"
        return "The whole course"

    async def _first_post(self, guild_id: int, at: time, zone: ZoneInfo) -> datetime:
        """When the next question comes: the next time the clock shows `at`, or the one after
        if that day already has its question (one a day)."""
        first = next_occurrence(self._s.clock(), at, zone)
        if await self._s.storage.daily.post(guild_id, rules.day_key(first, zone)) is not None:
            return next_occurrence(first, at, zone)
        return first

    async def _schedule_post(self, settings: DailySettings, due_at: datetime) -> None:
        """Store the server's next post timer (fired by the bot's process for its shard)."""
        payload = {"at": settings.post_at, "zone": settings.timezone}
        await self._s.scheduler.schedule(
            TIMER_POST,
            due_at,
            payload,
            key=post_key(settings.guild_id),
            guild_id=settings.guild_id,
            elsewhere=True,
        )


def _guild_of(timer: Timer) -> int | None:
    """The server a daily timer is for."""
    return timer.guild_id
