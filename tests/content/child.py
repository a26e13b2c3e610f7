"""Run a function in a forked child, so a test of something that could hang fails instead.

A thread cannot guard a hang in one C call (a big-integer power, a backtracking regex): it holds the
GIL, and the waiting thread never runs again. A forked child can be killed, and its memory limit
turns a runaway allocation into a quick MemoryError.
"""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

import pytest

CHILD_SECONDS = 10.0
CHILD_MEMORY = 1 << 30


def _answer(send: Connection, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    try:
        send.send(("ok", func(*args)))
    except BaseException as exc:  # any escape is reported to the parent
        send.send(("raised", f"{type(exc).__name__}: {exc}"[:500]))


def in_child(func: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    """Run func(*args) in a forked child with a memory limit; fail if it does not finish."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_answer, args=(send, func, args), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(CHILD_SECONDS):
            name = getattr(func, "__name__", "the call")
            pytest.fail(f"{name}{args!r:.80} did not return within {CHILD_SECONDS} s")
        result: tuple[str, Any] = receive.recv()
        return result
    finally:
        child.kill()
        child.join()
