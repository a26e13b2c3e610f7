"""What `tutorbot db backup`, `db check` and `healthcheck` do to the database: plain sqlite3,
read-only on the live file, safe beside a running bot. They return data; the CLI prints it."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tutorbot.storage._time import from_db
from tutorbot.storage.db import BUSY_TIMEOUT_MS
from tutorbot.storage.meta import HEARTBEAT
from tutorbot.storage.migrations import current_version, latest_version


def _open_read_only(db_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def read_heartbeat(db_path: Path) -> datetime | None:
    """The running bot's last heartbeat, read-only and without migrating; None if none yet.

    For `tutorbot healthcheck`, which runs beside the bot (e.g. Docker's HEALTHCHECK) and must
    neither write nor wait on the bot's writer.
    """
    if not db_path.exists():
        return None
    conn = _open_read_only(db_path)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (HEARTBEAT,)).fetchone()
    except sqlite3.OperationalError:  # a database from before the meta table
        return None
    finally:
        conn.close()
    return from_db(row[0]) if row else None


class AdminError(Exception):
    """A backup or check that cannot be done; the message is what the admin reads."""


def backup(db_path: Path, dest: Path) -> int:
    """Copy the live database to `dest` with SQLite's online backup API; returns its size.

    The copy is one consistent snapshot even while the bot writes (WAL readers never block the
    writer). It is written beside `dest` and renamed into place only once complete and checked,
    so `dest` is never a half-written file. An existing `dest` is refused, never overwritten.
    Raises `AdminError` saying what went wrong.
    """
    if not db_path.exists():
        raise AdminError(f"no database at {db_path}")
    if dest.exists():
        raise AdminError(
            f"{dest} already exists; choose a new path (backups are never overwritten)"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    source = _open_read_only(db_path)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)  # all pages in one step: one snapshot, no restarts
            target.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
            verdict = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise AdminError(f"backup of {db_path} failed: {exc}") from exc
    finally:
        source.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise AdminError(f"the backup failed its integrity check: {verdict}")
    os.replace(partial, dest)
    return dest.stat().st_size


@dataclass(frozen=True)
class DatabaseReport:
    """What `tutorbot db check` finds: SQLite's integrity verdict, the schema version against
    the code's, and the rows of each table."""

    integrity: list[str]
    """`["ok"]`, or the problems SQLite lists."""
    version: int
    latest: int
    rows: list[tuple[str, int]]

    @property
    def healthy(self) -> bool:
        """Intact, and not newer than this code (an older schema migrates at the next start)."""
        return self.integrity == ["ok"] and self.version <= self.latest


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [r[0] for r in rows]


def _quoted(identifier: str) -> str:
    """A name read from the file, quoted as an SQL identifier (a `"` inside it doubled)."""
    return '"' + identifier.replace('"', '""') + '"'


def check(db_path: Path) -> DatabaseReport:
    """Integrity, schema version and rows per table, read-only; `AdminError` if unreadable."""
    if not db_path.exists():
        raise AdminError(f"no database at {db_path} (it is created when the bot first starts)")
    try:
        conn = _open_read_only(db_path)
    except sqlite3.Error as exc:
        raise AdminError(f"cannot open {db_path}: {exc}") from exc
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        version = current_version(conn)
        rows = [
            (table, conn.execute(f"SELECT COUNT(*) FROM {_quoted(table)}").fetchone()[0])
            for table in _tables(conn)
        ]
    except sqlite3.DatabaseError as exc:
        raise AdminError(f"{db_path} is not a readable database: {exc}") from exc
    finally:
        conn.close()
    return DatabaseReport(integrity, version, latest_version(), rows)
