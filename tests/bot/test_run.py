"""`tutorbot run` as a black box: no token, login through the fake, health, and a clean stop."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from fakediscord import FakeDiscord

from tutorbot.settings import BUNDLED_CONTENT_DIR
from tutorbot.storage.backend import is_database_url


def _env(tmp_path: Path, database: Path | str | None = None, **extra: str) -> dict[str, str]:
    """The environment an admin would set: the database is an SQLite file (by default
    `data/bot.sqlite3`) or a PostgreSQL URL (`TUTORBOT_DATABASE_URL`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
    env.update(
        TUTORBOT_DB_PATH=str(tmp_path / "data" / "bot.sqlite3"),
        TUTORBOT_CONTENT_DIR=str(BUNDLED_CONTENT_DIR),
    )
    if isinstance(database, str) and is_database_url(database):
        env.update(TUTORBOT_DATABASE_URL=database)
    elif database is not None:
        env.update(TUTORBOT_DB_PATH=str(database))
    env.update(extra)
    return env


def test_run_without_token_explains_what_to_set(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tutorbot", "run"],
        env=_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "TUTORBOT_DISCORD_TOKEN" in result.stderr
    assert ".env" in result.stderr
    assert "tutorbot console" in result.stderr
    assert "Traceback" not in result.stderr


def test_healthcheck_without_a_running_bot_is_unhealthy(
    tmp_path: Path, database: Path | str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tutorbot", "healthcheck"],
        env=_env(tmp_path, database),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "unhealthy" in result.stdout


async def test_run_logs_in_answers_and_stops_cleanly_on_sigterm(
    fake_discord: FakeDiscord, tmp_path: Path, database: Path | str
) -> None:
    secret = fake_discord.token
    env = _env(
        tmp_path,
        database,
        TUTORBOT_DISCORD_TOKEN=secret,
        TUTORBOT_DISCORD_API_URL=fake_discord.api_url,
        TUTORBOT_DISCORD_GATEWAY_URL=fake_discord.gateway_url,
        TUTORBOT_LOG_LEVEL="DEBUG",
    )
    log = tmp_path / "bot.log"
    with log.open("w") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tutorbot", "run", env=env, cwd=tmp_path, stdout=out, stderr=out
        )
        try:
            await fake_discord.wait_ready(timeout=30)
            await fake_discord.wait_for_request("PUT", r"/applications/\d+/commands", timeout=30)
            i = await fake_discord.slash("topic", {"topic": "counting-to-10"}, fake_discord.student)
            cb = await fake_discord.wait_response(i)
            assert cb.embeds[0]["title"] == "Counting to 10"

            # The bot records its heartbeat once discord.py reports it ready.
            for _ in range(50):
                health = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "tutorbot", "healthcheck", env=env, cwd=tmp_path,
                    stdout=asyncio.subprocess.PIPE,
                )  # fmt: skip
                stdout, _ = await health.communicate()
                if health.returncode == 0:
                    break
                await asyncio.sleep(0.2)
            assert health.returncode == 0, stdout

            proc.send_signal(signal.SIGTERM)  # stops within Docker's 10 s stop grace period
            code = await asyncio.wait_for(proc.wait(), timeout=10)
            assert code == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    text = log.read_text()
    assert "Traceback" not in text
    assert secret not in text
    assert fake_discord.rejections == []


async def test_restart_does_not_sync_an_unchanged_tree(
    fake_discord: FakeDiscord, start_bot: object
) -> None:
    async with start_bot():  # type: ignore[operator]
        pass
    async with start_bot():  # type: ignore[operator]
        pass
    assert fake_discord.sync_calls[None] == 1


def test_run_with_broken_content_names_the_errors_before_connecting(tmp_path: Path) -> None:
    broken = tmp_path / "content"
    broken.mkdir()
    (broken / "a.yaml").write_text("id: a\ntitle: A\ncore_idea: x\nprerequisites: [nope]\n")
    env = _env(
        tmp_path,
        TUTORBOT_DISCORD_TOKEN="not-a-real-token",
        TUTORBOT_CONTENT_DIR=str(broken),
        TUTORBOT_DISCORD_API_URL="http://127.0.0.1:9/api/v10",  # nothing listens there
    )
    result = subprocess.run(
        [sys.executable, "-m", "tutorbot", "run"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "The content folder has errors" in result.stderr
    assert "a.yaml" in result.stderr and "nope" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_when_discord_cannot_be_reached_says_so(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        TUTORBOT_DISCORD_TOKEN="not-a-real-token",
        TUTORBOT_DISCORD_API_URL="http://127.0.0.1:9/api/v10",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tutorbot", "run"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Could not reach http://127.0.0.1:9/api/v10" in result.stderr
    assert "Traceback" not in result.stderr
    assert "not-a-real-token" not in result.stderr


async def test_tutorbot_sync_forces_a_sync_even_when_unchanged(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    env = _env(
        tmp_path,
        TUTORBOT_DISCORD_TOKEN=fake_discord.token,
        TUTORBOT_DISCORD_API_URL=fake_discord.api_url,
        TUTORBOT_DISCORD_GATEWAY_URL=fake_discord.gateway_url,
    )
    for expected in (1, 2):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tutorbot", "sync", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == 0, err
        assert b"Commands synced." in out
        assert fake_discord.sync_calls[None] == expected
