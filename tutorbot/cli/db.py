"""`tutorbot db backup`, `db check` and `db copy`: print what `storage.admin` and
`storage.copy` find; exit 0 or 1.

- `tutorbot db check`: the configured database (`TUTORBOT_DATABASE_URL`, else the SQLite file
  at `TUTORBOT_DB_PATH`): SQLite's integrity check, or PostgreSQL's server version; the schema
  version against this code's; the rows of each table. Read-only, never migrates.
- `tutorbot db backup PATH`: an SQLite online backup to the new file PATH, or on PostgreSQL a
  `pg_dump -Fc` dump (restore it with `pg_restore`); pg_dump comes with postgresql-client.
- `tutorbot db copy SOURCE TARGET`: each an SQLite path or a postgresql:// URL, e.g. to move
  from SQLite to PostgreSQL (stop the bot first). Both are migrated to the latest schema; a
  TARGET that holds data is refused; every table is copied in one transaction, then each table's
  rows and checksum are compared and printed; exit 1 on any difference.
"""

from __future__ import annotations

from pathlib import Path

from tutorbot.storage.admin import AdminError, DatabaseReport, backup, check
from tutorbot.storage.backend import display_url, is_database_url
from tutorbot.storage.copy import CopyError, CopyReport, copy_database


def _shown(database: Path | str) -> str:
    """A database as messages name it (a URL without its password)."""
    return display_url(database) if isinstance(database, str) else str(database)


def run_backup(database: Path | str, dest: Path) -> int:
    """Back the live database up to `dest` (see `storage.admin.backup`); exit code 0 or 1."""
    try:
        size = backup(database, dest)
    except AdminError as exc:
        print(f"error: {exc}")
        return 1
    print(f"backed up {_shown(database)} to {dest} ({size:,} bytes)")
    return 0


def run_check(database: Path | str) -> int:
    """Print integrity, schema version against the code's, and rows per table; 0 ok, 1 problem."""
    try:
        report = check(database)
    except AdminError as exc:
        print(f"error: {exc}")
        return 1
    for line in report_lines(report):
        print(line)
    return 0 if report.healthy else 1


def report_lines(report: DatabaseReport) -> list[str]:
    """The check's findings, one line each, as the admin reads them."""
    if report.integrity is None:
        lines = [f"server: PostgreSQL {report.server}"]
    elif report.integrity == ["ok"]:
        lines = ["integrity: ok"]
    else:
        lines = ["integrity: FAILED", *(f"  {line}" for line in report.integrity)]
    version, latest = report.version, report.latest
    if version > latest:
        lines.append(
            f"schema: version {version}, newer than this code's {latest}: upgrade TutorBot"
        )
    elif version < latest:
        lines.append(f"schema: version {version} of {latest} (migrated when the bot next starts)")
    else:
        lines.append(f"schema: version {version} (latest)")
    lines += [f"  {table:<20} {count:>10,} rows" for table, count in report.rows]
    return lines


def database_arg(text: str) -> Path | str:
    """A `db copy` argument: a postgresql:// URL as it is, anything else an SQLite path."""
    return text if is_database_url(text) else Path(text)


def run_copy(source: Path | str, target: Path | str) -> int:
    """Copy every table from `source` to `target` (see `storage.copy`), print each table's rows
    and whether its checksum matched; 0 if all did, 1 otherwise."""
    print(f"copying {_shown(source)} to {_shown(target)}")
    try:
        report = copy_database(source, target)
    except CopyError as exc:
        print(f"error: {exc}")
        return 1
    for line in copy_lines(report):
        print(line)
    return 0 if report.ok else 1


def copy_lines(report: CopyReport) -> list[str]:
    """The copy's table of table / rows / checksum, and a verdict."""
    lines = [f"  {'table':<20} {'rows':>10}  checksum"]
    for table in report.tables:
        rows = f"{table.rows:,}"
        if table.target_rows != table.rows:
            rows = f"{table.rows:,} -> {table.target_rows:,}"
        verdict = "match" if table.ok else "MISMATCH"
        lines.append(f"  {table.table:<20} {rows:>10}  {verdict}")
    total = sum(t.rows for t in report.tables)
    if report.ok:
        lines.append(f"copied {total:,} rows in {len(report.tables)} tables; all match")
    else:
        bad = ", ".join(t.table for t in report.tables if not t.ok)
        lines.append(f"MISMATCH in {bad}: the target differs from the source")
    return lines
