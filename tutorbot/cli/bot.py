"""`tutorbot run` and `tutorbot sync`: check the token, run the bot (`bot.runner`), and turn every
failure an admin can fix into one clear paragraph on stderr and exit code 1 (2 for no token)."""

from __future__ import annotations

import sys
from collections.abc import Callable

import aiohttp
import discord

from tutorbot.bot import runner
from tutorbot.bot.sync import DevGuildRefused
from tutorbot.content.errors import ContentError
from tutorbot.settings import Settings
from tutorbot.storage import StorageError

NO_TOKEN = """\
TutorBot needs a Discord bot token to run, and none is set.

Create one at https://discord.com/developers/applications: New Application, then Bot, then
Reset Token, and copy it. Put it in a file named .env in this folder as
TUTORBOT_DISCORD_TOKEN=your-token (see .env.example), or export TUTORBOT_DISCORD_TOKEN in the
environment. Then invite the bot with the applications.commands and bot scopes, and run
`tutorbot run` again. To try TutorBot without a token, run `tutorbot console`."""  # noqa: S105 (help text)


def run(settings: Settings) -> int:
    """Run the bot until a signal or a fatal error; returns the process exit code."""
    return _guarded(settings, lambda token: runner.run(settings, token))


def sync(settings: Settings) -> int:
    """Log in, force a command sync, and exit."""

    def go(token: str) -> int:
        runner.sync(settings, token)
        print("Commands synced.")
        return 0

    return _guarded(settings, go)


def _guarded(settings: Settings, main: Callable[[str], int]) -> int:
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    try:
        return main(token)
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
