"""The gateway websocket: HELLO, IDENTIFY → READY and GUILD_CREATE, heartbeats, RESUME, dispatch.

Frames go out as text JSON, or zlib-stream compressed when the client's URL asks for
`compress=zlib-stream` (discord.py does by default); any other compression is answered
uncompressed, which discord.py also accepts.

Shards, as Discord routes them: a session runs the shard its IDENTIFY names (`shard`:
[id, count]; none means [0, 1], every guild). READY and GUILD_CREATE carry only the guilds of
that shard, `(guild_id >> 22) % count`; an event with a `guild_id` goes only to the session(s)
running that guild's shard, and an event of no guild (a direct message) only to shard 0. An event
no live session runs is not delivered: it is kept in `undelivered` and `dispatch` raises
`Undelivered`, naming the shard nobody runs.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import zlib
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .state import FakeGuild, FakeUser

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT = 0, 1, 2, 6, 7
REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11
HEARTBEAT_INTERVAL_MS = 41250
UNSHARDED = (0, 1)
"""The shard of a session whose IDENTIFY names none: shard 0 of 1, every guild."""


def shard_of(guild_id: int, count: int) -> int:
    """The shard Discord delivers a guild's events on."""
    return (guild_id >> 22) % count


def guild_of(data: Any) -> int | None:
    """The guild an event is for (its `guild_id`), or None for a direct message."""
    if isinstance(data, dict) and data.get("guild_id") is not None:
        return int(data["guild_id"])
    return None


class Undelivered(AssertionError):
    """An event no live gateway session could receive: no session runs the shard it is on."""

    def __init__(self, event: str, guild_id: int | None, shard: tuple[int, int] | None) -> None:
        self.event = event
        self.guild_id = guild_id
        where = "a direct message" if guild_id is None else f"guild {guild_id}"
        if shard is None:
            why = "no bot is connected to the fake gateway"
        else:
            why = f"no connected session runs shard {shard[0]} of {shard[1]}"
        super().__init__(f"{event} for {where} was not delivered: {why}")


class GatewaySession:
    """One websocket connection from a client."""

    def __init__(self, ws: web.WebSocketResponse, compress: bool) -> None:
        self.ws = ws
        self.sequence = 0
        self.session_id = secrets.token_hex(16)
        self.identified = False
        self.intents = 0
        self.identify_payload: dict[str, Any] | None = None
        self.shard: tuple[int, int] = UNSHARDED
        """[id, count] from IDENTIFY (kept across a RESUME of the same session)."""
        self._compressor = zlib.compressobj() if compress else None
        self._lock = asyncio.Lock()

    def runs(self, guild_id: int | None) -> bool:
        """Whether this session receives a guild's events (None: direct messages, shard 0)."""
        shard_id, count = self.shard
        if guild_id is None:
            return shard_id == 0
        return shard_of(guild_id, count) == shard_id

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
        self.undelivered: list[tuple[str, Any]] = []
        """Events no live session ran the shard of (see `Undelivered`), in order."""
        self._shards: dict[str, tuple[int, int]] = {}
        """Each session id's shard, for a RESUME on a new connection."""
        self._identified = asyncio.Event()
        """Set each time a session has identified (or resumed)."""

    @property
    def live(self) -> list[GatewaySession]:
        return [s for s in self.sessions if s.identified and not s.ws.closed]

    def live_shards(self) -> set[int]:
        """The shard ids the live sessions run."""
        return {s.shard[0] for s in self.live}

    def sessions_for(self, guild_id: int | None) -> list[GatewaySession]:
        """The live sessions that receive a guild's events (None: a direct message's)."""
        return [s for s in self.live if s.runs(guild_id)]

    async def dispatch(self, event: str, data: Any) -> None:
        """Send an event to the live session(s) running its guild's shard (a direct message's:
        shard 0); raise `Undelivered` (and keep it in `undelivered`) if none does."""
        guild_id = guild_of(data)
        sessions = self.sessions_for(guild_id)
        if not sessions:
            self.undelivered.append((event, data))
            raise Undelivered(event, guild_id, self._missing_shard(guild_id))
        for session in sessions:
            await session.dispatch(event, data)

    def _missing_shard(self, guild_id: int | None) -> tuple[int, int] | None:
        """The shard nobody runs for `guild_id`, by the live sessions' shard count; None when
        no session is live at all."""
        live = self.live
        if not live:
            return None
        count = live[0].shard[1]
        return (0 if guild_id is None else shard_of(guild_id, count), count)

    async def wait_shards(self, shards: Collection[int], timeout: float) -> None:  # noqa: ASYNC109
        """Wait until live sessions run every shard in `shards` and have been sent their guilds."""
        async with asyncio.timeout(timeout):
            while not set(shards) <= self.live_shards():
                self._identified.clear()
                await self._identified.wait()

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
            session.session_id = str((data or {}).get("session_id") or session.session_id)
            session.shard = self._shards.get(session.session_id, UNSHARDED)
            session.sequence = int((data or {}).get("seq") or 0)
            self._identified.set()
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
        shard = data.get("shard") or UNSHARDED
        session.shard = (int(shard[0]), int(shard[1]))
        self._shards[session.session_id] = session.shard
        guilds = [g for g in self._guilds() if session.runs(g.id)]
        await session.dispatch(
            "READY",
            {
                "v": 10,
                "user": self._bot().payload() | {"verified": True, "mfa_enabled": False},
                "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                "session_id": session.session_id,
                "resume_gateway_url": self._resume_url(),
                "shard": list(session.shard),
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
        session.identified = True
        self._identified.set()
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
