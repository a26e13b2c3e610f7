"""The PostgreSQL test server: it starts, hands out independent databases, and goes away."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pg_server import PgServer

# The fixture, registered for this module (`pytest_plugins = ["pg_server"]` in tests/conftest.py
# registers it for every test). The module is registered before anything here imports it, so
# pytest can still rewrite its asserts: the tests below import it inside themselves.
pytest_plugins = ["pg_server"]

NEEDS_PSYCOPG = 'the PostgreSQL tests need psycopg 3: pip install "psycopg[binary]>=3.2,<4"'

TESTS = Path(__file__).parent


def test_a_fresh_database_answers_select_1(pg_server: PgServer) -> None:
    psycopg = pytest.importorskip("psycopg", reason=NEEDS_PSYCOPG)
    url = pg_server.fresh_database()
    assert url.startswith(f"postgresql://postgres@127.0.0.1:{pg_server.port}/")
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        assert conn.execute("SHOW fsync").fetchone() == ("off",)
    with psycopg.connect(pg_server.url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("tutorbot",)
    assert (pg_server.socket_dir / f".s.PGSQL.{pg_server.port}").is_socket()


def test_two_fresh_databases_are_independent(pg_server: PgServer) -> None:
    psycopg = pytest.importorskip("psycopg", reason=NEEDS_PSYCOPG)
    first, second = pg_server.fresh_database(), pg_server.fresh_database()
    assert first != second
    with psycopg.connect(first, autocommit=True) as conn:
        conn.execute("CREATE TABLE answers (id integer PRIMARY KEY)")
        conn.execute("INSERT INTO answers VALUES (1)")
    with psycopg.connect(second) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        assert tables == (0,)
    with psycopg.connect(first) as conn:
        assert conn.execute("SELECT id FROM answers").fetchall() == [(1,)]


def test_the_server_is_stopped_and_removed_after_the_session(tmp_path: Path) -> None:
    import pg_server as pg

    pg.require_bin_dir()
    pytest.importorskip("psycopg", reason=NEEDS_PSYCOPG)
    report = tmp_path / "server.json"
    (tmp_path / "test_inner.py").write_text(
        textwrap.dedent(
            f"""
            import json
            from pathlib import Path

            import psycopg

            pytest_plugins = ["pg_server"]


            def test_uses_the_server(pg_server):
                with psycopg.connect(pg_server.fresh_database()) as conn:
                    assert conn.execute("SELECT 1").fetchone() == (1,)
                assert pg_server.directory.is_dir()
                Path({str(report)!r}).write_text(
                    json.dumps({{"pid": pg_server.pid, "directory": str(pg_server.directory)}})
                )
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", tmp_path],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    server = json.loads(report.read_text())
    assert server["pid"] > 0
    assert not pg.process_alive(server["pid"])
    assert not Path(server["directory"]).exists()


def test_no_binaries_skips_with_how_to_enable_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pg_server as pg

    monkeypatch.delenv(pg.REQUIRE_ENV, raising=False)
    assert pg.find_bin_dir(tmp_path, path=str(tmp_path)) is None
    with pytest.raises(pytest.skip.Exception, match="apt-get install postgresql"):
        pg.require_bin_dir(tmp_path, path=str(tmp_path))
    assert "put initdb and pg_ctl on PATH" in pg.HOW_TO_ENABLE


def test_no_binaries_fails_when_they_are_required(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pg_server as pg

    monkeypatch.setenv(pg.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="install PostgreSQL's server"):
        pg.require_bin_dir(tmp_path, path=str(tmp_path))


def test_the_newest_installed_version_is_chosen(tmp_path: Path) -> None:
    import pg_server as pg

    for version in ("9.6", "15", "16", "100-broken"):
        bin_dir = tmp_path / version / "bin"
        bin_dir.mkdir(parents=True)
        names = (
            ("initdb", "pg_ctl") if version == "100-broken" else ("initdb", "pg_ctl", "postgres")
        )
        for name in names:
            (bin_dir / name).write_text("#!/bin/sh\n")
            (bin_dir / name).chmod(0o755)
    assert pg.find_bin_dir(tmp_path, path="") == tmp_path / "16" / "bin"


def test_a_migrated_database_holds_the_latest_schema_and_is_its_own(pg_server: PgServer) -> None:
    psycopg = pytest.importorskip("psycopg", reason=NEEDS_PSYCOPG)
    from tutorbot.storage.migrations import latest_version

    first, second = pg_server.migrated_database(), pg_server.migrated_database()
    assert first != second
    with psycopg.connect(first, autocommit=True) as conn:
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone() == (
            latest_version(),
        )
        conn.execute("INSERT INTO meta (key, value, updated_at) VALUES ('mine', 'first', 'now')")
    with psycopg.connect(second) as conn:
        assert conn.execute("SELECT count(*) FROM meta WHERE key = 'mine'").fetchone() == (0,)


def test_a_dropped_database_is_gone_even_with_a_connection_left_open(pg_server: PgServer) -> None:
    psycopg = pytest.importorskip("psycopg", reason=NEEDS_PSYCOPG)
    url = pg_server.migrated_database()
    left_open = psycopg.connect(url)
    try:
        pg_server.drop_database(url)
        name = url.rsplit("/", 1)[1]
        assert pg_server.sql(f"SELECT count(*) FROM pg_database WHERE datname = '{name}'") == "0"
    finally:
        left_open.close()


def test_a_released_database_comes_back_as_the_template_left_it(pg_server: PgServer) -> None:
    psycopg = pytest.importorskip("psycopg", reason=NEEDS_PSYCOPG)
    url = pg_server.migrated_database()
    with psycopg.connect(url, autocommit=True) as conn:
        before = conn.execute("SELECT * FROM meta ORDER BY key").fetchall()
        conn.execute("INSERT INTO users (id, created_at, last_seen_at) VALUES (7, 'then', 'then')")
        conn.execute("UPDATE meta SET value = 'changed'")
        conn.execute("INSERT INTO timers (kind, key, due_at, payload, created_at) VALUES "
                     "('remind', 'k', 'then', '{}', 'then')")  # fmt: skip
    pg_server.release_database(url)
    again = pg_server.migrated_database()
    assert again == url  # the same database, emptied: no copy was needed
    with psycopg.connect(again, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (0,)
        assert conn.execute("SELECT * FROM meta ORDER BY key").fetchall() == before
        row = conn.execute(
            "INSERT INTO timers (kind, key, due_at, payload, created_at) VALUES "
            "('remind', 'k', 'then', '{}', 'then') RETURNING id"
        ).fetchone()
        assert row == (1,)  # ids start again at 1
    pg_server.release_database(again)


def test_a_released_database_still_in_use_is_dropped(pg_server: PgServer) -> None:
    psycopg = pytest.importorskip("psycopg", reason=NEEDS_PSYCOPG)
    url = pg_server.migrated_database()
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url, autocommit=True):
        pg_server.release_database(url)
        assert pg_server.sql(f"SELECT count(*) FROM pg_database WHERE datname = '{name}'") == "0"
    assert pg_server.migrated_database() != url
