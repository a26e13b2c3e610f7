"""Rendering off the event loop: one worker process, started lazily, and a small cache.

A picture is drawn by a module-level function of plain picklable data (a frozen dataclass) that
returns a `Picture`. It runs in a worker process, so drawing never holds the event loop's GIL;
the worker is forked from a fork server that has matplotlib imported already, so starting one is
cheap. Pictures are cached by (drawing function, data): an unchanged student state is not drawn
again, and any change of state changes the data, so it gets a fresh picture. Two requests for the
same picture at once share one drawing.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from tutorbot.pictures.png import Picture

CACHE_SIZE = 64
"""Pictures kept (each a few hundred kB at most)."""
PRELOAD = ("matplotlib.figure", "matplotlib.backends.backend_agg", "tutorbot.pictures.png")
"""Modules the fork server imports once, so each worker starts with them loaded."""
WORKER_NICENESS = 10
"""How much lower the worker's CPU priority is than the bot's: on a busy machine a drawing
yields the core to the event loop, so a click during a render waits no longer than without it."""

D = TypeVar("D", bound=Hashable)
Draw = Callable[[D], Picture]
_Key = tuple[str, Hashable]


class RendererClosed(RuntimeError):
    """A picture asked for after the renderer was closed (the bot is shutting down)."""


def _context() -> multiprocessing.context.BaseContext:
    """The fork server's context (workers forked from a clean process that has matplotlib
    loaded, never from this threaded one), or spawn where there is no fork server."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context


def _lower_priority() -> None:
    """Run in the worker as it starts: lower its priority by `WORKER_NICENESS`."""
    os.nice(WORKER_NICENESS)


class PictureRenderer:
    """Draws pictures in one worker process (started at the first picture) and caches them;
    owned by the `Services`, closed with them."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self._cache_size = cache_size
        self._cache: OrderedDict[_Key, Picture] = OrderedDict()
        self._drawing: dict[_Key, asyncio.Future[Picture]] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False
        self.drawn = 0
        """Pictures drawn (not served from the cache) since the renderer was made."""

    async def render(self, draw: Draw[D], data: D) -> Picture:
        """The picture `draw(data)` gives, from the cache or drawn in the worker process."""
        key: _Key = (f"{draw.__module__}.{draw.__qualname__}", data)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        pending = self._drawing.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Picture] = asyncio.get_running_loop().create_future()
        self._drawing[key] = future
        try:
            picture = await self._draw(draw, data)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # marks it retrieved when nobody else waited
            raise
        finally:
            del self._drawing[key]
        future.set_result(picture)
        self._remember(key, picture)
        return picture

    async def _draw(self, draw: Draw[D], data: D) -> Picture:
        loop = asyncio.get_running_loop()
        try:
            picture = await loop.run_in_executor(self._worker(), draw, data)
        except BrokenProcessPool:
            self._pool = None  # the worker died (killed, out of memory): the next one restarts
            raise
        self.drawn += 1
        return picture

    def _worker(self) -> ProcessPoolExecutor:
        if self._closed:
            raise RendererClosed("pictures are no longer drawn: shutting down")
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=_context(), initializer=_lower_priority
            )
        return self._pool

    def _remember(self, key: _Key, picture: Picture) -> None:
        self._cache[key] = picture
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def close(self) -> None:
        """Stop the worker process (a drawing under way is abandoned); later pictures are
        refused with `RendererClosed`."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
