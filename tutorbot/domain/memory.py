"""What a student remembers of each question, and when to ask it again: FSRS cards and the graph.

**The model.** Each (student, question) pair has a memory card scheduled by the maintained
`fsrs` package (FSRS-6, default parameters, desired retention 90%). Every answer is a review of
its card, wherever it was given (a quiz, /review or a group round): a right choice is Good, a
wrong one Again; a free response judged "Got it" is Good, "Partly" Hard, "Missed it" Again
(`rating_for_choice`, `rating_for_assessment`). TutorBot asks at most once a day, so the
scheduler has no learning steps (minutes-long steps only make sense in a flashcard app that is
open all day) and no fuzz (the same answers give the same schedule, which tests and students can
follow).

**The graph shares the work** (after Math Academy's "fractional implicit repetition"). Practising
a topic exercises the topics beneath it, so:

- A successful answer (Good) on topic T gives *implicit credit* to the cards of T's
  prerequisites: weight 1 to a direct prerequisite, 1/2 two steps down, 1/4 three steps down,
  nothing further (`IMPLICIT_WEIGHTS`). Three steps and halving because an advanced question
  exercises its direct prerequisites in full but uses what lies deeper in ever smaller part;
  past three steps the share is too small to stand in for a real review, and the topics that
  would be credited grow too many to read on every click.
- Credit goes only to cards that are due or nearly due (`nearly_due`: at most a day early, and
  never earlier than the last fifth of the card's interval), so early repetitions never inflate
  memory: reviewing a topic an hour after its prerequisites were reviewed credits nothing.
- Credit accumulates on the card; when it reaches 1 the card gets an implicit Good review (a
  direct prerequisite at once, a card two steps down after two such answers) and its credit starts
  again from zero, as it does after an explicit answer to the card.
- A failed review (Again on a question the student had answered before) on T makes the cards of
  T's direct prerequisites due now: a gap below is the likeliest cause, and the student is told
  which one to look at. A miss on a question seen for the first time is learning, not
  forgetting, and says nothing about what lies below. Those cards are *held*
  (`HELD`): they take no implicit credit until the student answers them, so the next right answer
  on T (in the same review, say) cannot clear what the miss just pointed at.

**The queue** (`review_queue`): the cards due by the end of the student's day, lowest recall
probability first, except that a topic comes before its due prerequisites, so that its success
can clear them (a /review skips a question whose card was cleared meanwhile).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Literal, Protocol

import fsrs

from tutorbot.domain._time import utc

DESIRED_RETENTION = 0.9
IMPLICIT_WEIGHTS = (1.0, 0.5, 0.25)
"""Implicit credit by distance: a direct prerequisite (1 step) gets 1, 2 steps 1/2, 3 steps 1/4."""
MAX_CREDITED_TOPICS = 64
"""At most this many prerequisites (nearest first) get credit from one answer: a bound on what
one click reads, whatever the graph's width."""
NEARLY_DUE_SHARE = 0.2
NEARLY_DUE_MAX = timedelta(days=1)
FULL_CREDIT = 1.0 - 1e-9
HELD = -1.0
"""A card's credit after a failure above made it due: no implicit credit until it is answered."""

ReviewSource = Literal["quiz", "round", "review", "placement", "implicit"]


