"""The `tutorbot` command: one argparse tree, each subcommand a thin call into its own module.

Printing lives here, one module per command group (`cli.bot`, `cli.content`, `cli.db`,
`cli.health`); the modules they call (`bot.runner`, `content`, `storage.admin`, `health`) return
data or raise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tutorbot.settings import SettingsError, load_settings


def _run(args: argparse.Namespace) -> int:
    from tutorbot.cli.bot import run

    return run(load_settings())


def _sync(args: argparse.Namespace) -> int:
    from tutorbot.cli.bot import sync

    return sync(load_settings())


def _console(args: argparse.Namespace) -> int:
    from tutorbot.console.app import run_console
    from tutorbot.console.identity import default_user_name

    return run_console(load_settings(), args.user or default_user_name())


def _healthcheck(args: argparse.Namespace) -> int:
    from tutorbot.cli.health import healthcheck_of

    try:
        settings = load_settings()
    except SettingsError as exc:  # Docker reads exit 2 of a health check as reserved: say 1
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    return healthcheck_of(settings)


def _content_check(args: argparse.Namespace) -> int:
    from tutorbot.cli.content import run_check

    return run_check(args.dir or load_settings().content_dir)


def _content_show(args: argparse.Namespace) -> int:
    from tutorbot.cli.content import run_show

    return run_show(args.topic_id, args.dir or load_settings().content_dir)


def _content_import(args: argparse.Namespace) -> int:
    from tutorbot.cli.content import run_import

    return run_import(
        args.file,
        load_settings(),
        format_name=args.format,
        out=args.out,
        separator=args.separator,
    )


def _content_export(args: argparse.Namespace) -> int:
    from tutorbot.cli.content import run_export

    content_dir = args.dir or load_settings().content_dir
    return run_export(args.topic_ids, args.format, content_dir, args.out)


def _db_backup(args: argparse.Namespace) -> int:
    from tutorbot.cli.db import run_backup

    return run_backup(load_settings().database, args.path)


def _db_check(args: argparse.Namespace) -> int:
    from tutorbot.cli.db import run_check

    return run_check(load_settings().database)


def _db_copy(args: argparse.Namespace) -> int:
    from tutorbot.cli.db import database_arg, run_copy

    return run_copy(database_arg(args.source), database_arg(args.target))


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree; `tutorbot --help` shows it."""
    parser = argparse.ArgumentParser(
        prog="tutorbot", description="TutorBot: a Discord tutoring bot for a knowledge graph."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sub.add_parser("run", help="run the Discord bot").set_defaults(handler=_run)
    sub.add_parser("sync", help="sync slash commands to Discord now").set_defaults(handler=_sync)
    console = sub.add_parser("console", help="the same tutoring in a terminal, no Discord needed")
    console.add_argument("--user", metavar="NAME", help="who is studying (default: your login)")
    console.set_defaults(handler=_console)
    sub.add_parser(
        "healthcheck", help="exit 0 if the running bot's heartbeat is fresh"
    ).set_defaults(handler=_healthcheck)

    content = sub.add_parser("content", help="check, show, import or export topic content")
    content_sub = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check = content_sub.add_parser("check", help="validate a content folder and lint it")
    check.add_argument("dir", nargs="?", type=Path, help="content folder (default: settings)")
    check.set_defaults(handler=_content_check)
    show = content_sub.add_parser("show", help="print one topic as its card shows it")
    show.add_argument("topic_id")
    show.add_argument("--dir", type=Path, help="content folder (default: settings)")
    show.set_defaults(handler=_content_show)
    _add_import(content_sub)
    _add_export(content_sub)

    db = sub.add_parser("db", help="back up, check or copy the database")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    backup = db_sub.add_parser("backup", help="online backup, safe while the bot writes")
    backup.add_argument("path", type=Path)
    backup.set_defaults(handler=_db_backup)
    db_check = db_sub.add_parser("check", help="integrity check and schema version")
    db_check.set_defaults(handler=_db_check)
    db_copy = db_sub.add_parser(
        "copy", help="copy every table to an empty database (SQLite <-> PostgreSQL), verified"
    )
    db_copy.add_argument("source", help="an SQLite file or a postgresql:// URL")
    db_copy.add_argument("target", help="an SQLite file or a postgresql:// URL, without data")
    db_copy.set_defaults(handler=_db_copy)
    return parser


def _add_import(content_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from tutorbot.content.banks.formats import FORMAT_NAMES

    command = content_sub.add_parser(
        "import", help="turn a question bank (GIFT, Moodle XML, Anki, ...) into topic files"
    )
    command.add_argument("file", type=Path, help="the file to import")
    command.add_argument(
        "--format", choices=FORMAT_NAMES, help="the file's format (default: guessed from it)"
    )
    command.add_argument(
        "--out", type=Path, help="new folder for the topic files (default: named after the file)"
    )
    command.add_argument(
        "--separator",
        metavar="SEP",
        help="Quizlet: what separates term and definition (tab, comma, semicolon or the text)",
    )
    command.set_defaults(handler=_content_import)


def _add_export(content_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from tutorbot.content.banks.formats import EXPORT_FORMATS

    command = content_sub.add_parser("export", help="write topics as GIFT or Moodle XML")
    command.add_argument("topic_ids", nargs="+", metavar="TOPIC", help="topic ids to export")
    command.add_argument("--format", choices=list(EXPORT_FORMATS), required=True)
    command.add_argument("--out", type=Path, help="file to write (default: standard output)")
    command.add_argument("--dir", type=Path, help="content folder (default: settings)")
    command.set_defaults(handler=_content_export)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tutorbot` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
