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
from tutorbot.services import round_options
from tutorbot.storage._unset import UNSET, Unset
from tutorbot.storage.guild_settings import GuildSettings
from tutorbot.storage.round_options import RoundDefaults

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot

ADMINS_ONLY = "Only server admins (Manage Server) can use /tutoradmin."
SHOWN_ERRORS = 1500


def _require_admin(interaction: discord.Interaction[Any]) -> int:
    """The server's id, once the user is known to manage it; else the admins-only refusal."""
    if interaction.guild_id is None or not interaction.permissions.manage_guild:
        raise UserFacingError(ADMINS_ONLY)
    return interaction.guild_id


def settings_text(settings: GuildSettings, options: RoundDefaults | None = None) -> str:
    """The server's settings as the admin sees them."""
    role = f"<@&{settings.instructor_role_id}>" if settings.instructor_role_id else "none"
    text = (
        "**TutorBot settings for this server**\n"
        f"Instructor role: {role} (Manage Server always counts)\n"
        f"Round defaults: {settings.round_questions} questions, "
        f"{settings.round_seconds} seconds each, {settings.round_scoring} scoring"
    )
    if options is None:
        return text
    teams = f"{options.teams} teams" if options.teams else "no teams"
    return (
        f"{text}\nRound options: {teams}, streak bonus {'on' if options.streak else 'off'}, "
        f"thread {'on' if options.thread else 'off'}, a podium of {options.podium}"
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


async def _round_options(
    bot: TutorBot,
    guild_id: int,
    teams: int | None,
    streak: str | None,
    thread: str | None,
    podium: int | None,
) -> RoundDefaults | Refusal:
    """The server's round option defaults, after changing those given (or why not)."""
    if (teams, streak, thread, podium) == (None, None, None, None):
        return await round_options.defaults(bot.services, guild_id)
    return await round_options.update_defaults(
        bot.services,
        guild_id,
        teams=teams,
        streak=None if streak is None else streak == "on",
        thread=None if thread is None else thread == "on",
        podium=podium,
    )


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
        teams="Default teams per round (2-8; 0: no teams)",
        streak="Default streak bonus: on or off",
        thread="Default: run rounds in a new thread of their channel (on or off)",
        podium="Default places on the podium (3-10)",
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
        teams: app_commands.Range[int, 0, round_state.MAX_TEAMS] | None = None,
        streak: Literal["on", "off"] | None = None,
        thread: Literal["on", "off"] | None = None,
        podium: app_commands.Range[int, round_state.MIN_PODIUM, round_state.MAX_PODIUM]
        | None = None,
    ) -> None:
        """Show the server's settings, or change the ones given and show the result."""
        guild_id = _require_admin(interaction)
        rounds = self.bot.services.rounds
        role: int | Unset | None = UNSET
        if clear_role:
            role = None
        elif instructor_role is not None:
            role = instructor_role.id
        options = await _round_options(self.bot, guild_id, teams, streak, thread, podium)
        if isinstance(options, Refusal):
            await refuse(interaction, options)
            return
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
        await interaction.response.send_message(settings_text(current, options), ephemeral=True)

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
