"""Everything the bot holds about one person: export it as JSON, or delete it and nothing else.

Both grow with one student's history, so neither may hold up other students: an export reads a
snapshot on a read connection of its own, in a worker thread (`Database.read_snapshot`), and a
deletion removes the big tables in batches of `DELETE_BATCH` rows, one short write each, before
one last write removes the rest.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from tutorbot.storage.backend import dialect_of
from tutorbot.storage.db import Database

# (table, column naming the user), in an order that satisfies the foreign keys when deleting.
_USER_TABLES: tuple[tuple[str, str], ...] = (
    ("round_answers", "user_id"),
    ("round_players", "user_id"),
    ("daily_answers", "user_id"),
    ("answers", "user_id"),
    ("memory_reviews", "user_id"),
    ("memory_cards", "user_id"),
    ("review_days", "user_id"),
    ("review_settings", "user_id"),
    ("guild_scores", "user_id"),
    ("topic_scores", "user_id"),
    ("topic_state", "user_id"),
    ("goals", "user_id"),
    ("quiz_live", "user_id"),
    ("quiz_sessions", "user_id"),
    ("timers", "user_id"),
    ("member_names", "user_id"),
    ("users", "id"),
)

_FORGET_HOST = "UPDATE rounds SET host_id = NULL WHERE host_id = ?"
"""Clear a host from the rounds they ran. Only the column names them: a round's stored state has
not kept its host since migration 0007, which removed it from older rounds' states."""

_BATCHED = ("round_answers", "answers", "memory_reviews")
"""The tables that grow with a student's history, deleted in batches before the rest."""
DELETE_BATCH = 250
"""Rows per deletion write: a few milliseconds of the writer (2,000 held a click up to 24 ms)."""

_HOSTED = {
    "sqlite": (
        "SELECT id, guild_id, channel_id, json_extract(state, '$.topic_id') AS topic_id, "
        "status, created_at, json_extract(state, '$.ended_at') AS ended_at "
        "FROM rounds WHERE host_id = ? ORDER BY id"
    ),
    "postgresql": (
        "SELECT id, guild_id, channel_id, CAST(state AS jsonb) ->> 'topic_id' AS topic_id, "
        "status, created_at, CAST(state AS jsonb) ->> 'ended_at' AS ended_at "
        "FROM rounds WHERE host_id = ? ORDER BY id"
    ),
}
"""The rounds a person hosted, with the topic and end their state holds (both text)."""

T = TypeVar("T")
Rows = Iterator[dict[str, Any]]
Sections = Iterator[tuple[str, Rows]]
"""An export as (name, rows) pairs: a table's rows about the user, then `rounds_hosted`."""

_JSON_COLUMNS = {"question_ids", "state", "payload", "settings"}
"""Text columns holding JSON (memory_cards.state is a number, kept as one)."""


def _plain(row: Any) -> dict[str, Any]:
    return {
        key: json.loads(row[key])
        if key in _JSON_COLUMNS and isinstance(row[key], str)
        else row[key]
        for key in row.keys()  # noqa: SIM118 (sqlite3.Row iterates values, not keys)
    }


def user_sections(conn: sqlite3.Connection, user_id: int) -> Sections:
    """Every row about the user, table by table, read lazily (consume each section's rows
    before asking for the next), then the rounds they hosted as `rounds_hosted`."""
    for table, column in reversed(_USER_TABLES):
        yield (
            table,
            map(_plain, conn.execute(f"SELECT * FROM {table} WHERE {column} = ?", (user_id,))),
        )
    hosted = _HOSTED[dialect_of(conn).name]
    yield "rounds_hosted", map(_plain, conn.execute(hosted, (user_id,)))


class DataRights:
    """`/mydata` and `/forgetme`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """A JSON-able dict: one list of rows per table, plus the rounds the user hosted.

        Holds the whole history in memory: for checks and small exports; `/mydata` streams
        through `export_with`."""

        def collect(sections: Sections) -> dict[str, Any]:
            out: dict[str, Any] = {"user_id": user_id}
            out.update((name, list(rows)) for name, rows in sections)
            return out

        return await self.export_with(user_id, collect)

    async def export_with(self, user_id: int, consume: Callable[[Sections], T]) -> T:
        """`consume(user_sections(...))`, run in a worker thread on a snapshot of its own
        (`Database.read_snapshot`), so a long history holds up neither writes nor reads."""
        return await self._db.read_snapshot(lambda conn: consume(user_sections(conn, user_id)))

    async def delete_user(self, user_id: int) -> dict[str, int]:
        """Delete every row about the user; returns rows removed per table.

        The big tables go first, `DELETE_BATCH` rows per write, so other students' writes
        interleave; the last write removes everything else in one transaction, the user's row
        last. Safe to run again after an interruption (it deletes what is left).

        Rounds the user hosted stay (other students' answers belong to them), with the host
        cleared (`host_id` becomes NULL), counted as `rounds_host_cleared`.
        """
        counts: Counter[str] = Counter()
        for table in _BATCHED:
            while removed := await self._db.write(_delete_batch(table, user_id)):
                counts[table] += removed

        def rest(conn: sqlite3.Connection) -> dict[str, int]:
            last: dict[str, int] = {}
            for table, column in _USER_TABLES:
                cursor = conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (user_id,))
                last[table] = cursor.rowcount
            last["rounds_host_cleared"] = conn.execute(_FORGET_HOST, (user_id,)).rowcount
            return last

        counts.update(await self._db.write(rest))
        return dict(counts)


def _delete_batch(table: str, user_id: int) -> Callable[[sqlite3.Connection], int]:
    """A write that deletes up to `DELETE_BATCH` of the user's rows of `table`; returns how many."""

    def tx(conn: sqlite3.Connection) -> int:
        return conn.execute(
            f"DELETE FROM {table} WHERE id IN "
            f"(SELECT id FROM {table} WHERE user_id = ? LIMIT {DELETE_BATCH})",
            (user_id,),
        ).rowcount

    return tx
