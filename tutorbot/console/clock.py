"""The console's own clock: the real time plus whatever `/wait` skipped."""

from __future__ import annotations

from datetime import datetime, timedelta

from tutorbot.clock import Clock, utc_now

MAX_WAIT_SECONDS = 24 * 3600


class ConsoleClock:
    """A clock the console can move forward, so think times can be checked without sleeping.

    Only this console's services read it; the database and the bot keep the real time.
    """

    def __init__(self, base: Clock = utc_now) -> None:
        self._base = base
        self._offset = timedelta()

    def __call__(self) -> datetime:
        """The base clock's time plus every `advance` so far."""
        return self._base() + self._offset

    def advance(self, seconds: float) -> None:
        """Skip ahead; refuses going back or more than a day at once."""
        if not 0 < seconds <= MAX_WAIT_SECONDS:
            raise ValueError(f"wait between 0 and {MAX_WAIT_SECONDS} seconds")
        self._offset += timedelta(seconds=seconds)
