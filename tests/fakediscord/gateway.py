"""The gateway websocket: HELLO, IDENTIFY → READY and GUILD_CREATE, heartbeats, RESUME, dispatch.

Frames go out as text JSON, or zlib-stream compressed when the client's URL asks for
`compress=zlib-stream` (discord.py does by default); any other compression is answered
uncompressed, which discord.py also accepts.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .state import FakeGuild, FakeUser

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT = 0, 1, 2, 6, 7
REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11
HEARTBEAT_INTERVAL_MS = 41250


class GatewaySession:
    """One websocket connection from a client."""

    def __init__(self, ws: web.WebSocketResponse, compress: bool) -> None:
        self.ws = ws
        self.sequence = 0
        self.session_id = secrets.token_hex(16)
        self.identified = False
        self.intents = 0
        self.identify_payload: dict[str, Any] | None = None
        self._compressor = zlib.compressobj() if compress else None
        self._lock = asyncio.Lock()

    async def send(self, op: int, data: Any, event: str | None = None) -> None:
        async with self._lock:
            frame: dict[str, Any] = {"op": op, "d": data, "s": None, "t": event}
            if op == DISPATCH:
                self.sequence += 1
                frame["s"] = self.sequence
            text = json.dumps(frame)
            if self.ws.closed:
                return
            if self._compressor is not None:
                body = self._compressor.compress(text.encode()) + self._compressor.flush(
                    zlib.Z_SYNC_FLUSH
                )
                await self.ws.send_bytes(body)
            else:
                await self.ws.send_str(text)

    async def dispatch(self, event: str, data: Any) -> None:
        await self.send(DISPATCH, data, event)


class Gateway:
    """Accepts gateway connections and keeps the identified sessions."""

    def __init__(
        self,
        *,
        token: Callable[[], str],
        bot: Callable[[], FakeUser],
        application_id: Callable[[], int],
        guilds: Callable[[], list[FakeGuild]],
        resume_url: Callable[[], str],
    ) -> None:
        self._token = token
        self._bot = bot
        self._application_id = application_id
        self._guilds = guilds
        self._resume_url = resume_url
        self.sessions: list[GatewaySession] = []
        self.identifies = 0
        self.resumes = 0
        self.ready = asyncio.Event()

    @property
    def live(self) -> list[GatewaySession]:
        return [s for s in self.sessions if s.identified and not s.ws.closed]

    async def dispatch(self, event: str, data: Any) -> None:
        """Send an event to every identified session (normally the one bot)."""
        sessions = self.live
        if not sessions:
            raise RuntimeError(f"no bot is connected to the fake gateway to receive {event}")
        for session in sessions:
            await session.dispatch(event, data)

    async def close_all(self) -> None:
        for session in list(self.sessions):
            await session.ws.close()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None, max_msg_size=0)
        await ws.prepare(request)
        session = GatewaySession(ws, request.query.get("compress") == "zlib-stream")
        self.sessions.append(session)
        try:
            await session.send(HELLO, {"heartbeat_interval": HEARTBEAT_INTERVAL_MS})
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                await self._receive(session, json.loads(msg.data))
        finally:
            session.identified = False
            self.sessions.remove(session)
            if not self.live:
                self.ready.clear()
        return ws

    async def _receive(self, session: GatewaySession, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == HEARTBEAT:
            await session.send(HEARTBEAT_ACK, None)
        elif op == IDENTIFY:
            await self._identify(session, data or {})
        elif op == RESUME:
            self.resumes += 1
            if (data or {}).get("token") != self._token():
                await session.ws.close(code=4004, message=b"Authentication failed.")
                return
            session.identified = True
            session.sequence = int((data or {}).get("seq") or 0)
            await session.dispatch("RESUMED", {})
        elif op == REQUEST_MEMBERS:
            await self._members_chunk(session, data or {})

    async def _identify(self, session: GatewaySession, data: dict[str, Any]) -> None:
        if data.get("token") != self._token():
            await session.ws.close(code=4004, message=b"Authentication failed.")
            return
        self.identifies += 1
        session.identify_payload = data
        session.intents = int(data.get("intents") or 0)
        session.identified = True
        guilds = self._guilds()
        shard = data.get("shard") or [0, 1]
        await session.dispatch(
            "READY",
            {
                "v": 10,
                "user": self._bot().payload() | {"verified": True, "mfa_enabled": False},
                "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                "session_id": session.session_id,
                "resume_gateway_url": self._resume_url(),
                "shard": shard,
                "application": {"id": str(self._application_id()), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "user_settings": {},
                "presences": [],
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": [],
                "auth": {},
            },
        )
        for guild in guilds:
            await session.dispatch("GUILD_CREATE", guild.payload())
        self.ready.set()

    async def _members_chunk(self, session: GatewaySession, data: dict[str, Any]) -> None:
        guild = next((g for g in self._guilds() if str(g.id) == str(data.get("guild_id"))), None)
        if guild is None:
            return
        await session.dispatch(
            "GUILD_MEMBERS_CHUNK",
            {
                "guild_id": str(guild.id),
                "members": [m.payload() for m in guild.members.values()],
                "chunk_index": 0,
                "chunk_count": 1,
                "nonce": data.get("nonce"),
            },
        )
