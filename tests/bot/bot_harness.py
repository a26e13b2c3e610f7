"""Running the real TutorBot in-process against the fake Discord: settings, clock, factory type.

The bot runs on the database the `database` fixture gives (tests/conftest.py): each test once
on SQLite and once on PostgreSQL, unless it is marked `sqlite_only`."""

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
from tutorbot.storage.backend import is_database_url

BotFactory = Callable[..., contextlib.AbstractAsyncContextManager[TutorBot]]


def bot_settings(
    fake: FakeDiscord, tmp_path: Path, database: Path | str | None = None, **overrides: Any
) -> Settings:
    """Settings as an admin would give them, pointing at the fake and a test's database: an
    SQLite file (by default `data/tutorbot.sqlite3` under `tmp_path`), or a PostgreSQL URL."""
    values: dict[str, Any] = {
        "discord_token": SecretStr(fake.token),
        "db_path": tmp_path / "data" / "tutorbot.sqlite3",
        "content_dir": BUNDLED_CONTENT_DIR,
        "discord_api_url": fake.api_url,
        "discord_gateway_url": fake.gateway_url,
    }
    values.update(database_settings(database))
    values.update(overrides)
    return Settings(_env_file=None, **values)


def database_settings(database: Path | str | None) -> dict[str, Any]:
    """The settings that put the bot on `database`: `database_url` for a PostgreSQL URL,
    `db_path` for an SQLite file, none for None."""
    if database is None:
        return {}
    if isinstance(database, str) and is_database_url(database):
        return {"database_url": SecretStr(database)}
    return {"db_path": Path(database)}


class FakeClock:
    """The real time plus an offset a test can move forward (think times, deadlines)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)
