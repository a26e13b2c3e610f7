"""Every answer is a review: the memory rules (`domain/memory.py`) wired to the answer writes.

`MemoryService.step` turns an answer into a `PracticeStep` that storage runs inside the answer's
own write (quiz, /review and round alike); the conversions between the domain's cards and
storage's rows live here, so neither layer knows the other.

**Students with a history.** A database from before migration 0010 holds answers but no cards.
`MemoryService.start` replays them in the background (`seed_history`): each student's answers
in the order they were given, each one a review of its card (`history_rating`), a few hundred
answers per short write (`storage/memory_seed.py`), so clicks never wait long behind it and a
restart resumes where it stopped. A card a live answer made before the replay reached it is kept.
The replay gives no implicit credit and makes no prerequisite due: the graph may have changed
since the answers were given, and credit depends on which other cards were due at the time,
which a replay card by card cannot know.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING

from tutorbot.domain.days import local_day, zone_or_utc
from tutorbot.domain.memory import (
    CardState,
    MemoryCard,
    MemoryModel,
    Practice,
    Rating,
    ReviewSource,
    practice,
)
from tutorbot.storage.errors import StorageClosedError
from tutorbot.storage.memory import CardRow, PracticeWrites, ReviewRow
from tutorbot.storage.memory_seed import (
    HistoryAnswer,
    MemorySeed,
    SeedBatch,
    SeededCard,
    SeedPlace,
)

if TYPE_CHECKING:
    from tutorbot.services import Services

log = logging.getLogger(__name__)

SEED_BATCH = 250
"""Answers replayed per write: about as many rows as one /forgetme batch deletes (250), which
keeps a click queued behind a batch within a few milliseconds."""
SEED_SLICE = 25
"""Answers replayed between two turns of the event loop (about half a millisecond of rules)."""
SEED_REST = 1.0
"""After each batch the replay rests this many times as long as the batch took, leaving the
event loop and the writer to the clicks at least that share of the time."""
_CARD_FIELDS = tuple(f.name for f in fields(CardRow))


def card_of(row: CardRow) -> MemoryCard:
    """A stored card as the domain's."""
    values = {name: getattr(row, name) for name in _CARD_FIELDS}
    values["state"] = CardState(row.state)
    return MemoryCard(**values)


def cards_of(rows: Iterable[CardRow]) -> list[MemoryCard]:
    """Stored cards as the domain's."""
    return [card_of(r) for r in rows]


def row_of(card: MemoryCard) -> CardRow:
    """A domain card as storage writes it."""
    values = {name: getattr(card, name) for name in _CARD_FIELDS}
    values["state"] = int(card.state)
    return CardRow(**values)


@dataclass(frozen=True)
class _Step:
    """A `storage.memory.PracticeStep`: the domain's `Practice`, decided on stored rows."""

    practice: Practice
    model: MemoryModel

    @property
    def topic_id(self) -> str:
        return self.practice.topic_id

    @property
    def question_id(self) -> str:
        return self.practice.question_id

    @property
    def credit_topics(self) -> Sequence[str]:
        return tuple(self.practice.credit_to)

    @property
    def credit_before(self) -> datetime:
        return self.practice.credit_before

    @property
    def lapse_topics(self) -> Sequence[str]:
        return self.practice.due_now

    def decide(
        self,
        answered: CardRow | None,
        credited: list[CardRow],
        lapsed: list[CardRow],
        timezone: str | None,
    ) -> PracticeWrites:
        change = self.practice.apply(
            self.model,
            None if answered is None else card_of(answered),
            cards_of(credited),
            cards_of(lapsed),
        )
        reviews = [
            ReviewRow(
                log.topic_id,
                log.question_id,
                int(log.rating),
                log.source,
                log.weight,
                log.reviewed_at,
            )
            for log in change.logs
        ]
        day = local_day(self.practice.now, zone_or_utc(timezone)).isoformat()
        return PracticeWrites([row_of(c) for c in change.cards], reviews, day)


