"""Use cases for /stats, /leaderboard, /mydata and /forgetme."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutorbot.domain.standings import LeaderboardEntry, leaderboard
from tutorbot.storage.answers import UserStats

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


class StatsService:
    """Read-only figures, plus the data-rights operations."""

    def __init__(self, services: Services) -> None:
        self._s = services

    async def for_user(self, user_id: int, guild_id: int | None) -> StudentStats:
        """What /stats shows: totals everywhere, and in this server with its rank if in one."""
        answers = self._s.storage.answers
        here = await answers.user_stats(user_id, guild_id) if guild_id is not None else None
        standing = await self._standing(guild_id, user_id) if guild_id is not None else None
        return StudentStats(
            overall=await answers.user_stats(user_id),
            here=here,
            standing=standing,
            student=await self._s.progress.student(user_id),
            topics_total=len(self._s.library.topics),
        )

    async def leaderboard(
        self, guild_id: int, user_id: int, limit: int = 10
    ) -> tuple[list[LeaderboardEntry], LeaderboardEntry | None]:
        """The server's top `limit` and the caller's own standing."""
        board = leaderboard(await self._s.storage.answers.server_scores(guild_id))
        return board[:limit], _line_of(board, user_id)

    async def _standing(self, guild_id: int, user_id: int) -> LeaderboardEntry | None:
        board = leaderboard(await self._s.storage.answers.server_scores(guild_id))
        return _line_of(board, user_id)

    async def export(self, user_id: int) -> bytes:
        """Everything held about the user, as indented JSON."""
        await self._s.names.flush()
        data = await self._s.storage.data_rights.export_user(user_id)
        return json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()

    async def forget(self, user_id: int) -> dict[str, int]:
        """Delete everything held about the user; rows removed per kind."""
        self._s.names.forget(user_id)
        return await self._s.storage.data_rights.delete_user(user_id)


def _line_of(board: list[LeaderboardEntry], user_id: int) -> LeaderboardEntry | None:
    """The user's line of a leaderboard; None if they never answered in that server."""
    return next((e for e in board if e.user_id == user_id), None)
