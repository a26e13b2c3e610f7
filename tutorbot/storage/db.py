"""The connection layer: one group-commit writer thread, one aiosqlite reader, migrations at open.

Durability: WAL with `synchronous=FULL`, so every commit is fsynced to the WAL before the writer
acknowledges it. That survives a killed process *and* a power cut or kernel crash (NORMAL would
survive only the former). The cost, one fsync per commit, is shared by every write in a batch.

Writes never see "database is locked" inside one process: they all go through one connection
owned by one thread, and concurrent writes are queued and committed together in one
transaction (group commit). One failing write rolls back alone (the batch is redone with a
SAVEPOINT per write), and each caller's await returns only after the COMMIT that holds it.
Other processes (a backup, `tutorbot db check`, another shard) wait up to `BUSY_TIMEOUT_MS`.

Lost file: if the database file is deleted (say, with its data folder) or replaced while open,
SQLite keeps writing into the unlinked file and every write "succeeds" into nothing. So after
each group commit, before any caller is released, the writer compares the path's (st_dev,
st_ino) with the file it opened (one stat, microseconds beside the fsync). From the first
mismatch every write fails with `DatabaseLostError`, logged once; the heartbeat, a write every
30 s, finds it even when nobody clicks.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, overload

import aiosqlite

if TYPE_CHECKING:
    import psycopg

from tutorbot.storage.backend import (
    POSTGRESQL,
    SQLITE,
    Dialect,
    PgConn,
    dialect_of,
    display_url,
    has_rows,
    pg_sql,
    retryable_errors,
    row_factory,
)
from tutorbot.storage.diagnosis import check_db_path, explain_open_failure, is_environmental
from tutorbot.storage.errors import (
    DatabaseLostError,
    DatabaseUnusableError,
    MigrationError,
    StorageClosedError,
)
from tutorbot.storage.migrations import Migration, migrate, migrate_pg

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_TIMEOUT_MS = 10_000
RETRIES = 5
"""Times a PostgreSQL batch is run again after colliding with another process's transaction."""
MAX_BATCH = 1_000


def configure(conn: sqlite3.Connection) -> None:
    """The pragmas every connection gets (see the module docstring for why FULL)."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


def connect(path: Path) -> sqlite3.Connection:
    """A configured autocommit sqlite3 connection (transactions are always explicit)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    configure(conn)
    return conn


@dataclass
class _Job:
    fn: Callable[[sqlite3.Connection], Any]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():  # the caller was cancelled; the write itself still committed
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


@overload
def _run_batch(
    conn: sqlite3.Connection,
    batch: list[_Job],
    *,
    isolate: Literal[True],
    before_commit: Callable[[], None] = ...,
    retry_on: tuple[type[Exception], ...] = ...,
) -> list[tuple[bool, Any]]: ...


@overload
def _run_batch(
    conn: sqlite3.Connection,
    batch: list[_Job],
    *,
    isolate: Literal[False],
    before_commit: Callable[[], None] = ...,
    retry_on: tuple[type[Exception], ...] = ...,
) -> list[tuple[bool, Any]] | None: ...


def _run_batch(
    conn: sqlite3.Connection,
    batch: list[_Job],
    *,
    isolate: bool,
    before_commit: Callable[[], None] = lambda: None,
    retry_on: tuple[type[Exception], ...] = (),
) -> list[tuple[bool, Any]] | None:
    """Run every job in one transaction and commit it.

    Without `isolate` (the fast path: no savepoint per write) the first failing job rolls the
    whole batch back and returns None, so the caller reruns it with `isolate`, where each job
    has its own SAVEPOINT and a failure undoes only that job. Jobs are pure functions of the
    connection, so running one twice after a rollback is safe. On PostgreSQL the fast path sends
    its statements in pipeline mode (only a read waits for the server), so an error may surface
    in a later job than the one that caused it: any error there reruns the batch isolated, where
    statements run one at a time. `before_commit` may raise to
    leave the transaction open for the caller to roll back. An error of `retry_on` (PostgreSQL's
    deadlock and serialization failures) is raised as it is, for the caller to rerun the batch.
    """
    conn.execute(dialect_of(conn).begin_write)
    if isolate:
        outcomes = [_isolated(conn, job, retry_on) for job in batch]
    else:
        try:
            with _pipelined(conn):
                outcomes = [(True, job.fn(conn)) for job in batch]
            _refuse_failed(conn)
        except Exception:
            conn.execute("ROLLBACK")
            return None
    before_commit()
    _refuse_failed(conn)
    conn.execute("COMMIT")
    return outcomes


