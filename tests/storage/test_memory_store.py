"""Memory cards and review settings in a real database: an answer's review is written in the
answer's own commit, and the reads /review, /progress, /stats and reminders make."""

from __future__ import annotations

import sqlite3
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tutorbot.content.loader import load_library
from tutorbot.domain.memory import Rating, ReviewSource
from tutorbot.services import Services
from tutorbot.storage import Storage
from tutorbot.storage.memory import record_practice
from tutorbot.storage.quizzes import NewAnswer, QuizSession
from tutorbot.storage.users import ensure_user

from ._round_rows import round_state
from .conftest import rows

USER, OTHER = 11, 12
CHAIN = ("counting", "adding", "algebra", "calculus")
"""Each topic is built on the one before it."""


def write_course(root: Path) -> Path:
    """The chain of topics, one true/false question each (q-<topic>)."""
    root.mkdir()
    for below, topic in zip((None, *CHAIN), CHAIN, strict=False):
        (root / f"{topic}.yaml").write_text(
            textwrap.dedent(f"""\
            id: {topic}
            title: Title of {topic}
            prerequisites: [{below or ""}]
            core_idea: An idea.
            explainer: An explainer.
            questions:
              - id: q-{topic}
                type: true_false
                prompt: A statement.
                answer: true
                explanation: It is so.
            """)
        )
    return root


@pytest.fixture
def services(storage: Storage, tmp_path: Path, now: datetime) -> Services:
    return Services(load_library(write_course(tmp_path / "content")), storage, lambda: now)


async def quiz_on(storage: Storage, user: int, topic: str, now: datetime) -> QuizSession:
    return await storage.quizzes.create(
        user_id=user,
        guild_id=None,
        channel_id=5,
        topic_id=topic,
        question_ids=[f"q-{topic}"],
        now=now,
    )


async def answer_in_quiz(
    services: Services,
    session: QuizSession,
    rating: Rating,
    now: datetime,
) -> QuizSession | None:
    """The quiz's one question answered, with its review, as QuizService's step writes it."""
    topic = session.topic_id
    step = services.memory.step(topic, f"q-{topic}", rating, "quiz", now)
    return await services.storage.quizzes.save_step(
        session,
        now=now,
        state={},
        position=1,
        reveal_at=None,
        status="finished",
        answer=NewAnswer(f"q-{topic}", "True", rating is Rating.GOOD, 1.0, practice=step),
    )


async def practise(
    services: Services,
    user: int,
    topic: str,
    now: datetime,
    rating: Rating = Rating.GOOD,
    question: str | None = None,
    source: ReviewSource = "quiz",
) -> None:
    """One review of a card recorded alone (as a round or review answer would, without them)."""
    step = services.memory.step(topic, question or f"q-{topic}", rating, source, now)

    def tx(conn: sqlite3.Connection) -> None:
        ensure_user(conn, user, now)
        record_practice(conn, user, step)

    await services.storage.db.write(tx)


# Written with the answer


async def test_a_quiz_answer_writes_its_card_review_and_day_in_the_same_commit(
    services: Services, storage: Storage, now: datetime
) -> None:
    session = await quiz_on(storage, USER, "algebra", now)
    assert await answer_in_quiz(services, session, Rating.GOOD, now) is not None

    assert await rows(storage, "SELECT topic_id, question_id, correct FROM answers") == [
        ("algebra", "q-algebra", 1)
    ]
    cards = await storage.memory.cards(USER, [("algebra", "q-algebra")])
    assert len(cards) == 1
    card = cards[0]
    assert (card.reps, card.lapses, card.last_review) == (1, 0, now)
    assert card.due - now >= timedelta(days=1)
    assert await rows(
        storage, "SELECT user_id, topic_id, rating, source, weight FROM memory_reviews"
    ) == [(USER, "algebra", int(Rating.GOOD), "quiz", 1.0)]
    assert await rows(storage, "SELECT user_id, day, reviews FROM review_days") == [
        (USER, now.date().isoformat(), 1)
    ]


