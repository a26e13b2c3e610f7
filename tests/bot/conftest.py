"""The real TutorBot, in-process, against the fake Discord, with a real SQLite file."""

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
def start_bot(fake_discord: FakeDiscord, tmp_path: Path, clock: FakeClock) -> BotFactory:
    """`async with start_bot() as bot:` runs a TutorBot until the block ends (a restart is
    simply a second block over the same database)."""

    @contextlib.asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[TutorBot]:
        bot = TutorBot(
            bot_settings(fake_discord, tmp_path, **overrides),
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
