"""Days in a student's own time zone: what "today" means for reviews, reminders and streaks.

A student who set no time zone lives in UTC. Times of day are wall-clock times in that zone, so
a reminder at 07:30 stays at 07:30 across daylight-saving changes; on the night a clock skips
that time the reminder comes at the same UTC offset as the day before would give (Python's
zoneinfo rule for a time that does not exist), and on the night it repeats, the first one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from tutorbot.domain._time import utc
from tutorbot.domain.refusals import Refusal

_CLOCK = re.compile(r"^\s*([01]?\d|2[0-3])\s*[:.hH]\s*([0-5]\d)\s*$")
MAX_ZONE_NAME = 64


@dataclass(frozen=True)
class UnknownTimeZone(Refusal):
    """A time zone name that is not in the IANA database."""

    name: str

    @property
    def text(self) -> str:
        """What the student is told."""
        shown = self.name[:MAX_ZONE_NAME].replace("`", "'")
        return (
            f"`{shown}` is not a time zone I know. Use an IANA name such as `Europe/Paris`, "
            "`America/New_York` or `Pacific/Kiritimati` (start typing and pick one)."
        )


@dataclass(frozen=True)
class BadClockTime(Refusal):
    """A time of day that does not read as HH:MM."""

    given: str

    @property
    def text(self) -> str:
        """What the student is told."""
        return "Give the time as HH:MM on a 24-hour clock, for example `07:30` or `18:05`."


NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})
"""Names some systems list among their zones that name no place: `localtime` is a link to the
server's own zone (a student's day would follow the server's settings), `posixrules` a default
rule file, `Factory` a placeholder for a machine whose zone is not set."""


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA time zone name this machine knows (the `tzdata` package), sorted, less the
    names that are no place (`NOT_PLACES`)."""
    return tuple(sorted(available_timezones() - NOT_PLACES))


def zones_containing(query: str) -> list[str]:
    """IANA names containing what was typed (any case, spaces as underscores), those whose
    city starts with it first, then the shorter; what autocomplete and completion offer."""
    wanted = query.strip().replace(" ", "_").lower()[:MAX_ZONE_NAME]
    found = [n for n in zone_names() if wanted in n.lower()]
    found.sort(key=lambda n: (not n.rpartition("/")[2].lower().startswith(wanted), len(n), n))
    return found


def zone_named(name: str | None) -> ZoneInfo | UnknownTimeZone:
    """The time zone with this IANA name (None or empty: UTC), or why not."""
    if not name:
        return ZoneInfo("UTC")
    cleaned = name.strip()
    known = _known_lower()
    found = known.get(cleaned) or known.get(cleaned.lower())
    if len(cleaned) > MAX_ZONE_NAME or found is None:
        return UnknownTimeZone(name)
    try:
        return ZoneInfo(found)
    except (ZoneInfoNotFoundError, ValueError):
        return UnknownTimeZone(name)


@lru_cache(maxsize=1)
def _known_lower() -> dict[str, str]:
    """Every name, and its lower-case spelling, to the name itself ("europe/paris" works)."""
    names = zone_names()
    return {**{n.lower(): n for n in names}, **{n: n for n in names}}


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The stored zone of a student (UTC if none, or if a newer tzdata dropped the name)."""
    found = zone_named(name)
    return ZoneInfo("UTC") if isinstance(found, UnknownTimeZone) else found


def parse_clock_time(text: str) -> time | BadClockTime:
    """'07:30', '7:30', '18.05' or '18h05' as a time of day, or why not."""
    match = _CLOCK.match(text or "")
    if match is None:
        return BadClockTime(text)
    return time(int(match.group(1)), int(match.group(2)))


def clock_text(at: time) -> str:
    """A time of day as stored and shown: 'HH:MM'."""
    return f"{at.hour:02d}:{at.minute:02d}"


def local_day(now: datetime, zone: ZoneInfo) -> date:
    """The date it is at `now` where the student lives."""
    return utc(now).astimezone(zone).date()


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) the student's `day` begins."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def day_end(now: datetime, zone: ZoneInfo) -> datetime:
    """The instant (UTC) the student's current day ends: the start of their tomorrow."""
    return day_start(local_day(now, zone) + timedelta(days=1), zone)


def at_time(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant (UTC) of wall-clock `at` on the student's `day`."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def next_occurrence(after: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first instant strictly after `after` at which the student's clock shows `at`."""
    day = local_day(after, zone)
    for offset in range(3):
        when = at_time(day + timedelta(days=offset), at, zone)
        if when > utc(after):
            return when
    raise AssertionError("a wall-clock time recurs within three days")  # pragma: no cover


def streak(days: Iterable[date], today: date) -> int:
    """Days in a row with a review, ending today, or yesterday if none yet today (a streak
    is not broken before the day is over). `days` newest first, without repeats. A day after
    `today` (counted in a zone further east than the student's current one) is passed over."""
    expected: date | None = None
    count = 0
    for day in days:
        if day > today:
            continue
        if expected is None:
            if day not in (today, today - timedelta(days=1)):
                return 0
        elif day != expected:
            break
        count += 1
        expected = day - timedelta(days=1)
    return count
