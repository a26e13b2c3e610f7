"""What the fake Discord remembers: users, guilds, channels, messages, commands, interactions.

Plain dataclasses with no networking, so the routes, the gateway and the tests all read the same
objects. Every id is a Discord-shaped snowflake from one counter.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import secrets
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000
EPHEMERAL = 1 << 6
LOADING = 1 << 7
COMPONENTS_V2 = 1 << 15

ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
#: What @everyone may do in a fresh server: view, send, read history, use application commands.
EVERYONE_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 16) | (1 << 31) | (1 << 6) | (1 << 14)

_counter = itertools.count(1)


def snowflake() -> int:
    """Return a new unique snowflake whose timestamp is now."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (next(_counter) & 0x3FFFFF)


SHARD_PERIOD = 720720
"""The least common multiple of 1 to 16: a snowflake whose `>> 22` is a multiple of it is on
shard 0 of every shard count up to 16."""


def snowflake_on_shard(shard_id: int, count: int) -> int:
    """A new unique snowflake that Discord puts on shard `shard_id` of `count`
    (`(id >> 22) % count`): a timestamp at most `count` ms before now."""
    if not 0 <= shard_id < count:
        raise ValueError(f"shard {shard_id} is not one of 0 to {count - 1}")
    fresh = snowflake()
    ms = fresh >> 22
    return ((ms - (ms - shard_id) % count) << 22) | (fresh & 0x3FFFFF)


def snowflake_on_shard_zero() -> int:
    """A new unique snowflake on shard 0 of any count up to 16 (its timestamp at most 12
    minutes before now)."""
    fresh = snowflake()
    ms = fresh >> 22
    return ((ms - ms % SHARD_PERIOD) << 22) | (fresh & 0x3FFFFF)


def iso_now() -> str:
    """Return the current time in the ISO format Discord uses."""
    return datetime.now(UTC).isoformat()


@dataclass
class FakeUser:
    """A Discord account: the bot, a server member's account, or someone writing in DMs."""

    id: int
    name: str
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": None if self.bot else self.name.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int
    position: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }


