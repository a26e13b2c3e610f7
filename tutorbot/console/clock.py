"""The console's own clock: the real time plus whatever `/wait` skipped, and how `/wait` reads a
duration."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from tutorbot.clock import Clock, utc_now

MAX_WAIT_DAYS = 365
MAX_WAIT_SECONDS = MAX_WAIT_DAYS * 24 * 3600
MAX_DURATION_TEXT = 40
UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
UNIT_WORDS = {"d": "day", "h": "hour", "m": "minute", "s": "second"}
_PART = re.compile(r"(\d{1,9})([dhms])")
_DURATION = re.compile(r"(?:\d{1,9}[dhms])+")


def parse_duration(text: str) -> float | None:
    """Seconds in '90', '1.5', '90s', '10m', '12h', '1d' or '2d12h' (units in any order, each
    at most once), or None when the text is not such a duration. Bounds are `ConsoleClock`'s."""
    compact = "".join(text.split()).lower()
    if not compact or len(compact) > MAX_DURATION_TEXT:
        return None
    if re.fullmatch(r"\d{1,12}(?:\.\d{1,6})?", compact):
        return float(compact)
    if not _DURATION.fullmatch(compact):
        return None
    parts = _PART.findall(compact)
    units = [unit for _, unit in parts]
    if len(set(units)) != len(units):
        return None
    return float(sum(int(number) * UNIT_SECONDS[unit] for number, unit in parts))


def duration_text(seconds: float) -> str:
    """A duration as /wait reports it: '30 s' under a minute, else '2 days 12 hours'."""
    if seconds < 60:
        return f"{seconds:g} s"
    left = round(seconds)
    words = []
    for unit, size in UNIT_SECONDS.items():
        count, left = divmod(left, size)
        if count:
            words.append(f"{count} {UNIT_WORDS[unit]}{'' if count == 1 else 's'}")
    return " ".join(words)


class ConsoleClock:
    """A clock the console can move forward, so think times and forgetting can be shown
    without waiting.

    Only this console's services read it; the database and the bot keep the real time.
    """

    def __init__(self, base: Clock = utc_now) -> None:
        self._base = base
        self._offset = timedelta()

    def __call__(self) -> datetime:
        """The base clock's time plus every `advance` so far."""
        return self._base() + self._offset

    def advance(self, seconds: float) -> None:
        """Skip ahead; refuses going back or more than `MAX_WAIT_DAYS` at once."""
        if not 0 < seconds <= MAX_WAIT_SECONDS:
            raise ValueError(f"wait more than 0 seconds and at most {MAX_WAIT_DAYS} days")
        self._offset += timedelta(seconds=seconds)
