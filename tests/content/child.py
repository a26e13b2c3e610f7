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
from pathlib import Path
from typing import Any

import pytest

CHILD_SECONDS = 10.0
CHILD_MEMORY = 1 << 30
"""Address space the child may take beyond what it inherits from the parent at the fork."""


def _address_space() -> int:
    """Bytes of address space this process holds now (/proc/self/statm's size, in pages): a
    forked child starts with all of its parent's, over 1 GiB in a full test run."""
    return int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()


def _answer(send: Connection, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    limit = _address_space() + CHILD_MEMORY
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
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