def history_rating(correct: bool, points: int) -> Rating:
    """How an answer given before memory existed counts: right is Good; wrong but with points
    is a free response its author judged "Partly" (the only way to earn points without being
    right: 50 in a quiz, 250 in a round), Hard; wrong without points is Again. The row cannot
    tell "Missed it" from a round's typed answer its author never judged (which a live answer
    does not count as a review): both replay as Again."""
    if correct:
        return Rating.GOOD
    return Rating.HARD if points > 0 else Rating.AGAIN


@dataclass(frozen=True)
class SeedReport:
    """What a run of `MemoryService.seed_history` did."""

    answers: int
    """Answers replayed (each one review row)."""
    students: int
    cards: int
    """Cards created."""
    kept: int
    """Cards a live answer had made first, kept as they were."""
    seconds: float
    finished: bool
    """Whether the history is all replayed (else a later run carries on)."""


@dataclass
class _Replay:
    """The replay's rules, one student at a time: their cards as the history built them, and the
    write being gathered (`add` each answer, then `take` the batch)."""

    model: MemoryModel
    user_id: int | None = None
    cards: dict[tuple[str, str], MemoryCard] = field(default_factory=dict)
    written: dict[tuple[str, str], CardRow] = field(default_factory=dict)
    """The current student's cards as the replay last wrote them."""
    changed: dict[tuple[int, str, str], MemoryCard] = field(default_factory=dict)
    replaces: dict[tuple[int, str, str], CardRow | None] = field(default_factory=dict)
    reviews: list[tuple[int, ReviewRow]] = field(default_factory=list)
    days: Counter[tuple[int, str]] = field(default_factory=Counter)

    def resume(self, answers: Sequence[HistoryAnswer]) -> None:
        """Rebuild one student's cards from the answers replayed before a restart (or the next
        of them: the cards carry on from call to call)."""
        for answer in answers:
            self._review(answer)
        self.written = {key: row_of(card) for key, card in self.cards.items()}

    def add(self, answer: HistoryAnswer) -> None:
        """Replay the next answer (in replay order) into the write being gathered: its card,
        its review row (weight 1, at the time it was given) and its day (UTC: no zone was
        known then)."""
        rating = self._review(answer)
        key = answer.topic_id, answer.question_id
        if (answer.user_id, *key) not in self.replaces:
            self.replaces[answer.user_id, *key] = self.written.get(key)
        self.changed[answer.user_id, *key] = self.cards[key]
        at = answer.answered_at
        row = ReviewRow(answer.topic_id, answer.question_id, int(rating), answer.source, 1, at)
        self.reviews.append((answer.user_id, row))
        self.days[answer.user_id, local_day(at, zone_or_utc(None)).isoformat()] += 1

    def take(self, after: SeedPlace | None, through: SeedPlace) -> SeedBatch:
        """The write of the answers added since the last, from `after` through `through`."""
        cards = [
            SeededCard(k[0], row_of(card), self.replaces[k]) for k, card in self.changed.items()
        ]
        for seeded in cards:
            if seeded.user_id == self.user_id:
                self.written[seeded.card.topic_id, seeded.card.question_id] = seeded.card
        batch = SeedBatch(after, through, cards, self.reviews, self.days)
        self.changed, self.replaces, self.reviews, self.days = {}, {}, [], Counter()
        return batch

    def _review(self, answer: HistoryAnswer) -> Rating:
        """Apply one answer to its card (a new student starts with no cards)."""
        if answer.user_id != self.user_id:
            self.user_id, self.cards, self.written = answer.user_id, {}, {}
        key = answer.topic_id, answer.question_id
        rating = history_rating(answer.correct, answer.points)
        self.cards[key] = self.model.review(
            self.cards.get(key), answer.topic_id, answer.question_id, rating, answer.answered_at
        )
        return rating


