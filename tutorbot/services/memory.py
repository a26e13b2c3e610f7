"""Every answer is a review: the memory rules (`domain/memory.py`) wired to the answer writes.

`MemoryService.step` turns an answer into a `PracticeStep` that storage runs inside the answer's
own write (quiz, /review and round alike); the conversions between the domain's cards and
storage's rows live here, so neither layer knows the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
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
from tutorbot.storage.memory import CardRow, PracticeWrites, ReviewRow

if TYPE_CHECKING:
    from tutorbot.services import Services

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


class MemoryService:
    """The memory model every answer goes through."""

    def __init__(self, services: Services, model: MemoryModel | None = None) -> None:
        self._s = services
        self.model = model or MemoryModel()

    async def start(self) -> None:
        """Begin replaying the answers given before migration 0010 into memory cards."""

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
