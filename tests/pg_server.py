"""A real PostgreSQL server for the tests, started from the installed server binaries.

`pg_server` (session scope) runs `initdb` into a temporary directory, starts the server with
`pg_ctl -w`, listening only on 127.0.0.1 (a free port) and on a unix socket in that directory,
creates the database `tutorbot`, and at the end stops the server and removes the directory.
Durability is switched off (`fsync=off` and friends): the data is thrown away anyway.

Binaries are looked for in `/usr/lib/postgresql/<version>/bin` (the newest version wins), then
on PATH. Where there are none, a test that asks for `pg_server` is skipped with a message saying
how to get them; with `TUTORBOT_REQUIRE_PG=1` (CI, once it has installed them) it fails instead.
PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user, which owns
the temporary directory.

Use it from any test (once `tests/conftest.py` imports it):

    def test_something(pg_server: PgServer) -> None:
        url = pg_server.fresh_database()  # postgresql://postgres@127.0.0.1:PORT/t_1, empty

`migrated_database()` gives one with TutorBot's schema already in it (a copy of a template
migrated once per session); `release_database(url)` gives it back when the test is done, to be
emptied for the next one (cheaper than a new copy), and `drop_database(url)` removes one.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tutorbot.storage.backend import PgConn
from tutorbot.storage.migrations import migrate_pg

if TYPE_CHECKING:
    import psycopg

SEARCH_ROOT = Path("/usr/lib/postgresql")
HOW_TO_ENABLE = (
    "PostgreSQL tests need PostgreSQL's server binaries (initdb, pg_ctl, postgres): "
    "install PostgreSQL's server: apt-get install postgresql, or put initdb and pg_ctl on PATH"
)
REQUIRE_ENV = "TUTORBOT_REQUIRE_PG"
SERVER_USER = "postgres"
DATABASE = "tutorbot"
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30
PORT_ATTEMPTS = 3

# Test settings only: nothing here survives a crash, and nothing needs to.
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
    "logging_collector": "off",
}


class PgStartError(RuntimeError):
    """The binaries are there but the server would not start (the message quotes its log)."""


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)


def find_bin_dir(search_root: Path | None = None, path: str | None = None) -> Path | None:
    """The folder holding initdb, pg_ctl and postgres: the newest under `search_root` (default
    SEARCH_ROOT), else the one PATH (`path`, default the environment's) leads to; None when
    there is none."""
    needed = ("initdb", "pg_ctl", "postgres")
    search_root = SEARCH_ROOT if search_root is None else search_root
    candidates = sorted(search_root.glob("*/bin"), key=_version_key, reverse=True)
    for bin_dir in candidates:
        if all(os.access(bin_dir / name, os.X_OK) for name in needed):
            return bin_dir
    pg_ctl = shutil.which("pg_ctl", path=path)
    if pg_ctl is None or shutil.which("initdb", path=path) is None:
        return None
    bin_dir = Path(pg_ctl).resolve().parent  # postgres sits beside the real pg_ctl
    return bin_dir if os.access(bin_dir / "postgres", os.X_OK) else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def process_alive(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


_SHAPE = """
SELECT c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = current_schema()
"""
"""Every table, index, sequence and view of the database's schema, with its columns."""

_TABLES = (
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"
)

_OTHER_CONNECTIONS = (
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)

_RESTART_SEQUENCES = """
DO $$
DECLARE seq regclass;
BEGIN
    FOR seq IN
        SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'S'
    LOOP
        EXECUTE format('ALTER SEQUENCE %s RESTART', seq);
    END LOOP;
END $$
"""

CLOSING_WAIT_S = 1.0
"""How long a released database may still show connections (a backend exits a moment after
its client hangs up) before it is dropped rather than emptied."""


@dataclass(frozen=True)
class Template:
    """The migrated database the tests' databases are copied from, and what it holds: its
    schema's shape (to tell that a database given back still has it) and its rows (the
    migrations' own: the ledger, and a `meta` row), to put back when one is emptied."""

    name: str
    shape: frozenset[tuple[Any, ...]]
    rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]]

    @classmethod
    def read(cls, url: str) -> Template:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            shape = frozenset(conn.execute(_SHAPE).fetchall())
            rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
            for (table,) in conn.execute(_TABLES).fetchall():
                cursor = conn.execute(f'SELECT * FROM "{table}"')
                found = cursor.fetchall()
                if found:
                    rows[table] = ([d.name for d in cursor.description or ()], found)
        return cls(url.rsplit("/", 1)[1], shape, rows)

    def reset(self, url: str) -> bool:
        """Empty the database at `url` back to this template's rows, in one transaction;
        False (nothing changed) when a connection to it is still open or its shape differs."""
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            if not _alone(conn) or frozenset(conn.execute(_SHAPE).fetchall()) != self.shape:
                return False
            with conn.transaction():
                conn.execute("SET LOCAL lock_timeout = '5s'")
                conn.execute("SET LOCAL session_replication_role = replica")  # no FK checks
                for (table,) in conn.execute(_TABLES).fetchall():
                    conn.execute(f'DELETE FROM "{table}"')
                for table, (columns, found) in self.rows.items():
                    names = ", ".join(f'"{c}"' for c in columns)
                    marks = ", ".join(["%s"] * len(columns))
                    conn.cursor().executemany(
                        f'INSERT INTO "{table}" ({names}) OVERRIDING SYSTEM VALUE VALUES ({marks})',
                        found,
                    )
                conn.execute(_RESTART_SEQUENCES)
        return True


