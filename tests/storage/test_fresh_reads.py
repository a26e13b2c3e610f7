"""A read that starts after a write was committed sees that write, however many other reads
are running at the same time (a class clicking at once reads constantly)."""

from __future__ import annotations

import asyncio
import sqlite3
from functools import partial
from pathlib import Path

from tutorbot.storage.db import Database


def _set(value: str, conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE meta SET value = ? WHERE key = 'k'", (value,))


async def test_a_read_after_a_commit_sees_it_while_other_reads_overlap(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.sqlite3")
    await db.write(
        lambda c: c.execute("INSERT INTO meta (key, value, updated_at) VALUES ('k', '0', 'x')")
    )
    running = True

    async def reader() -> None:
        while running:
            await db.fetchone("SELECT value FROM meta WHERE key = 'k'")

    readers = [asyncio.create_task(reader()) for _ in range(20)]
    seen = []
    try:
        for n in range(1, 201):
            await db.write(partial(_set, str(n)))
            row = await db.fetchone("SELECT value FROM meta WHERE key = 'k'")
            assert row is not None
            seen.append(int(row["value"]))
    finally:
        running = False
        await asyncio.gather(*readers)
        await db.close()
    assert seen == list(range(1, 201))
