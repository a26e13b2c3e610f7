"""/mydata and /forgetme: a student's right to see and to erase what TutorBot holds."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from tutorbot.bot import limits
from tutorbot.bot.components import FeatureButton, button
from tutorbot.bot.custom_ids import CustomId, make
from tutorbot.bot.errors import UserFacingError
from tutorbot.services.data_export import DataExport, ExportFile

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot

FEATURE = "data"
LABELS = {  # table: (one, many)
    "answers": ("answer", "answers"),
    "round_answers": ("round answer", "round answers"),
    "guild_scores": ("server score", "server scores"),
    "topic_scores": ("per-topic total", "per-topic totals"),
    "topic_state": ("topic mark", "topic marks"),
    "goals": ("goal", "goals"),
    "quiz_sessions": ("quiz", "quizzes"),
    "timers": ("pending timer", "pending timers"),
    "member_names": ("server name", "server names"),
    "users": ("profile", "profiles"),
}


def attachment_limit(interaction: discord.Interaction[Any]) -> int:
    """The largest file this reply may carry: the server's limit (higher when boosted), or
    Discord's default in a direct message."""
    guild = interaction.guild
    return max(guild.filesize_limit, limits.ATTACHMENT_BYTES) if guild else limits.ATTACHMENT_BYTES


def export_text(export: DataExport) -> str:
    """What /mydata says about its files: JSON, one zip, or zip parts and how they fit."""
    size = f"{export.json_bytes / 1_000_000:.1f} MB"
    if not export.compressed:
        return "Here is everything TutorBot holds about you, as JSON."
    if len(export.files) == 1:
        return (
            f"Here is everything TutorBot holds about you: {size} of JSON, too big for one "
            "Discord file, so it comes compressed as a zip."
        )
    return (
        f"Here is everything TutorBot holds about you: {size} of JSON, compressed into "
        f"{len(export.files)} zip files (one per message). Each holds a JSON document; a part "
        "carries on the list where the previous one stopped."
    )


def _file(part: ExportFile) -> discord.File:
    return discord.File(io.BytesIO(part.data), filename=part.filename)


class DataButton(FeatureButton):
    """The confirm and cancel buttons of /forgetme."""

    feature = FEATURE


def _own(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    if cid.int_arg(0) != interaction.user.id:
        raise UserFacingError("Only the person who asked can confirm deleting their data.")


def deleted_text(counts: dict[str, int]) -> str:
    """How much was deleted, in words, and what became of the rounds the user hosted."""
    parts = [f"{n} {LABELS[k][n != 1]}" for k, n in counts.items() if n and k in LABELS]
    hosted = counts.get("rounds_host_cleared", 0)
    if not parts and not hosted:
        return "There was nothing to delete: TutorBot held no data about you."
    text = "Deleted everything TutorBot held about you" + (": " + ", ".join(parts) if parts else "")
    if hosted:
        rounds = "1 round" if hosted == 1 else f"{hosted} rounds"
        text += (
            f". You were removed as the host of {rounds}; the other players' answers in "
            f"{'it' if hosted == 1 else 'them'} stay, since they belong to those players"
        )
    return text + "."


@DataButton.action("forget")
async def _forget(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    _own(interaction, cid)
    bot: TutorBot = interaction.client
    counts = await bot.services.stats.forget(interaction.user.id)
    await interaction.response.edit_message(content=deleted_text(counts), embed=None, view=None)


@DataButton.action("cancel")
async def _cancel(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    _own(interaction, cid)
    await interaction.response.edit_message(content="Nothing was deleted.", embed=None, view=None)


class Data(commands.Cog):
    """The /mydata and /forgetme commands."""

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot

    @app_commands.command(name="mydata", description="Download everything TutorBot holds about you")
    async def mydata(self, interaction: discord.Interaction[Any]) -> None:
        # A long history takes a moment to read and pack: answer at once, send the files after.
        await interaction.response.defer(ephemeral=True, thinking=True)
        export = await self.bot.services.stats.export(
            interaction.user.id, limit=attachment_limit(interaction)
        )
        first, *rest = export.files
        await interaction.followup.send(export_text(export), file=_file(first), ephemeral=True)
        for part in rest:
            await interaction.followup.send(file=_file(part), ephemeral=True)

    @app_commands.command(name="forgetme", description="Delete everything TutorBot holds about you")
    async def forgetme(self, interaction: discord.Interaction[Any]) -> None:
        me = interaction.user.id
        view = discord.ui.View(timeout=None)
        view.add_item(
            button(make(FEATURE, "forget", me), "Delete my data", style=discord.ButtonStyle.danger)
        )
        view.add_item(button(make(FEATURE, "cancel", me), "Cancel"))
        await interaction.response.send_message(
            "This deletes your answers, scores, topic marks, goal and quizzes in every server, "
            "and removes you as the host of rounds you hosted. It cannot be undone. Are you sure?",
            view=view,
            ephemeral=True,
        )


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(Data(bot))
