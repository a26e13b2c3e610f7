"""One way to fail: the user gets a short private message with an error id; the log the rest."""

from __future__ import annotations

import logging
import secrets

import discord

from tutorbot.domain.refusals import Forged, Refusal
from tutorbot.storage.errors import DatabaseLostError

log = logging.getLogger("tutorbot.errors")


class UserFacingError(Exception):
    """A refusal worded for the user, not a bug: shown as is, privately, and not logged."""


USER_FACING: tuple[type[Exception], ...] = (
    UserFacingError,
    Forged,
)
"""Raised and still fit to show: a front end's own refusals, and forged input. Rules and services
return their refusals instead (see `refuse`). Shown, never logged as bugs."""


NOT_SAVED = (
    "Sorry, that could not be saved: TutorBot has lost its database, so nothing is being "
    "recorded right now. Please tell a server admin; TutorBot needs a restart."
)
"""What a user is told when their click could not be stored (the database file is gone)."""


async def refuse(interaction: discord.Interaction, refusal: Refusal) -> None:
    """Show a refusal the one way every feature does: its text, privately, nothing logged."""
    await reply_private(interaction, refusal.text)


def new_error_id() -> str:
    """A short id that ties what the user saw to the log line."""
    return secrets.token_hex(4)


async def reply_private(interaction: discord.Interaction, text: str) -> None:
    """Answer privately, whether or not the interaction was already acknowledged.

    After a deferred ("thinking") response, a followup that Discord refuses falls back to
    editing that response, the other way to the same place, so the answer still arrives.
    """
    if not interaction.response.is_done():
        await interaction.response.send_message(text, ephemeral=True)
        return
    try:
        await interaction.followup.send(text, ephemeral=True)
    except discord.HTTPException as exc:
        deferred = discord.InteractionResponseType.deferred_channel_message
        if interaction.response.type is not deferred:
            raise
        log.warning(
            "followup to interaction %s failed (%s %s); editing the deferred response instead",
            interaction.id,
            exc.status,
            exc.code,
        )
        await interaction.edit_original_response(content=text)


UNKNOWN_INTERACTION = 10062
"""Discord's answer to a first response sent after the interaction's 3 s window."""


def too_late(error: BaseException) -> bool:
    """Whether Discord refused an answer because its 3 s window had passed: the user saw "This
    interaction failed", the bot has no way left to reach them, and nothing is broken."""
    return isinstance(error, discord.NotFound) and error.code == UNKNOWN_INTERACTION


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user politely and log the details under an error id; never raises."""
    if too_late(error):
        log.warning(
            "interaction %s (user %s) was answered after Discord's 3 s window "
            "(10062 Unknown interaction); the user saw 'This interaction failed'",
            interaction.id,
            interaction.user.id if interaction.user else "?",
        )
        return
    if isinstance(error, USER_FACING):
        text = str(error)
    elif isinstance(error, DatabaseLostError):
        text = NOT_SAVED  # the storage layer logged the loss once; not again for every click
    else:
        error_id = new_error_id()
        log.error(
            "error %s in interaction %s (user %s, data %r)",
            error_id,
            interaction.id,
            interaction.user.id if interaction.user else "?",
            interaction.data,
            exc_info=error,
        )
        text = (
            f"Sorry, something went wrong on our side (error id `{error_id}`). "
            "Please try again; if it keeps happening, give this id to a server admin."
        )
    try:
        await reply_private(interaction, text)
    except discord.HTTPException:
        log.warning("could not tell user about error in interaction %s", interaction.id)