async def test_a_step_that_lost_its_race_writes_no_review_either(
    services: Services, storage: Storage, now: datetime
) -> None:
    session = await quiz_on(storage, USER, "algebra", now)
    assert await answer_in_quiz(services, session, Rating.GOOD, now) is not None
    later = now + timedelta(seconds=1)
    assert await answer_in_quiz(services, session, Rating.AGAIN, later) is None  # stale version
    assert await rows(storage, "SELECT COUNT(*) FROM answers") == [(1,)]
    assert await rows(storage, "SELECT COUNT(*), MIN(rating) FROM memory_reviews") == [(1, 3)]
    assert await rows(storage, "SELECT reps FROM memory_cards") == [(1,)]
    assert await rows(storage, "SELECT reviews FROM review_days") == [(1,)]


async def test_a_round_answer_is_reviewed_once_however_often_it_is_clicked(
    services: Services, storage: Storage, now: datetime
) -> None:
    rnd = await storage.rounds.start(
        guild_id=1,
        channel_id=2,
        host_id=OTHER,
        now=now,
        state=round_state("algebra", ["q-algebra"], {}),
        deadline=now + timedelta(seconds=20),
    )

    async def click(answer: str, at: datetime) -> object:
        rating = Rating.GOOD if answer == "A" else Rating.AGAIN
        return await storage.rounds.record_open_answer(
            round_id=rnd.id,
            question_index=0,
            question_id="q-algebra",
            topic_id="algebra",
            user_id=USER,
            answer=answer,
            correct=answer == "A",
            seconds=1,
            points=10,
            now=at,
            practice=services.memory.step("algebra", "q-algebra", rating, "round", at),
        )

    assert await click("A", now) is not None
    assert await click("B", now + timedelta(seconds=1)) is not None  # the first answer stands
    assert await rows(storage, "SELECT rating, source FROM memory_reviews") == [(3, "round")]
    assert await rows(storage, "SELECT reps, lapses FROM memory_cards") == [(1, 0)]
    assert await rows(storage, "SELECT reviews FROM review_days") == [(1,)]


async def test_the_day_counted_is_the_student_own(
    services: Services, storage: Storage, now: datetime
) -> None:
    """At 12:00 UTC it is already tomorrow in Kiritimati (UTC+14)."""
    await storage.review_settings.update(USER, now=now, timezone="Pacific/Kiritimati")
    await practise(services, USER, "algebra", now)
    await practise(services, USER, "adding", now)
    tomorrow = (now + timedelta(days=1)).date().isoformat()
    assert await rows(storage, "SELECT day, reviews FROM review_days") == [(tomorrow, 2)]


async def test_a_success_credits_a_due_prerequisite_card_in_the_same_write(
    services: Services, storage: Storage, now: datetime
) -> None:
    await practise(services, USER, "algebra", now)
    await practise(services, USER, "adding", now)  # two steps below calculus
    (algebra,) = await storage.memory.cards(USER, [("algebra", "q-algebra")])
    then = algebra.due
    await practise(services, USER, "calculus", then, source="review")

    (credited,) = await storage.memory.cards(USER, [("algebra", "q-algebra")])
    assert credited.last_review == then and credited.due > then and credited.reps == 1
    (adding,) = await storage.memory.cards(USER, [("adding", "q-adding")])
    assert adding.credit == 0.5 and adding.due == algebra.due  # half way to an implicit review
    implicit = "SELECT topic_id, weight FROM memory_reviews WHERE source = 'implicit'"
    assert sorted(await rows(storage, implicit)) == [("adding", 0.5), ("algebra", 1.0)]


async def test_a_prerequisite_card_not_yet_due_is_left_as_it_was(
    services: Services, storage: Storage, now: datetime
) -> None:
    await practise(services, USER, "algebra", now)
    before = await storage.memory.cards(USER, [("algebra", "q-algebra")])
    await practise(services, USER, "calculus", now + timedelta(hours=1))
    assert await storage.memory.cards(USER, [("algebra", "q-algebra")]) == before
    implicit = "SELECT COUNT(*) FROM memory_reviews WHERE source = 'implicit'"
    assert await rows(storage, implicit) == [(0,)]


