"""The fake's world: its bot, guilds, members, channels, messages and registered commands."""

from __future__ import annotations

from typing import Any

from .state import (
    EVERYONE_PERMISSIONS,
    MANAGE_GUILD,
    Attachment,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeUser,
    InteractionRecord,
    Rejection,
    snowflake,
    snowflake_on_shard,
    snowflake_on_shard_zero,
)


def _guild_id(shard: tuple[int, int] | None) -> int:
    """A new guild id: anywhere, on shard `id` of `count`, or for `(0, 0)` on shard 0 of all."""
    if shard is None:
        return snowflake()
    if shard == (0, 0):
        return snowflake_on_shard_zero()
    return snowflake_on_shard(*shard)


class World:
    """Everything the fake Discord knows, with a ready-made server to test in.

    The default world: guild `guild` ("Test Server") with text channels `channel` ("general")
    and `other_channel` ("rounds"); `admin`, a member with Manage Server (through the
    "Moderators" role); `student`, a member with no special permission; `owner`, the server
    owner; `dm_user`, who shares no server with the bot and talks to it in DMs;
    `instructor_role`, a role without permissions (for a configured instructor role).

    Shards: `guild` is on shard 0 of any shard count up to 16; `add_guild(name, shard=(1, 2))`
    makes a guild Discord puts on shard 1 of 2.
    """

    def __init__(self, token: str = "fake-bot-token") -> None:
        self.token = token
        self.bot = FakeUser(snowflake(), "TutorBot", bot=True)
        self.application_id = self.bot.id
        self.users: dict[int, FakeUser] = {self.bot.id: self.bot}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, FakeMessage] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.sync_calls: dict[int | None, int] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        self.rejections: list[Rejection] = []
        self.closed_dms: set[int] = set()
        """Users who do not take direct messages from the bot (see `close_dms`)."""
        self.uploads: dict[int, Attachment] = {}
        """Files users attached to slash commands, served at their `url` (see `attachment`)."""

        self.owner = self.add_user("owner")
        self.guild = self.add_guild("Test Server", owner=self.owner, shard=(0, 0))
        self.channel = self.guild.text_channel
        self.other_channel = self.add_text_channel(self.guild, "rounds")
        self.moderator_role = self.add_role(self.guild, "Moderators", MANAGE_GUILD)
        self.instructor_role = self.add_role(self.guild, "Instructors", 0)
        self.admin = self.add_member(self.guild, "admin", roles=[self.moderator_role])
        self.student = self.add_member(self.guild, "student")
        self.dm_user = self.add_user("dm_user")

    # -- building ---------------------------------------------------------------------------

    def add_user(self, name: str) -> FakeUser:
        """A Discord account that is in no guild yet."""
        user = FakeUser(snowflake(), name)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str,
        *,
        owner: FakeUser | None = None,
        shard: tuple[int, int] | None = None,
    ) -> FakeGuild:
        """A guild with @everyone, a "general" text channel, its owner and the bot as members;
        with `shard=(id, count)`, one whose id Discord puts on shard `id` of `count`
        (`(0, 0)`: shard 0 of every count up to 16).

        Add guilds before the bot connects: they arrive in READY and GUILD_CREATE.
        """
        owner = owner or self.add_user(f"{name.lower().replace(' ', '_')}_owner")
        guild = FakeGuild(_guild_id(shard), name, owner.id)
        guild.roles.append(FakeRole(guild.id, "@everyone", EVERYONE_PERMISSIONS))
        self.guilds[guild.id] = guild
        self.add_text_channel(guild, "general")
        guild.members[owner.id] = FakeMember(owner, guild)
        guild.members[self.bot.id] = FakeMember(self.bot, guild)
        return guild

    def add_role(self, guild: FakeGuild, name: str, permissions: int = 0) -> FakeRole:
        role = FakeRole(snowflake(), name, permissions, position=len(guild.roles))
        guild.roles.append(role)
        return role

    def add_text_channel(self, guild: FakeGuild, name: str) -> FakeChannel:
        channel = FakeChannel(snowflake(), 0, name, guild.id, position=len(guild.channels))
        guild.channels.append(channel)
        self.channels[channel.id] = channel
        return channel

    def add_member(
        self,
        guild: FakeGuild,
        name: str,
        *,
        roles: list[FakeRole] | None = None,
        manage_guild: bool = False,
        user: FakeUser | None = None,
    ) -> FakeMember:
        """A member of `guild`; `manage_guild=True` gives them Manage Server via a role."""
        user = user or self.add_user(name)
        member_roles = list(roles or [])
        if manage_guild:
            member_roles.append(self.add_role(guild, f"{name}-managers", MANAGE_GUILD))
        member = FakeMember(user, guild, member_roles)
        guild.members[user.id] = member
        return member

    def attachment(self, filename: str, data: bytes, content_type: str | None = None) -> Attachment:
        """A file a user attaches to a slash command's attachment option: pass it as that
        option's value. The fake serves its bytes at its `url` (GET, no token, like the CDN)."""
        upload = Attachment(snowflake(), filename, data, content_type)
        self.uploads[upload.id] = upload
        return upload

    def dm_channel(self, user: FakeUser | FakeMember) -> FakeChannel:
        """The DM channel between the bot and `user`, created on first use."""
        account = user.user if isinstance(user, FakeMember) else user
        for channel in self.channels.values():
            if channel.is_dm and channel.recipient is account:
                return channel
        channel = FakeChannel(snowflake(), 1, recipient=account)
        self.channels[channel.id] = channel
        return channel

    def close_dms(self, user: FakeUser | FakeMember, closed: bool = True) -> None:
        """Make `user` refuse the bot's direct messages (or take them again): a message to their
        DM channel is then refused with 403 50007, as Discord does when a user closed their DMs
        or shares no server with the bot."""
        account = user.user if isinstance(user, FakeMember) else user
        if closed:
            self.closed_dms.add(account.id)
        else:
            self.closed_dms.discard(account.id)

    def application_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": self.bot.name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner.payload(),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "bot": self.bot.payload(),
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "approximate_guild_count": len(self.guilds),
        }

    # -- reading --------------------------------------------------------------------------

    def messages_in(self, channel: FakeChannel) -> list[FakeMessage]:
        """Messages in a channel, oldest first, ephemeral and deleted ones left out."""
        return [
            m
            for m in self.messages.values()
            if m.channel_id == channel.id and not m.deleted and not m.ephemeral
        ]

    def dms_with(self, user: FakeUser | FakeMember) -> list[FakeMessage]:
        """Messages the bot sent in its DM channel with `user`, oldest first."""
        return self.messages_in(self.dm_channel(user))

    def registered_commands(self, guild: FakeGuild | None = None) -> list[dict[str, Any]]:
        """Commands as last synced: global ones, or those of `guild`."""
        return self.commands.get(guild.id if guild else None, [])

    def find_command(self, name: str, guild: FakeGuild | None) -> dict[str, Any] | None:
        for scope in ([guild.id] if guild else []) + [None]:
            for command in self.commands.get(scope, []):
                if command["name"] == name and command.get("type", 1) == 1:
                    return command
        return None
