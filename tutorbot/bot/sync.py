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
    synced = await tree.sync(guild=guild)
    await storage.meta.set(key, fingerprint)
    log.info(
        "synced %d commands to %s", len(synced), f"guild {guild.id}" if guild else "all servers"
    )
    return True
