"""A /review: a private quiz whose questions come from many topics, in the order memory says.

A review is a `QuizState` like any quiz (same steps, same screens, same resumable rows) over a
`ReviewDeck`: its question ids are keys `topic-id/question-id` and its topic id is `REVIEW_DECK`,
which no topic can have (topic ids are slugs). The deck resolves each key in the current content,
and leaves out the questions whose cards an earlier answer of the same review cleared (implicit
credit from a topic built on them): `next_question` then skips them as it skips a removed
question, and the summary counts them as covered.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from tutorbot.content.models import Question, QuestionType, Topic
from tutorbot.domain.progress import REVIEW_LIMIT, Graph, prerequisites_to_review
from tutorbot.domain.refusals import Refusal

REVIEW_DECK = "*review"
"""The topic id of every review's state: not a slug, so never a topic's."""
KEY_SEPARATOR = "/"
DEFAULT_DAILY_LIMIT = 20
MIN_DAILY_LIMIT, MAX_DAILY_LIMIT = 1, 200
SECONDS_PER_QUESTION = {
    QuestionType.MULTIPLE_CHOICE: 20,
    QuestionType.TRUE_FALSE: 12,
    QuestionType.FREE_RESPONSE: 60,
    QuestionType.SHORT_ANSWER: 30,
    QuestionType.NUMERIC: 40,
}
"""A typical time to answer each kind, for the "about M minutes" at the top of a review (a typed
answer: opening the form and typing a few words, or working out a number)."""
DEFAULT_SECONDS = 30


def review_key(topic_id: str, question_id: str) -> str:
    """The id of a question inside a review: `topic-id/question-id`."""
    return f"{topic_id}{KEY_SEPARATOR}{question_id}"


def split_key(key: str) -> tuple[str, str]:
    """Inverse of `review_key`: (topic id, question id); ('', key) for a key without a topic."""
    topic_id, _, question_id = key.rpartition(KEY_SEPARATOR)
    return topic_id, question_id


@dataclass(frozen=True)
class ReviewDeck:
    """The questions of one review, looked up in the current content at every step."""

    topic_of: Callable[[str], Topic | None]
    """The library's lookup of a topic by id."""
    covered: frozenset[str] = frozenset()
    """Keys of questions an earlier answer of this review cleared (no longer due)."""

    @property
    def id(self) -> str:
        """`REVIEW_DECK`, the topic id a review's state carries."""
        return REVIEW_DECK

    def question(self, key: str) -> Question | None:
        """The question a key names, or None if content removed it or it was covered."""
        if key in self.covered:
            return None
        topic = self.topic(key)
        return None if topic is None else topic.question(split_key(key)[1])

    def topic(self, key: str) -> Topic | None:
        """The topic a key's question belongs to, if it is still in content."""
        return self.topic_of(split_key(key)[0])


@dataclass(frozen=True)
class BadDailyLimit(Refusal):
    """A daily limit out of range."""

    @property
    def text(self) -> str:
        """What the student is told."""
        return (
            f"The daily limit is a number of reviews from {MIN_DAILY_LIMIT} to {MAX_DAILY_LIMIT}."
        )


def check_daily_limit(limit: int) -> int | BadDailyLimit:
    """The limit if it is in range, or why not."""
    if not MIN_DAILY_LIMIT <= limit <= MAX_DAILY_LIMIT:
        return BadDailyLimit()
    return limit


def minutes_for(questions: Iterable[Question]) -> int:
    """About how many minutes these questions take (at least 1 when there is any)."""
    seconds = sum(SECONDS_PER_QUESTION.get(q.type, DEFAULT_SECONDS) for q in questions)
    return math.ceil(seconds / 60) if seconds else 0


@dataclass(frozen=True)
class ReviewTally:
    """What a finished review did, counted from its state."""

    answered: int
    right: int
    covered: int
    """Questions cleared by an earlier answer of the review (implicit credit)."""


def tally(
    question_ids: Collection[str],
    skipped: Collection[str],
    credits: Iterable[float],
    still_in_content: Callable[[str], bool],
) -> ReviewTally:
    """Count a review: answers and full-credit answers, and the skipped questions that still
    exist (covered by implicit credit, not removed from content)."""
    given = list(credits)
    covered = sum(1 for key in skipped if key in question_ids and still_in_content(key))
    return ReviewTally(len(given), sum(1 for c in given if c >= 1.0), covered)


def look_at(graph: Graph, missed_topics: Iterable[str]) -> tuple[str, ...]:
    """What a student should look at again after missing review questions of these topics: each
    topic's direct prerequisites, which the miss made due (mastered once, they are what a review
    finds forgotten; `progress.prerequisites_to_review` with nothing excluded), in order of the
    misses, at most `REVIEW_LIMIT`."""
    found: dict[str, None] = {}
    for topic_id in missed_topics:
        found.update(dict.fromkeys(prerequisites_to_review(graph, topic_id, ())))
    return tuple(found)[:REVIEW_LIMIT]
