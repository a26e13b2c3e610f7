"""Sync slash commands only when the command tree changed (Discord allows 200 creates a day)."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import discord
from discord import app_commands

from tutorbot.storage import Storage

log = logging.getLogger("tutorbot.sync")


class DevGuildRefused(Exception):
    """Discord would not take commands for the dev server: the bot is not in it, or no such id."""


def tree_payload(tree: app_commands.CommandTree[Any], guild: discord.Object | None) -> list[Any]:
    """The JSON that a sync would send for this target, as discord.py builds it."""
    commands = tree.get_commands(guild=guild) if guild else tree.get_commands()
    return [command.to_dict(tree) for command in commands]


def tree_hash(tree: app_commands.CommandTree[Any], guild: discord.Object | None) -> str:
    """A stable fingerprint of what would be synced to this target."""
    payload = json.dumps(tree_payload(tree, guild), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _meta_key(guild: discord.Object | None) -> str:
    return f"command_tree_hash:{guild.id if guild else 'global'}"


async def sync_commands(
    tree: app_commands.CommandTree[Any],
    storage: Storage,
    dev_guild_id: int | None,
    *,
    force: bool = False,
) -> bool:
    """Sync (globally or to the dev guild) when the tree changed since the last sync."""
    guild = discord.Object(dev_guild_id) if dev_guild_id else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    fingerprint = tree_hash(tree, guild)
    key = _meta_key(guild)
    if not force and await storage.meta.get(key) == fingerprint:
        log.info("commands unchanged since the last sync; not syncing")
        return False
    try:
        synced = await tree.sync(guild=guild)
    except (discord.Forbidden, discord.NotFound) as exc:
        if guild is None:
            raise
        raise DevGuildRefused(
            f"Discord refused the commands for the server TUTORBOT_DEV_GUILD_ID={guild.id} "
            f"({exc.status} {exc.text or 'refused'}): the bot is not in that server, or it is not "
            "a server id. Invite the bot there (see Deploy in the README), fix the id, or comment "
            "the line out to sync to every server."
        ) from None
    await storage.meta.set(key, fingerprint)
    log.info(
        "synced %d commands to %s", len(synced), f"guild {guild.id}" if guild else "all servers"
    )
    return True
