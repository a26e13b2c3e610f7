"""The console's knowledge map: every page of it written to the pictures folder, each path and
alt text printed (the console has no buttons to turn pages)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tutorbot.console.pictures import show
from tutorbot.pictures import maps

if TYPE_CHECKING:
    from .session import ConsoleApp

NOTHING = "Nothing to map: everything is known. Name a topic to see around it: /map TOPIC."


async def map_cmd(app: ConsoleApp, rest: str) -> None:
    """/map [TOPIC]: the map around TOPIC, or (without one) the way to the goal."""
    around = app.find_topic(rest).id if rest.strip() else None
    await write_map(app, around)


async def map_word(app: ConsoleApp, rest: str) -> None:
    """`map` after /topic: the map around the topic shown (or around TOPIC when named)."""
    if rest.strip():
        await map_cmd(app, rest)
        return
    if app.topic is None:
        from .session import ConsoleError  # the session imports this module

        raise ConsoleError("Show a topic first with /topic TOPIC, or type /map TOPIC.")
    await write_map(app, app.find_topic(app.topic.id).id)


async def write_map(app: ConsoleApp, around: str | None = None) -> None:
    """Write each page of the student's map (around a topic, or the way to their goal, or
    around what is ready to learn) as knowledge-map.png (knowledge-map-TOPIC.png around a topic), or
    with -N before .png for each of several pages, so one map never overwrites another."""
    services = app.services
    first = await maps.student_layout(services, app.user_id, around=around, page=0)
    if first is None:
        app.out.say(NOTHING, "yellow")
        return
    for page in range(first.pages):
        found = (
            first
            if page == 0
            else await maps.student_layout(services, app.user_id, around=around, page=page)
        )
        if found is None:  # the content was reloaded meanwhile
            return
        picture = await maps.picture_of(services, found)
        stem = "knowledge-map" if around is None else f"knowledge-map-{around}"
        if first.pages == 1:
            show(app, "Knowledge map", picture, f"{stem}.png")
        else:
            label = f"Knowledge map, page {page + 1} of {first.pages}"
            show(app, label, picture, f"{stem}-{page + 1}.png")
