"""Use cases for a student's own progress: marks, goal, and what /progress and the card show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from tutorbot.domain import progress as rules

if TYPE_CHECKING:
    from tutorbot.services import Services


@dataclass(frozen=True)
class StudentView:
    """A student's state as front ends show it: marks, mastery, placement, the closure "known"
    (of all three), the goal."""

    marked: frozenset[str] = frozenset()
    mastered: frozenset[str] = frozenset()
    known: frozenset[str] = frozenset()
    goal: str | None = None
    placed: frozenset[str] = frozenset()
    """Topics the student's latest placement found they know (known "by placement")."""
    placed_only: frozenset[str] = frozenset()
    """The known topics only a placement makes known: neither marked nor mastered nor beneath a
    topic that is (the card says "Known by placement", /progress counts them)."""


@dataclass(frozen=True)
class Remembering:
    """What /progress shows of the student's memory: reviews due today, and how well each
    recently mastered topic is remembered now."""

    due: int = 0
    """Review questions due by the end of the student's day."""
    retention: Mapping[str, float] = field(default_factory=dict)
    """Recently mastered topic -> mean recall probability of its questions now (topics
    without cards are absent)."""


class ProgressService:
    """Marks, goals and the progress overview; topics no longer in content are ignored."""

    def __init__(self, services: Services) -> None:
        self._s = services

    async def _marks(
        self, user_id: int
    ) -> tuple[list[str], dict[str, datetime], list[str], str | None]:
        """Marked topics, mastered topics with times, placed topics, and the goal, all still in
        content."""
        topics = self._s.library.topics
        states = [
            s for s in await self._s.storage.progress.all_for(user_id) if s.topic_id in topics
        ]
        marked = [s.topic_id for s in states if s.known_at is not None]
        mastered = {s.topic_id: s.mastered_at for s in states if s.mastered_at is not None}
        placed = [s.topic_id for s in states if s.placed_at is not None]
        goal = await self._s.storage.progress.get_goal(user_id)
        goal_id = goal.topic_id if goal is not None and goal.topic_id in topics else None
        return marked, mastered, placed, goal_id

    async def student(self, user_id: int) -> StudentView:
        """What the student has marked, mastered and been placed on, and what that makes known."""
        return self._view(*await self._marks(user_id))

    async def overview_and_student(self, user_id: int) -> tuple[rules.Progress, StudentView]:
        """`overview` and `student` from one read of the student's marks (what /progress shows
        needs both)."""
        marks = await self._marks(user_id)
        marked, mastered, placed, goal = marks
        overview = rules.progress(self._s.library.graph, [*marked, *placed], mastered, goal)
        return overview, self._view(*marks)

    def _view(
        self,
        marked: list[str],
        mastered: dict[str, datetime],
        placed: list[str],
        goal: str | None,
    ) -> StudentView:
        graph = self._s.library.graph
        known = rules.known_topics(graph, [*marked, *placed], mastered)
        # Quiz mastery and "I know this" outrank a placement, on a topic or above it.
        otherwise = graph.known([*marked, *mastered])
        placed_only = frozenset(t for t in known if t not in otherwise) if placed else frozenset()
        return StudentView(
            frozenset(marked),
            frozenset(mastered),
            known,
            goal,
            placed=frozenset(placed),
            placed_only=placed_only,
        )

    async def toggle_known(self, user_id: int, topic_id: str) -> bool:
        """Flip "I know this" for a topic; returns whether it is now marked."""
        now = self._s.clock()
        state = await self._s.storage.progress.get(user_id, topic_id)
        if state is not None and state.known_at is not None:
            await self._s.storage.progress.unmark_known(user_id, topic_id, now)
            return False
        await self._s.storage.progress.mark_known(user_id, topic_id, now)
        return True

    async def set_goal(self, user_id: int, topic_id: str) -> None:
        """Make this topic the student's goal (replacing any other)."""
        await self._s.storage.progress.set_goal(user_id, topic_id, self._s.clock())

    async def clear_goal(self, user_id: int) -> bool:
        """Drop the goal; False when there was none."""
        return await self._s.storage.progress.clear_goal(user_id)

    async def overview(self, user_id: int) -> rules.Progress:
        """What /progress shows: known topics (placed ones too), goal progress, next topics,
        recent mastery."""
        marked, mastered, placed, goal = await self._marks(user_id)
        return rules.progress(self._s.library.graph, [*marked, *placed], mastered, goal)

    async def remembering(self, user_id: int, overview: rules.Progress) -> Remembering:
        """Reviews due today, and retention now of the topics `overview` lists as mastered."""
        review = self._s.review
        return Remembering(
            due=await review.due_count(user_id),
            retention=await review.retention(user_id, list(overview.recently_mastered)),
        )
