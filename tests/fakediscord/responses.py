"""JSON responses, Discord error bodies and request parsing shared by the REST routes."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from aiohttp import web

from .state import Attachment, snowflake

UNKNOWN_INTERACTION = (10062, "Unknown interaction")
ALREADY_ACKNOWLEDGED = (40060, "Interaction has already been acknowledged.")
INVALID_FORM_BODY = (50035, "Invalid Form Body")
EMPTY_MESSAGE = (50006, "Cannot send an empty message")
UNKNOWN_MESSAGE = (10008, "Unknown Message")
UNKNOWN_CHANNEL = (10003, "Unknown Channel")
UNKNOWN_WEBHOOK = (10015, "Unknown Webhook")
UNKNOWN_MEMBER = (10007, "Unknown Member")
UNKNOWN_USER = (10013, "Unknown User")
UNKNOWN_GUILD = (10004, "Unknown Guild")
CANNOT_DM = (50007, "Cannot send messages to this user")
INVALID_WEBHOOK_TOKEN = (50027, "Invalid Webhook Token")
ENTITY_TOO_LARGE = (40005, "Request entity too large")
ATTACHMENT_LIMIT = 10 * 1024 * 1024
"""The largest attachment Discord takes from a bot in a server without boosts, or in a DM."""


def ratelimit_headers(route: str) -> dict[str, str]:
    """Generous rate-limit headers: discord.py reads them and never has to wait."""
    return {
        "X-RateLimit-Limit": "50",
        "X-RateLimit-Remaining": "49",
        "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
        "X-RateLimit-Reset-After": "1.000",
        "X-RateLimit-Bucket": hashlib.md5(route.encode(), usedforsecurity=False).hexdigest(),
    }


def json_response(data: Any, status: int = 200, route: str = "") -> web.Response:
    """A response whose Content-Type is exactly `application/json`, as discord.py requires."""
    headers = {"Content-Type": "application/json", **ratelimit_headers(route)}
    return web.Response(body=json.dumps(data).encode(), status=status, headers=headers)


def no_content(route: str = "") -> web.Response:
    """204 with no body and no Content-Type (discord.py would try to parse an empty JSON body)."""
    return web.Response(status=204, headers=ratelimit_headers(route))


def error_body(code: int, message: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors:
        body["errors"] = errors
    return body


async def parse_body(request: web.Request) -> tuple[Any, list[Attachment]]:
    """The JSON body, or `payload_json` plus `files[n]` of a multipart upload."""
    if request.content_type.startswith("multipart/"):
        body: Any = {}
        files: list[tuple[int, Attachment]] = []
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            name = getattr(part, "name", None)
            data = await part.read(decode=False)  # type: ignore[union-attr]
            if name == "payload_json":
                body = json.loads(data or b"{}")
            elif name and name.startswith("files["):
                index = int(name[len("files[") : -1])
                filename = getattr(part, "filename", None) or f"file{index}"
                content_type = part.headers.get("Content-Type")
                files.append((index, Attachment(snowflake(), filename, bytes(data), content_type)))
        return body, [a for _, a in sorted(files, key=lambda pair: pair[0])]
    raw = await request.read()
    if not raw:
        return None, []
    return json.loads(raw), []