def _alone(conn: psycopg.Connection[Any]) -> bool:
    """Whether `conn` is the only connection to its database, waiting a moment for the
    backends of connections just closed to exit."""
    deadline = time.monotonic() + CLOSING_WAIT_S
    while True:
        row = conn.execute(_OTHER_CONNECTIONS).fetchone()
        if row is not None and row[0] == 0:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


@dataclass
class PgServer:
    """A running server: `url` names its database `tutorbot`; `fresh_database()` makes more."""

    bin_dir: Path
    directory: Path
    port: int
    user: str | None  # the account the server runs as, when it is not the current one
    pid: int = 0
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)
    _template: Template | None = field(default=None, repr=False)
    _released: list[str] = field(default_factory=list, repr=False)
    _admin_conn: psycopg.Connection[Any] | None = field(default=None, repr=False)
    _strategy: str = field(default="", repr=False)

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def log_file(self) -> Path:
        return self.directory / "server.log"

    @property
    def socket_dir(self) -> Path:
        return self.directory

    @property
    def url(self) -> str:
        return self.url_of(DATABASE)

    def url_of(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def fresh_database(self) -> str:
        """A new empty database (from template0) on this server; its URL."""
        return self._copy_of("template0")

    def migrated_database(self) -> str:
        """A database holding TutorBot's schema at the latest migration (and its statistics),
        and nothing else, as the bot's first start would leave it; its URL.

        It is a copy of a template migrated once per session, or one a test gave back with
        `release_database` and that was emptied since: a test pays neither for a migration nor
        (mostly) for a copy."""
        if self._template is None:
            self._template = self._migrated_template()
        if self._released:
            return self._released.pop()
        return self._copy_of(self._template.name)

    def release_database(self, url: str) -> None:
        """Give back a database from `migrated_database` once a test is done with it: emptied
        back to the template's rows (its sequences restarted) for the next test, or dropped
        when that cannot be done safely (a connection is still open to it, or its schema is no
        longer the template's)."""
        if self._template is not None and self._template.reset(url):
            self._released.append(url)
        else:
            self.drop_database(url)

    def drop_database(self, url: str) -> None:
        """Drop a database made by `fresh_database` or `migrated_database` (connections to it
        still open are ended)."""
        name = url.rsplit("/", 1)[1]
        self._admin().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _copy_of(self, template: str) -> str:
        name = f"t_{next(self._names)}"
        self._admin().execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{self._strategy}')
        return self.url_of(name)

    def _migrated_template(self) -> Template:
        url = self._copy_of("template0")
        conn = PgConn.connect(url)
        try:
            migrate_pg(conn)
            conn.execute("ANALYZE")
        finally:
            conn.close()  # a template is copied only while nobody is connected to it
        return Template.read(url)

    def _admin(self) -> psycopg.Connection[Any]:
        """A connection to the `postgres` database, for creating and dropping databases."""
        if self._admin_conn is None or self._admin_conn.closed:
            import psycopg  # here, so that the plugin loads (and skips) without it

            self._admin_conn = psycopg.connect(self.url_of("postgres"), autocommit=True)
            version = self._admin_conn.execute("SHOW server_version_num").fetchone()
            # From 15 on, the default strategy writes the copy to the WAL block by block;
            # copying the files is several times quicker for the tests' small databases.
            if version is not None and int(version[0]) >= 150000:
                self._strategy = " STRATEGY FILE_COPY"
        return self._admin_conn

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one statement through psql over TCP; its unaligned output."""
        psql = self.bin_dir / "psql"
        program = str(psql) if psql.exists() else (shutil.which("psql") or "psql")
        argv = [program, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        argv += ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database]
        done = subprocess.run(
            [*argv, "-c", statement], capture_output=True, text=True, timeout=60, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql {statement!r} failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def _run(self, argv: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
        """Run a server program as the server's user, in its directory."""
        if self.user is not None:
            if shutil.which("runuser"):
                argv = ["runuser", "-u", self.user, "--", *argv]
            else:
                argv = ["su", self.user, "-s", "/bin/sh", "-c", " ".join(map(_quote, argv))]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")
        return subprocess.run(
            argv,
            cwd=self.directory,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def _pg_ctl(self, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
        return self._run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), *args], timeout)

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def init(self) -> None:
        done = self._run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            timeout=120,
        )
        if done.returncode != 0:
            raise PgStartError(f"initdb failed:\n{done.stdout}{done.stderr}")

    def start(self) -> None:
        """Configure the port and sockets and start the server; wait until it accepts."""
        settings = {
            **SETTINGS,
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'",
        }
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# tests/pg_server.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        done = self._pg_ctl(
            "-l", str(self.log_file), "-w", "-t", str(START_TIMEOUT_S), "start",
            timeout=START_TIMEOUT_S + 10,
        )  # fmt: skip
        if done.returncode != 0:
            raise PgStartError(
                f"pg_ctl start failed on port {self.port}:\n{done.stdout}{done.stderr}\n"
                f"server log:\n{self._log_tail()}"
            )
        self.pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        """Stop the server (fast, then by signal if it lingers); safe to call twice, and after
        a start that failed half-way."""
        if self._admin_conn is not None:
            self._admin_conn.close()
        if not self.pid:
            with contextlib.suppress(OSError, ValueError, IndexError):
                self.pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        if self.pid and process_alive(self.pid):
            self._pg_ctl("-m", "fast", "-w", "-t", str(STOP_TIMEOUT_S), "stop", timeout=60)
            deadline = time.monotonic() + STOP_TIMEOUT_S
            while process_alive(self.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if process_alive(self.pid):  # the postmaster this object started, by its pid
                os.kill(self.pid, signal.SIGKILL)

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


def server_user() -> str | None:
    """The account to run the server as: `postgres` when we are root, else None (ourselves)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PgStartError(
            f"running as root, and PostgreSQL refuses to run as root, but there is no "
            f"{SERVER_USER!r} user to run it as (apt-get install postgresql creates one)"
        ) from None
    if shutil.which("runuser") is None and shutil.which("su") is None:
        raise PgStartError("running as root, and neither runuser nor su is there to drop it")
    return SERVER_USER


def _make_directory(user: str | None) -> Path:
    directory = Path(tempfile.mkdtemp(prefix="tutorbot-pg-"))
    if user is not None:
        account = pwd.getpwnam(user)
        os.chown(directory, account.pw_uid, account.pw_gid)
    return directory


@contextlib.contextmanager
def running_server(bin_dir: Path) -> Iterator[PgServer]:
    """A started server with the database `tutorbot`; stopped and its directory removed after
    (also at interpreter exit, should the caller never get there)."""
    user = server_user()
    directory = _make_directory(user)
    server = PgServer(bin_dir=bin_dir, directory=directory, port=free_port(), user=user)

    def cleanup() -> None:
        try:
            server.stop()
        finally:
            server.remove()

    atexit.register(cleanup)
    try:
        server.init()
        for attempt in range(PORT_ATTEMPTS):  # another process may take the port meanwhile
            try:
                server.start()
                break
            except PgStartError:
                if attempt == PORT_ATTEMPTS - 1:
                    raise
                server.port = free_port()
        server.sql(f'CREATE DATABASE "{DATABASE}"')
        yield server
    finally:
        cleanup()
        atexit.unregister(cleanup)


def require_bin_dir(search_root: Path | None = None, path: str | None = None) -> Path:
    """The server binaries' folder; skips the test (fails it under TUTORBOT_REQUIRE_PG=1)
    with the way to install them when there are none."""
    bin_dir = find_bin_dir(search_root, path)
    if bin_dir is not None:
        return bin_dir
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but no server binaries were found. {HOW_TO_ENABLE}")
    pytest.skip(HOW_TO_ENABLE)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL server for the whole test session (see the module docstring)."""
    with running_server(require_bin_dir()) as server:
        yield server
