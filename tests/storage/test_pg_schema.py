"""PostgreSQL migrated to the latest version (`migrations/postgresql/0012_baseline.sql`, then each
later migration) has the schema the SQLite migrations leave.

Both schemas are read into one normalised description (tables; per table the columns in order
with their type, NOT NULL and default, the primary key, the indexes, the foreign keys and the
CHECKs) and compared: SQLite's from PRAGMAs on a freshly migrated file, PostgreSQL's from
`pg_catalog` after running the baseline on a fresh database. Types are compared through the
baseline's mapping (INTEGER is BIGINT, REAL is DOUBLE PRECISION, TEXT is TEXT).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

import tutorbot.storage
from tutorbot.storage._time import from_db, to_db
from tutorbot.storage.backend import PgConn
from tutorbot.storage.migrations import latest_version, migrate, migrate_pg

if TYPE_CHECKING:
    from pg_server import PgServer

BASELINE = (
    Path(tutorbot.storage.__file__).parent / "migrations" / "postgresql" / "0012_baseline.sql"
)
BASELINE_VERSION = 12

TYPES = {"INTEGER": "bigint", "REAL": "double precision", "TEXT": "text"}
"""SQLite's declared type -> the PostgreSQL type the baseline gives it."""

GENERATED_IDS = {
    ("answers", "id"),
    ("memory_reviews", "id"),
    ("quiz_sessions", "id"),
    ("round_answers", "id"),
    ("rounds", "id"),
    ("timers", "id"),
}
"""The keys the stores insert without giving them (they read the id back): identities."""

ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
MAX_ID = 2**63 - 1

PgConnection = psycopg.Connection[tuple[Any, ...]]

_CAST = re.compile(r"::[a-z ]+(\[\])?")
_LITERAL = re.compile(r"'[^']*'|\b\d+\b")


@dataclass(frozen=True)
class Column:
    """A column as both schemas describe it."""

    name: str
    type: str
    not_null: bool
    default: str | None


@dataclass(frozen=True)
class Index:
    """An index: its key columns (`-` before a descending one), unique, and its WHERE."""

    columns: tuple[str, ...]
    unique: bool
    where: str | None


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key: columns, the table and columns it refers to, and its actions."""

    columns: tuple[str, ...]
    table: str
    to: tuple[str, ...]
    on_update: str
    on_delete: str


@dataclass(frozen=True)
class Table:
    """A table, normalised; indexes are keyed by name, or `unique(cols)` for a UNIQUE clause."""

    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    indexes: dict[str, Index]
    foreign_keys: frozenset[ForeignKey]
    checks: dict[str, frozenset[str]]
    """Per column with a CHECK, the literals it names (the values allowed, or the bounds)."""


def _where(text: str | None) -> str | None:
    """A partial index's condition, spelled the same way from either database."""
    if text is None:
        return None
    text = _CAST.sub("", text).replace("(", " ").replace(")", " ")
    return " ".join(text.lower().split())


def _default(text: str | None) -> str | None:
    """A column default without PostgreSQL's casts."""
    return None if text is None else _CAST.sub("", text)


def _literals(expression: str) -> frozenset[str]:
    return frozenset(_LITERAL.findall(_CAST.sub("", expression)))


# SQLite


def _sqlite_index(conn: sqlite3.Connection, name: str, unique: int) -> Index:
    columns = tuple(
        ("-" if desc else "") + column
        for _, _, column, desc, _, key in conn.execute(f"PRAGMA index_xinfo('{name}')")
        if key
    )
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
    where = sql.split(" WHERE ", 1)[1] if sql and " WHERE " in sql else None
    return Index(columns, bool(unique), _where(where))


def _sqlite_checks(sql: str) -> dict[str, frozenset[str]]:
    """Per column, the literals of its CHECK (each written `CHECK (column ...)`)."""
    checks: dict[str, frozenset[str]] = {}
    for match in re.finditer(r"CHECK \((\w+)", sql):
        depth, end = 1, match.end()
        while depth:  # to the parenthesis that closes the CHECK
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            end += 1
        checks[match.group(1)] = _literals(sql[match.end() : end - 1])
    return checks


