"""Run `tutorbot console` as a real process on a database in a temp dir, and read what it kept."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from pexpect.popen_spawn import PopenSpawn

from tutorbot.console.identity import console_user_id

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