class Rating(IntEnum):
    """How an answer went, in FSRS's terms (the values are fsrs.Rating's)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class CardState(IntEnum):
    """Where a card is in FSRS's life cycle (the values are fsrs.State's)."""

    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


def rating_for_choice(correct: bool) -> Rating:
    """A multiple-choice or true/false answer: right is Good, wrong is Again."""
    return Rating.GOOD if correct else Rating.AGAIN


_ASSESSED = {"got_it": Rating.GOOD, "partly": Rating.HARD, "missed": Rating.AGAIN}


def rating_for_assessment(assessment: str) -> Rating:
    """A free response judged by the student: Got it is Good, Partly Hard, Missed it Again."""
    return _ASSESSED[str(assessment)]


@dataclass(frozen=True, slots=True)
class MemoryCard:
    """What a student remembers of one question, as FSRS schedules it."""

    topic_id: str
    question_id: str
    due: datetime
    state: CardState = CardState.LEARNING
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    credit: float = 0.0

    @property
    def key(self) -> tuple[str, str]:
        """(topic id, question id): which question this card is."""
        return self.topic_id, self.question_id


@dataclass(frozen=True, slots=True)
class MemoryLog:
    """One review of a card: an answer, or implicit credit (with its weight)."""

    topic_id: str
    question_id: str
    rating: Rating
    source: ReviewSource
    weight: float
    reviewed_at: datetime


@dataclass(frozen=True)
class MemoryChange:
    """What one answer changes: the cards to write and the reviews to log."""

    cards: tuple[MemoryCard, ...] = ()
    logs: tuple[MemoryLog, ...] = ()

    def card(self, topic_id: str, question_id: str) -> MemoryCard | None:
        """The written card of this question, if the change wrote one."""
        return next((c for c in self.cards if c.key == (topic_id, question_id)), None)


class MemoryModel:
    """FSRS with TutorBot's settings: no learning steps, no fuzz, 90% desired retention."""

    def __init__(self, desired_retention: float = DESIRED_RETENTION) -> None:
        self._fsrs = fsrs.Scheduler(
            desired_retention=desired_retention,
            learning_steps=(),
            relearning_steps=(),
            enable_fuzzing=False,
        )

    @property
    def desired_retention(self) -> float:
        """The recall probability a card is scheduled to fall to when it comes due."""
        return self._fsrs.desired_retention

    def review(
        self,
        card: MemoryCard | None,
        topic_id: str,
        question_id: str,
        rating: Rating,
        now: datetime,
    ) -> MemoryCard:
        """The card after an answer rated `rating` at `now` (a new card if there was none)."""
        now = utc(now)
        base = card or MemoryCard(topic_id, question_id, due=now)
        reviewed, _ = self._fsrs.review_card(_to_fsrs(base), fsrs.Rating(int(rating)), now)
        lapsed = rating is Rating.AGAIN and base.state is not CardState.LEARNING
        return replace(
            _from_fsrs(base, reviewed),
            reps=base.reps + 1,
            lapses=base.lapses + int(lapsed),
            credit=0.0,
        )

    def retrievability(self, card: MemoryCard, now: datetime) -> float:
        """The probability, by the model, that the student recalls this question at `now`."""
        return float(self._fsrs.get_card_retrievability(_to_fsrs(card), utc(now)))

    def credit(self, card: MemoryCard, weight: float, now: datetime) -> MemoryCard | None:
        """The card after implicit credit `weight` at `now`, or None when it takes none (not
        nearly due, or held after a failure above). At a full unit of credit it gets an
        implicit Good review and its credit starts again from zero."""
        now = utc(now)
        if weight <= 0 or card.credit < 0 or not nearly_due(card, now):
            return None
        total = card.credit + weight
        if total < FULL_CREDIT:
            return replace(card, credit=total)
        reviewed, _ = self._fsrs.review_card(_to_fsrs(card), fsrs.Rating.Good, now)
        return replace(_from_fsrs(card, reviewed), credit=0.0)


def _to_fsrs(card: MemoryCard) -> fsrs.Card:
    # An explicit card_id: fsrs.Card's default id sleeps a millisecond to stay unique.
    return fsrs.Card(
        card_id=1,
        state=fsrs.State(int(card.state)),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=utc(card.due),
        last_review=None if card.last_review is None else utc(card.last_review),
    )


