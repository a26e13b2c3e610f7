"""Public threads in the fake Discord: starting one without a message, posting in it, deleting
it, and refusing what Discord refuses.

``POST /channels/{id}/threads`` (discord.py's ``start_thread_without_message``) starts a public
thread (type 11) in a text channel when the bot may Create Public Threads there (else 403 50013
"Missing Permissions"); a name of 1 to 100 characters is required (else 400 50035), a thread
cannot start in a DM, a thread or an unknown channel (400 50024 or 404 10003), and only type 11
is supported. The thread is a channel of its own (``fake.channels``, ``fake.messages_in(thread)``)
with ``parent_id``, ``owner_id`` and ``thread_metadata``; posting in it takes Send Messages in
Threads (else 403 50013). ``DELETE /channels/{id}`` deletes a thread the bot may Manage Threads
in (else 403 50013). A test builds a thread to act in with ``add_thread(fake, parent, name)``,
and reads the threads of a channel with ``threads_of(fake, parent)``.

Permissions are the bot's guild-level ones (its roles'), as the rest of the fake computes them;
grant them with ``fake.add_role(guild, name, THREAD_PERMISSIONS)`` added to the bot's member.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import responses as r
from .state import FakeChannel, iso_now, snowflake
from .validation import add_error

if TYPE_CHECKING:
    from .routes import RestApi, Route
    from .server import FakeDiscord

PUBLIC_THREAD = 11
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
THREAD_PERMISSIONS = CREATE_PUBLIC_THREADS | SEND_MESSAGES_IN_THREADS
"""What a bot needs to run something in a thread it starts."""
MISSING_PERMISSIONS = (50013, "Missing Permissions")
WRONG_CHANNEL_TYPE = (50024, "Cannot execute action on this channel type")
MAX_NAME = 100
ARCHIVE_MINUTES = (60, 1440, 4320, 10080)


@dataclass
class FakeThread(FakeChannel):
    """A public thread of a text channel: a channel of its own, with its parent."""

    parent_id: int = 0
    owner_id: int = 0
    archive_minutes: int = 1440
    created_at: str = ""

    def payload(self) -> dict[str, Any]:
        """The thread as Discord returns it (a channel of type 11 with its metadata)."""
        return super().payload() | {
            "type": PUBLIC_THREAD,
            "parent_id": str(self.parent_id),
            "owner_id": str(self.owner_id),
            "member_count": 1,
            "message_count": 0,
            "total_message_sent": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": self.archive_minutes,
                "archive_timestamp": self.created_at,
                "locked": False,
                "invitable": True,
                "create_timestamp": self.created_at,
            },
        }


def add_thread(fake: FakeDiscord, parent: FakeChannel, name: str) -> FakeThread:
    """A public thread of `parent` (started by the guild's owner), for a test to act in."""
    guild = fake.guilds[parent.guild_id or 0]
    thread = FakeThread(
        snowflake(),
        PUBLIC_THREAD,
        name,
        guild.id,
        parent_id=parent.id,
        owner_id=guild.owner_id,
        created_at=iso_now(),
    )
    fake.channels[thread.id] = thread
    return thread


def threads_of(fake: FakeDiscord, parent: FakeChannel) -> list[FakeThread]:
    """The threads started in `parent`, oldest first (deleted ones left out)."""
    return [
        c for c in fake.channels.values() if isinstance(c, FakeThread) and c.parent_id == parent.id
    ]


def _bot_permissions(fake: FakeDiscord, channel: FakeChannel) -> int:
    """The bot's permissions in the channel's guild (0 outside a guild)."""
    guild = fake.guilds.get(channel.guild_id or 0)
    member = guild.members.get(fake.bot.id) if guild is not None else None
    return member.permissions if member is not None else 0


def check_post(api: RestApi, request: web.Request, channel: FakeChannel) -> web.Response | None:
    """A refusal of a message the bot may not post in a thread (no Send Messages in Threads);
    None for any other channel, or when it may."""
    if not isinstance(channel, FakeThread):
        return None
    if _bot_permissions(api.fake, channel) & SEND_MESSAGES_IN_THREADS:
        return None
    return api.reject(request, 403, MISSING_PERMISSIONS)


def _name_error(name: Any) -> dict[str, Any] | None:
    if isinstance(name, str) and 1 <= len(name) <= MAX_NAME:
        return None
    errors: dict[str, Any] = {}
    add_error(
        errors, ["name"], "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {MAX_NAME} in length."
    )
    return errors


async def create_thread(api: RestApi, request: web.Request) -> web.Response:
    """POST /channels/{id}/threads: a public thread without a starter message."""
    fake = api.fake
    if request.headers.get("Authorization") != f"Bot {fake.token}":
        return api.reject(request, 401, (0, "401: Unauthorized"))
    parent = fake.channels.get(int(request.match_info["channel_id"]))
    if parent is None:
        return api.reject(request, 404, r.UNKNOWN_CHANNEL)
    if parent.type != 0:
        return api.reject(request, 400, WRONG_CHANNEL_TYPE)
    if not _bot_permissions(fake, parent) & CREATE_PUBLIC_THREADS:
        return api.reject(request, 403, MISSING_PERMISSIONS)
    body, _ = api._parsed(request)
    body = body or {}
    errors = _name_error(body.get("name"))
    if errors is not None:
        return api.reject(request, 400, r.INVALID_FORM_BODY, errors)
    if int(body.get("type") or PUBLIC_THREAD) != PUBLIC_THREAD:
        return api.reject(request, 400, WRONG_CHANNEL_TYPE)
    minutes = int(body.get("auto_archive_duration") or 1440)
    thread = FakeThread(
        snowflake(),
        PUBLIC_THREAD,
        body["name"],
        parent.guild_id,
        parent_id=parent.id,
        owner_id=fake.bot.id,
        archive_minutes=minutes if minutes in ARCHIVE_MINUTES else 1440,
        created_at=iso_now(),
    )
    fake.channels[thread.id] = thread
    return api.ok(request, thread.payload(), 201)


async def delete_thread(api: RestApi, request: web.Request) -> web.Response:
    """DELETE /channels/{id} of a thread: gone, with its messages, if the bot may manage
    threads."""
    fake = api.fake
    if request.headers.get("Authorization") != f"Bot {fake.token}":
        return api.reject(request, 401, (0, "401: Unauthorized"))
    channel = fake.channels.get(int(request.match_info["channel_id"]))
    if not isinstance(channel, FakeThread):
        return api.reject(request, 404, r.UNKNOWN_CHANNEL)
    if not _bot_permissions(fake, channel) & MANAGE_THREADS:
        return api.reject(request, 403, MISSING_PERMISSIONS)
    del fake.channels[channel.id]
    for message in fake.messages.values():
        if message.channel_id == channel.id:
            message.deleted = True
    return api.ok(request, channel.payload())


def routes(api: RestApi) -> list[tuple[str, str, Route]]:
    """The thread routes, for `RestApi.register`."""
    return [
        ("POST", "/channels/{channel_id:\\d+}/threads", partial(create_thread, api)),
        ("DELETE", "/channels/{channel_id:\\d+}", partial(delete_thread, api)),
    ]
