"""The one settings class, read from `TUTORBOT_*` environment variables and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from tutorbot.storage.backend import is_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_CONTENT_DIR = PACKAGE_DIR.parent / "content"
"""The content shipped beside the package; found relative to the package, never the cwd."""

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_SNOWFLAKE = 2**64 - 1


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
    database_url: SecretStr | None = None
    """A PostgreSQL database (`postgresql://user:password@host/tutorbot`) instead of the SQLite
    file at `db_path`; secret, since it may hold a password."""
    content_dir: Path = BUNDLED_CONTENT_DIR
    dev_guild_id: int | None = Field(default=None, gt=0, le=MAX_SNOWFLAKE)
    log_level: str = "INFO"
    import_max_file_mb: int = Field(default=10, gt=0, le=1024)
    """Largest question-bank file `tutorbot content import` reads (content/banks/limits.py)."""
    import_max_unpacked_mb: int = Field(default=100, gt=0, le=4096)
    """What an imported archive (Anki package, spreadsheet) may inflate to, in all."""
    import_max_entries: int = Field(default=5000, gt=0, le=1_000_000)
    """Entries an imported archive may hold."""
    server_max_packs: int = Field(default=20, gt=0, le=10_000)
    """Packs one server may hold (/pack import)."""
    server_max_pack_topics: int = Field(default=200, gt=0, le=100_000)
    """Topics one server's packs may hold in all."""
    server_max_pack_questions: int = Field(default=5000, gt=0, le=1_000_000)
    """Questions one server's packs may hold in all."""
    shard_count: int | None = Field(default=None, ge=1, le=100_000)
    """How many shards the bot has in all, when its processes split them (`bot/shards.py`);
    unset: one process, and discord.py asks Discord how many."""
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = None
    """The shards this process runs, e.g. `0,1`; unset with a shard count: all of them."""
    timer_takeover_seconds: float = Field(default=60.0, gt=0, le=86_400)
    """How long a due timer of another process's shard waits unclaimed (or past its lease)
    before this process fires it instead (`storage/timers.py`, `TimerShards.takeover`)."""
    discord_api_url: str | None = Field(
        default=None, description="REST base URL, e.g. http://127.0.0.1:8080/api/v10"
    )
    discord_gateway_url: str | None = Field(
        default=None, description="Gateway websocket URL, e.g. ws://127.0.0.1:8080/gateway"
    )

    @field_validator("database_url")
    @classmethod
    def _postgresql(cls, value: SecretStr | None) -> SecretStr | None:
        """A postgresql:// URL (or none)."""
        if value is not None and not is_database_url(value.get_secret_value()):
            raise ValueError("not a postgresql:// URL")
        return value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _id_list(cls, value: object) -> object:
        """`0,1` (spaces allowed) as a tuple of numbers; other input is left to pydantic."""
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",")]
            if not all(part.isdigit() for part in parts):
                raise ValueError("not a comma-separated list of shard numbers")
            return tuple(int(part) for part in parts)
        return value

    @field_validator("shard_ids")
    @classmethod
    def _shards_of_count(
        cls, value: tuple[int, ...] | None, info: ValidationInfo
    ) -> tuple[int, ...] | None:
        """Each id is one of the shard count's (0 to count - 1), and none is repeated."""
        if value is None:
            return None
        count = info.data.get("shard_count")
        if count is None:
            raise ValueError("shard ids need TUTORBOT_SHARD_COUNT too")
        outside = sorted({i for i in value if not 0 <= i < count})
        if outside:
            raise ValueError(f"shard {outside[0]} is not one of 0 to {count - 1}")
        if len(set(value)) != len(value):
            raise ValueError("a shard is listed twice")
        return value

    @property
    def database(self) -> Path | str:
        """Where the data lives: the PostgreSQL URL when one is set, else the SQLite file."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return self.db_path

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        """One of Python's level names, in any case (stored in capitals)."""
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError("not a log level")
        return level


class SettingsError(Exception):
    """Settings that cannot be read or are invalid; the message says which and how to fix it."""


HINTS = {
    "database_url": "Write it like postgresql://tutorbot:secret@db.example.org:5432/tutorbot, "
    "or leave it unset to keep SQLite at TUTORBOT_DB_PATH.",
    "import_max_file_mb": "Give a whole number of megabytes, such as 10.",
    "import_max_unpacked_mb": "Give a whole number of megabytes, such as 100.",
    "import_max_entries": "Give a whole number of archive entries, such as 5000.",
    "server_max_packs": "Give a whole number of packs, such as 20.",
    "server_max_pack_topics": "Give a whole number of topics, such as 200.",
    "server_max_pack_questions": "Give a whole number of questions, such as 5000.",
    "dev_guild_id": "A server id is a number such as 123456789012345678 (Developer Mode on, "
    "right-click the server, Copy Server ID).",
    "shard_count": "Give the whole number of shards all the bot's processes run together, such "
    "as 2, or leave it unset to run one process.",
    "shard_ids": "List this process's shards separated by commas, such as 0,1, each from 0 to "
    "TUTORBOT_SHARD_COUNT - 1 and each once; leave it unset to run every shard here.",
    "timer_takeover_seconds": "Give a number of seconds, such as 60 (twice the 30 s lease).",
    "log_level": f"Use one of {', '.join(LOG_LEVELS[:4])}.",
}
"""What to write instead, per setting, for the settings an admin gets wrong most."""


def load_settings() -> Settings:
    """The settings from the environment and `.env`, or `SettingsError` with one paragraph per
    problem (a value that does not parse, a `.env` that is not UTF-8 or cannot be read)."""
    env_file = Path(str(Settings.model_config.get("env_file") or ".env"))
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError("\n\n".join(_explain(error) for error in exc.errors())) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise SettingsError(
            f"The settings file {env_file.resolve()} is not UTF-8 text: byte "
            f"0x{exc.object[exc.start]:02x} on line {line} cannot be read. Save .env as UTF-8 "
            "(plain ASCII is fine) and start again."
        ) from None
    except OSError as exc:
        raise SettingsError(
            f"The settings file {env_file.resolve()} cannot be read: {exc.strerror}. Make it "
            "readable, or remove it and set the TUTORBOT_ variables in the environment."
        ) from None


def _explain(error: Any) -> str:
    """One paragraph for one invalid setting; a secret's value is never echoed."""
    field = str(error["loc"][0]) if error.get("loc") else "?"
    name = f"TUTORBOT_{field.upper()}"
    given = "" if "token" in field or "url" in field else f"={_clip(error.get('input'))}"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    hint = HINTS.get(field, "")
    return (
        f"The setting {name}{given} is not valid: {message}. {hint} Fix it in .env or the "
        "environment, or comment it out to keep the default."
    ).replace("  ", " ")


def _clip(value: object, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
