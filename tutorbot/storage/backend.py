"""What differs between the two databases TutorBot stores in: SQLite (one file, the default) and
PostgreSQL (`TUTORBOT_DATABASE_URL`, for several processes).

Stores write their SQL once, with `?` placeholders, and run it on a `Conn`: a `sqlite3.Connection`
itself, or `PgConn`, a psycopg 3 connection that speaks the same subset of DB-API (`execute`,
`executemany`, cursors with `fetchone`, `fetchall`, `rowcount`; rows read by column name or
position). The few constructs the two dialects spell differently go through `Dialect`: a list
of values to match (`json_each` of a JSON text on SQLite, `= ANY` of an array on PostgreSQL) and
the statement that opens a write transaction. See docs/postgres.md.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?|%")
"""A quoted literal (left as it is), a `?` placeholder, or a `%` (doubled for psycopg)."""


@lru_cache(maxsize=4096)
def pg_sql(sql: str) -> str:
    """SQL with `?` placeholders as psycopg's `%s` and every literal `%` as `%%` (psycopg reads
    `%` inside quotes too); a `?` inside quotes is left alone. Cached: the writer translates
    the same few statements for every answer."""
    return _PLACEHOLDER.sub(_pg_token, sql)


_PG_TOKENS = {"?": "%s", "%": "%%"}


def _pg_token(match: re.Match[str]) -> str:
    token = match[0]
    return _PG_TOKENS.get(token) or token.replace("%", "%%")  # psycopg reads % even in quotes


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one database spells the few things the stores need that SQL does not agree on."""

    name: str

    @property
    def begin_write(self) -> str:
        """The statement that opens a write transaction (SQLite takes the write lock at once)."""
        return "BEGIN IMMEDIATE" if self.name == "sqlite" else "BEGIN"

    def member_of(self, values: Iterable[int | str]) -> tuple[str, object]:
        """A fragment `IN ...` / `= ANY(...)` matching any of `values`, and its one parameter:
        `column {fragment}` with `?` bound to the parameter."""
        listed = list(values)
        if self.name == "sqlite":
            return "IN (SELECT value FROM json_each(?))", json.dumps(listed)
        return "= ANY(?)", listed

    def pairs_in(self, pairs: Iterable[tuple[str, str]]) -> tuple[str, object]:
        """A fragment `IN (...)` matching `(a, b)` against any of `pairs`, and its parameter."""
        listed = json.dumps([list(pair) for pair in pairs])
        if self.name == "sqlite":
            return "IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))", listed
        return "IN (SELECT p ->> 0, p ->> 1 FROM jsonb_array_elements(?::jsonb) AS p)", listed


def integrity_errors() -> tuple[type[Exception], ...]:
    """What a broken constraint raises on either database (both drivers' DB-API
    IntegrityError)."""
    import psycopg

    return (sqlite3.IntegrityError, psycopg.IntegrityError)


def retryable_errors() -> tuple[type[Exception], ...]:
    """What PostgreSQL raises when two processes' transactions collide (a deadlock, a
    serialization failure): the whole transaction is safe to run again."""
    import psycopg

    return (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)


def display_url(url: str) -> str:
    """A PostgreSQL URL without its password, for names, logs and messages."""
    return re.sub(r"//([^:/@]*):[^@]*@", r"//\1@", url)


def is_database_url(text: str) -> bool:
    """Whether text names a PostgreSQL database (`postgresql://...`) rather than a file."""
    return text.startswith(("postgresql://", "postgres://"))


SQLITE = Dialect("sqlite")
POSTGRESQL = Dialect("postgresql")


def dialect_of(conn: object) -> Dialect:
    """The dialect a connection speaks."""
    return POSTGRESQL if isinstance(conn, PgConn) else SQLITE


class PgRow(tuple[Any, ...]):
    """A result row read by position or by column name, like `sqlite3.Row`."""

    _names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        """The column names, in order."""
        return list(self._names)


def row_factory(cursor: Any) -> Callable[[Sequence[Any]], PgRow]:
    """Psycopg's row factory for `PgRow`s (the result's column names, read once per result
    from the raw result: `cursor.description` builds a typed column object for each)."""
    result = cursor.pgresult
    count = result.nfields if result is not None else 0
    names = {result.fname(i).decode(): i for i in range(count)}

    def make(values: Sequence[Any]) -> PgRow:
        row = PgRow(values)
        row._names = names
        return row

    return make


