"""Errors the storage layer raises on purpose, so callers can tell them from bugs."""

from __future__ import annotations


class StorageError(Exception):
    """Base of every deliberate storage error."""


class MigrationError(StorageError):
    """A migration file is missing, misnumbered or failed to apply."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer TutorBot; this code refuses to touch it."""


class RoundAlreadyRunningError(StorageError):
    """A channel already has a running round (enforced by a partial unique index)."""

    def __init__(self, channel_id: int) -> None:
        super().__init__(f"a round is already running in channel {channel_id}")
        self.channel_id = channel_id


class StorageClosedError(StorageError):
    """A write was submitted after the database was closed."""


class DatabaseUnusableError(StorageError):
    """The database file cannot be opened or created; the message says why and what to do."""


class DatabaseInUseError(StorageError):
    """Another process holds the database's lock: another `tutorbot run` on the same file."""


class DatabaseLostError(StorageError):
    """The database file was deleted or replaced while open, so writes no longer reach it."""
