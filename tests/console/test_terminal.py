"""The console under a pseudo-terminal: a prompt, colour, Tab completion, and a clean Ctrl-D or
Ctrl-C exit."""

from __future__ import annotations

import sys
from pathlib import Path

import pexpect

from .console_helpers import SEED, TIMEOUT, answers, console_env

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


def leave(term: pexpect.spawn, key: str) -> None:
    """Press Ctrl-`key` at the prompt and see the console say goodbye and exit.

    A key pressed in the instant before prompt_toolkit has put the terminal in raw mode can be
    swallowed by the terminal driver, as it would be for a person; then it is pressed again.
    """
    for _ in range(3):
        term.sendcontrol(key)
        if term.expect(["Bye", pexpect.TIMEOUT], timeout=5) == 0:
            break
    else:
        raise AssertionError(f"Ctrl-{key.upper()} did not leave the console")
    term.expect(pexpect.EOF)
    term.close()
    assert term.exitstatus == 0


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
    term.expect(f"alice · {SEED}>")
    leave(term, "d")
    assert answers(db_path) == []


def test_ctrl_c_leaves_cleanly_with_nothing_lost(db_path: Path) -> None:
    term = spawn(db_path)
    term.expect("alice>")
    term.send(f"/quiz {SEED} 1\r")
    term.expect("Question 1 of 1")
    term.expect("quiz 1/1>")
    leave(term, "c")
    again = spawn(db_path)
    again.expect("Picking up your quiz on Self-Supervised Learning Theory")
    again.expect("quiz 1/1>")
    leave(again, "d")
