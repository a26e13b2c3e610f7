"""The writer on PostgreSQL, where several processes write at once: a batch that deadlocks
with another process's is run again, and both land."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from typing import Any

from tutorbot.storage.db import Database


async def test_a_deadlocked_batch_is_run_again_and_both_writes_land(pg_server: Any) -> None:
    url = pg_server.fresh_database()
    one, two = await Database.open_url(url), await Database.open_url(url)
    try:
        await one.write(
            lambda conn: conn.execute("CREATE TABLE pair (id BIGINT PRIMARY KEY, v TEXT)")
        )
        await one.write(lambda conn: conn.execute("INSERT INTO pair VALUES (1, 'a'), (2, 'b')"))
        first_locked, second_locked = threading.Event(), threading.Event()

        def write_one(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE pair SET v = 'one' WHERE id = 1")
            first_locked.set()
            second_locked.wait(5)
            conn.execute("UPDATE pair SET v = 'one' WHERE id = 2")

        def write_two(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE pair SET v = 'two' WHERE id = 2")
            second_locked.set()
            first_locked.wait(5)
            conn.execute("UPDATE pair SET v = 'two' WHERE id = 1")

        await asyncio.gather(one.write(write_one), two.write(write_two))
        rows = await one.fetchall("SELECT v FROM pair ORDER BY id")
        assert [row["v"] for row in rows] in (["one", "one"], ["two", "two"])
    finally:
        await one.close()
        await two.close()
