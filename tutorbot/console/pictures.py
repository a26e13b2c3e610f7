"""The console's pictures: the same PNGs as in Discord, written to files whose paths it prints.

Pictures go to a `pictures` folder beside the SQLite database (in the working directory on
PostgreSQL), each under a fixed name per picture, so the latest replaces the one before; the
console prints the path and the picture's alt text, which says the same in words.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tutorbot.domain.activity import Activity
from tutorbot.guild_scope import in_guild
from tutorbot.pictures.png import Picture
from tutorbot.services import Services, round_reports

if TYPE_CHECKING:
    from .session import ConsoleApp

FOLDER = "pictures"
CLASS_USAGE = "Type /class ROUND with a round's number, e.g. /class 12."


def pictures_dir(services: Services) -> Path:
    """Where the console writes pictures: beside the SQLite database, or in the working
    directory when the database is PostgreSQL."""
    db = services.storage.db
    return (db.path.parent if db.url is None else Path.cwd()) / FOLDER


def save(services: Services, picture: Picture, name: str | None = None) -> Path:
    """Write the picture to the pictures folder (as `name`, default its own filename); its
    path."""
    folder = pictures_dir(services)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or picture.filename)
    path.write_bytes(picture.png)
    return path.resolve()


def show(app: ConsoleApp, label: str, picture: Picture, name: str | None = None) -> None:
    """Write the picture and print its path and alt text."""
    path = save(app.services, picture, name)
    app.out.say(f"{label}: {path}", "cyan")
    app.out.say(picture.alt_text)


async def show_activity(app: ConsoleApp, found: Activity | None) -> None:
    """/stats's activity chart, written to a file (nothing without figures)."""
    if found is None:
        return
    show(app, "Activity chart", await app.services.stats.activity_picture(found))


async def class_cmd(app: ConsoleApp, rest: str) -> None:
    """/class ROUND: the class at a glance of a round (run in Discord, same database), written
    to a file."""
    number = rest.strip().lstrip("#")
    if not number.isdigit() or len(number) > 18:
        app.out.say(CLASS_USAGE, "yellow")
        return
    round_id = int(number)
    rnd = await app.services.storage.rounds.get(round_id)
    if rnd is None:
        app.out.say(f"There is no round {round_id}. {CLASS_USAGE}", "yellow")
        return
    with in_guild(rnd.guild_id):  # the round's topics are its server's (its packs too)
        picture = await round_reports.class_picture(app.services, round_id)
    if picture is None:
        app.out.say(f"Nobody answered in round {round_id}: there is no class to show.", "yellow")
        return
    show(app, f"Class at a glance of round {round_id}", picture, f"class-round-{round_id}.png")
