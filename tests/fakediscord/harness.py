"""Run a real discord.py client against the fake for the length of a test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

import discord

from .server import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.asynccontextmanager
async def running(
    client: ClientT,
    fake: FakeDiscord,
    timeout: float = 10.0,  # noqa: ASYNC109
) -> AsyncIterator[ClientT]:
    """Log `client` in through `fake`, wait until it is ready, and close it afterwards.

    Create the client with a small `guild_ready_timeout` (e.g. 0.05) so that ready comes fast.
    """
    fake.apply_to_discord_py()
    task = asyncio.create_task(client.start(fake.token))
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait(
        {task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if ready not in done:
        ready.cancel()
        await client.close()
        if task.done():
            task.result()
        task.cancel()
        raise TimeoutError("the client did not become ready through the fake Discord")
    try:
        yield client
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await task
