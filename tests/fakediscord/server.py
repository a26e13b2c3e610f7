"""FakeDiscord: REST at /api/v10 and the gateway at /gateway, on one 127.0.0.1 port."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

import discord.gateway
import discord.http
import yarl
from aiohttp import web

from . import responses as r
from .driver import Driver
from .gateway import Gateway
from .routes import RECORD, RestApi
from .state import RecordedRequest, Rejection

API_PREFIX = "/api/v10"
SERVER_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


@dataclass
class Fault:
    """Discord failing on purpose: the next `remaining` requests matching `method` and `path`
    (a regex on the path after /api/v10) are answered with `status` instead of being served."""

    method: str
    path: str
    status: int
    remaining: int
    served: int = 0
    """How many requests this fault has answered so far."""

    def takes(self, method: str, path: str) -> bool:
        """Whether this fault answers the request (and counts it if so)."""
        if self.remaining <= 0 or method != self.method or not re.fullmatch(self.path, path):
            return False
        self.remaining -= 1
        self.served += 1
        return True


@dataclass
class Delay:
    """Discord slow on purpose: requests matching `method` and `path` (a regex on the path after
    /api/v10) are served `seconds` late, for as long as `seconds` is above zero."""

    method: str
    path: str
    seconds: float
    served: int = 0
    """How many requests this delay has held up so far."""

    def takes(self, method: str, path: str) -> bool:
        """Whether this delay holds up the request (and counts it if so)."""
        if self.seconds <= 0 or method != self.method or not re.fullmatch(self.path, path):
            return False
        self.served += 1
        return True


class FakeDiscord(Driver):
    """A Discord the real discord.py client can log in to, for tests and benchmarks.

    `response_deadline` is Discord's 3 s for a first response; tests of lateness may shorten it.
    `shard_count` is what `GET /gateway/bot` recommends (a test may change it before the bot
    connects); the gateway routes each guild's events to the session running its shard whatever
    count the bot chose (see `gateway.py`).
    """

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        response_deadline: float = 3.0,
        shard_count: int = 1,
    ) -> None:
        super().__init__(token)
        self.response_deadline = response_deadline
        self.shard_count = shard_count
        self.requests: list[RecordedRequest] = []
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._waiters: list[tuple[Callable[[RecordedRequest], bool], asyncio.Future[Any]]] = []
        self._saved: tuple[str, yarl.URL] | None = None
        self.faults: list[Fault] = []
        self.delays: list[Delay] = []
        self.gateway = Gateway(
            token=lambda: self.token,
            bot=lambda: self.bot,
            application_id=lambda: self.application_id,
            guilds=lambda: list(self.guilds.values()),
            resume_url=lambda: self.gateway_url,
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:  # type: ignore[override]
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        """Serve on a free loopback port."""
        app = web.Application(middlewares=[self._record], client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        RestApi(self).register(app, API_PREFIX)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        """Close every gateway connection and stop serving."""
        self.restore_discord_py()
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        for _, future in self._waiters:
            future.cancel()

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def apply_to_discord_py(self) -> None:
        """Point discord.py at this fake: the same two settings the bot's URL settings change."""
        if self._saved is None:
            self._saved = (
                discord.http.Route.BASE,
                discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
            )
        discord.http.Route.BASE = self.api_url
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)

    def restore_discord_py(self) -> None:
        """Undo `apply_to_discord_py`."""
        if self._saved is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self._saved = None

    async def wait_ready(
        self,
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        shards: Collection[int] | None = None,
    ) -> None:
        """Wait until a client has identified and been sent READY and its guilds; with
        `shards`, until live sessions run each of those shards."""
        if shards is None:
            await asyncio.wait_for(self.gateway.ready.wait(), timeout)
        else:
            await self.gateway.wait_shards(shards, timeout)

    @property
    def undelivered(self) -> list[tuple[str, Any]]:
        """Events (name, data) that no live session ran the shard of, so none was sent."""
        return self.gateway.undelivered

    async def wait_for_request(
        self,
        method: str,
        path: str,
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        after: int = 0,
    ) -> RecordedRequest:
        """Wait for the bot to call `method path` (`path` is a regex on the path after /api/v10).

        Requests already made count, from index `after` in `requests`.
        """

        def matches(req: RecordedRequest) -> bool:
            return req.method == method and re.fullmatch(path, req.path) is not None

        for req in self.requests[after:]:
            if matches(req):
                return req
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiters.append((matches, future))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._waiters = [w for w in self._waiters if w[1] is not future]

    def fail_next(self, method: str, path: str, *, times: int = 1, status: int = 500) -> Fault:
        """Answer the next `times` requests `method path` with a server error (`status`).

        `path` is a regex on the path after /api/v10, as in `wait_for_request`. The requests are
        recorded in `requests` (with that status) but not in `rejections`: the bot did nothing
        wrong. discord.py itself retries 500, 502, 504 and 524 up to five times, sleeping
        1 + 2n seconds between tries; a 503 reaches the caller at once.
        """
        fault = Fault(method, path, status, times)
        self.faults.append(fault)
        return fault

    def slow(self, method: str, path: str, seconds: float) -> Delay:
        """Serve every request `method path` `seconds` late (a slow or rate-limited channel),
        until the returned delay's `seconds` is set to 0.

        `path` is a regex on the path after /api/v10, as in `fail_next`. Other requests, even
        ones that arrive meanwhile, are served at once.
        """
        delay = Delay(method, path, seconds)
        self.delays.append(delay)
        return delay

    def rejections_with(self, code: int) -> list[Rejection]:
        return [rej for rej in self.rejections if rej.code == code]

    @web.middleware
    async def _record(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.path == "/gateway":
            return await handler(request)
        body, files = await r.parse_body(request)
        path = request.path.removeprefix(API_PREFIX)
        record = RecordedRequest(request.method, path, dict(request.query), body, files)
        request[RECORD] = record
        self.requests.append(record)
        delay = next((d for d in self.delays if d.takes(request.method, path)), None)
        if delay is not None:
            await asyncio.sleep(delay.seconds)
        fault = next((f for f in self.faults if f.takes(request.method, path)), None)
        response: web.StreamResponse
        try:
            if fault is not None:
                reason = SERVER_ERRORS.get(fault.status, "Server Error")
                error = r.error_body(0, f"{fault.status}: {reason}")
                response = r.json_response(error, fault.status)
            else:
                response = await handler(request)
        except web.HTTPException as exc:
            message = f"{exc.status}: {exc.reason}"
            self.rejections.append(
                Rejection(request.method, request.path, exc.status, 0, message, None, body)
            )
            response = r.json_response({"message": message, "code": 0}, exc.status)
        except Exception as exc:  # a bug in the fake must fail the test, not make discord.py retry
            message = f"fake Discord failed: {exc!r}"
            self.rejections.append(
                Rejection(request.method, request.path, 400, 0, message, None, body)
            )
            response = r.json_response({"message": message, "code": 0}, 400)
        record.status = response.status
        if (
            isinstance(response, web.Response)
            and isinstance(response.body, bytes)
            and response.content_type == "application/json"
        ):
            record.response = json.loads(response.body) if response.body else None
        for matches, future in list(self._waiters):
            if not future.done() and matches(record):
                future.set_result(record)
        return response
