"""Display names of the people seen in each server, for every renderer that shows standings.

Front ends report each member they see (`saw`); the name is written only when it is new to this
process or changed, and the writes of a burst are gathered into one (a thousand students clicking
at once are not a thousand extra writes, and a known name costs a dictionary lookup). Renderers
read names through `in_guild`, which prefers what this process saw last and falls back to the
database, so a podium or a CSV after a restart still shows names.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from tutorbot.clock import Clock
from tutorbot.storage.errors import DatabaseLostError
from tutorbot.storage.names import MAX_NAME, NameStore

log = logging.getLogger(__name__)

MAX_KNOWN = 50_000
"""Names held in memory before the cache starts over (the database keeps them all)."""

MemberKey = tuple[int, int]


class NameBook:
    """The last display name of each (server, person), cached in memory and stored."""

    def __init__(self, store: NameStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._known: dict[MemberKey, str] = {}
        self._pending: dict[MemberKey, str] = {}
        self._flushing: asyncio.Task[None] | None = None

    def saw(self, guild_id: int, user_id: int, name: str) -> None:
        """A member of `guild_id` showed `name`: store it soon if it is new or changed."""
        key = (guild_id, user_id)
        name = name[:MAX_NAME]
        if not name or self._known.get(key) == name:
            return
        if len(self._known) >= MAX_KNOWN:
            self._known.clear()
        self._known[key] = name
        self._pending[key] = name
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush(), name="tutorbot-names")

    async def _flush(self) -> None:
        """Write what is pending, one write per batch, until nothing is left."""
        while self._pending:
            batch, self._pending = self._pending, {}
            try:
                await self._store.remember(batch, self._clock())
            except Exception as exc:
                # A name is a convenience: the renderers fall back to a mention. A lost database
                # was logged once by the storage layer already.
                if not isinstance(exc, DatabaseLostError):
                    log.warning("could not store %d display names", len(batch), exc_info=True)
                for key in batch:
                    self._known.pop(key, None)

    async def in_guild(
        self, guild_id: int, user_ids: Iterable[int] | None = None
    ) -> dict[int, str]:
        """Display names by user id in one server: of `user_ids`, or of everyone known if None."""
        if user_ids is None:
            names = await self._store.in_guild(guild_id)
            names.update({u: n for (g, u), n in self._known.items() if g == guild_id})
            return names
        wanted = set(user_ids)
        names = await self._store.in_guild(guild_id, wanted)
        for user in wanted:
            seen = self._known.get((guild_id, user))
            if seen is not None:
                names[user] = seen
        return names

    def forget(self, user_id: int) -> None:
        """Drop a person's names from memory (and from the pending write), before /forgetme
        deletes the stored ones."""
        for table in (self._known, self._pending):
            for key in [k for k in table if k[1] == user_id]:
                del table[key]

    async def flush(self) -> None:
        """Return once every name seen so far is written (before an export, on shutdown)."""
        if self._flushing is not None:
            await self._flushing
