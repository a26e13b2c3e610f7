"""Every startup failure an admin can fix is one clear paragraph and exit 1 or 2, never a
traceback and never "check the network": run as the admin would, `tutorbot ...` in a subprocess.

Full disk is a real one: a 256 KiB tmpfs filled to the last byte (skipped where tmpfs cannot be
mounted), and a file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored) that runs everywhere.
Read-only is real too although tests run as root: the subprocess loses the capabilities that let
root ignore permission bits (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER), so chmod binds it.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import re
import resource
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fakediscord import FakeDiscord

from tutorbot.settings import BUNDLED_CONTENT_DIR
from tutorbot.storage.db import connect
from tutorbot.storage.migrations import migrate

UNREACHABLE = "http://127.0.0.1:9/api/v10"  # nothing listens there
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ", re.MULTILINE)
PR_CAPBSET_DROP = 24
DAC_CAPABILITIES = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
    env.update(
        TUTORBOT_DB_PATH=str(tmp_path / "data" / "bot.sqlite3"),
        TUTORBOT_CONTENT_DIR=str(BUNDLED_CONTENT_DIR),
        TUTORBOT_DISCORD_TOKEN="not-a-real-token",
        TUTORBOT_DISCORD_API_URL=UNREACHABLE,
    )
    env.update(extra)
    return env


def _fake_env(tmp_path: Path, fake: FakeDiscord, **extra: str) -> dict[str, str]:
    """`_env` with the bot pointed at the fake Discord."""
    return _env(
        tmp_path,
        TUTORBOT_DISCORD_TOKEN=fake.token,
        TUTORBOT_DISCORD_API_URL=fake.api_url,
        TUTORBOT_DISCORD_GATEWAY_URL=fake.gateway_url,
        **extra,
    )


def tutorbot(
    tmp_path: Path,
    *args: str,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`tutorbot ARGS` as an admin runs it, in `tmp_path`, with no input."""
    return subprocess.run(
        [sys.executable, "-m", "tutorbot", *args],
        env=env if env is not None else _env(tmp_path),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=preexec_fn,
    )


def one_paragraph(result: subprocess.CompletedProcess[str], *codes: int) -> str:
    """What the command said besides log lines: exactly one paragraph, no traceback."""
    said = result.stdout + result.stderr
    assert "Traceback" not in said, said
    assert "Check the network" not in said, said
    assert result.returncode in codes, (result.returncode, said)
    text = "\n".join(line for line in said.splitlines() if not LOG_LINE.match(line)).strip()
    assert text and "\n\n" not in text, said
    return text


def _without_root_powers() -> None:
    """preexec_fn: drop what lets root ignore permission bits, so chmod binds the child."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in DAC_CAPABILITIES:
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _file_size_limit() -> None:
    """preexec_fn: no file may grow past 16 KiB (a full disk, as SQLite sees it)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))


unprivileged = _without_root_powers if os.geteuid() == 0 else None


# -- the database ---------------------------------------------------------------------------