def _isolated(
    conn: sqlite3.Connection, job: _Job, retry_on: tuple[type[Exception], ...]
) -> tuple[bool, Any]:
    """Run one job in a SAVEPOINT of its own: a failure undoes only its changes."""
    conn.execute("SAVEPOINT job")
    try:
        result = job.fn(conn)
    except retry_on:
        raise  # another process's transaction collided with this batch: run it again
    except Exception as exc:
        conn.execute("ROLLBACK TO job")
        conn.execute("RELEASE job")
        return False, exc
    try:
        _refuse_failed(conn)
    except SwallowedError as exc:
        conn.execute("ROLLBACK TO job")
        conn.execute("RELEASE job")
        return False, exc
    conn.execute("RELEASE job")
    return True, result


def _pipelined(conn: sqlite3.Connection) -> AbstractContextManager[None]:
    """PostgreSQL's pipeline mode for a batch's statements (each sent without waiting for the
    one before; only reads wait, see `PgConn.pipelined`); nothing on SQLite, which has no
    round trips to save."""
    return conn.pipelined() if isinstance(conn, PgConn) else nullcontext()


class SwallowedError(RuntimeError):
    """A write caught a PostgreSQL error and returned: the server had already aborted its
    transaction, so nothing the write did can be committed."""


def _refuse_failed(conn: sqlite3.Connection) -> None:
    """Raise `SwallowedError` if a PostgreSQL transaction hit an error that no write raised
    (its COMMIT would roll it back without a word, and every caller be told "saved")."""
    if isinstance(conn, PgConn) and conn.failed:
        raise SwallowedError("a statement of this write failed but the write did not raise it")


def _optimize(conn: sqlite3.Connection) -> None:
    """`PRAGMA optimize` before closing, as SQLite advises: refreshes statistics that the
    queries run on this connection found stale. Never stops a close."""
    try:
        conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        conn.execute("PRAGMA optimize")
    except sqlite3.Error as exc:
        log.warning("PRAGMA optimize at close failed: %s", exc)


