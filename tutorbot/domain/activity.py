"""A student's activity: answers per day over the last 30 days, and how many were right.

Days are the student's own days (their time zone, UTC if they set none: `domain/days.py`), so a
bar is one of their evenings, not a slice of UTC. The window is a run of `DayWindow`s, each with
the UTC instants it starts and ends (a day may last 23 or 25 hours across a clock change); storage
counts the answers inside each, and `activity` turns those counts into the figures the chart and
its alt text show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tutorbot.domain.days import day_start, local_day

DAYS = 30
"""Days the activity chart shows, today included."""
MAX_DAYS = 366
"""The longest window asked of storage (one query with a row per day)."""


@dataclass(frozen=True)
class DayWindow:
    """One of the student's days: its date and the UTC instants it starts and ends."""

    day: date
    start: datetime
    end: datetime


@dataclass(frozen=True)
class DayCount:
    """Answers given on one of the student's days, and how many were right."""

    day: date
    answered: int = 0
    correct: int = 0

    @property
    def accuracy(self) -> float | None:
        """Share of the day's answers that were right, None on a day without answers."""
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True)
class Activity:
    """The student's answers per day, oldest day first and ending today, in their time zone."""

    days: tuple[DayCount, ...]
    zone: str
    """The IANA name of the zone the days are counted in ("UTC" without a setting)."""

    @property
    def answered(self) -> int:
        """Answers over the whole window."""
        return sum(d.answered for d in self.days)

    @property
    def correct(self) -> int:
        """Right answers over the whole window."""
        return sum(d.correct for d in self.days)

    @property
    def accuracy(self) -> float | None:
        """Share of the window's answers that were right, None without answers."""
        return self.correct / self.answered if self.answered else None

    @property
    def days_active(self) -> int:
        """Days with at least one answer."""
        return sum(1 for d in self.days if d.answered)

    @property
    def best_day(self) -> DayCount | None:
        """The day with the most answers (the latest among equals), None without answers."""
        best = max(self.days, key=lambda d: (d.answered, d.day), default=None)
        return best if best is not None and best.answered else None


def window(now: datetime, zone: ZoneInfo, days: int = DAYS) -> tuple[DayWindow, ...]:
    """The student's last `days` days, oldest first, today (where they live) the last."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"an activity window is 1 to {MAX_DAYS} days, not {days}")
    today = local_day(now, zone)
    first = today - timedelta(days=days - 1)
    dates = [first + timedelta(days=n) for n in range(days + 1)]
    starts = [day_start(d, zone) for d in dates]
    return tuple(DayWindow(dates[n], starts[n], starts[n + 1]) for n in range(days))


def activity(
    days: tuple[DayWindow, ...], counts: Mapping[date, tuple[int, int]], zone: str
) -> Activity:
    """The activity over `days` from storage's (answered, correct) per day; a day storage did
    not return had no answers."""
    return Activity(
        tuple(DayCount(d.day, *counts.get(d.day, (0, 0))) for d in days),
        zone,
    )


def day_label(day: date) -> str:
    """A day as the chart and its alt text name it: "3 Nov"."""
    return f"{day.day} {day.strftime('%b')}"


def describe(found: Activity) -> str:
    """The chart in words (its alt text): total answers, days active, accuracy, the best day."""
    span = len(found.days)
    if not found.answered:
        return f"Answers per day over the last {span} days ({found.zone}): none yet."
    best = found.best_day
    accuracy = found.accuracy or 0.0
    text = (
        f"Answers per day over the last {span} days ({found.zone}): "
        f"{found.answered:,} {'answer' if found.answered == 1 else 'answers'} "
        f"on {found.days_active} of {span} days, {accuracy:.0%} right."
    )
    if best is not None:
        text += (
            f" Best day: {day_label(best.day)} with {best.answered:,} "
            f"({(best.accuracy or 0.0):.0%} right)."
        )
    today = found.days[-1]
    return text + f" Today: {today.answered:,}."
