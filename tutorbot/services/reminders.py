"""/remind: a daily direct message, at the student's own time of day, with the reviews due.

A student's reminder is their `remind_at` ('HH:MM') and `timezone` in review_settings, and ONE
timer of kind `review.remind` (key `remind:<user_id>`, tied to the student so /forgetme removes
it) due at the next time their clock shows `remind_at`. The timer handler sends that day's
reminder and schedules the next one, so while reminders are on there is always one timer.

"Today" is the student's day in their own zone. When a timer fires, the day it was meant for is
its due time in that zone: if the student's clock still shows that day, the reminder is sent
(a reminder missed while the bot was down therefore comes once on start, the same day); if the
day is over, it is skipped. Before sending, the day is claimed in the database
(`ReviewSettingsStore.claim_reminder`): a crash may lose one reminder, never send two, and one
day never gets two reminders, even when reminders are turned off and on again in between.

The message goes out through a `ReminderSender` the front end attaches (the Discord extension
sends a direct message); this service knows nothing of Discord. Sending is queued, off the
timer loop, so a slow Discord never delays a round's deadline. A reminder is sent also on a day
with nothing due: it then says so and what to learn next (a daily nudge the student asked for).
When Discord refuses the direct message (the student closed their DMs), reminders turn
themselves off (`remind_at` cleared, the timer gone, `dm_closed_at` set so /review can say so)
and nothing is retried. The handler is registered only once a sender is attached: a process
without one (the console) leaves reminder timers to the bot.

A timer carries the time and zone it was set for. When the student's zone changes elsewhere
(/review's settings), `follow_zone` moves the timer; failing that, the old timer fires at the
old zone's time, sends nothing and moves itself.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from tutorbot.domain.days import (
    BadClockTime,
    UnknownTimeZone,
    clock_text,
    local_day,
    next_occurrence,
    parse_clock_time,
    zone_named,
    zone_or_utc,
)
from tutorbot.services.serial import SerialQueues
from tutorbot.storage.review_settings import ReviewSettings
from tutorbot.storage.timers import Timer

if TYPE_CHECKING:
    from tutorbot.services import Services
    from tutorbot.services.review import ReviewPlan

log = logging.getLogger(__name__)

TIMER_REMIND = "review.remind"
SENDS_AT_ONCE = 10
"""Direct messages in flight at once (discord.py spaces them out under Discord's rate limits)."""
SETTLE_SECONDS = 5.0
"""On shutdown, how long the reminders already queued may take to go out."""


def timer_key(user_id: int) -> str:
    """The key of a student's reminder timer (cancelled by it)."""
    return f"remind:{user_id}"


class Delivery(enum.Enum):
    """What became of a reminder handed to the front end."""

    SENT = "sent"
    REFUSED = "refused"
    """The student cannot be reached (closed direct messages): reminders turn off."""


@dataclass(frozen=True)
class Reminder:
    """One day's reminder for one student."""

    user_id: int
    plan: ReviewPlan
    """Today's review as /review would start it now."""
    remind_at: str
    timezone: str


class ReminderSender(Protocol):
    """How a front end delivers a reminder; it returns `Delivery.REFUSED` when the student
    cannot be reached, and may raise for anything else (logged; that day's reminder is lost)."""

    async def __call__(self, reminder: Reminder) -> Delivery:
        """Deliver `reminder` to its student."""


@dataclass(frozen=True)
class ReminderOn:
    """Reminders are on: when the next one comes, and in which zone."""

    remind_at: str
    timezone: str
    next_at: datetime


class ReminderService:
    """Daily review reminders, one timer per student while they are on."""

    def __init__(self, services: Services) -> None:
        self._s = services
        self._sender: ReminderSender | None = None
        self._sends: SerialQueues[int] = SerialQueues("tutorbot-reminders")
        """Reminders queued per student, sent off the timer loop."""
        self._at_once = asyncio.Semaphore(SENDS_AT_ONCE)

    def attach(self, sender: ReminderSender) -> None:
        """Deliver reminders through this front end, and fire reminder timers from now on."""
        self._sender = sender
        if TIMER_REMIND not in self._s.scheduler.kinds:
            self._s.scheduler.register(TIMER_REMIND, self._on_timer)

    async def settle(self) -> None:
        """Let the reminders already queued go out (on shutdown), for a few seconds."""
        await self._sends.settle(SETTLE_SECONDS)

    # -- the commands ---------------------------------------------------------------------------

    async def turn_on(
        self, user_id: int, at_text: str, zone_name: str
    ) -> ReminderOn | BadClockTime | UnknownTimeZone:
        """Remind the student every day at `at_text` ('HH:MM') in `zone_name` (IANA), replacing
        any reminder they had; refused, with nothing stored, for a bad time or zone."""
        at = parse_clock_time(at_text)
        if isinstance(at, BadClockTime):
            return at
        zone = zone_named(zone_name)
        if isinstance(zone, UnknownTimeZone):
            return zone
        settings = await self._s.storage.review_settings.update(
            user_id,
            now=self._s.clock(),
            remind_at=clock_text(at),
            timezone=zone.key,
            dm_closed_at=None,
        )
        next_at = await self._replace_timer(settings, at, zone)
        return ReminderOn(clock_text(at), zone.key, next_at)

    async def follow_zone(self, user_id: int) -> datetime | None:
        """Move the student's reminder to the time zone now stored for them (call this after
        changing it elsewhere, e.g. /review's settings); when the next one comes, or None if
        reminders are off. Without it the old timer still fires once, sends nothing, and
        moves itself to the new zone."""
        settings = await self._s.storage.review_settings.get(user_id)
        at = parse_clock_time(settings.remind_at or "")
        if settings.remind_at is None or isinstance(at, BadClockTime):
            return None
        return await self._replace_timer(settings, at, zone_or_utc(settings.timezone))

    async def turn_off(self, user_id: int) -> bool:
        """Stop the student's reminders; False if they were already off."""
        settings = await self._s.storage.review_settings.get(user_id)
        await self._s.scheduler.cancel(key=timer_key(user_id))
        if settings.remind_at is None:
            return False
        await self._s.storage.review_settings.update(user_id, now=self._s.clock(), remind_at=None)
        return True

    # -- the timer ------------------------------------------------------------------------------

    async def _on_timer(self, timer: Timer) -> None:
        """Send the day's reminder if that day is still today, then schedule the next one.

        A stale timer (set for a zone the student has since left, or a second one for a day
        already claimed: fired again after a crash, or left by a /remind on racing this
        handler) sends nothing and replaces every timer of the student by one, so duplicates
        never last past a day."""
        found = await self._still_on(timer)
        if found is None:
            return
        settings, at, zone = found
        now = self._s.clock()
        stale = timer.payload.get("zone") != zone.key
        claimed = False
        if not stale and local_day(now, zone) == local_day(timer.due_at, zone):
            claimed = await self._claim(settings, local_day(timer.due_at, zone))
            stale = not claimed
        if stale:
            await self._s.scheduler.cancel(key=timer_key(settings.user_id))
        await self._schedule(settings.user_id, clock_text(at), zone, next_occurrence(now, at, zone))
        if claimed:
            self._sends.submit(settings.user_id, partial(self._send, settings.user_id))

    async def _still_on(self, timer: Timer) -> tuple[ReviewSettings, time, ZoneInfo] | None:
        """The student's settings, time and zone if reminders are still on at the time this
        timer was set for; None if they were turned off or moved to another time (whose own
        timer stands)."""
        at_text = timer.payload.get("at")
        if timer.user_id is None or not isinstance(at_text, str):
            log.warning("reminder timer %s has no student or time; dropping it", timer.id)
            return None
        settings = await self._s.storage.review_settings.get(timer.user_id)
        at = parse_clock_time(settings.remind_at or "")
        if settings.remind_at != at_text or isinstance(at, BadClockTime):
            return None
        return settings, at, zone_or_utc(settings.timezone)

    async def _claim(self, settings: ReviewSettings, day: date) -> bool:
        """Whether this call claimed `day`'s reminder for the student."""
        store = self._s.storage.review_settings
        remind_at = settings.remind_at or ""
        return await store.claim_reminder(settings.user_id, remind_at, day.isoformat())

    async def _replace_timer(self, settings: ReviewSettings, at: time, zone: ZoneInfo) -> datetime:
        """Replace the student's reminder timer by one for the first reminder from now on."""
        next_at = _first_reminder(self._s.clock(), at, zone, settings.reminded_on)
        await self._s.scheduler.cancel(key=timer_key(settings.user_id))
        await self._schedule(settings.user_id, clock_text(at), zone, next_at)
        return next_at

    async def _schedule(self, user_id: int, at_text: str, zone: ZoneInfo, due_at: datetime) -> None:
        """Store the student's next reminder timer. In a process that sends no reminders (the
        console, which may change a student's zone) the row is stored for the bot to fire."""
        payload = {"at": at_text, "zone": zone.key}
        await self._s.scheduler.schedule(
            TIMER_REMIND, due_at, payload, key=timer_key(user_id), user_id=user_id, elsewhere=True
        )

    # -- sending --------------------------------------------------------------------------------

    async def _send(self, user_id: int) -> None:
        """Build today's reminder and hand it to the front end; turn reminders off if the
        student cannot be reached. A failure is logged (here or by the queue) and that day's
        reminder is lost: nothing is retried, and the next day's timer already waits."""
        sender = self._sender
        settings = await self._s.storage.review_settings.get(user_id)
        if sender is None or settings.remind_at is None:
            return  # turned off (or forgotten) while it waited
        reminder = Reminder(
            user_id,
            await self._s.review.plan(user_id),
            settings.remind_at,
            zone_or_utc(settings.timezone).key,
        )
        try:
            async with self._at_once:
                delivery = await sender(reminder)
        except Exception:
            log.exception("could not send the review reminder of user %s", user_id)
            return
        if delivery is Delivery.REFUSED:
            await self._closed(user_id)

    async def _closed(self, user_id: int) -> None:
        """The student's direct messages are closed: reminders off, and noted for /review."""
        log.info("user %s does not take direct messages; their reminders are off", user_id)
        await self._s.scheduler.cancel(key=timer_key(user_id))
        now = self._s.clock()
        await self._s.storage.review_settings.update(
            user_id, now=now, remind_at=None, dm_closed_at=now
        )


def _first_reminder(now: datetime, at: time, zone: ZoneInfo, reminded_on: str | None) -> datetime:
    """When reminders turned on now first come: the next time the clock shows `at`, or the one
    after if that day's reminder was already sent (one reminder a day)."""
    first = next_occurrence(now, at, zone)
    if reminded_on == local_day(first, zone).isoformat():
        return next_occurrence(first, at, zone)
    return first
