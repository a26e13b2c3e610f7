"""Why a database path cannot be used, said as one paragraph an admin can act on.

SQLite reports most of these as "unable to open database file", and the OS as a bare errno, so
the file system is looked at again to name the real cause: a folder where the file should be, a
file where a folder should be, no write permission, a full disk, a file that is not a database.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from tutorbot.storage.errors import DatabaseUnusableError, MigrationError

# SQLite primary result codes (https://sqlite.org/rescode.html).
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
ENVIRONMENTAL = frozenset(
    {SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB}
)
"""Codes that come from the file or the disk, not from a bug in our SQL."""

DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
SETTING = "TUTORBOT_DB_PATH"


def check_db_path(path: Path) -> None:
    """Refuse a path that cannot name one shared database file, before anything is created.

    `:memory:` (and an empty path) would give every connection its own private, throw-away
    database: the bot would start and then forget every answer.
    """
    if str(path) in ("", ".", ":memory:"):
        raise DatabaseUnusableError(
            f"{SETTING}={str(path)!r} does not name a file (SQLite would keep an in-memory "
            "database that is lost at every restart and not shared between connections): set it "
            "to a file path such as data/tutorbot.sqlite3."
        )


def is_environmental(exc: BaseException) -> bool:
    """True for a failure caused by the file or disk (worth explaining), not by our code."""
    cause = _root(exc)
    if isinstance(cause, OSError):
        return True
    return isinstance(cause, sqlite3.Error) and _code(cause) in ENVIRONMENTAL


def explain_open_failure(path: Path, exc: BaseException) -> str:
    """One paragraph: why the database at `path` could not be opened, and what to do about it."""
    cause = _root(exc)
    if _errno(cause) == errno.ENAMETOOLONG or len(path.name.encode()) > 255:
        return f"the path {path} is too long for the file system: set {SETTING} to a shorter path."
    try:
        found = _explain_from_file_system(path, cause)
    except OSError:  # the file system will not even say: fall back on the error itself
        found = None
    if found is not None:
        return found
    code = _code(cause) if isinstance(cause, sqlite3.Error) else None
    if code == SQLITE_NOTADB:
        return (
            f"{path} is not a database (SQLite: {cause}): it is some other file, or damaged "
            f"beyond opening. Point {SETTING} at the right file, or move this one aside and "
            "restore a backup (see Back up in the README)."
        )
    if code == SQLITE_CORRUPT:
        return (
            f"{path} is damaged (SQLite: {cause}). Run `tutorbot db check` to see how, and "
            "restore a backup (see Back up in the README)."
        )
    if code in (SQLITE_FULL, SQLITE_IOERR) or _errno(cause) in DISK_FULL_ERRNOS:
        return (
            f"writing {path} failed ({cause}): the disk is full, or a quota or file-size limit "
            "is reached, or the disk is failing. Free some space and start again."
        )
    return f"{path} cannot be opened as a database: {cause}."


def _explain_from_file_system(path: Path, cause: BaseException) -> str | None:
    """The causes the file system itself shows, checked in the order they would bite."""
    if path.is_dir():
        return (
            f"{path} is a folder, not a database file: set {SETTING} to a file inside it, such "
            f"as {path / 'tutorbot.sqlite3'}."
        )
    existing = _nearest_existing(path.parent)
    if existing is not None and not existing.is_dir():
        return (
            f"{existing} is a file, not a folder, so the database {path} cannot be created "
            f"inside it: move that file away or set {SETTING} to another place."
        )
    if _errno(cause) in DISK_FULL_ERRNOS or (
        isinstance(cause, sqlite3.Error) and _code(cause) == SQLITE_FULL
    ):
        return None  # a full disk also looks unwritable; say it is full
    unwritable = _unwritable(path, existing)
    if unwritable is not None:
        return (
            f"{unwritable} is not writable by this user (uid {os.geteuid()}), or is on a "
            "read-only file system: TutorBot writes the database and its -wal and -shm files "
            "beside it. Make the folder and the file writable (in Docker: "
            f"`chown 10001:10001` the host folder), or set {SETTING} to a writable place."
        )
    return None


def _unwritable(path: Path, existing: Path | None) -> Path | None:
    if path.exists():
        if not os.access(path, os.W_OK, effective_ids=True):
            return path
        folder: Path | None = path.parent
    else:
        folder = existing
    if folder is not None and not os.access(folder, os.W_OK | os.X_OK, effective_ids=True):
        return folder
    return None


def _nearest_existing(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        try:
            candidate.stat()
        except FileNotFoundError:
            continue
        except OSError:
            return None
        return candidate
    return None


def _root(exc: BaseException) -> BaseException:
    """The file-system or SQLite error under a migration failure or a wrapped one."""
    while isinstance(exc, MigrationError | DatabaseUnusableError) and exc.__cause__ is not None:
        exc = exc.__cause__
    return exc


def _code(exc: sqlite3.Error) -> int:
    return int(getattr(exc, "sqlite_errorcode", 0)) & 0xFF


def _errno(exc: BaseException) -> int | None:
    return exc.errno if isinstance(exc, OSError) else None
