"""Clock helpers for the domain: every instant is timezone-aware UTC and serialises as ISO-8601."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(when: datetime) -> datetime:
    """`when` converted to UTC; a naive datetime is refused so local time never leaks in."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"naive datetime {when!r}: pass a timezone-aware UTC time")
    return when.astimezone(UTC)


def to_iso(when: datetime | None) -> str | None:
    """ISO-8601 text of an instant, or None."""
    return None if when is None else utc(when).isoformat()


def required_iso(text: str | None) -> datetime:
    """The instant an ISO-8601 text names, in UTC; ValueError for None (a stored state that
    lacks a time it always has is corrupt, not a moment that never happened)."""
    if text is None:
        raise ValueError("a time this state always has is missing")
    return utc(datetime.fromisoformat(text))


def from_iso(text: str | None) -> datetime | None:
    """The instant an ISO-8601 text names, in UTC, or None."""
    return None if text is None else utc(datetime.fromisoformat(text))


def seconds_between(start: datetime, end: datetime) -> float:
    """Seconds from `start` to `end`, never negative (a click cannot precede what it answers)."""
    return max(0.0, (end - start).total_seconds())