async def test_a_failure_makes_the_direct_prerequisite_due_now(
    services: Services, storage: Storage, now: datetime
) -> None:
    await practise(services, USER, "algebra", now)
    await practise(services, USER, "adding", now)
    await practise(services, OTHER, "algebra", now)
    await practise(services, USER, "calculus", now)  # learnt: the next miss fails a review
    later = now + timedelta(hours=2)
    await practise(services, USER, "calculus", later, Rating.AGAIN)
    (algebra,) = await storage.memory.cards(USER, [("algebra", "q-algebra")])
    (adding,) = await storage.memory.cards(USER, [("adding", "q-adding")])
    (others,) = await storage.memory.cards(OTHER, [("algebra", "q-algebra")])
    assert algebra.due == later
    assert adding.due > later and others.due > later  # not direct, not theirs


# Reads


async def test_due_reads_the_most_overdue_first_and_counts_them_all(
    services: Services, storage: Storage, now: datetime
) -> None:
    for hours in range(5):  # cards answered an hour apart fall due an hour apart
        await practise(
            services, USER, "algebra", now + timedelta(hours=hours), question=f"q{hours}"
        )
    await practise(services, OTHER, "algebra", now, question="q0")
    (first,) = await storage.memory.cards(USER, [("algebra", "q0")])
    until = first.due + timedelta(hours=3, minutes=30)

    read = await storage.memory.due(USER, until, limit=2)
    assert [c.question_id for c in read.cards] == ["q0", "q1"]
    assert read.total == 4  # q4 falls due after `until`; the other student's card is not counted

    whole = await storage.memory.due(USER, until, limit=10)
    assert [c.question_id for c in whole.cards] == ["q0", "q1", "q2", "q3"] and whole.total == 4
    exact = await storage.memory.due(USER, until, limit=4)
    assert len(exact.cards) == 4 and exact.total == 4
    nothing = await storage.memory.due(USER, now, limit=10)
    assert (nothing.cards, nothing.total) == ([], 0)


async def test_cards_are_read_by_exact_topic_and_question_pairs(
    services: Services, storage: Storage, now: datetime
) -> None:
    await practise(services, USER, "algebra", now, question="a")
    await practise(services, USER, "algebra", now, question="b")
    await practise(services, USER, "adding", now, question="a")
    await practise(services, OTHER, "adding", now, question="b")
    found = await storage.memory.cards(USER, [("algebra", "a"), ("adding", "b"), ("gone", "x")])
    assert [(c.topic_id, c.question_id) for c in found] == [("algebra", "a")]
    assert await storage.memory.cards(USER, []) == []
    by_topic = await storage.memory.cards_of_topics(USER, ["algebra"])
    assert sorted(c.question_id for c in by_topic) == ["a", "b"]


async def test_next_due_is_the_earliest_or_none(
    services: Services, storage: Storage, now: datetime
) -> None:
    assert await storage.memory.next_due(USER) is None
    await practise(services, USER, "algebra", now + timedelta(hours=3), question="late")
    await practise(services, USER, "algebra", now, question="early")
    (early,) = await storage.memory.cards(USER, [("algebra", "early")])
    assert await storage.memory.next_due(USER) == early.due


async def test_next_due_after_a_time_passes_over_what_is_due_by_then(
    services: Services, storage: Storage, now: datetime
) -> None:
    """The next review once today's are done is not a card still due today (one whose question
    left the content, or one past the daily limit), which would read "comes 3 days ago"."""
    await practise(services, USER, "algebra", now - timedelta(days=5), question="overdue")
    await practise(services, USER, "algebra", now + timedelta(hours=3), question="next")
    (overdue,) = await storage.memory.cards(USER, [("algebra", "overdue")])
    (following,) = await storage.memory.cards(USER, [("algebra", "next")])
    assert overdue.due < now < following.due
    assert await storage.memory.next_due(USER) == overdue.due
    assert await storage.memory.next_due(USER, after=now) == following.due
    assert await storage.memory.next_due(USER, after=following.due) is None


