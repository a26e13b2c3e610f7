"""`tutorbot console`: open the services, then read commands until /quit, Ctrl-D or Ctrl-C.

Interactive when standard input and output are both terminals (prompt_toolkit for the prompt,
history and Tab completion; rich for colour and Markdown). Otherwise it reads one command a line
from standard input and prints plain text without prompts, so a script can drive it.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from tutorbot.clock import Clock, utc_now
from tutorbot.content.errors import ContentError
from tutorbot.services import Services
from tutorbot.settings import Settings
from tutorbot.storage import StorageError

from .clock import ConsoleClock
from .output import Output
from .session import ConsoleApp


def run_console(
    settings: Settings,
    user_name: str,
    *,
    clock: Clock = utc_now,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run a console session for `user_name` on the configured content and database; exit code.

    Runs its own event loop rather than `asyncio.run`, so Ctrl-C raises KeyboardInterrupt where
    the console is waiting (even in a blocking read of a pipe) and the database is still closed
    cleanly afterwards.
    """
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty() and stdout.isatty()
    out = Output(stdout, colour=stdout.isatty())
    console_clock = ConsoleClock(clock)
    loop = asyncio.new_event_loop()
    try:
        try:
            services = loop.run_until_complete(
                Services.open(settings.content_dir, settings.db_path, console_clock)
            )
        except ContentError as exc:
            print(f"The content in {settings.content_dir} does not load:\n{exc}", file=sys.stderr)
            return 1
        except StorageError as exc:
            print(f"The database cannot be used: {exc}", file=sys.stderr)
            return 1
        app = ConsoleApp(services, out, user_name, console_clock)
        try:
            reader = _interactive(app) if interactive else _piped(app, stdin)
            loop.run_until_complete(reader)
        except (KeyboardInterrupt, EOFError):
            pass
        finally:
            loop.run_until_complete(services.close())
    finally:
        loop.close()
    out.say("Bye")
    return 0


async def _piped(app: ConsoleApp, stdin: TextIO) -> None:
    """Commands one a line until end of input; nothing but the answers is printed."""
    await app.resume()
    while True:
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            return
        if not line:
            return
        if not await app.handle(line):
            return


async def _interactive(app: ConsoleApp) -> None:
    """A prompt with history and completion; Ctrl-D and Ctrl-C leave."""
    from prompt_toolkit import PromptSession

    from .completion import ConsoleCompleter

    session: PromptSession[str] = PromptSession(
        completer=ConsoleCompleter(lambda: app.services.library), complete_while_typing=True
    )
    library = app.services.library
    app.out.say(
        f"TutorBot console · {app.user_name} · {len(library)} topics. "
        "Type help for commands; Tab completes topics.",
        "bold",
    )
    await app.resume()
    while True:
        try:
            line = await session.prompt_async(app.prompt())
        except (EOFError, KeyboardInterrupt):
            return
        if not await app.handle(line):
            return
