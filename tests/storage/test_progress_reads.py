"""Mastered topics of many students in one read, and the round report built on it: the same
review for every struggling student as reading each student's progress one by one."""

from __future__ import annotations

import textwrap
from datetime import datetime, timedelta
from pathlib import Path

from tutorbot.content.loader import load_library
from tutorbot.content.models import QuestionType
from tutorbot.domain.progress import prerequisites_to_review
from tutorbot.domain.round_state import (
    RoundAnswer,
    RoundQuestion,
    RoundSettings,
    RoundState,
    RoundStatus,
)
from tutorbot.services import Services, round_reports
from tutorbot.storage import Storage
from tutorbot.storage.progress import upsert_topic_state
from tutorbot.storage.rounds import Round

COURSE = {
    "light": "prerequisites: []",
    "air": "prerequisites: []",
    "sky": "prerequisites: [light, air]",
}

RIGHT = {(0, 0), (0, 1), (2, 0)}
"""(student id modulo 3, question number) of the right answers in `played`."""


async def master(storage: Storage, pairs: list[tuple[int, str]], now: datetime) -> None:
    """Stamp each (user, topic) as mastered in a quiz, in one write."""
    await storage.db.write(
        lambda conn: [upsert_topic_state(conn, "mastered_at", u, t, now) for u, t in pairs]
    )


async def test_mastered_among_reads_any_number_of_students_at_once(
    storage: Storage, now: datetime
) -> None:
    await master(storage, [(1, "a"), (1, "b"), (2, "b"), (40_000, "c"), (50_001, "d")], now)
    await storage.progress.mark_known(3, "a", now)  # known is not mastered
    await storage.progress.mark_known(2, "z", now)
    wanted = range(1, 50_000)  # more ids than SQLite takes as parameters of one statement
    assert await storage.progress.mastered_among(wanted) == {
        1: frozenset({"a", "b"}),
        2: frozenset({"b"}),
        40_000: frozenset({"c"}),
    }
    assert await storage.progress.mastered_among([]) == {}
    assert await storage.progress.mastered_among([3, 4]) == {}


def write_course(root: Path) -> Path:
    """Three topics: `sky`, with one question, builds on `light` and `air`."""
    root.mkdir()
    for topic_id, prerequisites in COURSE.items():
        (root / f"{topic_id}.yaml").write_text(
            textwrap.dedent(f"""\
            id: {topic_id}
            title: Title of {topic_id}
            {prerequisites}
            core_idea: An idea.
            explainer: An explainer.
            questions:
              - id: q-{topic_id}
                type: true_false
                prompt: A statement.
                answer: true
                explanation: It is so.
            """)
        )
    return root


def played(students: int, now: datetime) -> RoundState:
    """A finished round of two questions on `sky`: of every three students, one gets both
    right, one neither (below 50%), one the first only (50%, not below)."""
    asked = []
    for number, question_id in enumerate(("q1", "q2")):
        opened = now + timedelta(seconds=30 * number)
        choice = {
            u: "True" if (u % 3, number) in RIGHT else "False" for u in range(1, students + 1)
        }
        answers = tuple(
            RoundAnswer(u, c, opened + timedelta(seconds=2), 2.0) for u, c in choice.items()
        )
        asked.append(
            RoundQuestion(
                question_id,
                QuestionType.TRUE_FALSE,
                ("True", "False"),
                "True",
                opened,
                opened + timedelta(seconds=20),
                answers,
                opened + timedelta(seconds=20),
            )
        )
    return RoundState(
        "sky",
        99,
        RoundSettings(questions=2, seconds=20),
        ("q1", "q2"),
        now,
        tuple(asked),
        RoundStatus.FINISHED,
        now + timedelta(minutes=1),
    )


async def test_the_report_reads_progress_once_and_reviews_what_each_student_has_not_mastered(
    storage: Storage, now: datetime, tmp_path: Path
) -> None:
    services = Services(load_library(write_course(tmp_path / "content")), storage, lambda: now)
    await master(
        storage,
        [(u, "light") for u in range(1, 300, 2)]
        + [(u, "air") for u in range(1, 300, 5)]
        + [(u, "removed-from-content") for u in range(1, 300, 7)],
        now,
    )
    for user in range(2, 300, 4):
        await storage.progress.mark_known(user, "air", now)  # marked, not mastered
    state = played(300, now)
    rnd = Round(1, 10, 20, 99, "finished", 1, None, None, now, now)

    statements: list[str] = []
    await storage.db.trace(statements.append)
    end = await round_reports.summary(services, rnd, state, None)
    await storage.db.trace(None)
    assert len([s for s in statements if "topic_state" in s]) == 1  # one read for 100 students

    assert sorted(s.user_id for s in end.struggling) == [u for u in range(1, 301) if u % 3 == 1]
    expected = []
    for student in end.struggling:
        mastered = (await services.progress.student(student.user_id)).mastered
        review = prerequisites_to_review(services.library.graph, "sky", mastered)
        expected.append((student.user_id, tuple(f"Title of {t}" for t in review)))
    assert [(s.user_id, s.review) for s in end.struggling] == expected
    reviews = {s.review for s in end.struggling}
    assert reviews == {
        ("Title of air", "Title of light"),
        ("Title of air",),
        ("Title of light",),
        (),
    }
    assert end.participants == 300 and end.asked == 2