def _identity(path: Path) -> tuple[int, int] | None:
    """(st_dev, st_ino) of the file at `path` now, or None when nothing is there."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return st.st_dev, st.st_ino


def _settle_all(settled: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    for future, ok, value in settled:
        _settle(future, ok, value)


class _Writer(threading.Thread):
    """Owns the only writing connection; drains the queue into one transaction per batch.

    On SQLite `path` is the file (whose identity is checked after each commit); on PostgreSQL
    `url` names the database and there is no file to lose."""

    def __init__(self, path: Path, url: str | None = None) -> None:
        super().__init__(name=f"tutorbot-writer:{path.name}", daemon=True)
        self._path = path
        self._url = url
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.lost: DatabaseLostError | None = None
        self._opened: tuple[int, int] | None = None

    def run(self) -> None:
        conn: sqlite3.Connection
        try:
            if self._url is not None:
                conn = cast(sqlite3.Connection, PgConn.connect(self._url))
            else:
                conn = connect(self._path)
                self._opened = _identity(self._path)
        except BaseException as exc:  # reported to open() through self.error
            self.error = exc
            self.ready.set()
            return
        self.ready.set()
        try:
            self._loop(conn)
        finally:
            if self._url is None:
                _optimize(conn)
            conn.close()

    def _loop(self, conn: sqlite3.Connection) -> None:
        stopping = False
        while not stopping:
            first = self.jobs.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    job = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                batch.append(job)
            self._commit(conn, batch)

    def _commit(self, conn: sqlite3.Connection, batch: list[_Job]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        if self.lost is None:  # once lost, nothing more goes into the unlinked file
            outcomes = self._run(conn, batch)
        # Checked again after the COMMIT: no caller is told "saved" for a file that is gone.
        if self.lost is not None or self._file_is_gone():
            outcomes = self._refusals(len(batch))
        self._release(batch, outcomes)

    def _run(self, conn: sqlite3.Connection, batch: list[_Job]) -> list[tuple[bool, Any]]:
        """Run and commit the batch; roll it back instead if the file is gone before COMMIT."""

        def check_file() -> None:
            if self._file_is_gone():
                raise DatabaseLostError(*self.lost.args if self.lost else ())

        retry_on = retryable_errors() if self._url is not None else ()
        try:
            for attempt in range(1, RETRIES + 1):
                try:
                    return self._attempt(conn, batch, check_file, retry_on)
                except retry_on:
                    conn.execute("ROLLBACK")
                    if attempt == RETRIES:
                        raise
                    time.sleep(random.uniform(0.005, 0.05) * attempt)  # noqa: S311
            return []  # not reached: the last attempt returns or raises
        except DatabaseLostError:  # logged once by _file_is_gone
            conn.execute("ROLLBACK")
            return []
        except Exception as exc:  # BEGIN or COMMIT failed: nothing in the batch is durable
            log.exception("write batch of %d failed", len(batch))
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            return [(False, exc)] * len(batch)

    @staticmethod
    def _attempt(
        conn: sqlite3.Connection,
        batch: list[_Job],
        check_file: Callable[[], None],
        retry_on: tuple[type[Exception], ...],
    ) -> list[tuple[bool, Any]]:
        outcomes = _run_batch(
            conn, batch, isolate=False, before_commit=check_file, retry_on=retry_on
        )
        if outcomes is None:  # a write failed: redo the batch with one savepoint each
            outcomes = _run_batch(
                conn, batch, isolate=True, before_commit=check_file, retry_on=retry_on
            )
        return outcomes

    def _file_is_gone(self) -> bool:
        """Whether the path no longer leads to the file this writer opened; logs it once."""
        if self.lost is not None:
            return True
        if self._url is not None:  # a server's database has no file to lose
            return False
        if self._opened is not None and _identity(self._path) == self._opened:
            return False
        self.lost = DatabaseLostError(
            f"the database file {self._path} was deleted or replaced while TutorBot had it "
            "open: nothing written since is saved in it, and every write is refused until "
            "TutorBot is restarted (restore the folder from a backup first if it was deleted "
            "by mistake)"
        )
        log.error("%s", self.lost)
        return True

    def _refusals(self, n: int) -> list[tuple[bool, Any]]:
        """A fresh DatabaseLostError per caller (a shared one would pile up tracebacks)."""
        args = self.lost.args if self.lost is not None else ()
        return [(False, DatabaseLostError(*args)) for _ in range(n)]

    @staticmethod
    def _release(batch: list[_Job], outcomes: list[tuple[bool, Any]]) -> None:
        """Settle every caller's future on its own loop."""
        # One wake-up per event loop per batch, not one per write.
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], bool, Any]]] = {}
        for job, (ok, value) in zip(batch, outcomes, strict=True):
            by_loop.setdefault(job.loop, []).append((job.future, ok, value))
        for loop, settled in by_loop.items():
            loop.call_soon_threadsafe(_settle_all, settled)


