"""Use cases for /stats, /leaderboard, /mydata and /forgetme."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from tutorbot.domain import activity as days_of
from tutorbot.domain.activity import Activity
from tutorbot.domain.days import zone_or_utc
from tutorbot.domain.standings import LeaderboardEntry, leaderboard, rank_after
from tutorbot.pictures.activity import draw_activity
from tutorbot.pictures.png import Picture
from tutorbot.services.data_export import DataExport, package
from tutorbot.storage.answers import UserStats
from tutorbot.storage.timers import Timer

if TYPE_CHECKING:
    from tutorbot.services import Services
    from tutorbot.services.progress import StudentView


@dataclass(frozen=True)
class StudentStats:
    """A student's figures: everywhere, in this server (when asked there), and their progress."""

    overall: UserStats
    here: UserStats | None
    standing: LeaderboardEntry | None
    student: StudentView
    topics_total: int
    review_streak: int
    """Days in a row, up to today in the student's time zone, with at least one answer."""
    activity: Activity | None = None
    """Answers per day over the last 30 of the student's days (the chart)."""


EXPORTS_AT_ONCE = 2
"""Exports built at the same time: each holds a worker thread for as long as it takes, and the
threads are shared with reading rounds and writing CSVs, which must not wait behind a queue of
long histories."""
TIMER_FORGET = "data.forget"
FORGET_RESUME_AFTER = timedelta(minutes=2)
"""When a /forgetme interrupted by a restart is finished: a deletion takes seconds at most, so
a timer still there after this long belongs to a process that stopped."""


class StatsService:
    """Read-only figures, plus the data-rights operations."""

    def __init__(self, services: Services) -> None:
        self._s = services
        services.scheduler.register(TIMER_FORGET, self._on_forget)
        self._exporting = asyncio.Semaphore(EXPORTS_AT_ONCE)
        self._activity = services.storage.activity

    async def for_user(self, user_id: int, guild_id: int | None) -> StudentStats:
        """What /stats shows: totals everywhere, and in this server with its rank if in one, and
        the review streak."""
        answers = self._s.storage.answers
        here = await answers.user_stats(user_id, guild_id) if guild_id is not None else None
        standing = await self._standing(guild_id, user_id) if guild_id is not None else None
        return StudentStats(
            overall=await answers.user_stats(user_id),
            here=here,
            standing=standing,
            student=await self._s.progress.student(user_id),
            topics_total=len(self._s.library.topics),
            review_streak=await self._s.review.streak(user_id),
            activity=await self.activity(user_id),
        )

    async def activity(self, user_id: int) -> Activity:
        """The student's answers per day over their last `activity.DAYS` days, in their time
        zone (UTC without one)."""
        zone = zone_or_utc((await self._s.review.settings(user_id)).timezone)
        days = days_of.window(self._s.clock(), zone)
        counts = await self._activity.answers_per_day(
            user_id, [(d.day, d.start, d.end) for d in days]
        )
        return days_of.activity(days, counts, zone.key)

    async def activity_picture(self, found: Activity) -> Picture:
        """The activity chart of `found` (drawn in the pictures' worker, or from its cache)."""
        return await self._s.pictures.render(draw_activity, found)

    async def leaderboard(
        self, guild_id: int, user_id: int, limit: int = 10
    ) -> tuple[list[LeaderboardEntry], LeaderboardEntry | None]:
        """The server's top `limit` and the caller's own standing.

        Only those rows are read: the top of the server in rank order, and the caller's row
        with the number of students ahead of them."""
        top = leaderboard(await self._s.storage.answers.top_scores(guild_id, limit))
        mine = next((e for e in top if e.user_id == user_id), None)
        return top, mine or await self._standing(guild_id, user_id)

    async def _standing(self, guild_id: int, user_id: int) -> LeaderboardEntry | None:
        found = await self._s.storage.answers.score_of(guild_id, user_id)
        if found is None:
            return None
        row, ahead = found
        return LeaderboardEntry(
            rank_after(ahead), row.user_id, row.points, row.answered, row.correct
        )

    async def export(self, user_id: int, limit: int) -> DataExport:
        """Everything held about the user, as files of at most `limit` bytes each (see
        `services.data_export`): read and serialised in a worker thread, on a snapshot."""
        await self._s.names.flush()
        async with self._exporting:
            return await self._s.storage.data_rights.export_with(
                user_id, partial(package, user_id, limit=limit)
            )

    async def forget(self, user_id: int) -> dict[str, int]:
        """Delete everything held about the user; rows removed per kind.

        The deletion runs in batches (other students' clicks go between them), so a timer
        notes it first: if the process stops half-way, the timer finishes it after a restart.
        The deletion's last write removes that timer with the user's other rows."""
        self._s.names.forget(user_id)
        await self._s.scheduler.schedule(
            TIMER_FORGET,
            self._s.clock() + FORGET_RESUME_AFTER,
            {},
            key=f"forget:{user_id}",
            user_id=user_id,
        )
        counts = await self._s.storage.data_rights.delete_user(user_id)
        counts["timers"] = max(0, counts.get("timers", 0) - 1)  # not the note of this deletion
        return counts

    async def _on_forget(self, timer: Timer) -> None:
        """Finish a /forgetme that a stopped process left half done."""
        if timer.user_id is not None:
            self._s.names.forget(timer.user_id)
            await self._s.storage.data_rights.delete_user(timer.user_id)
