"""Reading a TutorBot database as a whole, for tests: every table, every column, every value.

Generic on purpose: tables and their columns come from the database itself (`sqlite_master` on
SQLite, `information_schema.columns` of the current schema on PostgreSQL), so a table or column
added later is covered without touching these helpers.

A database is an SQLite file's path, or a PostgreSQL database's URL (`postgresql://...`).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from tutorbot.storage.backend import PgConn, is_database_url

Snapshot = dict[str, list[tuple[Any, ...]]]

Target = Path | str
"""An SQLite file, or the URL of a PostgreSQL database."""


class _Reads(Protocol):
    """What these helpers need of a connection: sqlite3's, or a PgConn."""

    def execute(self, sql: str, params: Any = ..., /) -> Any: ...

    def close(self) -> None: ...


@contextmanager
def _connect(target: Target) -> Iterator[_Reads]:
    """A connection to `target` for reading, closed after use (read-only on SQLite)."""
    conn: _Reads
    if isinstance(target, str) and is_database_url(target):
        conn = PgConn.connect(target)
    else:
        conn = sqlite3.connect(f"{Path(target).resolve().as_uri()}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


_PG_COLUMNS = (
    "SELECT table_name, column_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
)


def _columns(conn: _Reads) -> dict[str, list[str]]:
    """Every table of the database (SQLite's own left out), with its columns in order."""
    if isinstance(conn, PgConn):
        found: dict[str, list[str]] = {}
        for table, column in conn.execute(_PG_COLUMNS):
            found.setdefault(table, []).append(column)
        return found
    names = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return {name: [c[1] for c in conn.execute(f'PRAGMA table_info("{name}")')] for (name,) in names}


def _rows(conn: _Reads, table: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in conn.execute(f'SELECT * FROM "{table}"')]


def select(target: Target, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """The rows `sql` (with `?` placeholders, as in the stores) reads from `target`, as plain
    tuples (to compare with `==`)."""
    with _connect(target) as conn:
        return [tuple(row) for row in conn.execute(sql, params)]


def select_one(target: Target, sql: str, *params: Any) -> Any:
    """The single value `sql` reads from `target` (a count, say); None when there is no row."""
    found = select(target, sql, *params)
    return found[0][0] if found else None


def snapshot(target: Target, *, ignore: frozenset[str] = frozenset({"meta"})) -> Snapshot:
    """Every row of every table, sorted, to compare a database before and after an action.

    `meta` is left out by default: the heartbeat changes it every few seconds.
    """
    with _connect(target) as conn:
        return {
            table: sorted(_rows(conn, table), key=repr)
            for table in _columns(conn)
            if table not in ignore
        }


def holds(value: Any, number: int) -> bool:
    """Whether one stored value is, or contains, `number` (an integer column, or text such as
    JSON or a key like 'user:123', where it stands as a whole number)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value == number
    if isinstance(value, bytes | memoryview):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        return re.search(rf"(?<![0-9]){number}(?![0-9])", value) is not None
    return False


def places_of(target: Target, number: int) -> list[str]:
    """`table.column = value` of every value in the database holding `number`."""
    found = []
    with _connect(target) as conn:
        for table, columns in _columns(conn).items():
            for row in _rows(conn, table):
                for column, value in zip(columns, row, strict=True):
                    if holds(value, number):
                        found.append(f"{table}.{column} = {value!r}"[:200])
    return found
