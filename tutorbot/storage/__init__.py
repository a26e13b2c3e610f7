"""Durable storage: the only place with SQL. Services get one `Storage` from `open_storage`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tutorbot.storage.activity import ActivityStore
from tutorbot.storage.answers import AnswerStore
from tutorbot.storage.backend import is_database_url
from tutorbot.storage.daily import DailyStore
from tutorbot.storage.data_rights import DataRights
from tutorbot.storage.db import Database
from tutorbot.storage.errors import (
    RoundAlreadyRunningError,
    SchemaTooNewError,
    StorageError,
)
from tutorbot.storage.guild_settings import GuildSettingsStore
from tutorbot.storage.memory import MemoryStore
from tutorbot.storage.meta import MetaStore
from tutorbot.storage.names import NameStore
from tutorbot.storage.packs import PackStore
from tutorbot.storage.progress import ProgressStore
from tutorbot.storage.quizzes import QuizStore
from tutorbot.storage.review_settings import ReviewSettingsStore
from tutorbot.storage.rounds import RoundStore
from tutorbot.storage.timers import TimerStore

__all__ = [
    "Database",
    "RoundAlreadyRunningError",
    "SchemaTooNewError",
    "Storage",
    "StorageError",
    "open_storage",
]


@dataclass(frozen=True)
class Storage:
    """Every store over one database."""

    db: Database
    progress: ProgressStore
    answers: AnswerStore
    quizzes: QuizStore
    rounds: RoundStore
    settings: GuildSettingsStore
    timers: TimerStore
    meta: MetaStore
    names: NameStore
    data_rights: DataRights
    memory: MemoryStore
    review_settings: ReviewSettingsStore
    packs: PackStore
    daily: DailyStore
    activity: ActivityStore

    async def close(self) -> None:
        """Finish queued writes and close the database."""
        await self.db.close()


def storage_for(db: Database) -> Storage:
    """Wrap an open database in every store."""
    return Storage(
        db=db,
        progress=ProgressStore(db),
        answers=AnswerStore(db),
        quizzes=QuizStore(db),
        rounds=RoundStore(db),
        settings=GuildSettingsStore(db),
        timers=TimerStore(db),
        meta=MetaStore(db),
        names=NameStore(db),
        data_rights=DataRights(db),
        memory=MemoryStore(db),
        review_settings=ReviewSettingsStore(db),
        packs=PackStore(db),
        daily=DailyStore(db),
        activity=ActivityStore(db),
    )


async def open_storage(path: Path | str) -> Storage:
    """Open (creating and migrating as needed) the database at `path`: an SQLite file, or a
    PostgreSQL database named by a `postgresql://` URL."""
    if isinstance(path, str) and is_database_url(path):
        return storage_for(await Database.open_url(path))
    return storage_for(await Database.open(Path(path)))
