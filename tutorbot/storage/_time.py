"""How times are stored: ISO-8601 text in UTC with microseconds, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(when: datetime) -> str:
    """Encode an aware datetime as fixed-width UTC text; naive datetimes are a bug and refused."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"naive datetime {when!r}: pass timezone-aware UTC times")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    """Decode what `to_db` wrote."""
    return datetime.fromisoformat(text).astimezone(UTC)


def opt_to_db(when: datetime | None) -> str | None:
    return None if when is None else to_db(when)


def opt_from_db(text: str | None) -> datetime | None:
    return None if text is None else from_db(text)


def utcnow() -> datetime:
    """The real clock, for callers that have no clock of their own to pass in."""
    return datetime.now(UTC)
