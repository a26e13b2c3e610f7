"""`tutorbot db copy SOURCE TARGET`: every table of one database into another, verified.

SOURCE and TARGET are each an SQLite path or a `postgresql://` URL, so this moves a bot from
SQLite to PostgreSQL and back (stop the bot first: rows written during the copy are not in it).

1. Both are migrated to the latest schema (a missing SQLite SOURCE is an error; a missing
   TARGET file is created).
2. In one write transaction on the target: a target that holds data is refused (any row in any
   table but `schema_migrations`, apart from the `meta` row `memory_seed_until` that a new
   database's migrations insert, which is deleted); then every table is copied in foreign-key
   order, `BATCH` rows at a time (bounded memory: SQLite's cursor and a PostgreSQL server-side
   cursor stream them), from one read snapshot of the source; then each id generator of the
   target (PostgreSQL's identity sequences, SQLite's AUTOINCREMENT counter) is set past the
   largest id copied and past the source's own (no deleted row's id is handed out again); then
   the target commits.
3. Each table of the target is read back and compared with what was read from the source: the
   row count, and a sha256 over the rows in primary-key order, each row as canonical JSON
   (`canonical_row`: an integral float is the integer, so SQLite and PostgreSQL agree).

`copy_database` returns a `CopyReport` (per table: rows on each side, the checksums); the CLI
prints it and exits 1 on any mismatch. It raises `CopyError` for what stops the copy.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutorbot.storage.backend import PgConn, display_url, is_database_url
from tutorbot.storage.db import connect
from tutorbot.storage.errors import StorageError
from tutorbot.storage.migrations import migrate, migrate_pg

BATCH = 1_000
"""Rows read and written at a time."""
LEDGER = "schema_migrations"
SEED = ("meta", "memory_seed_until")
"""The one row a new database holds (table, key): the target's is replaced by the source's."""


class CopyError(Exception):
    """A copy that cannot be done (or was undone); the message is what the admin reads."""


@dataclass(frozen=True)
class TableCopy:
    """One table copied: rows and checksum read from the source and back from the target."""

    table: str
    rows: int
    target_rows: int
    checksum: str
    target_checksum: str

    @property
    def ok(self) -> bool:
        """Whether the target holds exactly the source's rows."""
        return self.rows == self.target_rows and self.checksum == self.target_checksum


@dataclass(frozen=True)
class CopyReport:
    """Every table copied, in the order copied."""

    tables: list[TableCopy]

    @property
    def ok(self) -> bool:
        """Whether every table matched."""
        return all(table.ok for table in self.tables)


