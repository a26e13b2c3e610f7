"""The one clock type and the real clock.

Services, the timer scheduler and the name book all read time through a `Clock`, so tests can
pass a `FakeClock` and the console its own; the domain never reads a clock (it takes `now`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Anything that tells the current time, timezone-aware UTC."""


def utc_now() -> datetime:
    """The real clock; tests and the domain take `now` as an argument instead."""
    return datetime.now(UTC)
