"""Use cases: the domain rules wired to storage and content, shared by every front end.

Front ends (the Discord bot, the console) hold one `Services` and call its feature services;
they never touch SQL or the domain's state directly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from tutorbot.clock import Clock, utc_now
from tutorbot.content.library import Library
from tutorbot.content.loader import load_library
from tutorbot.guild_scope import current_guild, in_guild
from tutorbot.pictures.render import PictureRenderer
from tutorbot.scheduler import Scheduler
from tutorbot.services.daily import DailyService
from tutorbot.services.memory import MemoryService
from tutorbot.services.names import NameBook
from tutorbot.services.packs import PackService
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
        self.bundled = library
        """The course from the content folder, which every server has."""
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
        self.packs = PackService(self)
        self.daily = DailyService(self)
        self.pictures = PictureRenderer()
        """Draws the pictures both front ends show, in a worker process, with a cache."""
        self.owns_guild: Callable[[int], bool] = lambda guild_id: True
        """Whether a server's events reach this process (a sharded process runs some shards:
        it resumes only their rounds and holds only their packs)."""

    @property
    def library(self) -> Library:
        """The content of the server the running work is for (`guild_scope`): the course and
        that server's packs."""
        return self.packs.library_for(current_guild())

    @classmethod
    async def open(
        cls, content_dir: Path, database: Path | str, clock: Clock = utc_now
    ) -> Services:
        """Load content first (a broken pack refuses to start), then open the database (an
        SQLite file, or a PostgreSQL URL)."""
        library = load_library(content_dir)
        storage = await open_storage(database)
        return cls(library, storage, clock)

    async def start(self) -> None:
        """Pick up every running round, then start firing timers (overdue ones at once)."""
        await self.packs.start()
        with in_guild(None):  # each round's resumption enters its server's scope
            await self.rounds.resume()
        await self.memory.start()
        await self.scheduler.start()

    async def stop(self) -> None:
        """Stop firing timers (their rows stay for the next start) and let the Discord updates
        already queued finish."""
        await self.memory.stop()
        await self.packs.stop()
        await self.scheduler.stop()
        await self.rounds.settle()
        await self.reminders.settle()
        await self.daily.settle()

    def wake(self) -> None:
        """Look at the timers again now (tests move the clock, then call this)."""
        self.scheduler.wake()

    async def reload_content(self, content_dir: Path) -> Library:
        """Swap in a freshly loaded course (and rebuild the servers' libraries over it); on
        ContentError the old one keeps serving."""
        self.bundled = await asyncio.to_thread(load_library, content_dir)
        await self.packs.rebuild_all()
        return self.bundled

    async def close(self) -> None:
        """Stop the pictures' worker, write what is pending, then close the database."""
        await self.pictures.close()
        await self.names.flush()
        await self.storage.close()
