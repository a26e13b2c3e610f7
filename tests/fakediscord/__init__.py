"""A fake Discord on 127.0.0.1 that the real discord.py client (and `tutorbot run`) talks to.

REST lives at ``/api/v10`` and the gateway websocket at ``/gateway``, on one random port.
It answers like Discord, records every request, and refuses what Discord refuses.

Start and point discord.py at it::

    fake = FakeDiscord()                    # or the `fake_discord` fixture (tests/conftest.py)
    await fake.start()                      # fake.api_url, fake.gateway_url, fake.token
    fake.apply_to_discord_py()              # sets discord.http.Route.BASE and DEFAULT_GATEWAY
    async with running(client, fake):       # client.start(fake.token) until ready, then close
        ...
    await fake.stop()

A subprocess bot gets ``TUTORBOT_DISCORD_API_URL=fake.api_url``,
``TUTORBOT_DISCORD_GATEWAY_URL=fake.gateway_url``, ``TUTORBOT_DISCORD_TOKEN=fake.token``;
then ``await fake.wait_ready()`` and
``await fake.wait_for_request("PUT", r"/applications/\\d+/commands")``.

The world (``World``): ``fake.guild`` ("Test Server"), ``fake.channel`` ("general"),
``fake.other_channel``, ``fake.admin`` (member with Manage Server), ``fake.student`` (member,
no permissions), ``fake.owner`` (guild owner), ``fake.dm_user`` (a user in DMs only),
``fake.instructor_role``; ``fake.bot``. Build more with ``add_user(name)``,
``add_guild(name)``, ``add_member(guild, name, roles=[...], manage_guild=False)``,
``add_role(guild, name, permissions)``, ``add_text_channel(guild, name)``, ``dm_channel(user)``;
``close_dms(user)`` makes the bot's messages to that user's DM channel fail with 403 50007
("Cannot send messages to this user"), as when they closed their DMs.
Guilds must exist before the bot connects.

Shards: ``FakeDiscord(shard_count=2)`` makes ``GET /gateway/bot`` recommend 2 shards;
``add_guild(name, shard=(1, 2))`` builds a guild on shard 1 of 2 (``fake.guild`` is on shard 0
of any count up to 16). Each gateway session runs the shard its IDENTIFY names: READY and
GUILD_CREATE carry only that shard's guilds, a guild's events go only to the session running
its shard, and an event of no guild (DMs) only to shard 0. An action nobody's shard receives
raises ``Undelivered`` and is kept in ``fake.undelivered``. ``await fake.wait_ready(shards=[0,
1])`` waits until sessions run both.

Acting as a user (each sends INTERACTION_CREATE and returns an ``InteractionRecord``). A
``FakeMember`` acts in their guild (discord.py sees a ``Member``); a ``FakeUser`` acts in DMs
(a ``User``)::

    i = await fake.slash("quiz", {"topic": "x", "questions": 3}, fake.student)
    i = await fake.slash("goal set", {"topic": "x"}, fake.dm_user)   # or subcommand="set"
    i = await fake.autocomplete("quiz", "topic", "sel", fake.student)
    i = await fake.click(message, "quiz:answer:1:2:A", fake.student)           # NoSuchComponent
    i = await fake.click(message, "quiz:answer:999", fake.student, forged=True)  # if absent
    i = await fake.select(message, custom_id, ["a"], fake.student)
    i = await fake.modal_submit("modal-id", {"field-id": "text"}, fake.student)

Attaching a file to a command's attachment option (Discord's option type 11)::

    upload = fake.attachment("capitals.gift", data, "text/plain")    # an ``Attachment``
    i = await fake.slash("pack import", {"file": upload}, fake.admin)

``data.options`` then carries the attachment's id and ``data.resolved.attachments`` its object
(``id``, ``filename``, ``size``, ``content_type``, ``url`` and ``proxy_url``). The fake serves the
bytes at that url (``GET /api/v10/attachments/{id}/{filename}``, no token, like the CDN), so
discord.py's ``Attachment.read()`` works; each download is recorded in ``fake.requests``, so a
test can check that a file was never fetched. Files the bot sent are served the same way.

``message`` may be a ``FakeMessage``, a ``Callback`` or an ``InteractionRecord`` (its original).

Reading answers::

    cb = await fake.wait_response(i, timeout=5)   # Callback: type, data, content, embeds,
                                                  # components, flags, ephemeral, choices,
                                                  # title, custom_id, message, at
    i.latency                                     # seconds from dispatch to callback
    fake.original(i)                              # FakeMessage now: content, embeds, components,
                                                  # flags, attachments, history (earlier versions)
    await fake.wait_followups(i, count=1)         # list[FakeMessage]
    fake.messages_in(fake.channel), fake.dms_with(fake.student)
    await fake.wait_until(lambda: ..., timeout=5)

Records: ``fake.requests`` (``RecordedRequest``: method, path after /api/v10, query, body,
files, status, response), ``fake.rejections`` (``Rejection``: status, code, message, errors;
assert it is empty at the end of a test), ``fake.commands[None | guild_id]`` and
``fake.sync_calls[None | guild_id]`` (PUT syncs per scope), ``fake.interactions``.

Refusals, with Discord's codes: a callback after ``response_deadline`` (3 s) → 404 10062; a
second callback → 400 40060; a message, followup, edit or callback past Discord's limits
(content 2000; embeds 10, title 256, description 4096, 25 fields of 256/1024, footer 2048, 6000
in all; 5 rows of 5 buttons, label 80, custom_id 1-100 and unique; select 25 options of 100;
25 autocomplete choices of 100; modal title 45 and 1-5 components) → 400 50035 with an
``errors`` tree naming the field; an empty message → 400 50006; an unknown route → 404 (recorded).
Attachments (multipart ``files[n]``) keep their filename and bytes.

Discord failing on purpose: ``fault = fake.fail_next("PATCH", r"/channels/\\d+/messages/\\d+",
times=3, status=503)`` answers the next 3 matching requests with that server error (recorded in
``requests``, not in ``rejections``); ``fault.served`` counts them. discord.py retries 500, 502,
504 and 524 itself (sleeping 1 + 2n s); a 503 reaches the bot at once. Discord slow on purpose:
``delay = fake.slow("PATCH", r"/channels/42/messages/\\d+", 5.0)`` serves matching requests 5 s
late (others at once) until ``delay.seconds = 0``; ``delay.served`` counts them.
"""

from .driver import NoResponse, NoSuchComponent
from .gateway import Undelivered
from .harness import running
from .server import Delay, FakeDiscord, Fault
from .state import (
    EPHEMERAL,
    Attachment,
    Callback,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeUser,
    InteractionRecord,
    RecordedRequest,
    Rejection,
)

__all__ = [
    "EPHEMERAL",
    "Attachment",
    "Callback",
    "Delay",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeMessage",
    "FakeUser",
    "Fault",
    "InteractionRecord",
    "NoResponse",
    "NoSuchComponent",
    "RecordedRequest",
    "Rejection",
    "Undelivered",
    "running",
]
