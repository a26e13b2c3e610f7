"""`tutorbot run` and `tutorbot sync`: start the bot, and stop it cleanly on SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
import discord

from tutorbot.bot.client import TutorBot
from tutorbot.bot.proxy import redirect_discord
from tutorbot.bot.sync import DevGuildRefused
from tutorbot.content.errors import ContentError
from tutorbot.services import Services
from tutorbot.settings import Settings
from tutorbot.storage import StorageError
from tutorbot.storage.guard import DatabaseLock

log = logging.getLogger("tutorbot.run")

DRAIN_SECONDS = 5.0

NO_TOKEN = """\
TutorBot needs a Discord bot token to run, and none is set.

Create one at https://discord.com/developers/applications: New Application, then Bot, then
Reset Token, and copy it. Put it in a file named .env in this folder as
TUTORBOT_DISCORD_TOKEN=your-token (see .env.example), or export TUTORBOT_DISCORD_TOKEN in the
environment. Then invite the bot with the applications.commands and bot scopes, and run
`tutorbot run` again. To try TutorBot without a token, run `tutorbot console`."""


def configure_logging(level: str) -> None:
    """Plain timestamped logs on stderr; discord.py's own loggers follow the same level."""
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def run(settings: Settings, *, bot_options: dict[str, Any] | None = None) -> int:
    """Run the bot until a signal or a fatal error; returns the process exit code."""
    return _guarded(settings, lambda token: _serve(settings, token, bot_options or {}))


def sync(settings: Settings) -> int:
    """Log in, force a command sync, and exit."""
    return _guarded(settings, lambda token: _sync(settings, token))


def _guarded(settings: Settings, main: Callable[[str], Coroutine[Any, Any, int]]) -> int:
    """Check the token, point discord.py where settings say, run `main`, and turn every
    failure an admin can fix into one clear paragraph and exit code 1 (2 for no token)."""
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    redirect_discord(settings.discord_api_url, settings.discord_gateway_url)
    try:
        return asyncio.run(main(token))
    except ContentError as exc:
        print(f"The content folder has errors; fix them and start again:\n{exc}", file=sys.stderr)
    except StorageError as exc:
        print(f"The database cannot be used: {exc}", file=sys.stderr)
    except DevGuildRefused as exc:
        print(exc, file=sys.stderr)
    except discord.LoginFailure:
        print("Discord refused the token: check TUTORBOT_DISCORD_TOKEN.", file=sys.stderr)
    except (OSError, aiohttp.ClientError, discord.GatewayNotFound) as exc:
        where = settings.discord_api_url or "Discord"
        print(f"Could not reach {where}: {exc}. Check the network and try again.", file=sys.stderr)
    return 1


async def _serve(settings: Settings, token: str, bot_options: dict[str, Any]) -> int:
    """Serve while holding the database's lock: a second bot on one database is refused."""
    with DatabaseLock.acquire(settings.db_path):
        return await _serve_locked(settings, token, bot_options)


async def _serve_locked(settings: Settings, token: str, bot_options: dict[str, Any]) -> int:
    # Content and database first: a broken pack or database is reported before any network.
    services = await Services.open(settings.content_dir, settings.db_path)
    bot = TutorBot(settings, services=services, **bot_options)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = asyncio.create_task(bot.start(token))
    stopper = asyncio.create_task(stop.wait())
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
        await bot.close()
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await runner
        log.info("stopped")


async def _sync(settings: Settings, token: str) -> int:
    services = await Services.open(settings.content_dir, settings.db_path)
    bot = TutorBot(settings, force_sync=True, services=services)
    try:
        await bot.login(token)  # setup_hook syncs
    finally:
        await bot.close()
    print("Commands synced.")
    return 0
