"""A throwaway PostgreSQL server for a benchmark run, started like the tests' one.

The logic is `tests/pg_server.py`'s (initdb into a temporary directory, `pg_ctl -w`, a free
port on 127.0.0.1, the `postgres` user when run as root, stopped and removed afterwards): this
module imports it with `tests/` put on `sys.path`, as `interactions.py` does for the fake
Discord. One difference: the tests switch durability off, and a benchmark must not, so
`durable=True` (the default) turns `fsync`, `synchronous_commit` and `full_page_writes` back on
once the server runs, making its commits as durable as SQLite's `synchronous=FULL`.

    with pg_server() as server:
        url = server.fresh_database()
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from pg_server import HOW_TO_ENABLE, PgServer, find_bin_dir, running_server

DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}

__all__ = ["PgServer", "pg_server"]


@contextlib.contextmanager
def pg_server(*, durable: bool = True) -> Iterator[PgServer]:
    """A started server with the database `tutorbot` (and `fresh_database()` for more), durable
    unless told otherwise; stopped and its directory removed after. Exits with the way to get
    PostgreSQL's binaries when there are none."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise SystemExit(HOW_TO_ENABLE)
    with running_server(bin_dir) as server:
        if durable:
            for name, value in DURABLE.items():
                server.sql(f"ALTER SYSTEM SET {name} = {value}")
            server.sql("SELECT pg_reload_conf()")
        yield server


def setting(server: PgServer, name: str) -> str:
    """One of the running server's settings, as `SHOW` prints it."""
    return server.sql(f"SHOW {name}")