def has_rows(cursor: psycopg.Cursor[PgRow] | psycopg.AsyncCursor[PgRow]) -> bool:
    """Whether the statement returns rows (has columns), read off its raw result."""
    result = cursor.pgresult
    return result is not None and result.nfields > 0


class PgCursor:
    """The part of a DB-API cursor the stores use, over a psycopg cursor.

    In pipeline mode (`PgConn.pipelined`) a statement is sent without waiting for its reply;
    the first of `rowcount`, `fetchone` or `fetchall` asked of it waits for every reply still
    due (one round trip for all the statements queued before it)."""

    def __init__(self, cursor: psycopg.Cursor[PgRow], pipeline: psycopg.Pipeline | None) -> None:
        self._cursor = cursor
        self._pipeline = pipeline

    def _replied(self) -> psycopg.Cursor[PgRow]:
        """The psycopg cursor once the server's reply to its statement is in."""
        if self._pipeline is not None and self._cursor.pgresult is None:
            self._pipeline.sync()
        self._pipeline = None
        return self._cursor

    @property
    def rowcount(self) -> int:
        """Rows the statement changed."""
        return self._replied().rowcount

    @property
    def lastrowid(self) -> None:
        """Not known on PostgreSQL: stores read new ids with RETURNING."""
        return None

    def fetchone(self) -> PgRow | None:
        """The next row, or None."""
        cursor = self._replied()
        return cursor.fetchone() if has_rows(cursor) else None

    def fetchall(self) -> list[PgRow]:
        """Every remaining row."""
        cursor = self._replied()
        return cursor.fetchall() if has_rows(cursor) else []

    def __iter__(self) -> Any:
        return iter(self.fetchall())


class PgConn:
    """A psycopg 3 connection (autocommit: transactions are explicit, as on SQLite) that runs
    the stores' `?` SQL."""

    def __init__(self, conn: psycopg.Connection[PgRow]) -> None:
        self.raw = conn
        self._trace: Callable[[str], object] | None = None
        self._pipeline: psycopg.Pipeline | None = None

    @classmethod
    def connect(cls, url: str) -> PgConn:
        """A new connection to the database at `url`."""
        import psycopg

        raw = psycopg.connect(url, autocommit=True, row_factory=row_factory)
        return cls(raw)

    def execute(self, sql: str, params: Iterable[Any] = ()) -> PgCursor:
        """Run one statement."""
        if self._trace is not None:
            self._trace(sql)
        cursor = self.raw.cursor()
        cursor.execute(pg_sql(sql), tuple(params))
        return PgCursor(cursor, self._pipeline)

    def executemany(self, sql: str, seq: Iterable[Iterable[Any]]) -> PgCursor:
        """Run one statement for each set of parameters."""
        if self._trace is not None:
            self._trace(sql)
        cursor = self.raw.cursor()
        cursor.executemany(pg_sql(sql), [tuple(p) for p in seq])
        return PgCursor(cursor, self._pipeline)

    def executescript(self, script: str) -> None:
        """Run several statements without parameters (migrations)."""
        self.raw.execute(script.encode())

    @contextmanager
    def pipelined(self) -> Iterator[None]:
        """Run the statements of the block in psycopg's pipeline mode: each is sent at once and
        only a read of its result waits, so a run of writes costs one round trip, not one each.
        An error may surface at a later statement than the one that failed (or on leaving the
        block), so a caller that must know which failed runs the statements without it."""
        with self.raw.pipeline() as pipeline:
            self._pipeline = pipeline
            try:
                yield
            finally:
                self._pipeline = None

    @property
    def failed(self) -> bool:
        """Whether the open transaction hit an error (PostgreSQL then turns COMMIT into a
        ROLLBACK without saying so)."""
        import psycopg

        return self.raw.info.transaction_status == psycopg.pq.TransactionStatus.INERROR

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open."""
        import psycopg

        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def set_trace_callback(self, callback: Callable[[str], object] | None) -> None:
        """Pass every statement run to `callback` (None stops it)."""
        self._trace = callback

    def close(self) -> None:
        """Close the connection."""
        self.raw.close()
