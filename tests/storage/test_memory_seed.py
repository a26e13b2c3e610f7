"""Students with a history get their memory from it: answers given before migration 0010 are
replayed into memory cards after the bot starts, in short batches that resume after a restart."""

from __future__ import annotations

import sqlite3
import textwrap
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tutorbot.content.loader import load_library
from tutorbot.domain.memory import HELD, MemoryCard, MemoryModel, Rating
from tutorbot.services import Services
from tutorbot.services.memory import card_of
from tutorbot.services.quiz import Screen
from tutorbot.storage import open_storage
from tutorbot.storage._time import from_db, opt_from_db
from tutorbot.storage.db import connect
from tutorbot.storage.memory import CardRow
from tutorbot.storage.migrations import migrate

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
COURSE = {"base": ("b1", "b2"), "next": ("n1",)}
"""Topic -> its true/false questions; `next` builds on `base`."""

# (user, topic, question, correct, points, source, hours after T0): the history before 0010.
HISTORY = [
    (1, "base", "b1", 1, 100, "quiz", 0),
    (1, "base", "b2", 0, 50, "quiz", 0.1),  # a free response judged "Partly" in a quiz
    (1, "base", "b1", 0, 0, "quiz", 30),
    (2, "next", "n1", 1, 870, "round", 1),
    (1, "base", "b1", 1, 100, "quiz", 80),
    (2, "next", "n1", 0, 250, "round", 50),  # "Partly" in a round
    (3, "base", "b2", 0, 0, "round", 2),
    (2, "base", "b1", 1, 100, "quiz", 49),
    (1, "next", "n1", 1, 100, "quiz", 24 * 9),
    (2, "next", "n1", 1, 1000, "round", 24 * 20),
    (1, "base", "b1", 1, 100, "quiz", 5),  # a later id given earlier: replayed by time
    (1, "next", "n1", 0, 0, "quiz", 3),
    (3, "base", "b2", 1, 100, "quiz", 24 * 3),
]


def write_course(root: Path) -> Path:
    """The course of `COURSE`."""
    root.mkdir()
    for topic_id, questions in COURSE.items():
        items = "".join(
            f"""
              - id: {q}
                type: true_false
                prompt: A statement.
                answer: true
                explanation: It is so."""
            for q in questions
        )
        prerequisites = "[base]" if topic_id == "next" else "[]"
        (root / f"{topic_id}.yaml").write_text(
            textwrap.dedent(f"""\
            id: {topic_id}
            title: Title of {topic_id}
            prerequisites: {prerequisites}
            core_idea: An idea.
            explainer: An explainer.
            questions:""")
            + textwrap.indent(textwrap.dedent(items), "  ")
            + "\n"
        )
    return root


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def stamp(hours: float) -> str:
    return at(hours).isoformat(timespec="microseconds")


