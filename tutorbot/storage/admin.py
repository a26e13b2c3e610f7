"""What `tutorbot db backup`, `db check` and `healthcheck` do to the database, read-only and
safe beside a running bot. They return data; the CLI prints it.

On SQLite (a file path) they use plain sqlite3 on the live file: `backup` is SQLite's online
backup API, `check` runs `PRAGMA integrity_check` and counts rows. On PostgreSQL (a
`postgresql://` URL, `TUTORBOT_DATABASE_URL`) `check` reads the schema version, the rows of each
table and the server's version in one read-only transaction (it never migrates), and `backup`
runs `pg_dump -Fc` (custom format; restore with `pg_restore`), found on PATH or in
`/usr/lib/postgresql/*/bin`, with the URL's password in the environment (PGPASSWORD), never on a
command line or in a message.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tutorbot.storage._time import from_db
from tutorbot.storage.backend import PgConn, display_url, is_database_url
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


def backup(database: Path | str, dest: Path) -> int:
    """Back `database` (an SQLite path or a PostgreSQL URL) up to `dest`; returns its size.

    See `backup_sqlite` and `backup_pg`. Raises `AdminError` saying what went wrong.
    """
    if isinstance(database, str) and is_database_url(database):
        return backup_pg(database, dest)
    return backup_sqlite(Path(database), dest)


def _refuse_existing(dest: Path) -> None:
    """`AdminError` if `dest` already exists: backups are never overwritten."""
    if dest.exists():
        raise AdminError(
            f"{dest} already exists; choose a new path (backups are never overwritten)"
        )


def _partial_beside(dest: Path) -> Path:
    """The `.partial` file a backup is written to before it is renamed to `dest`."""
    _refuse_existing(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    return partial


def backup_sqlite(db_path: Path, dest: Path) -> int:
    """Copy the live database to `dest` with SQLite's online backup API; returns its size.

    The copy is one consistent snapshot even while the bot writes (WAL readers never block the
    writer). It is written beside `dest` and renamed into place only once complete and checked,
    so `dest` is never a half-written file. An existing `dest` is refused, never overwritten.
    Raises `AdminError` saying what went wrong.
    """
    if not db_path.exists():
        raise AdminError(f"no database at {db_path}")
    partial = _partial_beside(dest)
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


PG_BIN_ROOT = Path("/usr/lib/postgresql")
"""Where Debian's postgresql-client puts pg_dump (one folder per version) when not on PATH."""


def find_pg_dump() -> Path | None:
    """pg_dump on PATH, else the newest `/usr/lib/postgresql/<version>/bin/pg_dump`; None if
    there is none."""
    found = shutil.which("pg_dump")
    if found is not None:
        return Path(found)
    candidates = [p for p in PG_BIN_ROOT.glob("*/bin/pg_dump") if p.is_file()]
    candidates.sort(key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.parent.name)])
    return candidates[-1] if candidates else None


def backup_pg(url: str, dest: Path, pg_dump: Path | None = None) -> int:
    """Dump the PostgreSQL database at `url` to `dest` with `pg_dump -Fc`; returns its size.

    pg_dump reads one consistent snapshot, beside a running bot. The dump is written beside
    `dest` and renamed into place once pg_dump succeeded; an existing `dest` is refused. The
    password goes to pg_dump through PGPASSWORD, not its command line. Raises `AdminError` (with
    "install postgresql-client" when there is no pg_dump).
    """
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    _refuse_existing(dest)
    pg_dump = pg_dump or find_pg_dump()
    if pg_dump is None:
        raise AdminError(
            "pg_dump is needed to back up a PostgreSQL database and was not found on PATH or "
            f"in {PG_BIN_ROOT}/*/bin: install postgresql-client (the same major version as "
            "the server, or newer)"
        )
    partial = _partial_beside(dest)
    params = conninfo_to_dict(url)
    password = params.pop("password", None)
    env = dict(os.environ)
    if password is not None:
        env["PGPASSWORD"] = str(password)
    command = [str(pg_dump), "-Fc", "--no-password", "-f", str(partial)]
    command.append("--dbname=" + make_conninfo("", **params))
    # The command is a list (no shell), its one program found above; the URL is one argument.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        reason = done.stderr.strip() or f"exit code {done.returncode}"
        if password:
            reason = reason.replace(str(password), "***")
        raise AdminError(f"pg_dump of {display_url(url)} failed: {reason}")
    os.replace(partial, dest)
    return dest.stat().st_size


@dataclass(frozen=True)
class DatabaseReport:
    """What `tutorbot db check` finds: SQLite's integrity verdict (None on PostgreSQL, which
    has no such check), the schema version against the code's, the rows of each table, and
    the PostgreSQL server's version (None on SQLite)."""

    integrity: list[str] | None
    """`["ok"]`, or the problems SQLite lists; None where not checked (PostgreSQL)."""
    version: int
    latest: int
    rows: list[tuple[str, int]]
    server: str | None = None
    """The PostgreSQL server's version, e.g. "15.8"; None on SQLite."""

    @property
    def healthy(self) -> bool:
        """Intact, and not newer than this code (an older schema migrates at the next start)."""
        intact = self.integrity is None or self.integrity == ["ok"]
        return intact and self.version <= self.latest


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [r[0] for r in rows]


def _quoted(identifier: str) -> str:
    """A name read from the file, quoted as an SQL identifier (a `"` inside it doubled)."""
    return '"' + identifier.replace('"', '""') + '"'


def check(database: Path | str) -> DatabaseReport:
    """Check `database`, an SQLite path (`check_sqlite`) or a PostgreSQL URL (`check_pg`)."""
    if isinstance(database, str) and is_database_url(database):
        return check_pg(database)
    return check_sqlite(Path(database))


def check_pg(url: str) -> DatabaseReport:
    """Schema version, rows per table and the server's version of the PostgreSQL database at
    `url`, in one read-only transaction (never migrates); `AdminError` if unreachable."""
    import psycopg

    try:
        conn = PgConn.connect(url)
    except psycopg.Error as exc:
        raise AdminError(f"cannot connect to {display_url(url)}: {exc}") from exc
    try:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        server = conn.execute("SHOW server_version").fetchone()
        tables = [
            str(r[0])
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
                "ORDER BY table_name"
            ).fetchall()
        ]
        version = 0
        if "schema_migrations" in tables:
            found = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            row = found.fetchone()
            version = int(row[0]) if row is not None else 0
        rows = []
        for table in tables:
            counted = conn.execute(f"SELECT COUNT(*) FROM {_quoted(table)}").fetchone()
            rows.append((table, int(counted[0]) if counted is not None else 0))
        conn.execute("ROLLBACK")
    except psycopg.Error as exc:
        raise AdminError(f"cannot read {display_url(url)}: {exc}") from exc
    finally:
        conn.close()
    server_version = str(server[0]) if server is not None else "unknown"
    return DatabaseReport(None, version, latest_version(), rows, server_version)


def check_sqlite(db_path: Path) -> DatabaseReport:
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
