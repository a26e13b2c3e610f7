"""/tutoradmin: the server's instructor role and round defaults, and reloading the content.

Both need Manage Server. A reload that fails keeps the old content serving and shows the errors;
rounds and quizzes on topics or questions that vanished end politely at their next step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from tutorbot.bot import limits
from tutorbot.bot.errors import UserFacingError, refuse
from tutorbot.bot.heap import settle_heap
from tutorbot.bot.scopes import server_group
from tutorbot.content.errors import ContentError
from tutorbot.content.library import Library
from tutorbot.domain import round_state
from tutorbot.domain.refusals import Refusal
from tutorbot.storage._unset import UNSET, Unset
from tutorbot.storage.guild_settings import GuildSettings

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot

ADMINS_ONLY = "Only server admins (Manage Server) can use /tutoradmin."
SHOWN_ERRORS = 1500


def _require_admin(interaction: discord.Interaction[Any]) -> int:
    """The server's id, once the user is known to manage it; else the admins-only refusal."""
    if interaction.guild_id is None or not interaction.permissions.manage_guild:
        raise UserFacingError(ADMINS_ONLY)
    return interaction.guild_id


def settings_text(settings: GuildSettings) -> str:
    """The server's settings as the admin sees them."""
    role = f"<@&{settings.instructor_role_id}>" if settings.instructor_role_id else "none"
    return (
        "**TutorBot settings for this server**\n"
        f"Instructor role: {role} (Manage Server always counts)\n"
        f"Round defaults: {settings.round_questions} questions, "
        f"{settings.round_seconds} seconds each, {settings.round_scoring} scoring"
    )


def _count(library: Library) -> tuple[int, int]:
    topics = library.topics
    return len(topics), sum(len(t.questions) for t in topics.values())


def _names(ids: set[str]) -> str:
    shown = ", ".join(f"`{i}`" for i in sorted(ids)[:20])
    return shown + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")


def reload_text(old: Library, new: Library) -> str:
    """What a successful reload loaded and changed."""
    topics, questions = _count(new)
    lines = [f"Reloaded the content: {topics} topics, {questions} questions."]
    added = set(new.topics) - set(old.topics)
    removed = set(old.topics) - set(new.topics)
    if added:
        lines.append(f"Added {len(added)}: {_names(added)}")
    if removed:
        lines.append(f"Removed {len(removed)}: {_names(removed)}")
        lines.append("Rounds and quizzes on removed topics end politely at their next step.")
    if not added and not removed:
        lines.append("No topics were added or removed.")
    return limits.clip("\n".join(lines), limits.CONTENT)


def errors_text(error: ContentError) -> str:
    """The first content errors, inside one message, saying how many more there are."""
    lines = [str(issue) for issue in error.issues]
    head = (
        f"The content has {error.count} error{'' if error.count == 1 else 's'}; "
        "the old content keeps serving. Fix them and reload again "
        "(`tutorbot content check` shows them all).\n```\n"
    )
    shown = limits.bounded_lines(lines, SHOWN_ERRORS, "… and {n} more", hidden=error.more)
    return head + shown.replace("```", "ˋˋˋ") + "\n```"


class Admin(commands.Cog):
    """The /tutoradmin commands."""

    tutoradmin = server_group(
        "tutoradmin",
        "TutorBot settings and content (Manage Server)",
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot

    @tutoradmin.command(name="settings", description="Instructor role and round defaults")
    @app_commands.describe(
        instructor_role="Members with this role may run rounds",
        clear_role="Remove the instructor role (only Manage Server runs rounds)",
        questions="Default questions per round (1-50)",
        seconds="Default seconds per question (5-300)",
        scoring="Default scoring: speed or flat",
    )
    async def settings(
        self,
        interaction: discord.Interaction[Any],
        instructor_role: discord.Role | None = None,
        clear_role: bool = False,
        questions: app_commands.Range[int, round_state.MIN_QUESTIONS, round_state.MAX_QUESTIONS]
        | None = None,
        seconds: app_commands.Range[int, round_state.MIN_SECONDS, round_state.MAX_SECONDS]
        | None = None,
        scoring: Literal["speed", "flat"] | None = None,
    ) -> None:
        """Show the server's settings, or change the ones given and show the result."""
        guild_id = _require_admin(interaction)
        rounds = self.bot.services.rounds
        role: int | Unset | None = UNSET
        if clear_role:
            role = None
        elif instructor_role is not None:
            role = instructor_role.id
        if role is UNSET and questions is None and seconds is None and scoring is None:
            current = await rounds.settings_for(guild_id)
        else:
            changed = await rounds.update_settings(
                guild_id,
                instructor_role_id=role,
                questions=questions,
                seconds=seconds,
                scoring=scoring,
            )
            if isinstance(changed, Refusal):
                await refuse(interaction, changed)
                return
            current = changed
        await interaction.response.send_message(settings_text(current), ephemeral=True)

    @tutoradmin.command(name="reload", description="Re-read the content folder without a restart")
    async def reload(self, interaction: discord.Interaction[Any]) -> None:
        """Load the content folder again; on errors the old content stays and they are listed."""
        _require_admin(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        services = self.bot.services
        old = services.bundled
        try:
            new = await services.reload_content(self.bot.settings.content_dir)
        except ContentError as error:
            await interaction.followup.send(errors_text(error), ephemeral=True)
            return
        await interaction.followup.send(reload_text(old, new), ephemeral=True)
        settle_heap()  # the new library joins what the collector no longer walks


async def setup(bot: TutorBot) -> None:
    """Add the /tutoradmin commands (discord.py calls this when it loads the extension)."""
    await bot.add_cog(Admin(bot))