def _garbage(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "bot.sqlite3"
    db.parent.mkdir()
    db.write_bytes(b"these are not the pages of a database " * 100)
    return db


def _directory(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "bot.sqlite3"
    db.mkdir(parents=True)
    return db


def _parent_is_a_file(tmp_path: Path) -> Path:
    (tmp_path / "data").write_text("a file where the folder should be\n")
    return tmp_path / "data" / "bot.sqlite3"


def _name_too_long(tmp_path: Path) -> Path:
    return tmp_path / "data" / ("x" * 300 + ".sqlite3")


DB_CASES = {
    "garbage": (_garbage, "is not a database"),
    "directory": (_directory, "is a folder"),
    "parent is a file": (_parent_is_a_file, "is a file, not a folder"),
    "name too long": (_name_too_long, "too long"),
}


@pytest.mark.parametrize(
    ("case", "command"),
    [*((case, ("run",)) for case in DB_CASES), ("garbage", ("console",))],
)
def test_an_unusable_database_is_one_paragraph(
    tmp_path: Path, case: str, command: tuple[str, ...]
) -> None:
    make, expected = DB_CASES[case]
    db = make(tmp_path)
    text = one_paragraph(
        tutorbot(tmp_path, *command, env=_env(tmp_path, TUTORBOT_DB_PATH=str(db))), 1
    )
    assert expected in text
    assert str(db) in text or str(db.parent) in text


@pytest.mark.parametrize("case", list(DB_CASES))
@pytest.mark.parametrize("command", [("db", "check"), ("healthcheck",)])
def test_the_admin_tools_say_the_same_in_one_paragraph(
    tmp_path: Path, case: str, command: tuple[str, ...]
) -> None:
    make, _ = DB_CASES[case]
    db = make(tmp_path)
    one_paragraph(tutorbot(tmp_path, *command, env=_env(tmp_path, TUTORBOT_DB_PATH=str(db))), 1)


def test_in_memory_database_path_is_refused(tmp_path: Path) -> None:
    text = one_paragraph(
        tutorbot(tmp_path, "run", env=_env(tmp_path, TUTORBOT_DB_PATH=":memory:")), 1
    )
    assert "TUTORBOT_DB_PATH" in text and "memory" in text


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs with every byte taken."""
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here ({exc}); the file-size-limit test covers it")
    try:
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:  # ENOSPC: full
            pass
        finally:
            os.close(fd)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize("command", [("run",), ("console",)])
def test_a_database_on_a_full_disk_is_one_paragraph(
    tmp_path: Path, full_disk: Path, command: tuple[str, ...]
) -> None:
    db = full_disk / "data" / "bot.sqlite3"
    text = one_paragraph(
        tutorbot(tmp_path, *command, env=_env(tmp_path, TUTORBOT_DB_PATH=str(db))), 1
    )
    assert "disk" in text and "full" in text
    assert str(db) in text


def test_a_database_past_the_file_size_limit_is_one_paragraph(tmp_path: Path) -> None:
    text = one_paragraph(tutorbot(tmp_path, "run", preexec_fn=_file_size_limit), 1)
    assert "disk" in text and "full" in text


def _read_only(tmp_path: Path, *, with_database: bool) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    db = data / "bot.sqlite3"
    if with_database:
        conn = connect(db)
        migrate(conn)
        conn.execute("PRAGMA journal_mode = DELETE")  # no -wal or -shm left beside it
        conn.close()
        db.chmod(0o444)
    data.chmod(0o555)
    probe = subprocess.run(
        [sys.executable, "-c", f"open({str(data / 'probe')!r}, 'w')"],
        preexec_fn=unprivileged,
        capture_output=True,
        text=True,
    )
    assert "PermissionError" in probe.stderr, "the child can still write: the test is void"
    return db


@pytest.mark.parametrize(
    ("with_database", "command"),
    [(False, ("run",)), (True, ("run",)), (True, ("console",))],
    ids=["new", "existing", "existing-console"],
)
def test_a_read_only_database_is_one_paragraph(
    tmp_path: Path, with_database: bool, command: tuple[str, ...]
) -> None:
    db = _read_only(tmp_path, with_database=with_database)
    try:
        result = tutorbot(tmp_path, *command, preexec_fn=unprivileged)
        text = one_paragraph(result, 1)
        assert "not writable" in text
        assert str(db) in text or str(db.parent) in text
    finally:
        db.parent.chmod(0o755)


# -- settings -----------------------------------------------------------------------------


def test_a_dev_guild_id_that_is_not_a_number_is_one_paragraph_everywhere(tmp_path: Path) -> None:
    env = _env(tmp_path, TUTORBOT_DEV_GUILD_ID="my-server")
    for command in (("run",), ("console",), ("db", "check"), ("content", "check")):
        text = one_paragraph(tutorbot(tmp_path, *command, env=env), 2)
        assert "TUTORBOT_DEV_GUILD_ID" in text and "my-server" in text
    # Docker reads exit 2 of a health check as "reserved": it says unhealthy with 1.
    text = one_paragraph(tutorbot(tmp_path, "healthcheck", env=env), 1)
    assert text.startswith("unhealthy") and "TUTORBOT_DEV_GUILD_ID" in text


def test_an_unknown_log_level_is_one_paragraph(tmp_path: Path) -> None:
    env = _env(tmp_path, TUTORBOT_LOG_LEVEL="LOUD")
    for command in (("run",), ("sync",)):
        text = one_paragraph(tutorbot(tmp_path, *command, env=env), 2)
        assert "TUTORBOT_LOG_LEVEL" in text and "LOUD" in text and "INFO" in text


def test_a_lower_case_log_level_is_fine(tmp_path: Path) -> None:
    result = tutorbot(tmp_path, "run", env=_env(tmp_path, TUTORBOT_LOG_LEVEL="warning"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"Could not reach {UNREACHABLE}" in result.stderr
    assert "TUTORBOT_LOG_LEVEL" not in result.stderr


def test_a_dotenv_that_is_not_utf8_is_one_paragraph(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"TUTORBOT_LOG_LEVEL=INFO\n# caf\xe9 au lait\n")
    for command, code in ((("run",), 2), (("console",), 2), (("healthcheck",), 1)):
        text = one_paragraph(tutorbot(tmp_path, *command), code)
        assert ".env" in text and "UTF-8" in text and "line 2" in text


async def test_a_dev_guild_the_bot_is_not_in_is_one_paragraph(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    env = _fake_env(tmp_path, fake_discord, TUTORBOT_DEV_GUILD_ID="123456789012345678")
    for command in ("run", "sync"):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tutorbot", command, env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        result = subprocess.CompletedProcess(
            [command], proc.returncode or 0, out.decode(), err.decode()
        )
        text = one_paragraph(result, 1)
        assert "TUTORBOT_DEV_GUILD_ID" in text and "123456789012345678" in text


# -- a second bot on the same database ----------------------------------------------------


async def test_a_second_run_on_the_same_database_is_refused_and_names_the_first(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    env = _fake_env(tmp_path, fake_discord)

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tutorbot", "run", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip

    first = await start()
    try:
        await fake_discord.wait_ready(timeout=30)
        second = await asyncio.to_thread(tutorbot, tmp_path, "run", env=env)
        text = one_paragraph(second, 1)
        assert f"pid {first.pid}" in text and socket.gethostname() in text
        assert str(tmp_path / "data" / "bot.sqlite3") in text

        # The console may share the database with the running bot.
        console = await asyncio.to_thread(tutorbot, tmp_path, "console", env=env)
        assert console.returncode == 0, console.stderr

        # A bot killed outright leaves no lock behind: the next one starts.
        first.kill()
        await first.wait()
        seen = len(fake_discord.requests)
        third = await start()
        try:
            await fake_discord.wait_for_request("GET", "/users/@me", timeout=30, after=seen)
            third.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(third.wait(), timeout=15) == 0
        finally:
            if third.returncode is None:
                third.kill()
                await third.wait()
    finally:
        if first.returncode is None:
            first.kill()
            await first.wait()