def old_database(path: Path, history: list[tuple[int, str, str, int, int, str, float]]) -> None:
    """A database at migration 0009 (before memory) holding `history` as answers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    migrate(conn, target=9)
    for user in sorted({row[0] for row in history}):
        conn.execute("INSERT INTO users VALUES (?, ?, ?)", (user, stamp(0), stamp(0)))
    conn.executemany(
        "INSERT INTO answers (user_id, topic_id, question_id, answer, correct, source, points, "
        "answered_at) VALUES (?, ?, ?, 'x', ?, ?, ?, ?)",
        [(u, t, q, c, s, p, stamp(h)) for u, t, q, c, p, s, h in history],
    )
    conn.close()


def by_hand(
    history: list[tuple[int, str, str, int, int, str, float]],
) -> dict[tuple[int, str, str], MemoryCard]:
    """Each (user, topic, question)'s card: its answers in time order through MemoryModel, right
    as Good, wrong with points (Partly) as Hard, wrong without as Again."""
    model = MemoryModel()
    cards: dict[tuple[int, str, str], MemoryCard] = {}
    ordered = sorted(enumerate(history), key=lambda e: (e[1][6], e[0]))
    for _, (user, topic, question, correct, points, _, hours) in ordered:
        rating = Rating.GOOD if correct else Rating.HARD if points else Rating.AGAIN
        key = user, topic, question
        cards[key] = model.review(cards.get(key), topic, question, rating, at(hours))
    return cards


@asynccontextmanager
async def running(tmp_path: Path, db_path: Path) -> AsyncIterator[Services]:
    """Services over the database (migrated to the latest on open), not started."""
    content = tmp_path / "course"
    if not content.exists():
        write_course(content)
    services = Services(load_library(content), await open_storage(db_path), lambda: NOW)
    try:
        yield services
    finally:
        await services.memory.stop()
        await services.close()


def stored_cards(db_path: Path) -> dict[tuple[int, str, str], MemoryCard]:
    """Every stored card, by (user, topic, question)."""
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        found = conn.execute("SELECT * FROM memory_cards").fetchall()
    return {
        (r["user_id"], r["topic_id"], r["question_id"]): card_of(
            CardRow(
                r["topic_id"],
                r["question_id"],
                from_db(r["due"]),
                r["state"],
                r["step"],
                r["stability"],
                r["difficulty"],
                opt_from_db(r["last_review"]),
                r["reps"],
                r["lapses"],
                r["credit"],
            )
        )
        for r in found
    }


def rows(db_path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path) as conn:
        return [tuple(r) for r in conn.execute(sql)]


def assert_replayed_once(db_path: Path) -> None:
    """Every answer of `HISTORY` is one review row, on its UTC day; the replay is done."""
    reviews = rows(
        db_path,
        "SELECT user_id, topic_id, question_id, rating, source, weight, reviewed_at "
        "FROM memory_reviews",
    )
    expected = [
        (u, t, q, 3 if c else 2 if p else 1, s, 1.0, stamp(h)) for u, t, q, c, p, s, h in HISTORY
    ]
    assert sorted(reviews) == sorted(expected)
    days = Counter((u, at(h).date().isoformat()) for u, *_, h in HISTORY)
    assert {(u, d): n for u, d, n in rows(db_path, "SELECT * FROM review_days")} == days
    assert rows(db_path, "SELECT key FROM meta WHERE key LIKE 'memory_seed%'") == []


async def test_history_becomes_the_cards_that_replaying_it_by_hand_gives(
    tmp_path: Path, db_path: Path
) -> None:
    old_database(db_path, HISTORY)
    async with running(tmp_path, db_path) as services:
        await services.start()
        report = await services.memory.seeded()
        await services.stop()
    assert report is not None and report.finished
    assert (report.answers, report.students, report.cards, report.kept) == (13, 3, 6, 0)
    assert stored_cards(db_path) == by_hand(HISTORY)
    assert_replayed_once(db_path)


async def test_the_replay_is_done_once(tmp_path: Path, db_path: Path) -> None:
    old_database(db_path, HISTORY)
    async with running(tmp_path, db_path) as services:
        await services.memory.seed_history()
    async with running(tmp_path, db_path) as services:
        assert await services.memory.seed_history() is None
    assert stored_cards(db_path) == by_hand(HISTORY)
    assert_replayed_once(db_path)


@pytest.mark.parametrize("batch", [1, 2, 5])
async def test_a_replay_stopped_after_any_batch_resumes_without_counting_twice(
    tmp_path: Path, db_path: Path, batch: int
) -> None:
    old_database(db_path, HISTORY)
    runs = 0
    while True:  # one batch per run, and a restart between runs
        async with running(tmp_path, db_path) as services:
            report = await services.memory.seed_history(batch=batch, max_batches=1)
        assert report is not None
        runs += 1
        if report.finished:
            break
    assert runs == -(-len(HISTORY) // batch) + 1  # the last run finds nothing left
    assert stored_cards(db_path) == by_hand(HISTORY)
    assert_replayed_once(db_path)


async def test_stopping_the_services_mid_replay_and_starting_again_finishes_it(
    tmp_path: Path, db_path: Path
) -> None:
    old_database(db_path, HISTORY)
    async with running(tmp_path, db_path) as services:
        await services.memory.seed_history(batch=4, max_batches=1)
        await services.start()
        await services.memory.stop()
        await services.stop()
    async with running(tmp_path, db_path) as services:
        await services.start()
        report = await services.memory.seeded()
    assert report is not None and report.finished
    assert stored_cards(db_path) == by_hand(HISTORY)
    assert_replayed_once(db_path)


async def answer_live(services: Services, user_id: int, topic_id: str, choice: str) -> MemoryCard:
    """A quiz on a one-question topic, answered now; the card its answer makes."""
    topic = services.library.get(topic_id)
    assert topic is not None and len(topic.questions) == 1
    screen = await services.quiz.start(
        user_id=user_id, guild_id=None, channel_id=5, topic=topic, count=1
    )
    assert isinstance(screen, Screen)
    answered = await services.quiz.answer(screen.session_id, user_id, 0, choice)
    assert isinstance(answered, tuple)
    [row] = await services.storage.memory.cards(user_id, [(topic_id, topic.questions[0].id)])
    return card_of(row)


async def test_a_card_a_live_answer_made_before_the_replay_reached_it_is_kept(
    tmp_path: Path, db_path: Path
) -> None:
    old_database(db_path, HISTORY)
    async with running(tmp_path, db_path) as services:
        live = await answer_live(services, 2, "next", "false")
        report = await services.memory.seed_history()
    assert live.reps == 1 and live.last_review == NOW
    assert report is not None and (report.cards, report.kept) == (5, 1)
    expected = by_hand(HISTORY) | {(2, "next", "n1"): live}
    assert stored_cards(db_path) == expected
    # The history is still logged as reviews, beside the live one.
    sources = rows(db_path, "SELECT source || ':' || COUNT(*) FROM memory_reviews GROUP BY source")
    assert sorted(sources) == [("quiz:10",), ("round:4",)]  # 9 from the quiz history, 1 live


async def test_a_live_answer_between_batches_is_not_overwritten_by_older_history(
    tmp_path: Path, db_path: Path
) -> None:
    old_database(db_path, HISTORY)
    first_three = [h for h in HISTORY if h[0] == 1 and h[6] <= 3]  # b1, b2, then n1 at 3 h
    async with running(tmp_path, db_path) as services:
        await services.memory.seed_history(batch=len(first_three), max_batches=1)
        replayed = stored_cards(db_path)[1, "next", "n1"]
        # Wrong: the cards of `base` below are held for an answer (a live change too).
        live = await answer_live(services, 1, "next", "false")
        report = await services.memory.seed_history(batch=1)
    assert replayed == by_hand(first_three)[1, "next", "n1"]
    assert live == MemoryModel().review(replayed, "next", "n1", Rating.AGAIN, NOW)
    assert report is not None and report.finished
    held = {
        key: replace(card, due=min(card.due, NOW), credit=HELD)
        for key, card in by_hand(first_three).items()
        if key[:2] == (1, "base")
    }
    assert stored_cards(db_path) == by_hand(HISTORY) | {(1, "next", "n1"): live} | held


async def test_a_student_forgotten_mid_replay_is_skipped(tmp_path: Path, db_path: Path) -> None:
    old_database(db_path, HISTORY)
    async with running(tmp_path, db_path) as services:
        await services.memory.seed_history(batch=1, max_batches=1)
        await services.storage.data_rights.delete_user(2)
        report = await services.memory.seed_history(batch=2)
    assert report is not None and report.finished
    kept = [h for h in HISTORY if h[0] != 2]
    assert stored_cards(db_path) == by_hand(kept)
    assert rows(db_path, "SELECT COUNT(*) FROM memory_reviews WHERE user_id = 2") == [(0,)]


async def test_a_new_database_has_nothing_to_replay(tmp_path: Path, db_path: Path) -> None:
    async with running(tmp_path, db_path) as services:
        await services.start()
        assert await services.memory.seeded() is None
        await services.stop()
    for table in ("memory_cards", "memory_reviews", "review_days"):
        assert rows(db_path, f"SELECT COUNT(*) FROM {table}") == [(0,)]


async def test_a_database_without_answers_before_0010_has_nothing_to_replay(
    tmp_path: Path, db_path: Path
) -> None:
    old_database(db_path, [])
    async with running(tmp_path, db_path) as services:
        assert await services.memory.seed_history() is None
    assert rows(db_path, "SELECT value FROM meta WHERE key = 'memory_seed_until'") == [("0",)]


GROWING = ("answers", "users", "memory_cards", "memory_reviews", "review_days")


async def test_the_replay_reads_by_index_and_never_scans_a_growing_table(
    tmp_path: Path, db_path: Path
) -> None:
    old_database(db_path, HISTORY)
    statements: list[str] = []
    async with running(tmp_path, db_path) as services:
        await services.memory.seed_history(batch=3, max_batches=1)
    async with running(tmp_path, db_path) as services:  # resumes in the middle of student 1
        await services.storage.db.trace(statements.append)
        await services.memory.seed_history(batch=3)
        await services.storage.db.trace(None)
    plans = {}
    with sqlite3.connect(db_path) as conn:
        for sql in statements:
            if sql.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
                plans[sql] = [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
    assert any("FROM answers" in sql for sql in plans)
    scans = {
        sql: plan
        for sql, plan in plans.items()
        if any(step.startswith(f"SCAN {table}") for step in plan for table in GROWING)
    }
    assert scans == {}, "\n".join(f"{s} -> {p}" for s, p in scans.items())
    ordered = [p for sql, p in plans.items() if "ORDER BY user_id, answered_at, id" in sql]
    assert ordered and all("TEMP B-TREE" not in " ".join(plan) for plan in ordered)