def _sqlite_table(conn: sqlite3.Connection, table: str) -> Table:
    info = conn.execute(f"PRAGMA table_info('{table}')").fetchall()
    columns = tuple(
        # A primary key column cannot be NULL on PostgreSQL; on SQLite only meta.key (a TEXT
        # key of a rowid table) could be, which nothing writes.
        Column(name, TYPES[declared], bool(not_null or pk), default)
        for _, name, declared, not_null, default, pk in info
    )
    primary_key = tuple(name for _, name, *_, pk in sorted(info, key=lambda r: r[5]) if pk)
    indexes: dict[str, Index] = {}
    for _, name, unique, origin, _ in conn.execute(f"PRAGMA index_list('{table}')"):
        if origin == "pk":
            continue
        index = _sqlite_index(conn, name, unique)
        indexes[name if origin == "c" else f"unique{index.columns}"] = index
    groups: dict[int, list[tuple[str, str, str, str, str]]] = {}
    for fk_id, _, target, column, to, on_update, on_delete, _ in conn.execute(
        f"PRAGMA foreign_key_list('{table}')"
    ):
        groups.setdefault(fk_id, []).append((target, column, to, on_update, on_delete))
    foreign_keys = frozenset(
        ForeignKey(
            tuple(r[1] for r in rows), rows[0][0], tuple(r[2] for r in rows), rows[0][3], rows[0][4]
        )
        for rows in groups.values()
    )
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    return Table(columns, primary_key, indexes, foreign_keys, _sqlite_checks(sql))


def sqlite_schema() -> dict[str, Table]:
    """The schema the SQLite migrations leave in a fresh database, normalised."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate(conn)
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'"
            )
        ]
        return {table: _sqlite_table(conn, table) for table in tables}
    finally:
        conn.close()


# PostgreSQL

_PG_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid)
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

_PG_INDEXES = """
SELECT c.relname,
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
             FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k),
       i.indoption::int2[], i.indisunique, i.indisprimary, pg_get_expr(i.indpred, i.indrelid),
       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype = 'u')
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = %s::regclass
"""

_PG_FOREIGN_KEYS = """
SELECT k.confrelid::regclass::text, k.confupdtype, k.confdeltype,
       ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY AS u(n, o)
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o),
       ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY AS u(n, o)
             JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o)
FROM pg_constraint k WHERE k.conrelid = %s::regclass AND k.contype = 'f'
"""

_PG_CHECKS = """
SELECT a.attname, pg_get_constraintdef(k.oid)
FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
WHERE k.conrelid = %s::regclass AND k.contype = 'c'
"""


def _pg_indexes(conn: PgConnection, table: str) -> tuple[tuple[str, ...], dict[str, Index]]:
    """The primary key's columns, and the other indexes."""
    primary_key: tuple[str, ...] = ()
    indexes: dict[str, Index] = {}
    for name, columns, options, unique, primary, where, constraint in conn.execute(
        _PG_INDEXES, (table,)
    ):
        if primary:
            primary_key = tuple(columns)
            continue
        ordered = tuple(
            ("-" if option & 1 else "") + column  # indoption bit 0: DESC
            for column, option in zip(columns, options[: len(columns)], strict=True)
        )
        index = Index(ordered, unique, _where(where))
        indexes[f"unique{index.columns}" if constraint else name] = index
    return primary_key, indexes


def _pg_table(conn: PgConnection, table: str) -> Table:
    columns = tuple(
        Column(name, kind, not_null, _default(default))
        for name, kind, not_null, default in conn.execute(_PG_COLUMNS, (table,))
    )
    primary_key, indexes = _pg_indexes(conn, table)
    foreign_keys = frozenset(
        ForeignKey(tuple(cols), target, tuple(to), ACTIONS[on_update], ACTIONS[on_delete])
        for target, on_update, on_delete, cols, to in conn.execute(_PG_FOREIGN_KEYS, (table,))
    )
    checks = {
        column: _literals(definition) for column, definition in conn.execute(_PG_CHECKS, (table,))
    }
    return Table(columns, primary_key, indexes, foreign_keys, checks)


def pg_schema(conn: PgConnection) -> dict[str, Table]:
    """The schema of a PostgreSQL database's `public` schema, normalised."""
    tables = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename <> 'schema_migrations' ORDER BY tablename"
    ).fetchall()
    return {str(name): _pg_table(conn, str(name)) for (name,) in tables}


@pytest.fixture(scope="module")
def baselined(pg_server: PgServer) -> Iterator[PgConnection]:
    """A fresh PostgreSQL database migrated to the latest version as the bot migrates one: the
    baseline, then each later migration (`migrate_pg`)."""
    url = pg_server.fresh_database()
    migrating = PgConn.connect(url)
    try:
        migrate_pg(migrating)
    finally:
        migrating.close()
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def schemas(
    baselined: PgConnection,
) -> tuple[dict[str, Table], dict[str, Table]]:
    """(SQLite's, PostgreSQL's) normalised schemas."""
    return sqlite_schema(), pg_schema(baselined)


Schemas = tuple[dict[str, Table], dict[str, Table]]


def test_postgresql_is_migrated_to_the_latest_sqlite_version(baselined: PgConnection) -> None:
    assert BASELINE.name.startswith(f"{BASELINE_VERSION:04d}_")
    row = baselined.execute("SELECT MAX(version), COUNT(*) FROM schema_migrations").fetchone()
    assert row == (latest_version(), latest_version())