async def test_reviews_since_counts_one_source_from_a_time_on(
    services: Services, storage: Storage, now: datetime
) -> None:
    await practise(services, USER, "algebra", now - timedelta(hours=1), source="review")
    await practise(services, USER, "adding", now, source="review", question="a")
    await practise(services, USER, "adding", now, source="review", question="b")
    await practise(services, USER, "counting", now, source="quiz")
    await practise(services, OTHER, "counting", now, source="review")
    assert await storage.memory.reviews_since(USER, now, "review") == 2
    assert await storage.memory.reviews_since(USER, now - timedelta(hours=1), "review") == 3
    assert await storage.memory.reviews_since(USER, now, "quiz") == 1
    assert await storage.memory.reviews_since(USER, now + timedelta(seconds=1), "review") == 0


async def test_recent_days_come_newest_first_up_to_the_limit(
    services: Services, storage: Storage, now: datetime
) -> None:
    for days in (3, 0, 1, 0, 5):
        await practise(services, USER, "algebra", now - timedelta(days=days), question=f"q{days}")
    await practise(services, OTHER, "algebra", now + timedelta(days=1))
    dates = [(now - timedelta(days=d)).date().isoformat() for d in (0, 1, 3, 5)]
    assert await storage.memory.recent_days(USER, 10) == dates
    assert await storage.memory.recent_days(USER, 2) == dates[:2]


# Review settings


async def test_settings_default_to_nothing_chosen(storage: Storage) -> None:
    settings = await storage.review_settings.get(USER)
    assert (settings.daily_limit, settings.timezone, settings.remind_at) == (None, None, None)
    assert (settings.reminded_on, settings.dm_closed_at) == (None, None)


async def test_settings_are_set_one_at_a_time_and_cleared_with_none(
    storage: Storage, now: datetime
) -> None:
    await storage.review_settings.update(USER, now=now, daily_limit=30)
    await storage.review_settings.update(USER, now=now, timezone="Pacific/Pago_Pago")
    both = await storage.review_settings.update(USER, now=now, remind_at="07:30", dm_closed_at=now)
    assert (both.daily_limit, both.timezone, both.remind_at) == (30, "Pacific/Pago_Pago", "07:30")
    assert both.dm_closed_at == now
    cleared = await storage.review_settings.update(
        USER, now=now, daily_limit=None, remind_at=None, dm_closed_at=None
    )
    assert (cleared.daily_limit, cleared.timezone, cleared.remind_at) == (
        None,
        "Pacific/Pago_Pago",
        None,
    )
    assert cleared.dm_closed_at is None
    assert await storage.review_settings.get(USER) == cleared
    assert (await storage.review_settings.get(OTHER)).timezone is None
    touched = await storage.review_settings.update(OTHER, now=now)  # nothing to change
    assert touched == await storage.review_settings.get(OTHER)


async def test_a_reminder_day_is_claimed_once(storage: Storage, now: datetime) -> None:
    await storage.review_settings.update(USER, now=now, remind_at="07:30")
    assert await storage.review_settings.claim_reminder(USER, "07:30", "2025-03-01")
    assert not await storage.review_settings.claim_reminder(USER, "07:30", "2025-03-01")
    assert (await storage.review_settings.get(USER)).reminded_on == "2025-03-01"
    assert await storage.review_settings.claim_reminder(USER, "07:30", "2025-03-02")


async def test_no_reminder_is_claimed_when_reminders_are_off_or_moved(
    storage: Storage, now: datetime
) -> None:
    assert not await storage.review_settings.claim_reminder(USER, "07:30", "2025-03-01")  # no row
    await storage.review_settings.update(USER, now=now, remind_at="07:30")
    await storage.review_settings.update(USER, now=now, remind_at="18:00")
    assert not await storage.review_settings.claim_reminder(USER, "07:30", "2025-03-01")
    await storage.review_settings.update(USER, now=now, remind_at=None)
    assert not await storage.review_settings.claim_reminder(USER, "18:00", "2025-03-01")
    assert (await storage.review_settings.get(USER)).reminded_on is None
