"""Threads in the fake Discord, against the real discord.py client: a public thread started
without a message, posting in it, deleting it, a slash command used in it, and each permission
Discord asks for refused as Discord refuses it."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands
from fakediscord import FakeDiscord, running
from fakediscord.threads import (
    MANAGE_THREADS,
    PUBLIC_THREAD,
    SEND_MESSAGES_IN_THREADS,
    THREAD_PERMISSIONS,
    FakeThread,
    add_thread,
    threads_of,
)


def _client() -> discord.Client:
    client = discord.Client(
        intents=discord.Intents.default(),
        guild_ready_timeout=0.05,
        allowed_mentions=discord.AllowedMentions.none(),
    )
    tree = app_commands.CommandTree(client)

    @tree.command(description="Where am I")
    async def where(interaction: discord.Interaction) -> None:
        channel: Any = interaction.channel
        parent = getattr(channel, "parent_id", None)
        await interaction.response.send_message(
            f"{type(channel).__name__} {channel.id if channel else 0} of {parent}", ephemeral=True
        )

    client.tree = tree  # type: ignore[attr-defined]
    return client


def _grant(fake: FakeDiscord, permissions: int) -> None:
    """Give the bot's member a role with these permissions."""
    role = fake.add_role(fake.guild, "bot-threads", permissions)
    fake.guild.members[fake.bot.id].roles.append(role)


async def _start(client: discord.Client, channel_id: int, name: str = "Round: Fractions") -> Any:
    return await client.http.start_thread_without_message(
        channel_id, name=name, auto_archive_duration=1440, type=11
    )


async def test_a_thread_needs_create_public_threads(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running(_client(), fake) as client:
        with pytest.raises(discord.Forbidden) as refused:
            await _start(client, fake.channel.id)
        assert refused.value.code == 50013
        assert threads_of(fake, fake.channel) == []
    assert [r.code for r in fake.rejections] == [50013]


async def test_a_started_thread_is_a_channel_of_type_11_the_bot_posts_in(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    _grant(fake, THREAD_PERMISSIONS)
    async with running(_client(), fake) as client:
        data = await _start(client, fake.channel.id)
        assert data["type"] == PUBLIC_THREAD and data["parent_id"] == str(fake.channel.id)
        assert data["name"] == "Round: Fractions" and "thread_metadata" in data
        (thread,) = threads_of(fake, fake.channel)
        assert thread.id == int(data["id"]) and thread.owner_id == fake.bot.id
        await client.get_partial_messageable(thread.id).send("Question 1")
        assert [m.content for m in fake.messages_in(thread)] == ["Question 1"]
        assert fake.messages_in(fake.channel) == []
    assert fake.rejections == []


async def test_posting_in_a_thread_needs_send_messages_in_threads(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    _grant(fake, THREAD_PERMISSIONS & ~SEND_MESSAGES_IN_THREADS)
    async with running(_client(), fake) as client:
        data = await _start(client, fake.channel.id)
        with pytest.raises(discord.Forbidden) as refused:
            await client.get_partial_messageable(int(data["id"])).send("Question 1")
        assert refused.value.code == 50013


async def test_bad_names_channels_and_deletions_are_refused_as_discord_does(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    _grant(fake, THREAD_PERMISSIONS)
    async with running(_client(), fake) as client:
        with pytest.raises(discord.HTTPException) as long_name:
            await _start(client, fake.channel.id, "x" * 101)
        assert long_name.value.code == 50035
        thread = add_thread(fake, fake.channel, "existing")
        with pytest.raises(discord.HTTPException) as in_thread:
            await _start(client, thread.id)
        assert in_thread.value.code == 50024
        with pytest.raises(discord.NotFound):
            await _start(client, 12345)
        with pytest.raises(discord.Forbidden):  # deleting takes Manage Threads
            await client.http.delete_channel(thread.id)
        _grant(fake, MANAGE_THREADS)
        await client.http.delete_channel(thread.id)
        assert thread.id not in fake.channels


async def test_a_slash_command_in_a_thread_sees_the_thread_and_its_parent(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    thread = add_thread(fake, fake.channel, "a thread")
    assert isinstance(thread, FakeThread)
    client = _client()
    async with running(client, fake):
        tree: app_commands.CommandTree[discord.Client] = client.tree  # type: ignore[attr-defined]
        await tree.sync()
        asked = await fake.slash("where", {}, fake.student, channel=thread)
        answer = await fake.wait_response(asked)
        assert answer.content == f"Thread {thread.id} of {fake.channel.id}"
