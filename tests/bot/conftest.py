"""The real TutorBot, in-process, against the fake Discord, with a real database: an SQLite
file, or a PostgreSQL database on the tests' server."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fakediscord import FakeDiscord, running

from tutorbot.bot.client import TutorBot

from .bot_harness import BotFactory, FakeClock, bot_settings


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def start_bot(
    fake_discord: FakeDiscord, tmp_path: Path, clock: FakeClock, database: Path | str
) -> BotFactory:
    """`async with start_bot() as bot:` runs a TutorBot until the block ends (a restart is
    simply a second block over the same database). It runs on the test's `database`: SQLite,
    then PostgreSQL (tests/conftest.py); `bot.settings.database` is the file or the URL."""

    @contextlib.asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[TutorBot]:
        bot = TutorBot(
            bot_settings(fake_discord, tmp_path, database, **overrides),
            clock=clock,
            guild_ready_timeout=0.05,
        )
        async with running(bot, fake_discord) as ready:
            yield ready

    return start


@pytest.fixture
async def bot(start_bot: BotFactory) -> AsyncIterator[TutorBot]:
    """One running bot for a test."""
    async with start_bot() as running_bot:
        yield running_bot
