"""Typed questions (short answer, numeric) in the console, on a course of the test's own: the
answer is the whole line when the question on screen is typed and the line is no command word
(`= TEXT` for one that is), in quizzes, reviews and placements."""

from __future__ import annotations

import sqlite3
import subprocess
import textwrap
from pathlib import Path

from tutorbot.console.identity import console_user_id

from .console_helpers import TIMEOUT, answers, command, console_env

CAPITALS = """\
id: capitals
title: Capitals
core_idea: Every country has a capital.
questions:
  - id: australia
    type: short_answer
    prompt: What is the capital of Australia?
    answers: ["Canberra", "Canberra ACT"]
    explanation: Canberra was chosen as a compromise between Sydney and Melbourne.
"""
HALVES = """\
id: halves
title: Halves
prerequisites: [capitals]
core_idea: Half of a number.
questions:
  - id: half
    type: numeric
    prompt: What is half of 7?
    answer: 3.5
    explanation: Seven split in two.
"""
NOT_A_NUMBER = "That is not a number: type something like 3.5, 3,5, 7/2 or -0.25."


def _run(db_path: Path, lines: list[str], user: str = "alice") -> str:
    """A console session over the test's course, fed `lines`; its output."""
    pack = db_path.parent / "pack"
    if not pack.exists():
        pack.mkdir()
        (pack / "capitals.yaml").write_text(textwrap.dedent(CAPITALS), encoding="utf-8")
        (pack / "halves.yaml").write_text(textwrap.dedent(HALVES), encoding="utf-8")
    done = subprocess.run(
        command(user),
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**console_env(db_path), "TUTORBOT_CONTENT_DIR": str(pack)},
        cwd=db_path.parent,
        timeout=TIMEOUT,
        check=True,
    )
    assert "Traceback" not in done.stdout + done.stderr
    return done.stdout


def test_a_quiz_takes_the_line_typed_as_the_answer(db_path: Path) -> None:
    out = _run(
        db_path,
        [
            "/quiz capitals",
            "next",  # a command word, not an answer
            "canbera",
            "nxt",  # after the answer, a mistyped command is called one
            "next",
            "/quiz halves",
            "three and a half",
            "= 3,5",
            "next",
            "/quiz capitals",
            "Sydney",
            "next",
        ],
    )
    assert "Type your answer (case, accents and punctuation do not matter); start with = if" in out
    assert "Answer this question first, then type next." in out
    assert "✅ Correct!\nYou typed: canbera\nAccepted: Canberra\nExpected answer: Canberra\n" in out
    assert "Unknown command “nxt”. Did you mean next?" in out
    assert "Type a number: 3.5, 3,5, 7/2 and -0.25 all work." in out
    assert NOT_A_NUMBER in out
    assert "✅ Correct!\nYou typed: 3,5\nExpected answer: 3.5\n" in out
    assert "❌ Not quite\nYou typed: Sydney\nExpected answer: Canberra\n" in out
    assert answers(db_path) == [
        ("australia", "canbera", 1),
        ("half", "3,5", 1),
        ("australia", "Sydney", 0),
    ]


def test_a_review_and_a_placement_take_typed_answers(db_path: Path) -> None:
    _run(db_path, ["/quiz halves", "3.5", "next"])
    out = _run(db_path, ["/wait 30d", "/review", "7/2", "stop"])
    assert "Review · Halves · Question 1 of" in out
    assert "✅ Correct!\nYou typed: 7/2\nExpected answer: 3.5\n" in out
    assert answers(db_path)[-1] == ("half", "7/2", 1)
    placed = _run(db_path, ["/placement", "canberra act", "half", "3.5"], user="bob")
    assert "Placement · Capitals · Question 1 of at most 15\n" in placed
    assert "Placement · Halves · Question 2 of at most 15\n" in placed
    assert NOT_A_NUMBER in placed
    assert "Placement complete\nIt took 2 questions.\n" in placed
    assert "📍 2 topics known by placement." in placed
    with sqlite3.connect(db_path) as conn:
        reviews = conn.execute(
            "SELECT topic_id, rating FROM memory_reviews WHERE user_id = ? AND source = ? "
            "ORDER BY id",
            (console_user_id("bob"), "placement"),
        ).fetchall()
    assert reviews == [("capitals", 3), ("halves", 3)]
    assert answers(db_path, "bob") == []
