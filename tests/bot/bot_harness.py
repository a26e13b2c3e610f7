"""Running the real TutorBot in-process against the fake Discord: settings, clock, factory type."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fakediscord import FakeDiscord
from pydantic import SecretStr

from tutorbot.bot.client import TutorBot
from tutorbot.settings import BUNDLED_CONTENT_DIR, Settings

BotFactory = Callable[..., contextlib.AbstractAsyncContextManager[TutorBot]]


def bot_settings(fake: FakeDiscord, tmp_path: Path, **overrides: Any) -> Settings:
    """Settings as an admin would give them, pointing at the fake and a temp database."""
    values: dict[str, Any] = {
        "discord_token": SecretStr(fake.token),
        "db_path": tmp_path / "data" / "tutorbot.sqlite3",
        "content_dir": BUNDLED_CONTENT_DIR,
        "discord_api_url": fake.api_url,
        "discord_gateway_url": fake.gateway_url,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


class FakeClock:
    """The real time plus an offset a test can move forward (think times, deadlines)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)
