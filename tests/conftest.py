"""Shared fixtures: the fake Discord that the Discord-side tests run discord.py against."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fakediscord import FakeDiscord

pytest_plugins = ["pg_server"]  # the `pg_server` fixture: a real PostgreSQL for the tests


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started fake Discord with discord.py pointed at it; stopped and restored after."""
    fake = FakeDiscord()
    await fake.start()
    fake.apply_to_discord_py()
    try:
        yield fake
    finally:
        await fake.stop()