class _PgReader:
    """Reads on PostgreSQL: one async psycopg connection (autocommit, so every read sees the
    latest commits), statements run one at a time as on SQLite's reader."""

    def __init__(self, conn: psycopg.AsyncConnection[Any]) -> None:
        self._conn = conn
        self.trace: Callable[[str], object] | None = None

    @classmethod
    async def connect(cls, url: str) -> _PgReader:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=row_factory)
        return cls(conn)

    async def execute_fetchall(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        if self.trace is not None:
            self.trace(sql)
        cursor = await self._conn.execute(pg_sql(sql), params)
        return await cursor.fetchall() if has_rows(cursor) else []

    async def set_trace_callback(self, callback: Callable[[str], object] | None) -> None:
        self.trace = callback

    async def close(self) -> None:
        await self._conn.close()


class Database:
    """One SQLite file, or one PostgreSQL database: `write(fn)` for transactions,
    `fetchone`/`fetchall` for reads."""

    def __init__(
        self,
        path: Path,
        writer: _Writer,
        reader: aiosqlite.Connection | _PgReader,
        url: str | None = None,
    ) -> None:
        self.path = path
        self.url = url
        """The PostgreSQL database's URL; None for SQLite."""
        self._writer = writer
        self._reader = reader
        self._closed = False
        self._trace: Callable[[str], object] | None = None

    @classmethod
    async def open(cls, path: Path, migrations: tuple[Migration, ...] | None = None) -> Database:
        """Create the parent folder, migrate to the latest schema, start the writer and reader.

        Raises `SchemaTooNewError` for a database written by newer code, and
        `DatabaseUnusableError`, with one paragraph saying why, for a path that cannot hold a
        database (a folder, under a file, not writable, a full disk, not a database).
        """
        path = Path(path)
        check_db_path(path)
        try:
            return await cls._open(path, migrations)
        except (OSError, sqlite3.Error, MigrationError) as exc:
            if isinstance(exc, MigrationError) and not is_environmental(exc):
                raise
            raise DatabaseUnusableError(explain_open_failure(path, exc)) from exc

    @classmethod
    async def _open(cls, path: Path, migrations: tuple[Migration, ...] | None) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(_migrate_file, path, migrations)
        writer = _Writer(path)
        writer.start()
        await asyncio.to_thread(writer.ready.wait)
        if writer.error is not None:
            raise writer.error
        try:
            reader = await aiosqlite.connect(path, isolation_level=None)
            reader.row_factory = sqlite3.Row
            await reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await reader.execute("PRAGMA foreign_keys = ON")
            await reader.execute("PRAGMA query_only = ON")
        except BaseException:
            writer.jobs.put(None)
            await asyncio.to_thread(writer.join)
            raise
        return cls(path, writer, reader)

    @classmethod
    async def open_url(cls, url: str, migrations: tuple[Migration, ...] | None = None) -> Database:
        """Connect to the PostgreSQL database at `url`, migrate it to the latest schema (under
        an advisory lock, so processes starting together migrate once), and start the writer
        and the reader."""
        await asyncio.to_thread(_migrate_url, url, migrations)
        path = Path(display_url(url))
        writer = _Writer(path, url)
        writer.start()
        await asyncio.to_thread(writer.ready.wait)
        if writer.error is not None:
            raise writer.error
        try:
            reader = await _PgReader.connect(url)
        except BaseException:
            writer.jobs.put(None)
            await asyncio.to_thread(writer.join)
            raise
        return cls(path, writer, reader, url)

    @property
    def dialect(self) -> Dialect:
        """The SQL dialect this database speaks (for the few constructs that differ)."""
        return SQLITE if self.url is None else POSTGRESQL

    @property
    def lost(self) -> bool:
        """Whether the file was found deleted or replaced (every write now fails)."""
        return self._writer.lost is not None

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue `fn` for the writer's transaction: await the future for its result, set once
        it is committed.

        `fn` runs on the writer thread: it must only use the connection it is given, must not
        await or block on anything else, and may be run twice (after a rollback caused by
        another write in its batch), so it must have no other side effects. If it raises,
        only its own changes roll back. Not a coroutine, though awaited like one: a burst keeps
        thousands of writes pending, and every object each keeps alive is walked again by each
        of the garbage collector's passes.
        """
        if self._closed:
            raise StorageClosedError("database is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._writer.jobs.put(_Job(fn, future, loop))
        return future

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Run a read query on the reader connection (WAL: it never waits for the writer).

        The statement runs to its end in one call on the reader's thread. A statement left
        open across an await (execute, then fetch later) would keep the connection's read
        transaction open while other reads overlap it, and under steady load every read would
        see the database as it was before the latest commits."""
        return list(await self._reader.execute_fetchall(sql, tuple(params)))

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        """The first row of a read query, or None (for lookups by key: every row is read)."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def trace(self, callback: Callable[[str], object] | None) -> None:
        """Pass every statement the writer, the reader and snapshot reads run to `callback`
        (None stops it): for diagnostics, and the tests that check each query's plan. The
        callback runs on those connections' threads."""
        self._trace = callback
        # aiosqlite passes None on to sqlite3 (which stops tracing); its stub says Callable only
        await self._reader.set_trace_callback(callback)  # type: ignore[arg-type]
        await self.write(lambda conn: conn.set_trace_callback(callback))

    async def read_snapshot(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` in a worker thread on a read connection of its own, inside one read
        transaction: a consistent snapshot, however long `fn` takes.

        For long reads (a student's whole history): neither the writer nor the shared reader
        waits for it, and `fn` may do its slow work (serialising, compressing) in the thread
        too, off the event loop. `fn` must only read.
        """
        if self._closed:
            raise StorageClosedError("database is closed")
        if self.url is not None:
            return await asyncio.to_thread(_in_pg_snapshot, self.url, fn, self._trace)
        return await asyncio.to_thread(_in_snapshot, self.path, fn, self._trace)

    async def close(self) -> None:
        """Finish queued writes, then close both connections."""
        if self._closed:
            return
        self._closed = True
        self._writer.jobs.put(None)
        await asyncio.to_thread(self._writer.join)
        await self._reader.close()


def _migrate_file(path: Path, migrations: tuple[Migration, ...] | None) -> None:
    conn = connect(path)
    try:
        applied = migrate(conn, migrations)
        if applied:
            log.info("migrated %s: applied %s", path, applied)
        if applied or not _has_statistics(conn):
            analyze(conn)
    finally:
        conn.close()


ANALYSIS_LIMIT = 1_000
"""Rows ANALYZE samples per index: statistics good enough for the planner, in milliseconds
whatever the size of the tables."""


def analyze(conn: sqlite3.Connection) -> None:
    """Give the query planner statistics (sampled, so it stays quick on big tables).

    Run when a schema change or a new file left none; `PRAGMA optimize` at each clean close
    refreshes those that went stale as tables grew."""
    conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
    conn.execute("ANALYZE")


def _has_statistics(conn: sqlite3.Connection) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
    return found is not None


def _in_snapshot(
    path: Path, fn: Callable[[sqlite3.Connection], T], trace: Callable[[str], object] | None
) -> T:
    """`fn` run on a new read-only connection inside one read transaction."""
    conn = connect(path)
    conn.set_trace_callback(trace)
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.execute("BEGIN")
        try:
            return fn(conn)
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()


def _migrate_url(url: str, migrations: tuple[Migration, ...] | None) -> None:
    conn = PgConn.connect(url)
    try:
        applied = migrate_pg(conn, migrations)
        if applied:
            log.info("migrated %s: applied %s", display_url(url), applied)
            conn.execute("ANALYZE")
    finally:
        conn.close()


def _in_pg_snapshot(
    url: str, fn: Callable[[sqlite3.Connection], T], trace: Callable[[str], object] | None
) -> T:
    """`fn` run on a new connection inside one read-only repeatable-read transaction."""
    conn = PgConn.connect(url)
    conn.set_trace_callback(trace)
    try:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            return fn(cast(sqlite3.Connection, conn))
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()
