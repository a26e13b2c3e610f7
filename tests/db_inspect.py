"""Reading a TutorBot database as a whole, for tests: every table, every column, every value.

Generic on purpose: tables come from `sqlite_master`, so a table or column added later is
covered without touching these helpers.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

Snapshot = dict[str, list[tuple[Any, ...]]]


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def tables(conn: sqlite3.Connection) -> list[str]:
    """Every table of the database (SQLite's own left out)."""
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [r[0] for r in rows]


def snapshot(path: Path, *, ignore: frozenset[str] = frozenset({"meta"})) -> Snapshot:
    """Every row of every table, sorted, to compare a database before and after an action.

    `meta` is left out by default: the heartbeat changes it every few seconds.
    """
    with _connect(path) as conn:
        return {
            table: sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in tables(conn)
            if table not in ignore
        }


def holds(value: Any, number: int) -> bool:
    """Whether one stored value is, or contains, `number` (an integer column, or text such as
    JSON or a key like 'user:123', where it stands as a whole number)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value == number
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        return re.search(rf"(?<![0-9]){number}(?![0-9])", value) is not None
    return False


def places_of(path: Path, number: int) -> list[str]:
    """`table.column` (with the row's rowid) of every value in the database holding `number`."""
    found = []
    with _connect(path) as conn:
        for table in tables(conn):
            columns = [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")')]
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                for column, value in zip(columns, row, strict=True):
                    if holds(value, number):
                        found.append(f"{table}.{column} = {value!r}"[:200])
    return found
