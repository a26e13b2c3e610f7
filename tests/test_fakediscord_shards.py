"""The fake Discord routes by shard, as Discord does: two real discord.py `AutoShardedClient`s,
one per shard of two, each see only their shard's guilds and events; direct messages go to
shard 0; an event whose shard nobody runs is not delivered."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from fakediscord import FakeDiscord, FakeGuild, Undelivered, running
from fakediscord.gateway import RECONNECT


class ShardClient(discord.AutoShardedClient):
    """A client running some shards that records the gateway events it receives."""

    def __init__(self, shard_ids: list[int] | None, shard_count: int | None) -> None:
        options: dict[str, Any] = {"shard_ids": shard_ids, "shard_count": shard_count}
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05, **options)
        self.events: list[str] = []
        self.interactions: list[int | None] = []
        """The guild id of each interaction received (None: a direct message)."""

    async def on_socket_event_type(self, event: str) -> None:
        self.events.append(event)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        self.interactions.append(interaction.guild_id)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A fake recommending two shards, with one more guild on each."""
    async with FakeDiscord(shard_count=2) as fake:
        fake.add_guild("Zero", shard=(0, 2))
        fake.add_guild("One", shard=(1, 2))
        yield fake


def on_shard(fake: FakeDiscord, shard: int) -> list[FakeGuild]:
    """The fake's guilds Discord puts on `shard` of 2."""
    return [g for g in fake.guilds.values() if (g.id >> 22) % 2 == shard]


@contextlib.asynccontextmanager
async def both(fake: FakeDiscord) -> AsyncIterator[tuple[ShardClient, ShardClient]]:
    """Two clients, shard 0 and shard 1 of 2, logged in through the fake."""
    async with (
        running(ShardClient([0], 2), fake) as zero,
        running(ShardClient([1], 2), fake) as one,
    ):
        await fake.wait_ready(shards=[0, 1])
        yield zero, one


def test_builders_put_guilds_on_the_shard_asked() -> None:
    fake = FakeDiscord()
    for count in range(1, 17):
        assert (fake.guild.id >> 22) % count == 0  # the default guild: shard 0 of any count
        for shard in range(count):
            assert (fake.add_guild("g", shard=(shard, count)).id >> 22) % count == shard
    with pytest.raises(ValueError, match="shard 2 is not one of 0 to 1"):
        fake.add_guild("g", shard=(2, 2))


async def test_gateway_bot_recommends_the_fakes_shard_count(fake: FakeDiscord) -> None:
    async with running(ShardClient(None, None), fake) as client:
        assert client.shard_count == 2
        assert sorted(client.shards) == [0, 1]
        assert {g.id for g in client.guilds} == set(fake.guilds)


async def test_each_shard_gets_only_its_guilds(fake: FakeDiscord) -> None:
    async with both(fake) as (zero, one):
        assert {g.id for g in zero.guilds} == {g.id for g in on_shard(fake, 0)}
        assert {g.id for g in one.guilds} == {g.id for g in on_shard(fake, 1)}
        assert fake.guild in on_shard(fake, 0)
        assert zero.events.count("GUILD_CREATE") == len(on_shard(fake, 0))
        assert one.events.count("GUILD_CREATE") == len(on_shard(fake, 1))


async def _interaction_in(fake: FakeDiscord, guild: FakeGuild | None) -> None:
    """A slash command run by a member of `guild`, or in DMs when None."""
    user: Any = fake.dm_user
    if guild is not None:
        user = fake.add_member(guild, f"member-{len(guild.members)}")
    await fake.slash("ping", {}, user)


async def test_a_guilds_interactions_reach_only_its_shards_session(fake: FakeDiscord) -> None:
    async with both(fake) as (zero, one):
        first, second = on_shard(fake, 1)[0], on_shard(fake, 0)[0]
        await _interaction_in(fake, first)
        await _interaction_in(fake, second)
        await fake.wait_until(lambda: len(zero.interactions) + len(one.interactions) == 2)
        assert one.interactions == [first.id]
        assert zero.interactions == [second.id]


async def test_direct_messages_reach_only_shard_0(fake: FakeDiscord) -> None:
    async with both(fake) as (zero, one):
        await _interaction_in(fake, None)
        await fake.wait_until(lambda: bool(zero.interactions))
        assert zero.interactions == [None]
        assert one.interactions == []


async def test_any_guild_event_is_routed_by_its_guild_id(fake: FakeDiscord) -> None:
    async with both(fake) as (zero, one):
        guild = on_shard(fake, 1)[0]
        typing = {"guild_id": str(guild.id), "channel_id": str(guild.text_channel.id)}
        await fake.gateway.dispatch("TYPING_START", typing | {"user_id": "1", "timestamp": 0})
        await fake.wait_until(lambda: "TYPING_START" in one.events)
        assert "TYPING_START" not in zero.events


async def test_an_event_whose_shard_nobody_runs_is_not_delivered(fake: FakeDiscord) -> None:
    lone = on_shard(fake, 1)[0]
    async with running(ShardClient([0], 2), fake) as zero:
        with pytest.raises(Undelivered, match=r"for guild \d+ was not delivered: no connected "):
            await _interaction_in(fake, lone)
        assert [event for event, _ in fake.undelivered] == ["INTERACTION_CREATE"]
        assert "shard 1 of 2" in str(Undelivered("X", lone.id, (1, 2)))
        await _interaction_in(fake, fake.guild)  # shard 0's still arrive
        await fake.wait_until(lambda: bool(zero.interactions))
        assert zero.interactions == [fake.guild.id]
    with pytest.raises(Undelivered, match="no bot is connected"):
        await _interaction_in(fake, None)


async def test_a_resumed_session_keeps_its_shard(fake: FakeDiscord) -> None:
    async with both(fake) as (zero, one):
        (session,) = fake.gateway.sessions_for(on_shard(fake, 1)[0].id)
        await session.send(RECONNECT, None)  # discord.py resumes on a new connection
        await fake.wait_until(lambda: fake.gateway.resumes == 1 and len(fake.gateway.live) == 2)
        assert sorted(s.shard for s in fake.gateway.live) == [(0, 2), (1, 2)]
        await _interaction_in(fake, on_shard(fake, 1)[0])
        await _interaction_in(fake, None)  # shard 0's: the resumed shard 1 does not get it
        await fake.wait_until(lambda: bool(one.interactions) and bool(zero.interactions))
        assert zero.interactions == [None]
        assert one.interactions == [on_shard(fake, 1)[0].id]
