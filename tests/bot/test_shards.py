"""Sharded processes: which shard a server is on, the shard settings, what a process with some
of the shards does (its bot class and options, its timers, command sync, its own heartbeat)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakediscord import FakeDiscord

from tutorbot.bot.client import ShardedTutorBot, TutorBot
from tutorbot.bot.shards import ShardPlan, shard_of
from tutorbot.cli.health import healthcheck_of, run_healthcheck
from tutorbot.settings import Settings, SettingsError, load_settings
from tutorbot.storage import open_storage
from tutorbot.storage.meta import HEARTBEAT, heartbeat_key
from tutorbot.storage.timers import TimerShards

from .bot_harness import BotFactory

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """Settings from the environment alone (no .env in the working directory)."""
    monkeypatch.chdir(tmp_path)
    for name in (
        "TUTORBOT_SHARD_COUNT",
        "TUTORBOT_SHARD_IDS",
        "TUTORBOT_DATABASE_URL",
        "TUTORBOT_TIMER_TAKEOVER_SECONDS",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_shard_of_is_discords_rule() -> None:
    assert shard_of(0, 1) == 0
    assert shard_of(5 << 22, 4) == 1
    assert shard_of((7 << 22) | (2**22 - 1), 4) == 3  # the low 22 bits do not count
    assert shard_of(81384788765712384, 2) == (81384788765712384 >> 22) % 2


def test_shard_settings_read_a_comma_separated_list(env: pytest.MonkeyPatch) -> None:
    env.setenv("TUTORBOT_SHARD_COUNT", "4")
    env.setenv("TUTORBOT_SHARD_IDS", "2, 0")
    settings = load_settings()
    assert (settings.shard_count, settings.shard_ids) == (4, (2, 0))


def test_no_shard_settings_is_one_process(env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert (settings.shard_count, settings.shard_ids) == (None, None)
    plan = ShardPlan.of(settings)
    assert not plan.sharded and plan.owns_direct and plan.owns(guild_on_shard(3))
    assert plan.timer_shards() is None and plan.bot_options() == {}
    assert plan.heartbeat_key == HEARTBEAT


@pytest.mark.parametrize(
    ("count", "ids", "complaint"),
    [
        ("0", None, "TUTORBOT_SHARD_COUNT=0 is not valid: Input should be greater than or equal"),
        ("two", None, "TUTORBOT_SHARD_COUNT=two is not valid"),
        (None, "0", "TUTORBOT_SHARD_IDS=0 is not valid: shard ids need TUTORBOT_SHARD_COUNT"),
        ("2", "0,2", "TUTORBOT_SHARD_IDS=0,2 is not valid: shard 2 is not one of 0 to 1"),
        ("4", "1,1", "TUTORBOT_SHARD_IDS=1,1 is not valid: a shard is listed twice"),
        ("4", "0;1", "TUTORBOT_SHARD_IDS=0;1 is not valid: not a comma-separated list"),
        ("4", "-1", "TUTORBOT_SHARD_IDS=-1 is not valid: not a comma-separated list"),
    ],
)
def test_invalid_shard_settings_say_what_to_write(
    env: pytest.MonkeyPatch, count: str | None, ids: str | None, complaint: str
) -> None:
    if count is not None:
        env.setenv("TUTORBOT_SHARD_COUNT", count)
    if ids is not None:
        env.setenv("TUTORBOT_SHARD_IDS", ids)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert complaint in str(caught.value)
    assert "such as" in str(caught.value)  # the hint


def guild_on_shard(shard: int, count: int = 4) -> int:
    """A server id on `shard` of `count`."""
    return ((100 * count + shard) << 22) | 99


def test_a_plan_with_some_shards() -> None:
    high = ShardPlan(4, (3, 2))
    assert high.mine == frozenset({2, 3}) and not high.owns_direct
    assert high.owns(guild_on_shard(2)) and not high.owns(guild_on_shard(0))
    assert not high.owns(None)  # direct messages arrive on shard 0
    assert high.timer_shards() == TimerShards(4, frozenset({2, 3}))
    assert high.bot_options() == {"shard_count": 4, "shard_ids": [2, 3]}
    assert high.heartbeat_key == "heartbeat:2,3"
    low = ShardPlan(4, (0,))
    assert low.owns_direct and low.owns(None)
    every = ShardPlan(4)  # a count alone: every shard here, every timer
    assert every.mine == frozenset(range(4)) and every.owns_direct
    assert every.timer_shards() is None
    assert every.bot_options() == {"shard_count": 4, "shard_ids": None}


def test_the_takeover_setting_reaches_the_timers(env: pytest.MonkeyPatch) -> None:
    env.setenv("TUTORBOT_SHARD_COUNT", "2")
    env.setenv("TUTORBOT_SHARD_IDS", "1")
    assert ShardPlan.of(load_settings()).timer_shards() == TimerShards(2, frozenset({1}))
    env.setenv("TUTORBOT_TIMER_TAKEOVER_SECONDS", "2.5")
    shards = ShardPlan.of(load_settings()).timer_shards()
    assert shards is not None and shards.takeover == timedelta(seconds=2.5)
    env.setenv("TUTORBOT_TIMER_TAKEOVER_SECONDS", "0")
    with pytest.raises(SettingsError, match="TUTORBOT_TIMER_TAKEOVER_SECONDS=0 is not valid"):
        load_settings()


def test_the_bot_is_auto_sharded_only_with_a_shard_count() -> None:
    plain = TutorBot(Settings(_env_file=None))
    assert type(plain) is TutorBot
    sharded = TutorBot(Settings(_env_file=None, shard_count=4, shard_ids=(1, 3)))
    assert isinstance(sharded, ShardedTutorBot)
    assert (sharded.shard_count, sharded.shard_ids) == (4, [1, 3])


async def test_healthcheck_reads_this_processs_heartbeat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bot.sqlite3"
    storage = await open_storage(db)
    await storage.meta.heartbeat(NOW - timedelta(seconds=10), heartbeat_key((0, 1)))
    await storage.meta.heartbeat(NOW - timedelta(minutes=10), heartbeat_key((2, 3)))
    await storage.close()
    assert run_healthcheck(db, NOW, key="heartbeat:0,1") == 0
    assert "last heartbeat (heartbeat:0,1) 10 s ago" in capsys.readouterr().out
    assert run_healthcheck(db, NOW, key="heartbeat:2,3") == 1
    assert run_healthcheck(db, NOW) == 1  # the unsharded process's: none
    assert "no heartbeat recorded" in capsys.readouterr().out


async def test_healthcheck_reads_postgresql_with_the_processs_settings(
    pg_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    url = pg_server.fresh_database()
    settings = Settings(_env_file=None, database_url=url, shard_count=2, shard_ids=(1,))
    assert healthcheck_of(settings, NOW) == 1  # a database the bot never started on
    assert "no heartbeat (heartbeat:1) recorded" in capsys.readouterr().out
    storage = await open_storage(url)
    await storage.meta.heartbeat(NOW - timedelta(seconds=5), "heartbeat:1")
    await storage.close()
    assert healthcheck_of(settings, NOW) == 0
    out = capsys.readouterr().out
    assert out.startswith("healthy: last heartbeat (heartbeat:1) 5 s ago")


async def test_an_unreachable_postgresql_is_unhealthy(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://tutorbot:secret@127.0.0.1:1/nowhere?connect_timeout=2"
    assert run_healthcheck(url, NOW) == 1
    err = capsys.readouterr().err
    assert err.startswith("unhealthy: cannot read the database") and "secret" not in err


async def _beat_of(bot: TutorBot, key: str) -> str | None:
    """The heartbeat under `key`, once the bot has had a moment to record it."""
    for _ in range(100):
        value = await bot.services.storage.meta.get(key)
        if value is not None:
            return value
        await asyncio.sleep(0.02)
    return None


async def test_the_process_with_shard_0_syncs_and_serves_direct_messages(
    start_bot: BotFactory, fake_discord: FakeDiscord
) -> None:
    async with start_bot(shard_count=1, shard_ids=(0,)) as bot:
        assert isinstance(bot, ShardedTutorBot) and bot.shard_count == 1
        assert fake_discord.registered_commands()
        assert await _beat_of(bot, "heartbeat:0") is not None
        for user in (fake_discord.student, fake_discord.dm_user):  # in the server, in DMs
            i = await fake_discord.slash("progress", {}, user)
            assert (await fake_discord.wait_response(i)).embeds


async def test_a_process_without_shard_0_does_not_sync(
    start_bot: BotFactory, fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="tutorbot.bot"):
        async with start_bot(shard_count=2, shard_ids=(1,)) as bot:
            assert isinstance(bot, ShardedTutorBot) and bot.shard_ids == [1]
            assert fake_discord.registered_commands() == []
            assert await _beat_of(bot, "heartbeat:1") is not None
            assert await bot.services.storage.meta.get(HEARTBEAT) is None
            assert bot.services.scheduler.shards == TimerShards(2, frozenset({1}))
    assert "not syncing commands: the process running shard 0 does (shards 1 of 2 here)" in (
        caplog.text
    )