def _canonical_value(value: object) -> object:
    """A value as both databases give it back: bools and integral floats as integers."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, bytes | memoryview):
        return {"hex": bytes(value).hex()}
    return value


def canonical_row(row: Sequence[object]) -> bytes:
    """One row as the checksum reads it: a JSON array (text quoted, numbers bare), one line."""
    values = [_canonical_value(v) for v in row]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


class _Checksum:
    """Rows counted and hashed in the order they come."""

    def __init__(self) -> None:
        self.rows = 0
        self._hash = hashlib.sha256()

    def add(self, rows: Iterable[Sequence[object]]) -> None:
        for row in rows:
            self._hash.update(canonical_row(row))
            self.rows += 1

    @property
    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _select(table: str, columns: Sequence[str], order: Sequence[str]) -> str:
    listed = ", ".join(_quoted(c) for c in columns)
    ordered = ", ".join(_quoted(c) for c in order or columns)
    return f"SELECT {listed} FROM {_quoted(table)} ORDER BY {ordered}"


class _Side:
    """One database of the copy, over one connection; the SQL both dialects share."""

    name: str
    conn: Any

    def tables(self) -> list[str]:
        raise NotImplementedError

    def columns(self, table: str) -> list[str]:
        raise NotImplementedError

    def primary_key(self, table: str) -> list[str]:
        raise NotImplementedError

    def references(self) -> list[tuple[str, str]]:
        """(child, parent) for each foreign key."""
        raise NotImplementedError

    def batches(self, table: str, columns: Sequence[str]) -> Iterator[list[tuple[Any, ...]]]:
        raise NotImplementedError

    def begin_read(self) -> None:
        raise NotImplementedError

    def begin_write(self) -> None:
        raise NotImplementedError

    def next_ids(self) -> dict[str, int]:
        """The id each table that never reuses ids will hand out next, at the least (ids of
        deleted rows above the largest left are not handed out again)."""
        raise NotImplementedError

    def after_copy(self, tables: Sequence[str], next_ids: dict[str, int]) -> None:
        """Set each id generator of the target past the ids copied and `next_ids`."""
        raise NotImplementedError

    def holds_data(self, table: str) -> bool:
        """Whether `table` has a row other than the one a new database starts with."""
        sql = f"SELECT 1 FROM {_quoted(table)} LIMIT 1"
        params: tuple[str, ...] = ()
        if table == SEED[0]:
            sql = f"SELECT 1 FROM {_quoted(table)} WHERE key <> ? LIMIT 1"
            params = (SEED[1],)
        return self.conn.execute(sql, params).fetchone() is not None

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        listed = ", ".join(_quoted(c) for c in columns)
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {_quoted(table)} ({listed}) VALUES ({marks})"
        self.conn.executemany(sql, rows)

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()


class _SqliteSide(_Side):
    def __init__(self, path: Path, *, create: bool) -> None:
        if not create and not path.exists():
            raise CopyError(f"no database at {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.name = str(path)
        self.conn: sqlite3.Connection = connect(path)
        try:
            migrate(self.conn)
        except BaseException:
            self.conn.close()
            raise

    def tables(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        ).fetchall()
        return [str(r[0]) for r in rows]

    def columns(self, table: str) -> list[str]:
        rows = self.conn.execute("SELECT name FROM pragma_table_info(?) ORDER BY cid", (table,))
        return [str(r[0]) for r in rows.fetchall()]

    def primary_key(self, table: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", (table,)
        )
        return [str(r[0]) for r in rows.fetchall()]

    def references(self) -> list[tuple[str, str]]:
        found = []
        for table in self.tables():
            rows = self.conn.execute('SELECT "table" FROM pragma_foreign_key_list(?)', (table,))
            found += [(table, str(r[0])) for r in rows.fetchall()]
        return found

    def batches(self, table: str, columns: Sequence[str]) -> Iterator[list[tuple[Any, ...]]]:
        cursor = self.conn.execute(_select(table, columns, self.primary_key(table)))
        while rows := cursor.fetchmany(BATCH):
            yield [tuple(r) for r in rows]

    def next_ids(self) -> dict[str, int]:
        if not self._autoincrement():
            return {}
        rows = self.conn.execute("SELECT name, seq FROM sqlite_sequence").fetchall()
        return {str(r[0]): int(r[1]) + 1 for r in rows}

    def _autoincrement(self) -> list[str]:
        """Tables whose ids are never reused (AUTOINCREMENT: counted in sqlite_sequence)."""
        rows = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'"
        ).fetchall()
        return [str(r[0]) for r in rows]

    def after_copy(self, tables: Sequence[str], next_ids: dict[str, int]) -> None:
        """AUTOINCREMENT's counter kept past the source's: inserting ids already moved it past
        those copied."""
        for table in self._autoincrement():
            if table not in tables or table not in next_ids:
                continue
            seq = next_ids[table] - 1
            moved = self.conn.execute(
                "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", (seq, table)
            )
            if moved.rowcount == 0:
                self.conn.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, seq)
                )

    def begin_read(self) -> None:
        self.conn.execute("BEGIN")
        self.conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # the snapshot

    def begin_write(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")


_PG_PRIMARY_KEY = """
SELECT a.attname FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
WHERE i.indrelid = CAST(? AS regclass) AND i.indisprimary
ORDER BY array_position(CAST(i.indkey AS int2[]), a.attnum)
"""
_PG_REFERENCES = """
SELECT CAST(CAST(conrelid AS regclass) AS text), CAST(CAST(confrelid AS regclass) AS text)
FROM pg_constraint
WHERE contype = 'f' AND connamespace = CAST(current_schema() AS regnamespace)
"""


class _PgSide(_Side):
    def __init__(self, url: str) -> None:
        import psycopg

        self.name = display_url(url)
        try:
            self.conn: PgConn = PgConn.connect(url)
        except psycopg.Error as exc:
            raise CopyError(f"cannot connect to {self.name}: {exc}") from exc
        try:
            migrate_pg(self.conn)
        except BaseException:
            self.conn.close()
            raise

    def tables(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
            "ORDER BY table_name"
        ).fetchall()
        return [str(r[0]) for r in rows]

    def columns(self, table: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
        return [str(r[0]) for r in rows.fetchall()]

    def primary_key(self, table: str) -> list[str]:
        rows = self.conn.execute(_PG_PRIMARY_KEY, (_quoted(table),))
        return [str(r[0]) for r in rows.fetchall()]

    def references(self) -> list[tuple[str, str]]:
        rows = self.conn.execute(_PG_REFERENCES).fetchall()
        return [(str(r[0]).strip('"'), str(r[1]).strip('"')) for r in rows]

    def batches(self, table: str, columns: Sequence[str]) -> Iterator[list[tuple[Any, ...]]]:
        with self.conn.raw.cursor(name="tutorbot_copy") as cursor:  # server-side: streamed
            cursor.itersize = BATCH
            cursor.execute(_select(table, columns, self.primary_key(table)).encode())
            while rows := cursor.fetchmany(BATCH):
                yield [tuple(r) for r in rows]

    def begin_read(self) -> None:
        self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def begin_write(self) -> None:
        self.conn.execute("BEGIN")

    def _identities(self) -> list[tuple[str, str]]:
        """(table, column) of each identity column."""
        rows = self.conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND is_identity = 'YES'"
        ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def next_ids(self) -> dict[str, int]:
        found = {}
        for table, column in self._identities():
            sequence = self.conn.execute(
                "SELECT pg_get_serial_sequence(?, ?)", (_quoted(table), column)
            ).fetchone()
            if sequence is None or sequence[0] is None:
                continue
            row = self.conn.execute(f"SELECT last_value, is_called FROM {sequence[0]}").fetchone()
            if row is not None:
                found[table] = int(row[0]) + 1 if row[1] else int(row[0])
        return found

    def after_copy(self, tables: Sequence[str], next_ids: dict[str, int]) -> None:
        """Each identity's sequence set to hand out the largest copied id + 1 next, or the
        source's next id if that is larger."""
        for table, column in self._identities():
            if table not in tables:
                continue
            largest = f"SELECT COALESCE(MAX({_quoted(column)}), 0) + 1 FROM {_quoted(table)}"
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence(?, ?), GREATEST(({largest}), ?), false)",
                (_quoted(table), column, next_ids.get(table, 1)),
            )


