"""`tutorbot db backup` and `tutorbot db check`: print what `storage.admin` finds; exit 0 or 1."""

from __future__ import annotations

from pathlib import Path

from tutorbot.storage.admin import AdminError, DatabaseReport, backup, check


def run_backup(db_path: Path, dest: Path) -> int:
    """Back the live database up to `dest` (see `storage.admin.backup`); exit code 0 or 1."""
    try:
        size = backup(db_path, dest)
    except AdminError as exc:
        print(f"error: {exc}")
        return 1
    print(f"backed up {db_path} to {dest} ({size:,} bytes)")
    return 0


def run_check(db_path: Path) -> int:
    """Print integrity, schema version against the code's, and rows per table; 0 ok, 1 problem."""
    try:
        report = check(db_path)
    except AdminError as exc:
        print(f"error: {exc}")
        return 1
    for line in report_lines(report):
        print(line)
    return 0 if report.healthy else 1


def report_lines(report: DatabaseReport) -> list[str]:
    """The check's findings, one line each, as the admin reads them."""
    if report.integrity == ["ok"]:
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
