"""Server packs (migration 0012): each server's own question banks, and the revision counter
by which every process on the database learns that a server's packs changed."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tutorbot.storage._time import from_db, to_db
from tutorbot.storage.backend import dialect_of
from tutorbot.storage.db import Database


@dataclass(frozen=True)
class PackSummary:
    """A stored pack without its topics: what /pack list shows."""

    guild_id: int
    name: str
    source: str
    format: str
    topic_count: int
    question_count: int
    imported_at: datetime


@dataclass(frozen=True)
class StoredPack:
    """A stored pack with its topics, as the JSON of their models."""

    summary: PackSummary
    topics: str


_SUMMARY = "guild_id, name, source, format, topic_count, question_count, imported_at"


def _summary(row: Any) -> PackSummary:
    return PackSummary(
        row["guild_id"],
        row["name"],
        row["source"],
        row["format"],
        row["topic_count"],
        row["question_count"],
        from_db(row["imported_at"]),
    )


_ONE_BUMP_AT_A_TIME = {
    "sqlite": None,
    "postgresql": "LOCK TABLE pack_revisions IN SHARE ROW EXCLUSIVE MODE",
}
"""What makes `_bump`'s max + 1 safe. SQLite has one writer at a time. PostgreSQL lets several
processes write at once, and two bumps reading the same max would share a number (and a reader
between their commits would skip one): this lock, which reads do not wait for, makes bumps take
turns until their commits, so revisions become visible in order."""


def _bump(conn: sqlite3.Connection, guild_id: int) -> int:
    """Number this change after every earlier one (of any server) and note it for the server;
    one bump at a time (`_ONE_BUMP_AT_A_TIME`) makes max + 1 safe."""
    lock = _ONE_BUMP_AT_A_TIME[dialect_of(conn).name]
    if lock is not None:
        conn.execute(lock)
    row = conn.execute("SELECT COALESCE(MAX(revision), 0) + 1 FROM pack_revisions").fetchone()
    revision = int(row[0])
    conn.execute(
        "INSERT INTO pack_revisions (guild_id, revision) VALUES (?, ?) "
        "ON CONFLICT (guild_id) DO UPDATE SET revision = excluded.revision",
        (guild_id, revision),
    )
    return revision


class PackStore:
    """Packs by server and name; a change to any of a server's packs bumps its revision in the
    same transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def summaries(self, guild_id: int) -> list[PackSummary]:
        """The server's packs by name, without their topics."""
        rows = await self._db.fetchall(
            f"SELECT {_SUMMARY} FROM packs WHERE guild_id = ? ORDER BY name", (guild_id,)
        )
        return [_summary(row) for row in rows]

    async def of_guild(self, guild_id: int) -> list[StoredPack]:
        """The server's packs with their topics, by name."""
        rows = await self._db.fetchall(
            f"SELECT {_SUMMARY}, topics FROM packs WHERE guild_id = ? ORDER BY name",
            (guild_id,),
        )
        return [StoredPack(_summary(row), row["topics"]) for row in rows]

    async def get(self, guild_id: int, name: str) -> StoredPack | None:
        """One pack with its topics, or None."""
        row = await self._db.fetchone(
            f"SELECT {_SUMMARY}, topics FROM packs WHERE guild_id = ? AND name = ?",
            (guild_id, name),
        )
        return None if row is None else StoredPack(_summary(row), row["topics"])

    async def save(self, summary: PackSummary, topics: str) -> int:
        """Store a pack, replacing the server's pack of that name; return the revision."""

        def tx(conn: sqlite3.Connection) -> int:
            conn.execute(
                "INSERT INTO packs (guild_id, name, source, format, topics, topic_count, "
                "question_count, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (guild_id, name) DO UPDATE SET source = excluded.source, "
                "format = excluded.format, topics = excluded.topics, "
                "topic_count = excluded.topic_count, question_count = excluded.question_count, "
                "imported_at = excluded.imported_at",
                (
                    summary.guild_id,
                    summary.name,
                    summary.source,
                    summary.format,
                    topics,
                    summary.topic_count,
                    summary.question_count,
                    to_db(summary.imported_at),
                ),
            )
            return _bump(conn, summary.guild_id)

        return await self._db.write(tx)

    async def remove(self, guild_id: int, name: str) -> int | None:
        """Delete a pack; the revision, or None when the server has no pack of that name."""

        def tx(conn: sqlite3.Connection) -> int | None:
            gone = conn.execute(
                "DELETE FROM packs WHERE guild_id = ? AND name = ?", (guild_id, name)
            ).rowcount
            return _bump(conn, guild_id) if gone else None

        return await self._db.write(tx)

    async def revision(self) -> int:
        """The number of the last change to any server's packs (0 before the first)."""
        row = await self._db.fetchone("SELECT COALESCE(MAX(revision), 0) FROM pack_revisions")
        return int(row[0]) if row is not None else 0

    async def changed_since(self, revision: int) -> list[tuple[int, int]]:
        """(server, revision) for each server whose packs changed after `revision`, oldest
        change first: an index range read, empty while nothing changes."""
        rows = await self._db.fetchall(
            "SELECT guild_id, revision FROM pack_revisions WHERE revision > ? ORDER BY revision",
            (revision,),
        )
        return [(int(row["guild_id"]), int(row["revision"])) for row in rows]

    async def guilds(self) -> list[int]:
        """Every server that holds a pack."""
        rows = await self._db.fetchall("SELECT DISTINCT guild_id FROM packs")
        return [int(row[0]) for row in rows]