def test_same_tables(schemas: Schemas) -> None:
    lite, pg = schemas
    assert sorted(pg) == sorted(lite)


def test_same_columns_in_the_same_order(schemas: Schemas) -> None:
    lite, pg = schemas
    for table, expected in lite.items():
        assert pg[table].columns == expected.columns, table


def test_same_primary_keys(schemas: Schemas) -> None:
    lite, pg = schemas
    for table, expected in lite.items():
        assert pg[table].primary_key == expected.primary_key, table


def test_same_indexes(schemas: Schemas) -> None:
    lite, pg = schemas
    for table, expected in lite.items():
        assert pg[table].indexes == expected.indexes, table


def test_same_foreign_keys(schemas: Schemas) -> None:
    lite, pg = schemas
    for table, expected in lite.items():
        assert pg[table].foreign_keys == expected.foreign_keys, table


def test_same_checks(schemas: Schemas) -> None:
    lite, pg = schemas
    for table, expected in lite.items():
        assert pg[table].checks == expected.checks, table


def test_every_number_is_bigint_and_every_id_too(baselined: PgConnection, schemas: Schemas) -> None:
    lite, _ = schemas
    rows = baselined.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public'"
    ).fetchall()
    assert rows
    # topic and question ids are names from the content, text on both, not Discord ids
    text_ids = {(table, c.name) for table, t in lite.items() for c in t.columns if c.type == "text"}
    for table, column, kind in rows:
        assert kind in {"bigint", "double precision", "text"}, (table, column, kind)
        if column == "id" or (str(column).endswith("_id") and (table, column) not in text_ids):
            assert kind == "bigint", (table, column)


def test_identities_are_the_ids_the_stores_leave_to_the_database(
    baselined: PgConnection,
) -> None:
    rows = baselined.execute(
        "SELECT table_name, column_name, identity_generation FROM information_schema.columns "
        "WHERE table_schema = 'public' AND is_identity = 'YES'"
    ).fetchall()
    assert {(str(t), str(c)) for t, c, _ in rows} == GENERATED_IDS
    assert {g for _, _, g in rows} == {"BY DEFAULT"}  # `db copy` writes the ids it copies


def test_every_text_compares_bytewise(baselined: PgConnection) -> None:
    # Times are ISO-8601 text: their order is time order only in byte order, as on SQLite.
    rows = baselined.execute(
        "SELECT table_name, column_name, collation_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND data_type = 'text'"
    ).fetchall()
    assert rows
    assert [(t, c) for t, c, collation in rows if collation != "C"] == []


def test_meta_notes_no_answers_to_replay_in_the_time_format_of_the_stores(
    baselined: PgConnection,
) -> None:
    lite = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate(lite)
        expected = lite.execute("SELECT key, value FROM meta ORDER BY key").fetchall()
    finally:
        lite.close()
    rows = baselined.execute("SELECT key, value, updated_at FROM meta ORDER BY key").fetchall()
    assert [(k, v) for k, v, _ in rows] == expected == [("memory_seed_until", "0")]
    stamp = str(rows[0][2])
    assert to_db(from_db(stamp)) == stamp


def test_the_largest_discord_id_fits(pg_server: PgServer) -> None:
    with psycopg.connect(pg_server.fresh_database(), autocommit=True) as conn:
        conn.execute(BASELINE.read_text(encoding="utf-8").encode())
        at = "2025-03-01T12:00:00.000000+00:00"
        conn.execute(
            "INSERT INTO users (id, created_at, last_seen_at) VALUES (%s, %s, %s)", (MAX_ID, at, at)
        )
        conn.execute(
            "INSERT INTO guild_scores (guild_id, user_id, points) VALUES (%s, %s, 1)",
            (MAX_ID, MAX_ID),
        )
        row = conn.execute(
            "INSERT INTO answers (user_id, guild_id, topic_id, question_id, answer, correct, "
            "source, source_id, answered_at) VALUES (%s, %s, 't', 'q', 'a', 1, 'round', %s, %s) "
            "RETURNING id, user_id, guild_id, source_id",
            (MAX_ID, MAX_ID, MAX_ID, at),
        ).fetchone()
        assert row is not None and row[1:] == (MAX_ID, MAX_ID, MAX_ID) and row[0] == 1
        assert conn.execute("SELECT id FROM users").fetchall() == [(MAX_ID,)]
        conn.execute("DELETE FROM users WHERE id = %s", (MAX_ID,))
        assert conn.execute("SELECT count(*) FROM answers").fetchone() == (0,)  # CASCADE
        assert conn.execute("SELECT count(*) FROM guild_scores").fetchone() == (0,)
