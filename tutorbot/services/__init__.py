"""Use cases: the domain rules wired to storage and content, shared by every front end.

Front ends (the Discord bot, the console) hold one `Services` and call its feature services;
they never touch SQL or the domain's state directly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tutorbot.content.library import Library
from tutorbot.content.loader import load_library
from tutorbot.services.progress import ProgressService
from tutorbot.services.quiz import QuizService
from tutorbot.services.rounds import RoundService
from tutorbot.services.stats import StatsService
from tutorbot.storage import Storage, open_storage

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock; tests and the domain take `now` as an argument instead."""
    return datetime.now(UTC)


class Services:
    """Everything a front end needs: the current content, storage and the clock."""

    def __init__(self, library: Library, storage: Storage, clock: Clock = utc_now) -> None:
        self.library = library
        self.storage = storage
        self.clock = clock
        self.progress = ProgressService(self)
        self.quiz = QuizService(self)
        self.rounds = RoundService(self)
        self.stats = StatsService(self)

    @classmethod
    async def open(cls, content_dir: Path, db_path: Path, clock: Clock = utc_now) -> Services:
        """Load content first (a broken pack refuses to start), then open the database."""
        library = load_library(content_dir)
        storage = await open_storage(db_path)
        return cls(library, storage, clock)

    def reload_content(self, content_dir: Path) -> Library:
        """Swap in a freshly loaded library; on ContentError the old one keeps serving."""
        self.library = load_library(content_dir)
        return self.library

    async def close(self) -> None:
        await self.storage.close()