def _from_fsrs(base: MemoryCard, card: fsrs.Card) -> MemoryCard:
    return replace(
        base,
        state=CardState(int(card.state)),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def nearly_due(card: MemoryCard, now: datetime) -> bool:
    """Due, or due soon enough that a review now is not early: within a day and within the last
    `NEARLY_DUE_SHARE` of its interval."""
    if card.due <= now:
        return True
    interval = card.due - (card.last_review or card.due)
    return card.due - now <= min(NEARLY_DUE_MAX, interval * NEARLY_DUE_SHARE)


class Prerequisites(Protocol):
    """The part of the knowledge graph memory relies on."""

    def prerequisites(self, topic_id: str) -> Sequence[str]:
        """Direct prerequisites, as listed in the topic's file."""

    def __contains__(self, topic_id: object) -> bool: ...


def implicit_weights(graph: Prerequisites, topic_id: str) -> dict[str, float]:
    """The prerequisites that share in a success on `topic_id`, with their credit: by the shortest
    distance, `IMPLICIT_WEIGHTS`, at most `MAX_CREDITED_TOPICS` (nearest first)."""
    if topic_id not in graph:
        return {}
    weights: dict[str, float] = {}
    layer = [topic_id]
    for weight in IMPLICIT_WEIGHTS:
        below: list[str] = []
        for topic in layer:
            for prerequisite in graph.prerequisites(topic):
                if prerequisite not in weights and prerequisite != topic_id:
                    weights[prerequisite] = weight
                    below.append(prerequisite)
                    if len(weights) >= MAX_CREDITED_TOPICS:
                        return weights
        layer = below
    return weights


@dataclass(frozen=True)
class Practice:
    """One answer as a review, and what it does to the cards of the topic's prerequisites.

    Built by `practice` outside any transaction; storage reads the cards it names inside the
    answer's own write and `apply` decides what to write, so nothing a concurrent click did is
    overwritten.
    """

    topic_id: str
    question_id: str
    rating: Rating
    source: ReviewSource
    now: datetime
    credit_to: Mapping[str, float]
    """Prerequisite topic -> implicit credit (a success only)."""
    due_now: tuple[str, ...]
    """Direct prerequisites whose cards become due now (a failure only)."""

    @property
    def credit_before(self) -> datetime:
        """No card due later than this can take credit (see `nearly_due`)."""
        return self.now + NEARLY_DUE_MAX

    def apply(
        self,
        model: MemoryModel,
        answered: MemoryCard | None,
        credited: Iterable[MemoryCard],
        lapsed: Iterable[MemoryCard],
    ) -> MemoryChange:
        """The cards and logs to write: the answered card reviewed; `credited` (cards of
        `credit_to` due before `credit_before`) given their credit; `lapsed` (cards of `due_now`)
        made due now and held for an answer, when the answer failed a review (the question had a
        card: a first answer is learning)."""
        card = model.review(answered, self.topic_id, self.question_id, self.rating, self.now)
        cards = [card]
        logs = [MemoryLog(self.topic_id, self.question_id, self.rating, self.source, 1.0, self.now)]
        for other in credited:
            weight = self.credit_to.get(other.topic_id, 0.0)
            after = model.credit(other, weight, self.now)
            if after is None:
                continue
            cards.append(after)
            logs.append(
                MemoryLog(
                    other.topic_id, other.question_id, Rating.GOOD, "implicit", weight, self.now
                )
            )
        if answered is not None:
            cards += [
                replace(other, due=min(other.due, self.now), credit=HELD)
                for other in lapsed
                if other.topic_id in self.due_now
            ]
        return MemoryChange(tuple(cards), tuple(logs))


def practice(
    graph: Prerequisites,
    topic_id: str,
    question_id: str,
    rating: Rating,
    source: ReviewSource,
    now: datetime,
) -> Practice:
    """The review an answer makes: credit down the graph on Good or Easy, prerequisites due now
    on Again, neither on Hard ("Partly": neither a success to share nor a failure to trace), and
    neither for a placement answer (it measures where the student stands; it is not practice)."""
    shares = source != "placement"
    success = shares and rating >= Rating.GOOD
    failure = shares and rating is Rating.AGAIN
    return Practice(
        topic_id=topic_id,
        question_id=question_id,
        rating=rating,
        source=source,
        now=utc(now),
        credit_to=implicit_weights(graph, topic_id) if success else {},
        due_now=(tuple(graph.prerequisites(topic_id)) if failure and topic_id in graph else ()),
    )


class Ancestry(Protocol):
    """The part of the knowledge graph the queue relies on."""

    def descendant_set(self, topic_id: str) -> AbstractSet[str]:
        """All topics built on this one, as a set that intersects `topic_set` cheaply."""

    def topic_set(self, topics: Iterable[str]) -> AbstractSet[str]:
        """Exactly these topics, as a set that intersects `descendant_set` cheaply."""

    def __contains__(self, topic_id: object) -> bool: ...


def _ready(graph: Ancestry, topic: str, waiting: AbstractSet[str]) -> bool:
    """Whether no topic still waiting builds on `topic` (a topic content removed is ready)."""
    return topic not in graph or not graph.descendant_set(topic) & waiting


def review_queue(
    model: MemoryModel,
    graph: Ancestry,
    due: Iterable[MemoryCard],
    now: datetime,
    limit: int | None = None,
) -> tuple[MemoryCard, ...]:
    """Due cards in the order a review asks them, at most `limit`.

    Lowest recall probability first, except that a topic comes before every due topic beneath it
    (its success may clear them): the topics are taken in a topological order of "is built on",
    choosing at each step the ready topic whose weakest card is weakest. Within a topic, weakest
    card first. Ties go to the earlier due date, then the ids, so the order is stable.
    """
    now = utc(now)
    by_topic: dict[str, list[tuple[float, datetime, str, MemoryCard]]] = {}
    for card in due:
        recall = model.retrievability(card, now)
        by_topic.setdefault(card.topic_id, []).append((recall, card.due, card.question_id, card))
    for cards in by_topic.values():
        cards.sort(key=lambda c: (c[0], c[1], c[2]))
    # The next topic is the weakest one that no topic still waiting builds on: one AND of two
    # bitsets per topic looked at, and only until the limit is reached.
    waiting = sorted(by_topic, key=lambda t: (by_topic[t][0][:3], t))
    remaining = graph.topic_set(by_topic)
    ordered: list[MemoryCard] = []
    while waiting and (limit is None or len(ordered) < limit):
        index = next(
            (i for i, t in enumerate(waiting) if _ready(graph, t, remaining)),
            0,  # a cycle cannot happen (content refuses one); never wedge on it
        )
        topic = waiting.pop(index)
        ordered.extend(c[3] for c in by_topic[topic])
        remaining = remaining - graph.topic_set((topic,))
    return tuple(ordered if limit is None else ordered[:limit])
