"""Placement through its service on the bundled course and a real database (issue 16): what a
placement writes (marks, memory cards and reviews, no answers), what it refuses, and what it
changes for quizzes, progress, /mydata and /forgetme."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import textwrap
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from console.console_helpers import typed_text

from tutorbot.content.library import Library
from tutorbot.content.loader import load_library
from tutorbot.content.models import TYPED, Question, QuestionType
from tutorbot.domain.memory import MemoryModel
from tutorbot.domain.placement import (
    Asked,
    NotCurrentQuestion,
    NotYourPlacement,
    PlacementOver,
    PlacementState,
    Result,
    gentle_cards,
    next_question_of,
)
from tutorbot.domain.quiz import QuizState, WrongKind, start_quiz
from tutorbot.domain.refusals import Forged
from tutorbot.domain.scoring import NotRevealedYet
from tutorbot.services import Services
from tutorbot.services.placement import (
    DONT_KNOW,
    NotYet,
    PlacementConflict,
    PlacementEnd,
    PlacementGone,
    PlacementScreen,
)
from tutorbot.services.quiz import Screen
from tutorbot.storage import open_storage

from .conftest import Clock

CONTENT = Path(__file__).resolve().parents[2] / "content"
USER, OTHER = 21, 22
KNOWS_UP_TO = 40
"""The simulated student knows the first this many topics of the learning order."""


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(CONTENT)


@pytest.fixture
async def services(library: Library, db_path: Path, clock: Clock) -> AsyncIterator[Services]:
    storage = await open_storage(db_path)
    try:
        yield Services(library, storage, clock)
    finally:
        await storage.close()


def rows(db_path: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


def known_by(library: Library, up_to: int) -> frozenset[str]:
    """The topics a student who knows the first `up_to` of the learning order knows."""
    return frozenset(library.graph.learning_order()[:up_to])


def choice_for(question: Question, right: bool) -> str:
    """The letter or true/false a student gives, right or wrong."""
    if question.type is QuestionType.TRUE_FALSE:
        return str(question.answer == right).lower()
    letters = list(question.letters)
    return str(question.answer) if right else next(x for x in letters if x != question.answer)


async def answer_truthfully(
    services: Services, clock: Clock, screen: PlacementScreen, knows: frozenset[str]
) -> PlacementScreen | PlacementEnd:
    """One answer of a student who answers right exactly the topics they know."""
    right = screen.topic.id in knows
    placement = services.placement
    if screen.question.type is QuestionType.FREE_RESPONSE:
        clock.now += timedelta(seconds=(screen.question.think_seconds or 0) + 1)
        revealed = await placement.reveal(screen.session_id, USER, screen.number)
        assert isinstance(revealed, PlacementScreen)
        judged = "got_it" if right else "missed"
        after = await placement.assess(screen.session_id, USER, screen.number, judged)
    elif screen.question.type in TYPED:
        text = typed_text(screen.question, right)
        after = await placement.answer_typed(screen.session_id, USER, screen.number, text)
    else:
        choice = choice_for(screen.question, right)
        after = await placement.answer(screen.session_id, USER, screen.number, choice)
    assert isinstance(after, PlacementScreen | PlacementEnd), after
    return after


async def place(
    services: Services, clock: Clock, knows: frozenset[str], *, stop_after: int | None = None
) -> PlacementEnd:
    """A whole placement of a truthful student, from /placement to its end (or stopped)."""
    step = await services.placement.start(user_id=USER, guild_id=None, channel_id=5, goal=None)
    while isinstance(step, PlacementScreen):
        if stop_after is not None and step.number > stop_after:
            stopped = await services.placement.stop(step.session_id, USER)
            assert isinstance(stopped, PlacementEnd)
            return stopped
        clock.now += timedelta(seconds=5)
        step = await answer_truthfully(services, clock, step, knows)
    assert isinstance(step, PlacementEnd), step
    return step


# A whole placement


async def test_a_truthful_student_is_placed_and_the_marks_cards_and_reviews_are_written(
    services: Services, clock: Clock, library: Library, db_path: Path, now: datetime
) -> None:
    knows = known_by(library, KNOWS_UP_TO)
    end = await place(services, clock, knows)

    placed = {t.id for t in end.placed}
    assert placed and placed <= knows
    assert len(placed) >= KNOWS_UP_TO * 0.8
    assert 0 < end.questions <= 15
    assert end.frontier and all(t.id not in placed for t in end.frontier)
    stamped = {r[0] for r in rows(db_path, "SELECT topic_id FROM topic_state WHERE placed_at")}
    assert stamped == placed
    assert rows(db_path, "SELECT known_at, mastered_at FROM topic_state WHERE known_at "
                "OR mastered_at") == []  # fmt: skip
    # Answers are reviews, not answers: no points, nothing in /stats.
    assert rows(db_path, "SELECT COUNT(*) FROM answers") == [(0,)]
    reviews = rows(db_path, "SELECT DISTINCT source, weight FROM memory_reviews")
    assert reviews == [("placement", 1.0)]
    reviewed = rows(db_path, "SELECT topic_id, question_id FROM memory_reviews")
    assert len(reviewed) == end.questions
    # One card per answered question, and one gently due card per placed topic without one.
    asked = set(reviewed)
    cards = rows(db_path, "SELECT topic_id, question_id, due FROM memory_cards")
    assert asked <= {(t, q) for t, q, _ in cards}
    gentle = [(t, q, due) for t, q, due in cards if (t, q) not in asked]
    assert {t for t, _, _ in gentle} == placed - {t for t, _ in asked}
    for _, _, due in gentle:
        days = (datetime.fromisoformat(due) - clock.now).total_seconds() / 86400
        assert 1 <= round(days) <= 7
    # No implicit credit and nothing made due by the answers.
    assert rows(db_path, "SELECT COUNT(*) FROM memory_reviews WHERE source = 'implicit'") == [(0,)]
    assert await services.quiz.active(USER) is None


async def test_placed_topics_are_known_in_the_progress_view_and_by_the_overview(
    services: Services, clock: Clock, library: Library
) -> None:
    end = await place(services, clock, known_by(library, KNOWS_UP_TO))
    placed = frozenset(t.id for t in end.placed)

    student = await services.progress.student(USER)
    overview = await services.progress.overview(USER)

    assert student.placed == placed
    assert placed <= student.known
    assert not student.marked and not student.mastered
    assert [t.id for t in end.frontier][:1] == list(overview.next_topics)[:1]


async def test_a_retake_replaces_the_placement_marks_and_keeps_mastery_and_i_know_this(
    services: Services, clock: Clock, library: Library, db_path: Path
) -> None:
    order = library.graph.learning_order()
    first = await place(services, clock, known_by(library, KNOWS_UP_TO))
    assert len(first.placed) > 10
    await services.storage.progress.mark_known(USER, order[60], clock.now)
    await services.storage.progress.mark_known(USER, order[2], clock.now)
    session = await services.storage.quizzes.create(
        user_id=USER, guild_id=None, channel_id=5, topic_id=order[70], question_ids=[],
        now=clock.now,
    )  # fmt: skip
    await services.storage.quizzes.save_step(
        session, now=clock.now, state={}, position=0, reveal_at=None, status="finished",
        mastered=True,
    )  # fmt: skip

    clock.now += timedelta(days=1)
    second = await place(services, clock, known_by(library, 5))

    stamped = {r[0] for r in rows(db_path, "SELECT topic_id FROM topic_state WHERE placed_at")}
    assert stamped == {t.id for t in second.placed}
    assert stamped.isdisjoint(order[10:])
    marks = rows(
        db_path,
        "SELECT topic_id, known_at IS NOT NULL, mastered_at IS NOT NULL FROM topic_state "
        "WHERE known_at OR mastered_at ORDER BY topic_id",
    )
    assert sorted(marks) == sorted([(order[60], 1, 0), (order[2], 1, 0), (order[70], 0, 1)])


async def test_a_student_who_knows_everything_on_the_way_gets_an_end_at_once(
    services: Services, library: Library, db_path: Path, clock: Clock
) -> None:
    goal = library.get(library.graph.learning_order()[10])
    assert goal is not None
    await services.storage.progress.mark_known(USER, goal.id, clock.now)

    end = await services.placement.start(user_id=USER, guild_id=None, channel_id=5, goal=goal)

    assert isinstance(end, PlacementEnd)
    assert (end.session_id, end.placed, end.questions, end.goal) == (0, (), 0, goal)
    assert end.already_known > 0
    assert rows(db_path, "SELECT COUNT(*) FROM quiz_sessions") == [(0,)]


# Refusals


async def test_stale_numbers_other_students_finished_placements_and_double_clicks_change_nothing(
    services: Services, clock: Clock, library: Library, db_path: Path
) -> None:
    knows = known_by(library, KNOWS_UP_TO)
    first = await services.placement.start(user_id=USER, guild_id=None, channel_id=5, goal=None)
    assert isinstance(first, PlacementScreen) and first.number == 1
    sid = first.session_id
    second = await answer_truthfully(services, clock, first, knows)
    assert isinstance(second, PlacementScreen) and second.number == 2
    before = rows(db_path, "SELECT version, position FROM quiz_sessions")
    reviews = rows(db_path, "SELECT COUNT(*) FROM memory_reviews")

    stale = await services.placement.answer(sid, USER, 1, choice_for(first.question, True))
    other = await services.placement.answer(sid, OTHER, 2, DONT_KNOW)
    gone = await services.placement.answer(sid + 100, USER, 2, DONT_KNOW)

    assert isinstance(stale, NotCurrentQuestion)
    assert isinstance(other, NotYourPlacement)
    assert isinstance(gone, PlacementGone)
    assert rows(db_path, "SELECT version, position FROM quiz_sessions") == before
    assert rows(db_path, "SELECT COUNT(*) FROM memory_reviews") == reviews

    # A double click: both clicks answer question 2; one is counted, the other refused.
    clicks = await asyncio.gather(
        services.placement.answer(sid, USER, 2, DONT_KNOW),
        services.placement.answer(sid, USER, 2, DONT_KNOW),
    )
    counted = [c for c in clicks if isinstance(c, PlacementScreen | PlacementEnd)]
    refused = [c for c in clicks if isinstance(c, PlacementConflict | NotCurrentQuestion)]
    assert (len(counted), len(refused)) == (1, 1)
    assert rows(db_path, "SELECT COUNT(*) FROM memory_reviews") == [(reviews[0][0] + 1,)]

    ended = await services.placement.stop(sid, USER)
    assert isinstance(ended, PlacementEnd)
    marks = rows(db_path, "SELECT topic_id FROM topic_state WHERE placed_at")
    assert isinstance(await services.placement.answer(sid, USER, 3, DONT_KNOW), PlacementOver)
    assert isinstance(await services.placement.stop(sid, USER), PlacementOver)
    assert isinstance(await services.placement.current(sid, USER), PlacementOver)
    assert rows(db_path, "SELECT topic_id FROM topic_state WHERE placed_at") == marks


async def test_stop_gives_the_result_so_far(
    services: Services, clock: Clock, library: Library, db_path: Path
) -> None:
    end = await place(services, clock, known_by(library, 70), stop_after=4)

    assert end.questions == 4
    assert end.undecided > 0
    stamped = {r[0] for r in rows(db_path, "SELECT topic_id FROM topic_state WHERE placed_at")}
    assert stamped == {t.id for t in end.placed}
    assert rows(db_path, "SELECT status FROM quiz_sessions") == [("finished",)]


async def test_a_placement_resumes_after_the_database_is_reopened(
    library: Library, db_path: Path, clock: Clock
) -> None:
    knows = known_by(library, KNOWS_UP_TO)
    storage = await open_storage(db_path)
    try:
        services = Services(library, storage, clock)
        first = await services.placement.start(user_id=USER, guild_id=None, channel_id=5, goal=None)
        assert isinstance(first, PlacementScreen)
        second = await answer_truthfully(services, clock, first, knows)
        assert isinstance(second, PlacementScreen)
    finally:
        await storage.close()

    storage = await open_storage(db_path)
    try:
        services = Services(library, storage, clock)
        active = await services.quiz.active(USER)
        assert active is not None and active.kind == "placement"
        resumed = await services.placement.current(active.id, USER)
        assert isinstance(resumed, PlacementScreen)
        assert (resumed.number, resumed.question.id, resumed.topic.id) == (
            2, second.question.id, second.topic.id,
        )  # fmt: skip
        assert resumed.cap == 15 and 0 < resumed.decided <= resumed.candidates
        third = await answer_truthfully(services, clock, resumed, knows)
        assert isinstance(third, PlacementScreen | PlacementEnd)
    finally:
        await storage.close()


# What it changes elsewhere


async def test_the_next_quiz_on_a_topic_asks_the_placement_questions_last(
    services: Services, clock: Clock, library: Library
) -> None:
    await place(services, clock, known_by(library, KNOWS_UP_TO))
    last = await services.storage.quizzes.latest_placement(USER)
    assert last is not None
    asked = [a["topic_id"] for a in last.state["asked"]]
    topic_id = next(t for t in asked if len(library.topics[t].questions) > 1)
    topic = library.topics[topic_id]
    seen = await services.placement.latest_seen(USER, topic_id)
    assert seen

    for seed in range(5):
        services.quiz._rng = random.Random(seed)
        screen = await services.quiz.start(
            user_id=USER, guild_id=None, channel_id=5, topic=topic, count=None
        )
        assert isinstance(screen, Screen)
        order = screen.state.question_ids
        assert set(order[len(order) - len(seen) :]) == set(seen)


async def test_mydata_exports_the_placement_and_forgetme_removes_it(
    services: Services, clock: Clock, library: Library, db_path: Path
) -> None:
    end = await place(services, clock, known_by(library, KNOWS_UP_TO))

    export = await services.storage.data_rights.export_user(USER)

    placed = {r["topic_id"] for r in export["topic_state"] if r["placed_at"]}
    assert placed == {t.id for t in end.placed}
    sessions = [s for s in export["quiz_sessions"] if s["kind"] == "placement"]
    assert len(sessions) == 1 and sessions[0]["status"] == "finished"
    assert len(sessions[0]["state"]["asked"]) == end.questions

    await services.storage.data_rights.delete_user(USER)

    for table in ("topic_state", "quiz_sessions", "memory_cards", "memory_reviews"):
        assert rows(db_path, f"SELECT COUNT(*) FROM {table}") == [(0,)]


# The pure rules the service uses (no database)


def test_gentle_cards_spread_placed_topics_without_cards_over_a_week(
    library: Library, now: datetime
) -> None:
    order = [t for t in library.graph.learning_order() if library.topics[t].questions][:10]
    asked = Asked(order[1], library.topics[order[1]].questions[0].id, Result.RIGHT, 1.85)
    state = PlacementState(user_id=USER, goal=None, started_at=now, asked=(asked,))

    cards = gentle_cards(MemoryModel(), library.topics, state, order, {order[0], order[1]}, now)

    assert [c.topic_id for c in cards] == order[2:]
    assert [(c.due - now).days for c in cards] == [1, 2, 3, 4, 5, 6, 7, 1]
    for card in cards:
        strongest = next_question_of(library.topics[card.topic_id], ())
        assert strongest is not None and card.question_id == strongest.id
        assert (card.reps, card.last_review) == (1, now)


def test_a_quiz_asks_the_questions_seen_in_placement_last(library: Library, now: datetime) -> None:
    topic = next(t for t in library.topics.values() if len(t.questions) >= 3)
    seen = {topic.questions[0].id, topic.questions[1].id}
    for seed in range(10):
        state = start_quiz(topic, USER, now, random.Random(seed), seen=seen)
        assert isinstance(state, QuizState)
        assert set(state.question_ids[-2:]) == seen


# A free response


def write_free_response_course(root: Path) -> Library:
    """Two topics, the second built on the first, each with one free response (30 s to think)."""
    root.mkdir()
    for topic, below in (("base", ""), ("top", "base")):
        (root / f"{topic}.yaml").write_text(
            textwrap.dedent(f"""\
            id: {topic}
            title: Title of {topic}
            prerequisites: [{below}]
            core_idea: An idea.
            explainer: An explainer.
            questions:
              - id: fr-{topic}
                type: free_response
                prompt: Explain it.
                answer: Like so.
                explanation: It is so.
                think_seconds: 30
            """)
        )
    return load_library(root)


async def test_a_free_response_opens_after_its_think_time_and_is_judged_by_the_student(
    db_path: Path, tmp_path: Path, clock: Clock
) -> None:
    library = write_free_response_course(tmp_path / "content")
    storage = await open_storage(db_path)
    try:
        services = Services(library, storage, clock)
        screen = await services.placement.start(
            user_id=USER, guild_id=None, channel_id=5, goal=None
        )
        assert isinstance(screen, PlacementScreen)
        sid, number = screen.session_id, screen.number
        assert screen.question.type is QuestionType.FREE_RESPONSE

        clock.now += timedelta(seconds=10)
        early = await services.placement.reveal(sid, USER, number)
        too_soon = await services.placement.assess(sid, USER, number, "got_it")
        wrong_kind = await services.placement.answer(sid, USER, number, "A")
        assert isinstance(early, NotYet) and early.seconds_left == 20
        assert isinstance(too_soon, NotRevealedYet)
        assert isinstance(wrong_kind, WrongKind)
        assert rows(db_path, "SELECT COUNT(*) FROM memory_reviews") == [(0,)]

        clock.now += timedelta(seconds=20)
        opened = await services.placement.reveal(sid, USER, number)
        assert isinstance(opened, PlacementScreen) and opened.question.answer_text() == "Like so."
        with pytest.raises(Forged):
            await services.placement.assess(sid, USER, number, "perfect")
        after = await services.placement.assess(sid, USER, number, "missed")
        assert isinstance(after, PlacementScreen | PlacementEnd)
    finally:
        await storage.close()
    assert rows(db_path, "SELECT source, rating FROM memory_reviews") == [("placement", 1)]
