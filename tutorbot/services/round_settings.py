"""Who may run rounds in a server, and the server's round defaults.

An instructor has Manage Server or the server's configured instructor role. The defaults are
checked by the same domain rule as a round's own settings (`rules.settings_from`), so a default
that a round would refuse is never stored. Apart from the round's steps because `/tutoradmin`
changes these without any round running.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from tutorbot.domain import rounds as rules
from tutorbot.domain.refusals import Refusal
from tutorbot.storage._unset import UNSET, Unset
from tutorbot.storage.guild_settings import GuildSettings

if TYPE_CHECKING:
    from tutorbot.services import Services


async def settings_for(services: Services, guild_id: int) -> GuildSettings:
    """The server's instructor role and round defaults."""
    return await services.storage.settings.get(guild_id)


async def update_settings(
    services: Services,
    guild_id: int,
    *,
    instructor_role_id: int | Unset | None = UNSET,
    questions: int | None = None,
    seconds: int | None = None,
    scoring: str | None = None,
) -> GuildSettings | Refusal:
    """Change the server's instructor role and round defaults; options left out keep theirs.

    The defaults are checked as a round checks them (`rules.settings_from`), so a refused
    change stores nothing.
    """
    current = await settings_for(services, guild_id)
    checked = rules.settings_from(
        questions if questions is not None else current.round_questions,
        seconds if seconds is not None else current.round_seconds,
        scoring or current.round_scoring,
    )
    if isinstance(checked, Refusal):
        return checked
    return await services.storage.settings.update(
        guild_id,
        now=services.clock(),
        instructor_role_id=instructor_role_id,
        round_questions=questions if questions is not None else UNSET,
        round_seconds=seconds if seconds is not None else UNSET,
        round_scoring=scoring if scoring is not None else UNSET,
    )


async def is_instructor(
    services: Services, guild_id: int, manage_guild: bool, role_ids: Collection[int]
) -> bool:
    """Manage Server, or the server's configured instructor role."""
    if manage_guild:
        return True
    role = (await settings_for(services, guild_id)).instructor_role_id
    return role is not None and role in role_ids
