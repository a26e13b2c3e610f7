"""/review: today's due questions across every topic, as a private quiz, and its settings.

A review is a quiz session of kind 'review' (`domain/review.py`): the quiz service runs its
steps, and this service decides what it asks (`plan`), what an earlier answer cleared
(`deck_for`) and what its end says (`ended`). "Today" is the student's own day, in the time zone
they set (UTC until they set one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tutorbot.content.models import Topic
from tutorbot.domain import quiz as rules
from tutorbot.domain.days import (
    UnknownTimeZone,
    day_end,
    day_start,
    local_day,
    streak,
    zone_named,
    zone_or_utc,
)
from tutorbot.domain.memory import MemoryCard, review_queue
from tutorbot.domain.quiz import QuizState
from tutorbot.domain.refusals import Refusal
from tutorbot.domain.review import (
    DEFAULT_DAILY_LIMIT,
    ReviewDeck,
    ReviewTally,
    check_daily_limit,
    look_at,
    minutes_for,
    review_key,
    split_key,
    tally,
)
from tutorbot.services.memory import cards_of
from tutorbot.storage.review_settings import ReviewSettings

if TYPE_CHECKING:
    from tutorbot.services import Services
    from tutorbot.services.quiz import Screen

DUE_READ_LIMIT = 500
"""The most overdue cards a plan reads and ranks: a student back after months away still gets a
plan in milliseconds (the total due is counted, not read)."""
STREAK_READ_LIMIT = 400


@dataclass(frozen=True)
class ReviewPlan:
    """What a /review would ask now, and what to say around it."""

    due: int
    """Questions due by the end of the student's day (still in content)."""
    limit: int
    """The student's daily limit."""
    done_today: int
    """Review questions already answered today."""
    keys: tuple[str, ...]
    """This review's questions, in order: at most what the limit leaves for today."""
    minutes: int
    """About how long `keys` take."""
    next_due: datetime | None
    """When the next question comes due (None: the student has no cards yet)."""
    next_topics: tuple[Topic, ...]
    """What to learn next, for a day with nothing due."""
    dm_closed: bool
    """Reminders turned themselves off (closed DMs) since the student last looked."""

    @property
    def limit_reached(self) -> bool:
        """Questions are due but today's limit is used up."""
        return self.due > 0 and not self.keys


@dataclass(frozen=True)
class ReviewEnd:
    """A finished review: what it did and what remains."""

    session_id: int
    tally: ReviewTally
    look_at: tuple[Topic, ...]
    """Prerequisites of the topics missed in this review (made due now)."""
    due_left: int
    """Questions still due today (a missed topic's prerequisites, or past the limit)."""
    ready: int
    """Of those, how many another review would ask today (the rest wait for the daily limit)."""
    next_due: datetime | None
    """When the next question comes due after today, if none is left today."""


