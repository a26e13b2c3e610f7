"""`tutorbot db backup` and `tutorbot db check`: plain sqlite3, safe beside a running bot."""

from __future__ import annotations

import os
import sqlite3
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


def run_backup(db_path: Path, dest: Path) -> int:
    """Copy the live database to `dest` with SQLite's online backup API; exit code 0 or 1.

    The copy is one consistent snapshot even while the bot writes (WAL readers never block the
    writer). It is written beside `dest` and renamed into place only once complete and checked,
    so `dest` is never a half-written file. An existing `dest` is refused, never overwritten.
    """
    if not db_path.exists():
        print(f"error: no database at {db_path}")
        return 1
    if dest.exists():
        print(f"error: {dest} already exists; choose a new path (backups are never overwritten)")
        return 1
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
        print(f"error: backup of {db_path} failed: {exc}")
        return 1
    finally:
        source.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        print(f"error: the backup failed its integrity check: {verdict}")
        return 1
    os.replace(partial, dest)
    print(f"backed up {db_path} to {dest} ({dest.stat().st_size:,} bytes)")
    return 0


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [r[0] for r in rows]


def run_check(db_path: Path) -> int:
    """Print integrity, schema version against the code's, and rows per table; 0 ok, 1 problem."""
    if not db_path.exists():
        print(f"error: no database at {db_path} (it is created when the bot first starts)")
        return 1
    try:
        conn = _open_read_only(db_path)
    except sqlite3.Error as exc:
        print(f"error: cannot open {db_path}: {exc}")
        return 1
    problems = 0
    try:
        results = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if results == ["ok"]:
            print("integrity: ok")
        else:
            problems += 1
            print("integrity: FAILED")
            for line in results:
                print(f"  {line}")
        version, latest = current_version(conn), latest_version()
        if version > latest:
            problems += 1
            print(f"schema: version {version}, newer than this code's {latest}: upgrade TutorBot")
        elif version < latest:
            print(f"schema: version {version} of {latest} (migrated when the bot next starts)")
        else:
            print(f"schema: version {version} (latest)")
        for table in _tables(conn):
            count = conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            print(f"  {table:<20} {count:>10,} rows")
    except sqlite3.DatabaseError as exc:
        print(f"error: {db_path} is not a readable database: {exc}")
        return 1
    finally:
        conn.close()
    return 1 if problems else 0
