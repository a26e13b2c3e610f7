"""The knowledge map in Discord: a page of it added to a private message as a picture, with
"Earlier" and "Later" buttons when the map has more pages.

The message (its text) is sent first and the picture added by an edit when it is drawn, so the
text never waits for a drawing and a picture that cannot be drawn leaves the message as it was.
/progress shows the way to the goal (`progress:map:<page>:<dir>` turns its pages); the topic
card's "Map" button the map around a topic (`topic:mappage:<topic>:<page>:<dir>`). Every click
draws the clicker's own map: a custom_id carries no user and nothing another student could read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import discord

from tutorbot.bot.components import button
from tutorbot.bot.pictures import add_picture
from tutorbot.domain.knowledge_map import KnowledgeMap
from tutorbot.pictures import maps
from tutorbot.services import Services

PageId = Callable[[int, str], str]
"""The custom_id of the button that shows a page: (page, "prev" or "next") -> custom_id."""


def pager(page_id: PageId, page: int, pages: int) -> discord.ui.View | None:
    """The buttons "◀ Earlier" and "Later ▶" of a map of several pages; None for one page."""
    if pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(button(page_id(max(page - 1, 0), "prev"), "◀ Earlier", disabled=page == 0))
    view.add_item(
        button(page_id(min(page + 1, pages - 1), "next"), "Later ▶", disabled=page >= pages - 1)
    )
    return view


async def add_map(
    interaction: discord.Interaction[Any],
    services: Services,
    embed: discord.Embed,
    knowledge_map: KnowledgeMap,
    page_id: PageId,
) -> None:
    """Draw the map's page and show it in `embed` on the interaction's original response,
    with the page buttons; the response stays as it was when the picture is not drawn."""

    async def edit(file: discord.File) -> None:
        embed.set_image(url=f"attachment://{file.filename}")
        view = pager(page_id, knowledge_map.page, knowledge_map.pages)
        await interaction.edit_original_response(embed=embed, attachments=[file], view=view)

    await add_picture(edit, maps.picture_of(services, knowledge_map), "knowledge map")
