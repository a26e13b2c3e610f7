"""The console under a pseudo-terminal: a prompt, colour, Tab completion, and a clean Ctrl-D or
Ctrl-C exit."""

from __future__ import annotations

import sys
from pathlib import Path

import pexpect
from console_helpers import SEED, TIMEOUT, answers, console_env

ESC = "\x1b["


def spawn(db_path: Path) -> pexpect.spawn:
    env = console_env(db_path)
    env.update(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1")
    return pexpect.spawn(
        sys.executable,
        ["-m", "tutorbot", "console", "--user", "alice"],
        env=env,
        cwd=str(db_path.parent),
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(40, 120),
    )


def test_a_terminal_session_is_interactive_and_coloured_and_leaves_on_ctrl_d(
    db_path: Path,
) -> None:
    term = spawn(db_path)
    term.expect("Type help for commands")
    term.expect("alice>")
    term.send("/topic self-supervised-learning-th")
    term.send("\t")
    term.expect(SEED)
    term.send("\r")
    term.expect("Depth 79 in the knowledge graph")
    term.expect(f"alice · {SEED}>")
    assert ESC in str(term.before)
    term.send("known\r")
    term.expect("Marked Self-Supervised Learning Theory as known")
    term.sendcontrol("d")
    term.expect("Bye")
    term.expect(pexpect.EOF)
    term.close()
    assert term.exitstatus == 0
    assert answers(db_path) == []


def test_ctrl_c_leaves_cleanly_with_nothing_lost(db_path: Path) -> None:
    term = spawn(db_path)
    term.expect("alice>")
    term.send(f"/quiz {SEED} 1\r")
    term.expect("Question 1 of 1")
    term.expect("quiz 1/1>")
    term.sendintr()
    term.expect("Bye")
    term.expect(pexpect.EOF)
    term.close()
    assert term.exitstatus == 0
    again = spawn(db_path)
    again.expect("Picking up your quiz on Self-Supervised Learning Theory")
    again.expect("quiz 1/1>")
    again.sendcontrol("d")
    again.expect("Bye")
    again.expect(pexpect.EOF)
    again.close()
    assert again.exitstatus == 0
