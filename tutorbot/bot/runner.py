"""`tutorbot run` and `tutorbot sync`: start the bot, and stop it cleanly on SIGTERM or SIGINT.

What goes wrong is raised; `tutorbot.cli.bot` tells the admin.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

from tutorbot.bot.client import TutorBot
from tutorbot.bot.heap import settle_heap
from tutorbot.bot.proxy import redirect_discord
from tutorbot.services import Services
from tutorbot.settings import Settings
from tutorbot.storage.guard import DatabaseLock

log = logging.getLogger("tutorbot.run")

DRAIN_SECONDS = 5.0


def configure_logging(level: str) -> None:
    """Plain timestamped logs on stderr; discord.py's own loggers follow the same level."""
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def run(settings: Settings, token: str) -> int:
    """Run the bot until SIGTERM or SIGINT; returns the exit code. Raises what keeps it from
    starting (`ContentError`, `StorageError`, `DevGuildRefused`, `discord.LoginFailure`, network
    errors): `tutorbot.cli.bot` words each for the admin."""
    _prepare(settings)
    return asyncio.run(_serve(settings, token))


def sync(settings: Settings, token: str) -> None:
    """Log in, force a command sync, and return; raises like `run`."""
    _prepare(settings)
    asyncio.run(_sync(settings, token))


def _prepare(settings: Settings) -> None:
    """Logging as settings say, and discord.py pointed where they say."""
    configure_logging(settings.log_level)
    redirect_discord(settings.discord_api_url, settings.discord_gateway_url)


async def _serve(settings: Settings, token: str) -> int:
    """Serve while holding the SQLite database's lock: a second bot on one file is refused.
    PostgreSQL takes several processes (each owning some shards), so it has no such lock."""
    if settings.database_url is not None:
        return await _serve_locked(settings, token)
    with DatabaseLock.acquire(settings.db_path):
        return await _serve_locked(settings, token)


async def _serve_locked(settings: Settings, token: str) -> int:
    # Content and database first: a broken pack or database is reported before any network.
    services = await Services.open(settings.content_dir, settings.database)
    bot = TutorBot(settings, services=services)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = asyncio.create_task(bot.start(token))
    stopper = asyncio.create_task(stop.wait())
    freezer = asyncio.create_task(_freeze_when_ready(bot))
    try:
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            runner.result()  # a login or setup error: raise it
            return 0
        log.info("stopping: finishing handlers in flight")
        await bot.drain(DRAIN_SECONDS)
        return 0
    finally:
        stopper.cancel()
        freezer.cancel()
        await bot.close()
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await runner
        log.info("stopped")


async def _freeze_when_ready(bot: TutorBot) -> None:
    """`settle_heap` once the bot is ready (what startup loaded stays for good)."""
    await bot.wait_until_ready()
    settle_heap()


async def _sync(settings: Settings, token: str) -> None:
    services = await Services.open(settings.content_dir, settings.database)
    bot = TutorBot(settings, force_sync=True, services=services)
    try:
        await bot.login(token)  # setup_hook syncs
    finally:
        await bot.close()
