"""Use cases: the domain rules wired to storage and content, shared by every front end.

Front ends (the Discord bot, the console) hold one `Services` and call its feature services;
they never touch SQL or the domain's state directly.
"""

from __future__ import annotations

from pathlib import Path

from tutorbot.clock import Clock, utc_now
from tutorbot.content.library import Library
from tutorbot.content.loader import load_library
from tutorbot.scheduler import Scheduler
from tutorbot.services.memory import MemoryService
from tutorbot.services.names import NameBook
from tutorbot.services.placement import PlacementService
from tutorbot.services.progress import ProgressService
from tutorbot.services.quiz import QuizService
from tutorbot.services.reminders import ReminderService
from tutorbot.services.review import ReviewService
from tutorbot.services.rounds import RoundService
from tutorbot.services.stats import StatsService
from tutorbot.storage import Storage, open_storage

__all__ = ["Clock", "Services", "utc_now"]


class Services:
    """Everything a front end needs: the current content, storage and the clock."""

    def __init__(self, library: Library, storage: Storage, clock: Clock = utc_now) -> None:
        self.library = library
        self.storage = storage
        self.clock = clock
        self.scheduler = Scheduler(storage.timers, clock)
        """Every feature's timers: each registers a handler per kind on it."""
        self.names = NameBook(storage.names, clock)
        self.memory = MemoryService(self)
        self.progress = ProgressService(self)
        self.quiz = QuizService(self)
        self.review = ReviewService(self)
        self.placement = PlacementService(self)
        self.reminders = ReminderService(self)
        self.rounds = RoundService(self)
        self.stats = StatsService(self)

    @classmethod
    async def open(cls, content_dir: Path, db_path: Path, clock: Clock = utc_now) -> Services:
        """Load content first (a broken pack refuses to start), then open the database."""
        library = load_library(content_dir)
        storage = await open_storage(db_path)
        return cls(library, storage, clock)

    async def start(self) -> None:
        """Pick up every running round, then start firing timers (overdue ones at once)."""
        await self.rounds.resume()
        await self.memory.start()
        await self.scheduler.start()

    async def stop(self) -> None:
        """Stop firing timers (their rows stay for the next start) and let the Discord updates
        already queued finish."""
        await self.memory.stop()
        await self.scheduler.stop()
        await self.rounds.settle()
        await self.reminders.settle()

    def wake(self) -> None:
        """Look at the timers again now (tests move the clock, then call this)."""
        self.scheduler.wake()

    def reload_content(self, content_dir: Path) -> Library:
        """Swap in a freshly loaded library; on ContentError the old one keeps serving."""
        self.library = load_library(content_dir)
        return self.library

    async def close(self) -> None:
        """Write what is pending, then close the database."""
        await self.names.flush()
        await self.storage.close()