class ReviewService:
    """Spaced review for one student at a time."""

    def __init__(self, services: Services) -> None:
        self._s = services

    async def settings(self, user_id: int) -> ReviewSettings:
        """The student's stored review settings (None where they kept the default)."""
        return await self._s.storage.review_settings.get(user_id)

    @staticmethod
    def daily_limit(settings: ReviewSettings) -> int:
        """The student's daily limit, or the default."""
        return settings.daily_limit or DEFAULT_DAILY_LIMIT

    async def plan(self, user_id: int, *, suggest: bool = True) -> ReviewPlan:
        """Today's review for the student: due count, order, limit, and what else to say (with
        `suggest`, what to learn next when nothing is left to review)."""
        now = self._s.clock()
        settings = await self.settings(user_id)
        zone = zone_or_utc(settings.timezone)
        limit = self.daily_limit(settings)
        done = await self._s.storage.memory.reviews_since(
            user_id, day_start(local_day(now, zone), zone), "review"
        )
        cards, due = await self._due(user_id, day_end(now, zone))
        library = self._s.library
        queue = review_queue(self._s.memory.model, library.graph, cards, now, max(0, limit - done))
        keys = tuple(review_key(c.topic_id, c.question_id) for c in queue)
        deck = ReviewDeck(library.get)
        questions = [q for q in map(deck.question, keys) if q is not None]
        next_due = None
        if not keys:
            next_due = await self._s.storage.memory.next_due(user_id, after=day_end(now, zone))
        next_topics: tuple[Topic, ...] = ()
        if not keys and suggest:
            overview = await self._s.progress.overview(user_id)
            next_topics = self._topics(overview.next_topics)
        return ReviewPlan(
            due=due,
            limit=limit,
            done_today=done,
            keys=keys,
            minutes=minutes_for(questions),
            next_due=next_due,
            next_topics=next_topics,
            dm_closed=settings.dm_closed_at is not None,
        )

    async def start(
        self, user_id: int, guild_id: int | None, channel_id: int
    ) -> tuple[ReviewPlan, Screen | None] | Refusal:
        """Plan today's review and, when anything is due within the limit, start it (ending
        any quiz in progress). Telling the student about closed DMs clears the notice."""
        plan = await self.plan(user_id)
        if plan.dm_closed:
            await self._s.storage.review_settings.update(
                user_id, now=self._s.clock(), dm_closed_at=None
            )
        if not plan.keys:
            return plan, None
        deck = ReviewDeck(self._s.library.get)
        state = rules.start_review(deck, plan.keys, user_id, self._s.clock())
        if isinstance(state, Refusal):
            return state
        screen = await self._s.quiz.begin(state, deck, guild_id=guild_id, channel_id=channel_id)
        if isinstance(screen, Refusal):
            return screen
        return plan, screen

    async def deck_for(self, user_id: int, state: QuizState) -> ReviewDeck:
        """The review's deck, leaving out the questions after the current one whose cards are
        no longer due today (an earlier answer's implicit credit cleared them)."""
        later = state.question_ids[state.position + 1 :]
        if not later:
            return ReviewDeck(self._s.library.get)
        zone = await self._zone(user_id)
        until = day_end(self._s.clock(), zone)
        rows = await self._s.storage.memory.cards(user_id, map(split_key, later))
        cleared = frozenset(review_key(r.topic_id, r.question_id) for r in rows if r.due > until)
        return ReviewDeck(self._s.library.get, cleared)

    async def ended(self, session_id: int, state: QuizState, deck: ReviewDeck) -> ReviewEnd:
        """The summary of a finished review."""
        in_content = ReviewDeck(self._s.library.get)
        counted = tally(
            state.question_ids,
            state.skipped,
            (a.credit for a in state.answers),
            lambda key: in_content.question(key) is not None,
        )
        missed = (split_key(a.question_id)[0] for a in state.answers if a.credit == 0)
        ids = look_at(self._s.library.graph, missed)
        plan = await self.plan(state.user_id, suggest=False)
        return ReviewEnd(
            session_id,
            counted,
            self._topics(ids),
            plan.due,
            len(plan.keys),
            plan.next_due,
        )

    async def set_limit(self, user_id: int, limit: int) -> ReviewSettings | Refusal:
        """Change the student's daily limit."""
        checked = check_daily_limit(limit)
        if isinstance(checked, Refusal):
            return checked
        return await self._s.storage.review_settings.update(
            user_id, now=self._s.clock(), daily_limit=checked
        )

    async def set_timezone(self, user_id: int, name: str) -> ReviewSettings | UnknownTimeZone:
        """Change the student's time zone (an IANA name, any case); a daily reminder moves with
        it, to the same time of day in the new zone."""
        zone = zone_named(name)
        if isinstance(zone, UnknownTimeZone):
            return zone
        settings = await self._s.storage.review_settings.update(
            user_id, now=self._s.clock(), timezone=zone.key
        )
        await self._s.reminders.follow_zone(user_id)
        return settings

    async def due_count(self, user_id: int) -> int:
        """How many questions are due by the end of the student's day (still in content)."""
        zone = await self._zone(user_id)
        keys, total = await self._s.storage.memory.due_keys(
            user_id, day_end(self._s.clock(), zone), DUE_READ_LIMIT
        )
        library = self._s.library
        return total - sum(1 for t, q in keys if not _exists(library.get(t), q))

    async def _due(self, user_id: int, until: datetime) -> tuple[list[MemoryCard], int]:
        """The student's cards due by `until` whose questions content still has (at most
        `DUE_READ_LIMIT`, most overdue first), and how many such cards there are: the count
        leaves out the removed questions among those read."""
        read = await self._s.storage.memory.due(user_id, until, DUE_READ_LIMIT)
        library = self._s.library
        cards = [c for c in cards_of(read.cards) if _exists(library.get(c.topic_id), c.question_id)]
        return cards, read.total - (len(read.cards) - len(cards))

    async def retention(self, user_id: int, topic_ids: list[str]) -> dict[str, float]:
        """For each topic with cards: the mean probability, by the model, that the student
        recalls its questions now (what /progress shows as "remembered today")."""
        rows = await self._s.storage.memory.cards_of_topics(user_id, topic_ids)
        now, model = self._s.clock(), self._s.memory.model
        sums: dict[str, list[float]] = {}
        for card in cards_of(rows):
            sums.setdefault(card.topic_id, []).append(model.retrievability(card, now))
        return {t: sum(v) / len(v) for t, v in sums.items()}

    async def streak(self, user_id: int) -> int:
        """Days in a row, up to today, on which the student answered anything."""
        zone = await self._zone(user_id)
        days = await self._s.storage.memory.recent_days(user_id, STREAK_READ_LIMIT)
        today = local_day(self._s.clock(), zone)
        return streak((date.fromisoformat(d) for d in days), today)

    async def _zone(self, user_id: int) -> ZoneInfo:
        return zone_or_utc((await self.settings(user_id)).timezone)

    def _topics(self, ids: tuple[str, ...] | list[str]) -> tuple[Topic, ...]:
        found = (self._s.library.get(t) for t in ids)
        return tuple(t for t in found if t is not None)


def _exists(topic: Topic | None, question_id: str) -> bool:
    return topic is not None and topic.question(question_id) is not None
