"""Pictures in Discord: a `Picture` as an attachment with its alt text, added to a message
already sent.

A message with figures is sent at once and its picture added by an edit when it is drawn: the
figures never wait for a drawing (nor risk Discord's 3 seconds on a cold worker), and a picture
that cannot be drawn leaves the message as it was.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures.process import BrokenProcessPool

import discord

from tutorbot.pictures.png import Picture
from tutorbot.pictures.render import RendererClosed

log = logging.getLogger(__name__)

NOT_DRAWN = (RendererClosed, BrokenProcessPool, ValueError)
"""A picture that could not be drawn: shutting down, the worker died, or it did not fit."""
NOT_ADDED = (discord.HTTPException, RendererClosed)
"""A picture that could not be added: Discord refused or the message is gone."""


def file_of(picture: Picture) -> discord.File:
    """The picture as an attachment, its alt text as the attachment's description."""
    return discord.File(
        io.BytesIO(picture.png), filename=picture.filename, description=picture.alt_text
    )


async def drawn(draw: Awaitable[Picture | None], what: str) -> Picture | None:
    """The picture `draw` gives, or None: there is nothing to draw, or it could not be drawn
    (logged)."""
    try:
        return await draw
    except NOT_DRAWN as exc:
        log.warning("the %s picture was not drawn: %s: %s", what, type(exc).__name__, exc)
        return None


async def add_picture(
    edit: Callable[[discord.File], Awaitable[object]],
    draw: Awaitable[Picture | None],
    what: str,
) -> Picture | None:
    """Draw the picture and add it to a sent message by `edit(file)`; the picture, or None
    when there was none to draw, it was not drawn, or Discord refused the edit (the message
    stays as it was)."""
    picture = await drawn(draw, what)
    if picture is None:
        return None
    try:
        await edit(file_of(picture))
    except NOT_ADDED as exc:
        log.info("the %s picture was not added: %s", what, exc)
        return None
    return picture
