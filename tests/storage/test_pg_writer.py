"""The writer on PostgreSQL, where several processes write at once: a batch that deadlocks
with another process's is run again, and both land. A batch's statements are pipelined (sent
without waiting for each reply): reads still see the writes before them, and a write that
swallows a database error is refused rather than committed as nothing."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from tutorbot.storage.backend import integrity_errors
from tutorbot.storage.db import Database, SwallowedError


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


async def test_a_write_that_swallows_its_error_is_not_told_saved_and_its_batch_lands(
    pg_server: Any,
) -> None:
    # On PostgreSQL a failed statement aborts the transaction: a write that catches the error
    # and returns would otherwise turn the batch's COMMIT into a silent ROLLBACK.
    db = await Database.open_url(pg_server.fresh_database())
    try:
        await db.write(lambda conn: conn.execute("CREATE TABLE t (id BIGINT PRIMARY KEY)"))
        await db.write(lambda conn: conn.execute("INSERT INTO t VALUES (0)"))

        def swallowing(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO t VALUES (100)")
            try:
                conn.execute("INSERT INTO t VALUES (0)").rowcount  # noqa: B018 (waits for it)
            except integrity_errors():
                pass

        def plain(i: int) -> Callable[[sqlite3.Connection], object]:
            return lambda conn: conn.execute("INSERT INTO t VALUES (?)", (i,))

        results = await asyncio.gather(
            *(db.write(plain(i)) for i in range(1, 21)),
            db.write(swallowing),
            *(db.write(plain(i)) for i in range(21, 41)),
            return_exceptions=True,
        )
        assert isinstance(results[20], SwallowedError)
        assert not any(isinstance(r, BaseException) for r in results[:20] + results[21:])
        rows = await db.fetchall("SELECT id FROM t ORDER BY id")
        assert [row["id"] for row in rows] == list(range(41))
    finally:
        await db.close()


async def test_reads_inside_a_batch_see_the_writes_before_them(pg_server: Any) -> None:
    # The batch's statements are pipelined: a read still answers after every earlier write.
    db = await Database.open_url(pg_server.fresh_database())
    try:
        await db.write(lambda conn: conn.execute("CREATE TABLE c (k TEXT PRIMARY KEY, n INT)"))

        def bump(conn: sqlite3.Connection) -> tuple[int, int]:
            changed = conn.execute(
                "INSERT INTO c VALUES ('k', 1) ON CONFLICT (k) DO UPDATE SET n = c.n + 1"
            ).rowcount
            row = conn.execute("SELECT n FROM c WHERE k = 'k'").fetchone()
            return changed, row["n"]

        results = await asyncio.gather(*(db.write(bump) for _ in range(50)))
        assert sorted(n for _, n in results) == list(range(1, 51))
        assert all(changed == 1 for changed, _ in results)
    finally:
        await db.close()
