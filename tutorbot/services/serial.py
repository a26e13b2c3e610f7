"""Jobs run one at a time per key, in the order given, each key apart from the others.

A round's Discord updates (post a question, reveal it, show the podium) must land in order, but a
slow or rate-limited channel must not hold up another round's: the round service gives each
update to `SerialQueues` under the round's id. One task per key runs that key's jobs first in,
first out; it is created when a job arrives and ends when its queue is empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

Job = Callable[[], Awaitable[Any]]


@dataclass
class _Item:
    job: Job
    done: asyncio.Future[Any] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    awaited: bool = False


class SerialQueues(Generic[K]):
    """One first-in, first-out queue of jobs per key, each drained by its own task."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._queues: dict[K, deque[_Item]] = {}
        self._tasks: dict[K, asyncio.Task[None]] = {}

    def submit(self, key: K, job: Job) -> None:
        """Run `job` after the jobs already queued under `key`; the caller does not wait, and a
        job that raises is logged."""
        self._add(key, _Item(job))

    async def run(self, key: K, job: Callable[[], Awaitable[T]]) -> T:
        """Run `job` after the jobs already queued under `key`, and wait for its result (or its
        exception)."""
        item = _Item(job, awaited=True)
        self._add(key, item)
        result: T = await asyncio.shield(item.done)
        return result

    def pending(self, key: K) -> int:
        """How many jobs under `key` have not finished (the one running included)."""
        return len(self._queues.get(key, ())) + (1 if key in self._tasks else 0)

    async def settle(self, timeout: float) -> None:  # noqa: ASYNC109
        """Let every queued job finish, for at most `timeout` seconds; cancel what is left."""
        tasks = list(self._tasks.values())
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
        for task in list(self._tasks.values()):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._queues.clear()
        self._tasks.clear()

    def _add(self, key: K, item: _Item) -> None:
        self._queues.setdefault(key, deque()).append(item)
        if key not in self._tasks:
            self._tasks[key] = asyncio.create_task(self._drain(key), name=f"{self._name}-{key}")

    async def _drain(self, key: K) -> None:
        queue = self._queues[key]
        try:
            while queue:
                item = queue.popleft()
                try:
                    result = await item.job()
                except asyncio.CancelledError:
                    item.done.cancel()
                    raise
                except Exception as exc:
                    if item.awaited:
                        item.done.set_exception(exc)
                    else:
                        log.exception("%s %s: a queued job failed", self._name, key)
                else:
                    if not item.done.done():
                        item.done.set_result(result)
        finally:
            for item in queue:
                item.done.cancel()
            self._queues.pop(key, None)
            self._tasks.pop(key, None)