@dataclass
class FakeChannel:
    """A text channel in a guild (type 0) or a DM channel (type 1)."""

    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    recipient: FakeUser | None = None
    position: int = 0

    @property
    def is_dm(self) -> bool:
        return self.type == 1

    def payload(self) -> dict[str, Any]:
        if self.is_dm:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [self.recipient.payload()],
            }
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: list[FakeRole] = field(default_factory=list)
    channels: list[FakeChannel] = field(default_factory=list)
    members: dict[int, FakeMember] = field(default_factory=dict)

    @property
    def everyone(self) -> FakeRole:
        return self.roles[0]

    @property
    def text_channel(self) -> FakeChannel:
        """The first text channel: where a member's slash commands run unless told otherwise."""
        return next(c for c in self.channels if c.type == 0)

    def payload(self) -> dict[str, Any]:
        """The full GUILD_CREATE payload."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "unavailable": False,
            "large": False,
            "member_count": len(self.members),
            "joined_at": iso_now(),
            "channels": [c.payload() for c in self.channels],
            "threads": [],
            "members": [m.payload() for m in self.members.values()],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


@dataclass
class FakeMember:
    """A user's membership in one guild: slash commands by a member run in that guild."""

    user: FakeUser
    guild: FakeGuild
    roles: list[FakeRole] = field(default_factory=list)
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def permissions(self) -> int:
        """Guild-level permissions; the owner and administrators get every permission."""
        if self.user.id == self.guild.owner_id:
            return (1 << 53) - 1
        perms = self.guild.everyone.permissions
        for role in self.roles:
            perms |= role.permissions
        return (1 << 53) - 1 if perms & ADMINISTRATOR else perms

    def payload(self, *, with_permissions: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "user": self.user.payload(),
            "nick": None,
            "avatar": None,
            "banner": None,
            "roles": [str(r.id) for r in self.roles],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_permissions:
            data["permissions"] = str(self.permissions)
        return data


@dataclass
class Attachment:
    """A file: one the bot uploaded, or one a user attaches to a command (`World.attachment`);
    its name and its exact bytes, served at its `url` by the fake."""

    id: int
    filename: str
    data: bytes
    content_type: str | None = None

    def payload(self, base_url: str) -> dict[str, Any]:
        url = f"{base_url}/attachments/{self.id}/{urllib.parse.quote(self.filename, safe='')}"
        return {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": url,
            "proxy_url": url,
            "content_type": self.content_type,
        }


@dataclass
class FakeMessage:
    """A message as Discord would hold it now; `history` keeps every earlier version."""

    id: int
    channel_id: int
    author: FakeUser
    guild_id: int | None = None
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    attachments: list[Attachment] = field(default_factory=list)
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    interaction_id: int | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(
            {
                "content": self.content,
                "embeds": self.embeds,
                "components": self.components,
                "flags": self.flags,
                "attachments": [a.filename for a in self.attachments],
            }
        )

    def apply(self, body: dict[str, Any], attachments: list[Attachment] | None = None) -> None:
        """Edit in place, keeping the previous version in `history`."""
        self.history.append(self.snapshot())
        for key in ("content", "embeds", "components"):
            if key in body:
                setattr(
                    self,
                    key,
                    body[key] if body[key] is not None else ([] if key != "content" else ""),
                )
        if "flags" in body and body["flags"] is not None:
            self.flags = (self.flags & EPHEMERAL) | (int(body["flags"]) & ~EPHEMERAL)
        self.flags &= ~LOADING
        if attachments is not None or "attachments" in body:
            kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
            kept = [a for a in self.attachments if str(a.id) in kept_ids]
            self.attachments = kept + list(attachments or [])
        self.edited_timestamp = iso_now()

    def all_components(self) -> list[dict[str, Any]]:
        """Every component at any depth (rows, containers, sections' accessories)."""
        found: list[dict[str, Any]] = []

        def walk(items: list[dict[str, Any]]) -> None:
            for item in items:
                found.append(item)
                walk(item.get("components") or [])
                if isinstance(item.get("accessory"), dict):
                    walk([item["accessory"]])
                if isinstance(item.get("component"), dict):
                    walk([item["component"]])

        walk(self.components)
        return found

    def component(self, custom_id: str) -> dict[str, Any] | None:
        return next((c for c in self.all_components() if c.get("custom_id") == custom_id), None)

    def payload(self, base_url: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.payload(),
            "content": self.content,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [a.payload(base_url) for a in self.attachments],
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "type": 0,
            "flags": self.flags,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.interaction_id is not None:
            data["application_id"] = str(self.author.id)
            data["webhook_id"] = str(self.author.id)
        return data


@dataclass
class Callback:
    """The bot's answer to one interaction, as it reached the fake."""

    type: int
    data: dict[str, Any]
    at: float
    message: FakeMessage | None = None

    @property
    def content(self) -> str:
        return str(self.data.get("content") or "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.data.get("embeds") or [])

    @property
    def components(self) -> list[dict[str, Any]]:
        return list(self.data.get("components") or [])

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def choices(self) -> list[dict[str, Any]]:
        return list(self.data.get("choices") or [])

    @property
    def title(self) -> str:
        return str(self.data.get("title") or "")

    @property
    def custom_id(self) -> str:
        return str(self.data.get("custom_id") or "")


@dataclass
class InteractionRecord:
    """One interaction sent to the bot, and everything the bot did with its token."""

    id: int
    token: str
    type: int
    payload: dict[str, Any]
    user: FakeUser
    channel: FakeChannel
    dispatched_at: float
    guild: FakeGuild | None = None
    message: FakeMessage | None = None
    callback: Callback | None = None
    original: FakeMessage | None = None
    followups: list[FakeMessage] = field(default_factory=list)
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def latency(self) -> float | None:
        """Seconds from dispatch to the bot's callback, or None if it never answered."""
        return None if self.callback is None else self.callback.at - self.dispatched_at


@dataclass
class RecordedRequest:
    """One REST call the bot made, and what the fake answered."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    files: list[Attachment]
    status: int = 0
    response: Any = None


@dataclass
class Rejection:
    """A request the fake refused the way Discord would, with Discord's error body."""

    method: str
    path: str
    status: int
    code: int
    message: str
    errors: dict[str, Any] | None = None
    body: Any = None


def new_token() -> str:
    return "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