class MemoryService:
    """The memory model every answer goes through."""

    def __init__(self, services: Services, model: MemoryModel | None = None) -> None:
        self._s = services
        self.model = model or MemoryModel()
        self._seeding: asyncio.Task[SeedReport | None] | None = None

    async def start(self) -> None:
        """Begin replaying the answers given before migration 0010 into memory cards, in the
        background (`seeded` waits for it, `stop` ends it; a restart resumes it)."""
        if self._seeding is None or self._seeding.done():
            self._seeding = asyncio.create_task(self._seed_in_background(), name="memory.seed")

    async def seeded(self) -> SeedReport | None:
        """Wait for the background replay `start` began; what it did (None: nothing to do,
        never started, or stopped)."""
        task = self._seeding
        if task is None:
            return None
        await asyncio.wait({task})
        return None if task.cancelled() else task.result()

    async def stop(self) -> None:
        """End the background replay; a write under way still commits, with its place, so the
        next start resumes after it."""
        task, self._seeding = self._seeding, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task})

    async def _seed_in_background(self) -> SeedReport | None:
        """`seed_history`, logging instead of raising: the bot keeps serving without it."""
        try:
            return await self.seed_history()
        except StorageClosedError:  # closing while a batch was under way: the next start resumes
            return None
        except Exception:
            log.exception("replaying answers into memory stopped; the next start resumes it")
            return None

    async def seed_history(
        self, *, batch: int = SEED_BATCH, max_batches: int | None = None, rest: float = SEED_REST
    ) -> SeedReport | None:
        """Replay the answers given before migration 0010 that are not replayed yet, `batch`
        answers per write (at most `max_batches` writes), resting `rest` times as long as each
        batch took after it; None when there was nothing to do."""
        started = time.perf_counter()
        seed = MemorySeed(self._s.storage.db)
        plan = await seed.plan()
        if plan is None:
            return None
        replay = _Replay(self.model)
        if plan.after is not None:
            history = await seed.answers_through(plan.until, plan.after)
            for start in range(0, len(history), SEED_SLICE):
                replay.resume(history[start : start + SEED_SLICE])
                await asyncio.sleep(0)
        after, answers, students, created, kept = plan.after, 0, 0, 0, 0
        finished = False
        while max_batches is None or max_batches > 0:
            began = time.perf_counter()
            found = await seed.answers_after(plan.until, after, batch)
            if not found:
                finished = await seed.finish(after)
                break
            students += len({a.user_id for a in found} - {replay.user_id})
            writes = await self._replayed(replay, found, after)
            written = await seed.write(writes, self._s.clock())
            if written is None:  # another process replays (or finished): leave it to it
                break
            after, answers = writes.through, answers + len(found)
            created, kept = created + written.created, kept + written.kept
            max_batches = None if max_batches is None else max_batches - 1
            await asyncio.sleep((time.perf_counter() - began) * rest)
        report = SeedReport(
            answers, students, created, kept, time.perf_counter() - started, finished
        )
        if finished:
            log.info(
                "memory: replayed %d answers of %d students given before spaced review: "
                "%d cards made, %d kept as live answers made them, in %.1f s",
                report.answers,
                report.students,
                report.cards,
                report.kept,
                report.seconds,
            )
        return report

    @staticmethod
    async def _replayed(
        replay: _Replay, answers: Sequence[HistoryAnswer], after: SeedPlace | None
    ) -> SeedBatch:
        """The batch that replays `answers`, letting the event loop run between slices."""
        for start in range(0, len(answers), SEED_SLICE):
            for answer in answers[start : start + SEED_SLICE]:
                replay.add(answer)
            await asyncio.sleep(0)
        return replay.take(after, answers[-1].place)

    def step(
        self,
        topic_id: str,
        question_id: str,
        rating: Rating,
        source: ReviewSource,
        now: datetime,
    ) -> _Step:
        """The review an answer makes, to pass to the store that records the answer."""
        graph = self._s.library.graph
        return _Step(practice(graph, topic_id, question_id, rating, source, now), self.model)
