"""The REST API a bot calls, under /api/v10, answering and refusing as Discord does."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import responses as r
from . import threads
from .builders import AUTOCOMPLETE, COMPONENT, MODAL_SUBMIT, PING
from .state import (
    EPHEMERAL,
    LOADING,
    Attachment,
    Callback,
    FakeMessage,
    InteractionRecord,
    RecordedRequest,
    Rejection,
    snowflake,
)
from .validation import (
    add_error,
    check_autocomplete,
    check_command,
    check_message,
    check_modal,
    is_empty,
    prefixed,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

RECORD = web.RequestKey("record", RecordedRequest)
WEBHOOK_TOKEN_LIFETIME = 15 * 60


Handler = Callable[["RestApi", web.Request], Awaitable[web.StreamResponse]]
"""A route handler as defined on `RestApi` (unbound)."""
Route = Callable[[web.Request], Awaitable[web.StreamResponse]]
"""A route handler bound to its `RestApi`, as aiohttp calls it."""


def _bot_token(handler: Handler) -> Handler:
    """A route only the bot itself may call: refused with 401 without its token, as Discord does
    (interaction callbacks and webhooks authenticate by their own token instead)."""

    @functools.wraps(handler)
    async def checked(self: RestApi, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bot {self.fake.token}":
            return self.reject(request, 401, (0, "401: Unauthorized"))
        return await handler(self, request)

    return checked


class RestApi:
    """Route handlers bound to one FakeDiscord."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def register(self, app: web.Application, prefix: str) -> None:
        routes: list[tuple[str, str, Route]] = [
            ("GET", "/users/@me", self.get_me),
            ("GET", "/users/{user_id:\\d+}", self.get_user),
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway_bot),
            ("GET", "/applications/@me", self.get_application),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/applications/{app_id:\\d+}/commands", self.get_commands),
            ("PUT", "/applications/{app_id:\\d+}/commands", self.put_commands),
            (
                "GET",
                "/applications/{app_id:\\d+}/guilds/{guild_id:\\d+}/commands",
                self.get_commands,
            ),
            (
                "PUT",
                "/applications/{app_id:\\d+}/guilds/{guild_id:\\d+}/commands",
                self.put_commands,
            ),
            ("POST", "/interactions/{interaction_id:\\d+}/{token}/callback", self.callback),
            ("POST", "/webhooks/{app_id:\\d+}/{token}", self.followup),
            (
                "GET",
                "/webhooks/{app_id:\\d+}/{token}/messages/{message_id}",
                self.get_webhook_message,
            ),
            (
                "PATCH",
                "/webhooks/{app_id:\\d+}/{token}/messages/{message_id}",
                self.edit_webhook_message,
            ),
            (
                "DELETE",
                "/webhooks/{app_id:\\d+}/{token}/messages/{message_id}",
                self.delete_webhook_message,
            ),
            ("POST", "/channels/{channel_id:\\d+}/messages", self.create_message),
            ("GET", "/channels/{channel_id:\\d+}/messages/{message_id:\\d+}", self.get_message),
            ("PATCH", "/channels/{channel_id:\\d+}/messages/{message_id:\\d+}", self.edit_message),
            (
                "DELETE",
                "/channels/{channel_id:\\d+}/messages/{message_id:\\d+}",
                self.delete_message,
            ),
            ("GET", "/channels/{channel_id:\\d+}", self.get_channel),
            ("POST", "/channels/{channel_id:\\d+}/typing", self.typing),
            ("POST", "/users/@me/channels", self.create_dm),
            ("GET", "/guilds/{guild_id:\\d+}", self.get_guild),
            ("GET", "/guilds/{guild_id:\\d+}/members/{user_id:\\d+}", self.get_member),
            ("GET", "/attachments/{attachment_id:\\d+}/{filename}", self.get_attachment),
            *threads.routes(self),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, prefix + path, handler)

    # -- helpers ---------------------------------------------------------------------------

    def reject(
        self,
        request: web.Request,
        status: int,
        error: tuple[int, str],
        errors: dict[str, Any] | None = None,
    ) -> web.Response:
        """Refuse a request the way Discord does, and remember that it was refused."""
        code, message = error
        record: RecordedRequest | None = request.get(RECORD)
        self.fake.rejections.append(
            Rejection(
                request.method,
                request.path,
                status,
                code,
                message,
                errors,
                record.body if record else None,
            )
        )
        return r.json_response(r.error_body(code, message, errors), status, self._route(request))

    def ok(self, request: web.Request, data: Any, status: int = 200) -> web.Response:
        return r.json_response(data, status, self._route(request))

    @staticmethod
    def _route(request: web.Request) -> str:
        resource = request.match_info.route.resource
        return f"{request.method} {resource.canonical}" if resource else request.path

    @staticmethod
    def _parsed(request: web.Request) -> tuple[Any, list[Attachment]]:
        record: RecordedRequest = request[RECORD]
        return record.body, record.files

    def _message_errors(self, body: dict[str, Any], files: list[Attachment]) -> tuple:
        """(status, error, errors) for an invalid new message, or None."""
        errors = check_message(body)
        if errors:
            return (400, r.INVALID_FORM_BODY, errors)
        if any(len(f.data) > r.ATTACHMENT_LIMIT for f in files):
            return (413, r.ENTITY_TOO_LARGE, None)
        if is_empty(body, bool(files)):
            return (400, r.EMPTY_MESSAGE, None)
        return ()

    def _interaction_for_token(
        self, request: web.Request
    ) -> tuple[InteractionRecord | None, web.Response | None]:
        record = self.fake.interactions_by_token.get(request.match_info["token"])
        if record is None or request.match_info["app_id"] != str(self.fake.application_id):
            return None, self.reject(request, 404, r.UNKNOWN_WEBHOOK)
        if time.perf_counter() - record.dispatched_at > WEBHOOK_TOKEN_LIFETIME:
            return None, self.reject(request, 401, r.INVALID_WEBHOOK_TOKEN)
        return record, None

    def _new_message(
        self,
        record: InteractionRecord | None,
        channel_id: int,
        guild_id: int | None,
        body: dict[str, Any],
        files: list[Attachment],
        extra_flags: int = 0,
    ) -> FakeMessage:
        message = FakeMessage(
            id=snowflake(),
            channel_id=channel_id,
            guild_id=guild_id,
            author=self.fake.bot,
            content=body.get("content") or "",
            embeds=list(body.get("embeds") or []),
            components=list(body.get("components") or []),
            flags=int(body.get("flags") or 0) | extra_flags,
            attachments=list(files),
            interaction_id=record.id if record else None,
        )
        self.fake.messages[message.id] = message
        return message

    def _edit(
        self, request: web.Request, message: FakeMessage, body: dict[str, Any], files: list
    ) -> web.Response:
        merged = message.snapshot() | {k: v for k, v in body.items() if v is not None}
        errors = check_message(merged)
        if errors:
            return self.reject(request, 400, r.INVALID_FORM_BODY, errors)
        message.apply(body, files if files or "attachments" in body else None)
        return self.ok(request, message.payload(self.fake.api_url))

    # -- identity and gateway -------------------------------------------------------------

    @_bot_token
    async def get_me(self, request: web.Request) -> web.Response:
        return self.ok(request, self.fake.bot.payload() | {"verified": True, "flags": 0})

    async def get_user(self, request: web.Request) -> web.Response:
        user = self.fake.users.get(int(request.match_info["user_id"]))
        if user is None:
            return self.reject(request, 404, r.UNKNOWN_USER)
        return self.ok(request, user.payload())

    async def get_gateway(self, request: web.Request) -> web.Response:
        return self.ok(request, {"url": self.fake.gateway_url})

    @_bot_token
    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return self.ok(
            request,
            {
                "url": self.fake.gateway_url,
                "shards": self.fake.shard_count,
                "session_start_limit": limit,
            },
        )

    @_bot_token
    async def get_application(self, request: web.Request) -> web.Response:
        return self.ok(request, self.fake.application_payload())

    # -- application commands -------------------------------------------------------------

    def _scope(self, request: web.Request) -> int | None:
        guild_id = request.match_info.get("guild_id")
        return int(guild_id) if guild_id else None

    @_bot_token
    async def get_commands(self, request: web.Request) -> web.Response:
        return self.ok(request, self.fake.commands.get(self._scope(request), []))

    @_bot_token
    async def put_commands(self, request: web.Request) -> web.Response:
        if request.match_info["app_id"] != str(self.fake.application_id):
            return self.reject(request, 403, (50001, "Missing Access"))
        scope = self._scope(request)
        if scope is not None and scope not in self.fake.guilds:
            return self.reject(request, 403, (50001, "Missing Access"))
        body, _ = self._parsed(request)
        commands = body or []
        errors: dict[str, Any] = {}
        for i, command in enumerate(commands):
            errors |= check_command(command, [i])
        if errors:
            return self.reject(request, 400, r.INVALID_FORM_BODY, errors)
        self.fake.sync_calls[scope] = self.fake.sync_calls.get(scope, 0) + 1
        previous = {(c["name"], c.get("type", 1)): c for c in self.fake.commands.get(scope, [])}
        stored = []
        for command in commands:
            old = previous.get((command["name"], command.get("type", 1)))
            stored.append(
                {
                    "type": 1,
                    "options": [],
                    "default_member_permissions": None,
                    "dm_permission": True,
                    "nsfw": False,
                    **command,
                    "id": old["id"] if old else str(snowflake()),
                    "application_id": str(self.fake.application_id),
                    "version": str(snowflake()),
                    **({"guild_id": str(scope)} if scope is not None else {}),
                }
            )
        self.fake.commands[scope] = stored
        return self.ok(request, stored)

    # -- interactions ---------------------------------------------------------------------

    async def callback(self, request: web.Request) -> web.Response:
        now = time.perf_counter()
        record = self.fake.interactions.get(int(request.match_info["interaction_id"]))
        if record is None or record.token != request.match_info["token"]:
            return self.reject(request, 404, r.UNKNOWN_INTERACTION)
        if now - record.dispatched_at > self.fake.response_deadline:
            return self.reject(request, 404, r.UNKNOWN_INTERACTION)
        if record.callback is not None:
            return self.reject(request, 400, r.ALREADY_ACKNOWLEDGED)
        body, files = self._parsed(request)
        body = body or {}
        kind = int(body.get("type") or 0)
        data = dict(body.get("data") or {})
        refused = self._check_callback(record, kind, data, files)
        if refused:
            status, error, errors = refused
            return self.reject(request, status, error, errors)

        message: FakeMessage | None = None
        guild_id = record.guild.id if record.guild else None
        if kind == 4:
            message = self._new_message(record, record.channel.id, guild_id, data, files)
        elif kind == 5:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            message = self._new_message(record, record.channel.id, guild_id, {}, [], flags)
        elif kind == 6:
            message = record.message
        elif kind == 7 and record.message is not None:
            message = record.message
            message.apply(data, files or None)
        record.original = message
        record.callback = Callback(kind, data, now, message)
        record.answered.set()

        if request.query.get("with_response") not in ("1", "true", "True"):
            return r.no_content(self._route(request))
        interaction: dict[str, Any] = {"id": str(record.id), "type": record.type}
        result: dict[str, Any] = {"interaction": interaction}
        if message is not None:
            interaction["response_message_id"] = str(message.id)
            interaction["response_message_loading"] = bool(message.flags & LOADING)
            interaction["response_message_ephemeral"] = message.ephemeral
        if kind in (4, 5, 7) and message is not None:
            result["resource"] = {"type": kind, "message": message.payload(self.fake.api_url)}
        elif kind != 1:
            result["resource"] = {"type": kind}
        return self.ok(request, result)

    def _check_callback(
        self, record: InteractionRecord, kind: int, data: dict[str, Any], files: list
    ) -> tuple:
        allowed = {
            PING: {1},
            AUTOCOMPLETE: {8},
            COMPONENT: {4, 5, 6, 7, 9},
            MODAL_SUBMIT: {4, 5, 6, 7} if record.message is not None else {4, 5},
        }.get(record.type, {4, 5, 9})
        if kind not in allowed:
            errors: dict[str, Any] = {}
            add_error(
                errors,
                ["type"],
                "INTERACTION_RESPONSE_TYPE_INVALID",
                f"Interaction response type {kind} is not valid for this interaction",
            )
            return (400, r.INVALID_FORM_BODY, errors)
        if kind == 4:
            found = self._message_errors(data, files)
            if found and found[2]:
                return (found[0], found[1], prefixed("data", found[2]))
            return found
        if kind == 7:
            base = record.message.snapshot() if record.message else {}
            merged = base | {k: v for k, v in data.items() if v is not None}
            errors = check_message(merged)
            return (400, r.INVALID_FORM_BODY, prefixed("data", errors)) if errors else ()
        if kind == 8:
            errors = check_autocomplete(data)
            return (400, r.INVALID_FORM_BODY, prefixed("data", errors)) if errors else ()
        if kind == 9:
            errors = check_modal(data)
            return (400, r.INVALID_FORM_BODY, prefixed("data", errors)) if errors else ()
        return ()

    async def followup(self, request: web.Request) -> web.Response:
        record, refused = self._interaction_for_token(request)
        if record is None:
            assert refused is not None
            return refused
        if record.callback is None:
            return self.reject(request, 404, r.UNKNOWN_WEBHOOK)
        body, files = self._parsed(request)
        body = body or {}
        found = self._message_errors(body, files)
        if found:
            return self.reject(request, *found)
        original = record.original
        if original is not None and original.flags & LOADING and record.callback.type == 5:
            original.apply(body, files)
            message = original
        else:
            flags = int(body.get("flags") or 0) & EPHEMERAL
            guild_id = record.guild.id if record.guild else None
            message = self._new_message(record, record.channel.id, guild_id, body, files, flags)
        record.followups.append(message)
        if request.query.get("wait") in ("1", "true", "True"):
            return self.ok(request, message.payload(self.fake.api_url))
        return r.no_content(self._route(request))

    def _webhook_message(
        self, request: web.Request, record: InteractionRecord
    ) -> FakeMessage | None:
        message_id = request.match_info["message_id"]
        if message_id == "@original":
            message = record.original
        elif not message_id.isdigit():
            return None
        else:
            message = self.fake.messages.get(int(message_id))
            if message is not None and message not in record.followups:
                message = None if message is not record.original else message
        return None if message is None or message.deleted else message

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        record, refused = self._interaction_for_token(request)
        if record is None:
            assert refused is not None
            return refused
        message = self._webhook_message(request, record)
        if message is None:
            return self.reject(request, 404, r.UNKNOWN_MESSAGE)
        return self.ok(request, message.payload(self.fake.api_url))

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        record, refused = self._interaction_for_token(request)
        if record is None:
            assert refused is not None
            return refused
        message = self._webhook_message(request, record)
        if message is None:
            return self.reject(request, 404, r.UNKNOWN_MESSAGE)
        body, files = self._parsed(request)
        return self._edit(request, message, body or {}, files)

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        record, refused = self._interaction_for_token(request)
        if record is None:
            assert refused is not None
            return refused
        message = self._webhook_message(request, record)
        if message is None:
            return self.reject(request, 404, r.UNKNOWN_MESSAGE)
        message.deleted = True
        return r.no_content(self._route(request))

    # -- channels, messages, members ------------------------------------------------------

    @_bot_token
    async def create_message(self, request: web.Request) -> web.Response:
        channel = self.fake.channels.get(int(request.match_info["channel_id"]))
        if channel is None:
            return self.reject(request, 404, r.UNKNOWN_CHANNEL)
        if channel.recipient is not None and channel.recipient.id in self.fake.closed_dms:
            return self.reject(request, 403, r.CANNOT_DM)
        if (refused := threads.check_post(self, request, channel)) is not None:
            return refused
        body, files = self._parsed(request)
        body = body or {}
        found = self._message_errors(body, files)
        if found:
            return self.reject(request, *found)
        flags = int(body.get("flags") or 0) & ~EPHEMERAL
        message = self._new_message(
            None, channel.id, channel.guild_id, body | {"flags": flags}, files
        )
        return self.ok(request, message.payload(self.fake.api_url))

    def _channel_message(self, request: web.Request) -> FakeMessage | None:
        message = self.fake.messages.get(int(request.match_info["message_id"]))
        if message is None or message.deleted or message.ephemeral:
            return None
        if str(message.channel_id) != request.match_info["channel_id"]:
            return None
        return message

    @_bot_token
    async def get_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        if message is None:
            return self.reject(request, 404, r.UNKNOWN_MESSAGE)
        return self.ok(request, message.payload(self.fake.api_url))

    @_bot_token
    async def edit_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        if message is None:
            return self.reject(request, 404, r.UNKNOWN_MESSAGE)
        if message.author.id != self.fake.bot.id:
            return self.reject(
                request, 403, (50005, "Cannot edit a message authored by another user")
            )
        body, files = self._parsed(request)
        return self._edit(request, message, body or {}, files)

    @_bot_token
    async def delete_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        if message is None:
            return self.reject(request, 404, r.UNKNOWN_MESSAGE)
        message.deleted = True
        return r.no_content(self._route(request))

    @_bot_token
    async def typing(self, request: web.Request) -> web.Response:
        return r.no_content(self._route(request))

    @_bot_token
    async def get_channel(self, request: web.Request) -> web.Response:
        channel = self.fake.channels.get(int(request.match_info["channel_id"]))
        if channel is None:
            return self.reject(request, 404, r.UNKNOWN_CHANNEL)
        return self.ok(request, channel.payload())

    @_bot_token
    async def create_dm(self, request: web.Request) -> web.Response:
        body, _ = self._parsed(request)
        user = self.fake.users.get(int((body or {}).get("recipient_id") or 0))
        if user is None:
            return self.reject(request, 400, r.INVALID_FORM_BODY, _field_error("recipient_id"))
        return self.ok(request, self.fake.dm_channel(user).payload())

    @_bot_token
    async def get_guild(self, request: web.Request) -> web.Response:
        guild = self.fake.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            return self.reject(request, 404, r.UNKNOWN_GUILD)
        return self.ok(request, guild.payload())

    @_bot_token
    async def get_member(self, request: web.Request) -> web.Response:
        guild = self.fake.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            return self.reject(request, 404, r.UNKNOWN_GUILD)
        member = guild.members.get(int(request.match_info["user_id"]))
        if member is None:
            return self.reject(request, 404, r.UNKNOWN_MEMBER)
        return self.ok(request, member.payload())

    async def get_attachment(self, request: web.Request) -> web.StreamResponse:
        """The bytes of a file a user attached (`attachment`) or a message carries, as the CDN
        serves them: no token needed."""
        attachment_id = int(request.match_info["attachment_id"])
        found = self.fake.uploads.get(attachment_id) or next(
            (
                a
                for m in self.fake.messages.values()
                for a in m.attachments
                if a.id == attachment_id
            ),
            None,
        )
        if found is None or found.filename != request.match_info["filename"]:
            return self.reject(request, 404, (0, "404: Not Found"))
        content_type = found.content_type or "application/octet-stream"
        return web.Response(body=found.data, headers={"Content-Type": content_type})


def _field_error(name: str) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    add_error(errors, [name], "NUMBER_TYPE_COERCE", "Value is not snowflake.")
    return errors
