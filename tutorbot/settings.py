"""The one settings class, read from `TUTORBOT_*` environment variables and `.env`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_CONTENT_DIR = PACKAGE_DIR.parent / "content"
"""The content shipped beside the package; found relative to the package, never the cwd."""


class Settings(BaseSettings):
    """Everything an admin can set. Defaults serve a first run from a checkout."""

    model_config = SettingsConfigDict(
        env_prefix="TUTORBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    discord_token: SecretStr | None = None
    db_path: Path = Path("data/tutorbot.sqlite3")
    content_dir: Path = BUNDLED_CONTENT_DIR
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    discord_api_url: str | None = Field(
        default=None, description="REST base URL, e.g. http://127.0.0.1:8080/api/v10"
    )
    discord_gateway_url: str | None = Field(
        default=None, description="Gateway websocket URL, e.g. ws://127.0.0.1:8080/gateway"
    )
