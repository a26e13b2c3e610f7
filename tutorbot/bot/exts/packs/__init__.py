"""/pack: instructors upload their question banks in Discord as this server's packs.

`/pack import` refuses a file over the upload cap by its declared size (without downloading it),
else reads it, asks the pack service for a preview and shows it privately with Import and
Cancel; nothing is stored before Import. `/pack list`, `/pack remove` (with a confirm) and
`/pack export` work on the server's stored packs. The service refuses students; this front end
only passes whether the person is an instructor (`rounds.is_instructor`).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from tutorbot.bot import limits
from tutorbot.bot.components import FeatureButton
from tutorbot.bot.custom_ids import CustomId
from tutorbot.bot.errors import refuse, reply_private
from tutorbot.bot.exts.data import attachment_limit
from tutorbot.bot.exts.packs import render
from tutorbot.bot.exts.rounds import is_instructor
from tutorbot.bot.scopes import bot_of, server_channel, server_group
from tutorbot.content.banks.formats import EXPORT_FORMATS, FORMATS, format_named
from tutorbot.content.banks.limits import TooBig
from tutorbot.domain.refusals import Refusal
from tutorbot.services.packs import PackInfo

if TYPE_CHECKING:
    from tutorbot.bot.client import TutorBot

IMPORT_FORMATS = [app_commands.Choice(name=f.label, value=f.name) for f in FORMATS]
EXPORT_CHOICES = [app_commands.Choice(name=name, value=name) for name in EXPORT_FORMATS]


class PackButton(FeatureButton):
    """The buttons of /pack: Import and Cancel on a preview, Remove and Keep on a confirm."""

    feature = render.FEATURE


@PackButton.action("import")
async def _import(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    guild_id, _ = server_channel(interaction)
    allowed = await is_instructor(interaction)
    await interaction.response.defer()
    info = await bot_of(interaction).services.packs.confirm(guild_id, allowed, cid.int_arg(0))
    if isinstance(info, Refusal):
        await refuse(interaction, info)
        return
    await interaction.edit_original_response(
        content=render.imported_text(info), embed=None, view=None, attachments=[]
    )


@PackButton.action("cancel")
async def _cancel(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    guild_id, _ = server_channel(interaction)
    bot_of(interaction).services.packs.discard(guild_id, cid.int_arg(0))
    await interaction.response.edit_message(
        content=render.CANCELLED, embed=None, view=None, attachments=[]
    )


@PackButton.action("remove")
async def _remove(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    guild_id, _ = server_channel(interaction)
    allowed = await is_instructor(interaction)
    await interaction.response.defer()
    info = await bot_of(interaction).services.packs.remove(guild_id, allowed, cid.arg(0))
    if isinstance(info, Refusal):
        await refuse(interaction, info)
        return
    await interaction.edit_original_response(content=render.removed_text(info), view=None)


@PackButton.action("keep")
async def _keep(interaction: discord.Interaction[Any], cid: CustomId) -> None:
    await interaction.response.edit_message(content=render.kept_text(cid.arg(0)), view=None)


async def autocomplete_pack(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """The server's packs whose name holds what was typed."""
    if interaction.guild_id is None:
        return []
    typed = current.strip().lower()
    names = bot_of(interaction).services.packs.names(interaction.guild_id)
    return [
        app_commands.Choice(name=limits.clip(name, limits.CHOICE_NAME), value=name)
        for name in names
        if typed in name
    ][: limits.AUTOCOMPLETE_CHOICES]


class Packs(commands.Cog):
    """The /pack commands."""

    pack = server_group("pack", "This server's own question banks (instructors)")

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot

    @pack.command(name="import", description="Upload a question bank: preview it, then import")
    @app_commands.describe(
        file="The question bank: GIFT, Moodle XML, Aiken, Anki, Kahoot, Quizlet, Open Trivia DB…",
        format="The file's format, when TutorBot cannot tell it from the file",
    )
    @app_commands.choices(format=IMPORT_FORMATS)
    async def import_(
        self,
        interaction: discord.Interaction[Any],
        file: discord.Attachment,
        format: str | None = None,
    ) -> None:
        """Preview the upload privately (nothing stored) with Import and Cancel."""
        guild_id, _ = server_channel(interaction)
        packs = self.bot.services.packs
        try:
            packs.import_limits.check_file(file.size)
        except TooBig as exc:
            await reply_private(interaction, render.too_big_text(file.filename, str(exc)))
            return
        allowed = await is_instructor(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            # A student's upload is refused by the service before it reads any byte of it.
            data = await file.read() if allowed else b""
        except discord.HTTPException:
            await reply_private(interaction, render.DOWNLOAD_FAILED)
            return
        preview = await packs.preview(guild_id, allowed, file.filename, data, format)
        if isinstance(preview, Refusal):
            # Its text quotes the file's name and content: shown as plain text.
            await reply_private(interaction, render.plain(preview.text))
            return
        message = render.preview_message(preview)
        await interaction.followup.send(
            content=message.content or discord.utils.MISSING,
            embed=message.embed or discord.utils.MISSING,
            view=message.view,
            files=message.discord_files() or discord.utils.MISSING,
            ephemeral=True,
        )

    @pack.command(name="list", description="This server's packs")
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        """The server's packs, privately."""
        guild_id, _ = server_channel(interaction)
        message = render.list_message(await self.bot.services.packs.packs(guild_id))
        await interaction.response.send_message(
            content=message.content, embed=message.embed or discord.utils.MISSING, ephemeral=True
        )

    @pack.command(name="remove", description="Remove one of this server's packs")
    @app_commands.describe(pack="The pack to remove (type to search)")
    @app_commands.autocomplete(pack=autocomplete_pack)
    async def remove(self, interaction: discord.Interaction[Any], pack: str) -> None:
        """Ask to confirm removing the pack (the service refuses students at the click too)."""
        guild_id, _ = server_channel(interaction)
        allowed = await is_instructor(interaction)
        found = await self._pack(guild_id, allowed, pack)
        if isinstance(found, Refusal):
            await refuse(interaction, found)
            return
        message = render.remove_confirm(found)
        await interaction.response.send_message(
            content=message.content, view=message.view, ephemeral=True
        )

    async def _pack(self, guild_id: int, allowed: bool, name: str) -> PackInfo | Refusal:
        """The server's pack of that name, or why not (a student, an unknown name)."""
        return await self.bot.services.packs.info(guild_id, allowed, name)

    @pack.command(name="export", description="Download one of this server's packs as a file")
    @app_commands.describe(pack="The pack to export (type to search)", format="gift (default)")
    @app_commands.autocomplete(pack=autocomplete_pack)
    @app_commands.choices(format=EXPORT_CHOICES)
    async def export(
        self, interaction: discord.Interaction[Any], pack: str, format: str = "gift"
    ) -> None:
        """The pack's questions as a GIFT or Moodle XML file, privately."""
        guild_id, _ = server_channel(interaction)
        allowed = await is_instructor(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        found = await self.bot.services.packs.export(guild_id, allowed, pack.strip(), format)
        if isinstance(found, Refusal):
            await refuse(interaction, found)
            return
        name, data = found
        limit = attachment_limit(interaction)
        if len(data) > limit:
            await reply_private(interaction, render.export_too_big(len(data), limit))
            return
        await interaction.followup.send(
            render.export_text(pack.strip(), format_named(format).label),
            file=discord.File(io.BytesIO(data), filename=name),
            ephemeral=True,
        )


async def setup(bot: TutorBot) -> None:
    """Add the /pack commands (discord.py calls this when it loads the extension)."""
    await bot.add_cog(Packs(bot))
