"""Run `tutorbot console` as a real process on a database in a temp dir, and read what it kept."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

from pexpect.popen_spawn import PopenSpawn

from tutorbot.console.identity import console_user_id
from tutorbot.content.loader import load_library
from tutorbot.content.models import TYPED, Question, QuestionType
from tutorbot.domain.typed_answers import judge
from tutorbot.settings import BUNDLED_CONTENT_DIR

SEED = "self-supervised-learning-theory"
TIMEOUT = 15


def console_env(db_path: Path) -> dict[str, str]:
    """The environment of a console process: its own database, no .env from the checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_") and k != "NO_COLOR"}
    env.update(TUTORBOT_DB_PATH=str(db_path), PYTHONIOENCODING="utf-8")
    return env


def command(user: str) -> list[str]:
    return [sys.executable, "-m", "tutorbot", "console", "--user", user]


def run_script(db_path: Path, lines: list[str], user: str = "alice") -> str:
    """Pipe `lines` to a console session; its whole output, after checking it left cleanly."""
    done = subprocess.run(
        command(user),
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=console_env(db_path),
        cwd=db_path.parent,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stdout.rstrip().endswith("Bye")
    return done.stdout


def piped(db_path: Path, user: str = "alice") -> PopenSpawn:
    """A console reading a pipe, to be driven line by line (pexpect over pipes, no terminal)."""
    return PopenSpawn(
        command(user),
        env=console_env(db_path),
        cwd=str(db_path.parent),
        encoding="utf-8",
        timeout=TIMEOUT,
    )


def answers(db_path: Path, user: str = "alice") -> list[tuple[str, str, int]]:
    """(question id, answer, correct) of every answer the user gave, oldest first."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT question_id, answer, correct FROM answers WHERE user_id = ? ORDER BY id",
            (console_user_id(user),),
        ).fetchall()
    return [(str(q), str(a), int(c)) for q, a, c in rows]


KIND = (
    r"Answer with a letter \(A–[A-Z]\)\.|Answer true or false\.|Type reveal"
    r"|Type your answer \(case|Type a number: "
)
"""The line under a question's prompt that says how to answer it."""
WRONG_SHORT_ANSWER = "certainly not the answer"
"""What a student who does not know types for a short-answer question."""


def _exact(value: Fraction) -> str:
    """A number as the console reads it exactly: `3`, `-7/12`."""
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def wrong_letter(question: Question) -> str:
    """A choice letter that is not a multiple-choice question's answer."""
    return "A" if question.answer != "A" else "B"


def typed_text(question: Question, right: bool) -> str:
    """What a student types for a short-answer or numeric question: an accepted answer, or a
    number inside its bounds (their middle), when `right`; otherwise text or a number the
    question does not accept. Checked against the judging rules every front end uses."""
    if question.type is QuestionType.SHORT_ANSWER:
        text = question.accepted[0] if right else WRONG_SHORT_ANSWER
    else:
        low, high = question.bounds
        text = _exact((low + high) / 2 if right else high + 1 + abs(high))
    judged = judge(question, text)
    assert getattr(judged, "correct", None) is right, (question.id, text, judged)
    return text


def typed_answer(question: Question, right: bool) -> str:
    """The console line for `typed_text`: after `=`, so an answer that is also a command word
    (next) is still read as an answer."""
    return f"= {typed_text(question, right)}"


def seed_questions() -> dict[str, Question]:
    """The seed topic's questions by the first line of their prompt."""
    topic = load_library(BUNDLED_CONTENT_DIR).topics[SEED]
    return {q.prompt.strip().splitlines()[0]: q for q in topic.questions}


def answer_on_screen(console: PopenSpawn, by_prompt: dict[str, Question], right: bool) -> Question:
    """Answer the question the console shows, right or wrong (a free response after its think
    time, judged by the student; a typed one as `typed_answer`), then type next; the question
    answered."""
    console.expect(KIND)
    lines = [line.strip() for line in str(console.before).splitlines()]
    question = next(by_prompt[line] for line in lines if line in by_prompt)
    if question.type is QuestionType.FREE_RESPONSE:
        console.sendline(f"/wait {question.think_seconds or 0}")
        console.sendline("reveal")
        console.sendline("got it" if right else "missed")
    elif question.type is QuestionType.MULTIPLE_CHOICE:
        console.sendline(str(question.answer) if right else wrong_letter(question))
    elif question.type in TYPED:
        console.sendline(typed_answer(question, right))
    else:
        console.sendline("true" if question.answer == right else "false")
    console.sendline("next")
    return question


def master_seed(console: PopenSpawn) -> None:
    """A perfect quiz on the seed topic, to its summary."""
    by_prompt = seed_questions()
    console.sendline(f"/quiz {SEED}")
    for _ in by_prompt:
        answer_on_screen(console, by_prompt, right=True)
    console.expect("🏆 You have mastered Self-Supervised Learning Theory.")
