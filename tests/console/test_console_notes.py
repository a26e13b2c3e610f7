"""A student sees a topic's note under its core idea and a question's note after its explanation,
in a console session over a pack that has them."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from .console_helpers import TIMEOUT, command, console_env

PACK = """\
id: noted-topic
title: Noted Topic
core_idea: Two and two make four.
note: The seed says five; it is four.
questions:
- id: claim
  type: true_false
  prompt: Two and two make four.
  answer: true
  explanation: Count two, then two more.
  note: The seed asks this as a question; read it as the claim it makes.
"""


def _session(db_path: Path, lines: list[str]) -> str:
    root = db_path.parent / "pack"
    root.mkdir()
    (root / "noted-topic.yaml").write_text(PACK, encoding="utf-8")
    env = console_env(db_path)
    env["TUTORBOT_CONTENT_DIR"] = str(root)
    done = subprocess.run(
        command("alice"),
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=db_path.parent,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _at(out: str, note: str) -> int:
    """Where a note shows (its label in bold in a terminal, as Markdown in a pipe)."""
    found = re.search(r"(\*\*)?Note:(\*\*)? " + re.escape(note), out)
    assert found is not None, out
    return found.start()


def test_the_notes_show_after_the_core_idea_and_the_explanation(db_path: Path) -> None:
    out = _session(db_path, ["/topic noted-topic", "/quiz noted-topic", "true"])
    core = out.index("Core Idea\nTwo and two make four.\n")
    assert _at(out, "The seed says five; it is four.") > core
    why = out.index("Why\nCount two, then two more.\n")
    assert _at(out, "The seed asks this as a question; read it as the claim it makes.") > why