def _open(database: Path | str, *, create: bool) -> _Side:
    """One side of the copy, connected and migrated to the latest schema."""
    import psycopg

    try:
        if isinstance(database, str) and is_database_url(database):
            return _PgSide(database)
        return _SqliteSide(Path(database), create=create)
    except (StorageError, sqlite3.Error, psycopg.Error) as exc:
        raise CopyError(f"cannot open {_shown(database)}: {exc}") from exc


def _shown(database: Path | str) -> str:
    return display_url(database) if isinstance(database, str) else str(database)


def _in_key_order(tables: Sequence[str], references: Iterable[tuple[str, str]]) -> list[str]:
    """`tables` with every table after those its foreign keys point at (else by name)."""
    parents: dict[str, set[str]] = {t: set() for t in tables}
    for child, parent in references:
        if child in parents and parent in parents and parent != child:
            parents[child].add(parent)
    ordered: list[str] = []
    while parents:
        ready = sorted(t for t, p in parents.items() if not p - set(ordered))
        if not ready:
            raise CopyError(f"foreign keys form a cycle among {', '.join(sorted(parents))}")
        ordered.append(ready[0])
        del parents[ready[0]]
    return ordered


def _same(source: Path | str, target: Path | str) -> bool:
    if isinstance(source, str) or isinstance(target, str):
        return str(source) == str(target)
    return Path(source).resolve() == Path(target).resolve()


def copy_database(source: Path | str, target: Path | str) -> CopyReport:
    """Copy every table of `source` into the empty `target` and verify it (module docstring).

    Raises `CopyError` when it cannot start, when the target holds data, or when a write
    fails (the target's transaction is then rolled back: it is left as it was).
    """
    import psycopg

    if _same(source, target):
        raise CopyError("SOURCE and TARGET are the same database")
    src = _open(source, create=False)
    try:
        dst = _open(target, create=True)
        try:
            return _copy(src, dst)
        except (sqlite3.Error, psycopg.Error) as exc:
            raise CopyError(f"the copy failed and was undone: {exc}") from exc
        finally:
            dst.rollback()
            dst.close()
    finally:
        src.rollback()
        src.close()


def _tables_to_copy(src: _Side, dst: _Side) -> list[str]:
    """The target's tables but the ledger, in foreign-key order; each must exist in the source
    with the same columns."""
    tables = [t for t in dst.tables() if t != LEDGER]
    missing = sorted(set(tables) ^ {t for t in src.tables() if t != LEDGER})
    if missing:
        raise CopyError(f"the two schemas differ: tables {', '.join(missing)}")
    for table in tables:
        if sorted(src.columns(table)) != sorted(dst.columns(table)):
            raise CopyError(f"the two schemas differ: the columns of {table}")
    return _in_key_order(tables, dst.references())


def _copy(src: _Side, dst: _Side) -> CopyReport:
    tables = _tables_to_copy(src, dst)
    dst.begin_write()
    holding = [t for t in tables if dst.holds_data(t)]
    if holding:
        raise CopyError(
            f"{dst.name} already holds data (in {', '.join(holding)}); "
            "copy into a new, empty database"
        )
    dst.conn.execute(f"DELETE FROM {_quoted(SEED[0])} WHERE key = ?", (SEED[1],))
    src.begin_read()
    read: dict[str, _Checksum] = {}
    for table in tables:
        columns = dst.columns(table)
        read[table] = _Checksum()
        for rows in src.batches(table, columns):
            read[table].add(rows)
            dst.insert(table, columns, rows)
    dst.after_copy(tables, src.next_ids())
    dst.commit()
    src.rollback()
    dst.begin_read()
    report = []
    for table in tables:
        written = _Checksum()
        for rows in dst.batches(table, dst.columns(table)):
            written.add(rows)
        source = read[table]
        report.append(
            TableCopy(table, source.rows, written.rows, source.hexdigest, written.hexdigest)
        )
    dst.rollback()
    return CopyReport(report)
