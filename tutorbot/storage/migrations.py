"""Numbered SQL migrations: found in `migrations/NNNN_name.sql`, applied in order, recorded.

PostgreSQL starts a new database from a baseline (`migrations/postgresql/`, see `migrate_pg`)."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from tutorbot.storage.errors import MigrationError, SchemaTooNewError

if TYPE_CHECKING:
    from tutorbot.storage.backend import PgConn

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file of `storage/migrations`, applied once, in version order."""

    version: int
    name: str
    sql: str


def load_migrations(directory: Path | None = None) -> tuple[Migration, ...]:
    """Read the migration files, in version order; versions must run 1, 2, 3... without gaps."""
    if directory is None:
        root = resources.files("tutorbot.storage").joinpath("migrations")
        entries = [(p.name, p.read_text(encoding="utf-8")) for p in root.iterdir() if p.is_file()]
    else:
        entries = [
            (p.name, p.read_text(encoding="utf-8")) for p in directory.iterdir() if p.is_file()
        ]
    found: list[Migration] = []
    for filename, text in entries:
        match = _NAME.match(filename)
        if match is None:
            continue
        found.append(Migration(int(match.group(1)), match.group(2), text))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise MigrationError(
                f"migration numbers must run 1, 2, 3...: expected {expected:04d}, "
                f"found {migration.version:04d}_{migration.name}.sql"
            )
    return tuple(found)


def latest_version(migrations: tuple[Migration, ...] | None = None) -> int:
    """The schema version this code writes."""
    migrations = load_migrations() if migrations is None else migrations
    return migrations[-1].version if migrations else 0


def current_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in a database; 0 for a fresh file."""
    has_ledger = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if has_ledger is None:
        return 0
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
    return int(row[0])


def migrate(
    conn: sqlite3.Connection,
    migrations: tuple[Migration, ...] | None = None,
    *,
    target: int | None = None,
) -> list[int]:
    """Bring `conn` up to `target` (default: latest), one transaction per migration.

    Returns the versions applied. Refuses a database newer than the code, since running old
    code against a newer schema could silently lose what the newer code records.
    `conn` must be in autocommit mode (`isolation_level=None`).
    """
    migrations = load_migrations() if migrations is None else migrations
    latest = latest_version(migrations)
    target = latest if target is None else target
    conn.execute(_LEDGER)
    version = current_version(conn)
    if version > latest:
        raise SchemaTooNewError(
            f"database schema is version {version} but this TutorBot only knows up to "
            f"version {latest}; upgrade TutorBot (or restore a backup made by this version)"
        )
    applied: list[int] = []
    for migration in migrations:
        if migration.version <= version or migration.version > target:
            continue
        _apply_one(conn, migration)
        applied.append(migration.version)
    return applied


def _apply_one(conn: sqlite3.Connection, migration: Migration) -> None:
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    # executescript would commit any open transaction first, so the whole step is one script.
    script = (
        "BEGIN IMMEDIATE;\n"
        f"{migration.sql}\n;\n"
        "INSERT INTO schema_migrations (version, name, applied_at) "
        f"VALUES ({migration.version}, '{migration.name}', '{now}');\n"
        "COMMIT;\n"
    )
    try:
        conn.executescript(script)
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise MigrationError(
            f"migration {migration.version:04d}_{migration.name}.sql failed: {exc}"
        ) from exc


PG_DIRECTORY = "postgresql"
"""Migrations for PostgreSQL: `NNNN_baseline.sql`, the schema at version NNNN for a new database,
then a file of a later number wherever its SQL differs from the shared one."""
_PG_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     BIGINT PRIMARY KEY,
    name        TEXT COLLATE "C" NOT NULL,
    applied_at  TEXT COLLATE "C" NOT NULL
)
"""
_PG_LOCK = 0x7475746F72626F74
"""The advisory lock ("tutorbot" in hex) two processes starting together migrate under."""


def pg_migrations() -> dict[int, Migration]:
    """The PostgreSQL files by version: the baseline, and any later migration of its own."""
    root = resources.files("tutorbot.storage").joinpath("migrations").joinpath(PG_DIRECTORY)
    found: dict[int, Migration] = {}
    for entry in root.iterdir():
        match = _NAME.match(entry.name)
        if match is not None:
            version = int(match.group(1))
            found[version] = Migration(version, match.group(2), entry.read_text(encoding="utf-8"))
    return found


def migrate_pg(conn: PgConn, migrations: tuple[Migration, ...] | None = None) -> list[int]:
    """Bring a PostgreSQL database up to the latest version: a new one from the baseline (its
    versions recorded as applied), then each later migration (PostgreSQL's own file, else the
    shared one), each in one transaction, all under an advisory lock."""
    migrations = load_migrations() if migrations is None else migrations
    latest = latest_version(migrations)
    conn.execute(_PG_LEDGER)
    conn.execute("SELECT pg_advisory_lock(?)", (_PG_LOCK,))
    try:
        row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
        version = int(row[0]) if row is not None else 0
        if version > latest:
            raise SchemaTooNewError(
                f"database schema is version {version} but this TutorBot only knows up to "
                f"version {latest}; upgrade TutorBot (or restore a backup made by this version)"
            )
        own = pg_migrations()
        baseline = min((v for v, m in own.items() if m.name == "baseline"), default=0)
        applied: list[int] = []
        if version < baseline:
            names = {m.version: m.name for m in migrations if m.version <= baseline}
            _apply_pg(conn, own[baseline].sql, names)
            applied.extend(names)
            version = baseline
        for migration in migrations:
            if migration.version > version:
                sql = own[migration.version].sql if migration.version in own else migration.sql
                _apply_pg(conn, sql, {migration.version: migration.name})
                applied.append(migration.version)
        return applied
    finally:
        conn.execute("SELECT pg_advisory_unlock(?)", (_PG_LOCK,))


def _apply_pg(conn: PgConn, sql: str, versions: dict[int, str]) -> None:
    """Run one migration's SQL and record its versions, in one transaction."""
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    conn.execute("BEGIN")
    try:
        conn.executescript(sql)
        for version, name in versions.items():
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, now),
            )
        conn.execute("COMMIT")
    except Exception as exc:
        conn.execute("ROLLBACK")
        names = ", ".join(f"{v:04d}_{n}" for v, n in versions.items())
        raise MigrationError(f"PostgreSQL migration {names} failed: {exc}") from exc
