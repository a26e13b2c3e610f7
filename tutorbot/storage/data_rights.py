"""Everything the bot holds about one person: export it as JSON, or delete it and nothing else."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from tutorbot.storage.db import Database

# (table, column naming the user), in an order that satisfies the foreign keys when deleting.
_USER_TABLES: tuple[tuple[str, str], ...] = (
    ("round_answers", "user_id"),
    ("answers", "user_id"),
    ("guild_scores", "user_id"),
    ("topic_state", "user_id"),
    ("goals", "user_id"),
    ("quiz_sessions", "user_id"),
    ("timers", "user_id"),
    ("member_names", "user_id"),
    ("users", "id"),
)

_STATE_HOST = "CASE WHEN json_valid(state) THEN json_extract(state, '$.instructor_id') END"
_FORGET_HOST = (
    "UPDATE rounds SET host_id = NULL, state = CASE WHEN json_valid(state) "
    "THEN json_remove(state, '$.instructor_id') ELSE state END "
    f"WHERE host_id = ? OR {_STATE_HOST} = ?"
)
"""Clear a host from the rounds they ran: the column, and the state JSON of older rounds."""

_JSON_COLUMNS = {"question_ids", "state", "payload", "settings"}


def _plain(row: sqlite3.Row) -> dict[str, Any]:
    return {
        key: json.loads(row[key]) if key in _JSON_COLUMNS and row[key] is not None else row[key]
        for key in row.keys()  # noqa: SIM118 (sqlite3.Row iterates values, not keys)
    }


class DataRights:
    """`/mydata` and `/forgetme`. Both run as one transaction, so they see one consistent state."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """A JSON-able dict: one list of rows per table, plus the rounds the user hosted."""

        def tx(conn: sqlite3.Connection) -> dict[str, Any]:
            out: dict[str, Any] = {"user_id": user_id}
            for table, column in reversed(_USER_TABLES):
                rows = conn.execute(
                    f"SELECT * FROM {table} WHERE {column} = ?", (user_id,)
                ).fetchall()
                out[table] = [_plain(r) for r in rows]
            hosted = conn.execute(
                "SELECT id, guild_id, channel_id, json_extract(state, '$.topic_id') AS topic_id, "
                "status, created_at, json_extract(state, '$.ended_at') AS ended_at "
                "FROM rounds WHERE host_id = ? ORDER BY id",
                (user_id,),
            ).fetchall()
            out["rounds_hosted"] = [_plain(r) for r in hosted]
            return out

        return await self._db.write(tx)

    async def delete_user(self, user_id: int) -> dict[str, int]:
        """Delete every row about the user; returns rows removed per table.

        Rounds the user hosted stay (other students' answers belong to them), with the host
        cleared, counted as `rounds_host_cleared`: `host_id` becomes NULL, and an
        `instructor_id` inside the round's stored state (rounds written before the state stopped
        keeping it) is removed, also when an earlier /forgetme already cleared `host_id`.
        """

        def tx(conn: sqlite3.Connection) -> dict[str, int]:
            counts: dict[str, int] = {}
            for table, column in _USER_TABLES:
                cursor = conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (user_id,))
                counts[table] = cursor.rowcount
            cursor = conn.execute(_FORGET_HOST, (user_id, user_id))
            counts["rounds_host_cleared"] = cursor.rowcount
            return counts

        return await self._db.write(tx)
