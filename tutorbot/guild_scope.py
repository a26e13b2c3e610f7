"""Which server a piece of work is for, so that `Services.library` is that server's library
(the bundled course and the server's packs).

Set once where work enters: a command, a button or a form (`bot/client.py`,
`bot/components.py`) and a round's step (`services/rounds.py`, also under a timer: the scheduler
runs each handler in a scope of its own). A context variable follows the
work through every await of its task, and tasks it starts, without each service and renderer
taking a server argument. Outside any server (direct messages, the console, timers of no round)
it is None: the bundled course alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_GUILD: ContextVar[int | None] = ContextVar("tutorbot_guild", default=None)


def current_guild() -> int | None:
    """The server the running work is for, or None."""
    return _GUILD.get()


def enter_guild(guild_id: int | None) -> None:
    """Make the rest of this task's work (an interaction's handling) be for this server."""
    _GUILD.set(guild_id)


@contextmanager
def in_guild(guild_id: int | None) -> Iterator[None]:
    """Work for this server inside the block (a timer's handler), then go back."""
    token = _GUILD.set(guild_id)
    try:
        yield
    finally:
        _GUILD.reset(token)
