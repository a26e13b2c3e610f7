"""Two `tutorbot run` processes, shard 0 and shard 1 of 2, against one fake Discord and one
PostgreSQL: a round in a server on each shard; the process of shard 0 is killed with SIGKILL
mid-round, and the process of shard 1 takes over its round's deadlines (after
TUTORBOT_TIMER_TAKEOVER_SECONDS), so that round, on a topic of its server's own pack, still
reveals each question and ends. Every
answer a student saw acknowledged is in the database, and no reveal is shown twice, also
after the killed process is started again."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fakediscord import (
    FakeDiscord,
    FakeGuild,
    FakeMember,
    FakeMessage,
    InteractionRecord,
    Undelivered,
)
from fakediscord.driver import NoResponse

from tutorbot.domain.packs import id_prefix
from tutorbot.storage import open_storage

TOPIC = "shard-sums"
QUESTIONS = 2
SECONDS = 5  # the shortest a round allows
TAKEOVER_SECONDS = 2
STUDENTS = 6
PACK = b"""::france::What is the capital of France?{=Paris ~Lyon ~Marseille}

::italy::What is the capital of Italy?{=Rome ~Milan ~Naples}
"""
"""The doomed server's own pack: one topic of two questions, which only the process of its
shard holds until it dies."""
REVEAL_COLOUR = 0x2ECC71
"""The embed colour of a question message once it shows its reveal."""

_COURSE = f"""\
id: {TOPIC}
title: Shard Sums
core_idea: Small sums.
explainer: Add the two numbers.
questions:
  - id: one
    type: multiple_choice
    prompt: What is 1 + 1?
    choices: ["1", "2", "3", "4"]
    answer: B
    explanation: One and one make two.
  - id: two
    type: multiple_choice
    prompt: What is 2 + 1?
    choices: ["1", "2", "3", "4"]
    answer: C
    explanation: Two and one make three.
"""


@dataclass
class Server:
    """A server of the test, the shard it is on, and who plays in it."""

    guild: FakeGuild
    shard: int
    admin: FakeMember
    students: list[FakeMember]
    topic: str = TOPIC
    acknowledged: set[tuple[int, int]] = field(default_factory=set)
    """(question index, student id) of every answer whose click the bot answered."""

    def messages(self, fake: FakeDiscord) -> list[FakeMessage]:
        """The round's messages in the server's channel, oldest first."""
        return fake.messages_in(self.guild.text_channel)


def _server(fake: FakeDiscord, guild: FakeGuild, shard: int) -> Server:
    admin = fake.add_member(guild, f"admin{shard}", manage_guild=True)
    students = [fake.add_member(guild, f"s{shard}-{i}") for i in range(STUDENTS)]
    return Server(guild, shard, admin, students)


def _env(fake: FakeDiscord, url: str, content: Path, shard: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
    env.update(
        TUTORBOT_DISCORD_TOKEN=fake.token,
        TUTORBOT_DISCORD_API_URL=fake.api_url,
        TUTORBOT_DISCORD_GATEWAY_URL=fake.gateway_url,
        TUTORBOT_DATABASE_URL=url,
        TUTORBOT_CONTENT_DIR=str(content),
        TUTORBOT_SHARD_COUNT="2",
        TUTORBOT_SHARD_IDS=str(shard),
        TUTORBOT_TIMER_TAKEOVER_SECONDS=str(TAKEOVER_SECONDS),
        TUTORBOT_LOG_LEVEL="INFO",
    )
    return env


class Processes:
    """The bot processes of the test, one per shard, each logging to its own file."""

    def __init__(self, fake: FakeDiscord, url: str, root: Path) -> None:
        self.fake, self.url, self.root = fake, url, root
        self.content = root / "content"
        self.content.mkdir()
        (self.content / f"{TOPIC}.yaml").write_text(textwrap.dedent(_COURSE))
        self.running: dict[int, asyncio.subprocess.Process] = {}
        self.logs: list[Path] = []

    async def start(self, shard: int) -> None:
        """Start the process of `shard` and wait until its gateway session runs it."""
        log = self.root / f"shard{shard}-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("w") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tutorbot", "run",
                env=_env(self.fake, self.url, self.content, shard), cwd=self.root,
                stdout=out, stderr=out,
            )  # fmt: skip
        self.running[shard] = proc
        await self.fake.wait_ready(timeout=60, shards=[shard])

    async def kill(self, shard: int) -> None:
        """SIGKILL the process of `shard`: it gives back nothing and finishes nothing."""
        proc = self.running.pop(shard)
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        await self.fake.wait_until(lambda: shard not in self.fake.gateway.live_shards())

    async def stop_all(self) -> None:
        for proc in self.running.values():
            proc.send_signal(signal.SIGTERM)
        for proc in self.running.values():
            try:
                await asyncio.wait_for(proc.wait(), timeout=15)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        self.running.clear()

    def tracebacks(self) -> list[str]:
        """The logs that hold a traceback, with their text."""
        return [
            f"{log.name}:\n{log.read_text()}" for log in self.logs if "Traceback" in log.read_text()
        ]


@contextlib.asynccontextmanager
async def two_processes(fake: FakeDiscord, url: str, root: Path) -> AsyncIterator[Processes]:
    processes = Processes(fake, url, root)
    try:
        await processes.start(0)
        await fake.wait_for_request("PUT", r"/applications/\d+/commands", timeout=60)
        await processes.start(1)
        yield processes
    finally:
        await processes.stop_all()


async def _import_pack(fake: FakeDiscord, server: Server) -> None:
    """`/pack import` of PACK and its Import button as the server's admin; the server's rounds
    are then on the pack's topic."""
    upload = fake.attachment("capitals.gift", PACK, "text/plain")
    i = await fake.slash("pack import", {"file": upload}, server.admin)
    await fake.wait_response(i, timeout=10)
    (preview,) = await fake.wait_followups(i, 1, timeout=10)
    import_id = next(
        c["custom_id"]
        for row in preview.components
        for c in row["components"]
        if c.get("label") == "Import"
    )
    click = await fake.click(preview, import_id, server.admin)
    await fake.wait_response(click, timeout=10)
    await fake.wait_until(lambda: "Imported pack" in fake.messages[preview.id].content)
    server.topic = f"{id_prefix(server.guild.id, 'capitals')}capitals"


async def _start_round(fake: FakeDiscord, server: Server) -> FakeMessage:
    """`/round start` as the server's admin; the first question's message."""
    options = {"topic": server.topic, "questions": QUESTIONS, "seconds": SECONDS}
    start = await fake.slash("round start", options, server.admin)
    await fake.wait_response(start, timeout=10)
    await fake.wait_until(lambda: bool(server.messages(fake)), timeout=10)
    return server.messages(fake)[0]


def _answer_ids(message: FakeMessage) -> list[str]:
    return [
        c["custom_id"]
        for row in message.components
        for c in row["components"]
        if c.get("custom_id", "").startswith("round:answer:") and not c.get("disabled")
    ]


async def _click_all(
    fake: FakeDiscord, server: Server, message: FakeMessage, index: int, who: list[FakeMember]
) -> None:
    """`who` each click an answer of question `index` at once; the answers the bot locked in
    are recorded as acknowledged (a click cut off by a kill gets no answer)."""
    ids = _answer_ids(fake.messages[message.id])
    clicks = [await fake.click(message, ids[i % len(ids)], m) for i, m in enumerate(who)]
    for member, click in zip(who, clicks, strict=True):
        with contextlib.suppress(NoResponse):
            await fake.wait_response(click, timeout=5)
        _acknowledge(server, index, member, click)


def _acknowledge(server: Server, index: int, member: FakeMember, click: InteractionRecord) -> None:
    """Count the click's answer as acknowledged if the bot told the student it was locked in."""
    if click.callback is not None and str(click.callback.content).startswith("Locked in"):
        server.acknowledged.add((index, member.id))


def _reveals(message: FakeMessage) -> int:
    """How many versions of a question message (each edit kept) show its reveal: a reveal
    shown twice would be two."""
    versions = [*message.history, message.snapshot()]
    return sum(1 for v in versions if v["embeds"] and v["embeds"][0].get("color") == REVEAL_COLOUR)


async def _stored(url: str, server: Server) -> tuple[str, set[tuple[int, int]]]:
    """The server's round: its status, and the (question index, student) of every answer."""
    storage = await open_storage(url)
    try:
        (rnd,) = await storage.rounds.recent_in_guild(server.guild.id, 5)
        answers = await storage.rounds.answers(rnd.id)
        return rnd.status, {(a.question_index, a.user_id) for a in answers}
    finally:
        await storage.close()


def _assert_once_each(fake: FakeDiscord, server: Server) -> None:
    """The round posted each question once and its end once, and revealed each question once."""
    messages = server.messages(fake)
    assert len(messages) == QUESTIONS + 1, [m.embeds[0].get("title") for m in messages]
    for question in messages[:QUESTIONS]:
        assert _reveals(question) == 1
    assert messages[-1].history == []  # the podium, posted once and never edited
    podium = f"{messages[-1].content} {messages[-1].embeds}"
    assert "removed" not in podium  # the topic was there all along


async def test_a_killed_process_s_round_is_finished_by_the_other(
    pg_server: Any, tmp_path: Path
) -> None:
    url = pg_server.fresh_database()
    async with FakeDiscord(shard_count=2) as fake:
        servers = [
            _server(fake, fake.guild, 0),
            _server(fake, fake.add_guild("Shard One", shard=(1, 2)), 1),
        ]
        doomed, survivor = servers
        async with two_processes(fake, url, tmp_path) as processes:
            await _import_pack(fake, doomed)
            first = {s.shard: await _start_round(fake, s) for s in servers}
            for server in servers:
                await _click_all(fake, server, first[server.shard], 0, server.students[:3])
            # More clicks on shard 0 as its process is killed: some may be cut off unanswered.
            late = [
                await fake.click(first[0], _answer_ids(first[0])[0], m) for m in doomed.students[3:]
            ]
            await processes.kill(0)
            for member, click in zip(doomed.students[3:], late, strict=True):
                _acknowledge(doomed, 0, member, click)
            await _click_all(fake, survivor, first[1], 0, survivor.students[3:])
            with pytest.raises(Undelivered, match="shard 0 of 2"):
                await fake.click(first[0], _answer_ids(first[0])[0], doomed.students[0])

            # Shard 1's process takes the dead one's deadlines over: both rounds end.
            survivor_second = await _wait_message(fake, survivor, 2)
            await _click_all(fake, survivor, survivor_second, 1, survivor.students)
            for server in servers:
                await _wait_message(fake, server, QUESTIONS + 1, timeout=60)
                status, stored = await _stored(url, server)
                assert status == "finished"
                assert server.acknowledged <= stored
                _assert_once_each(fake, server)
            assert doomed.acknowledged and survivor.acknowledged

            # The killed process comes back: its round is over, nothing is shown again.
            requests = len(fake.requests)
            await processes.start(0)
            await asyncio.sleep(TAKEOVER_SECONDS + 1)
            for server in servers:
                _assert_once_each(fake, server)
            channels = tuple(f"/channels/{s.guild.text_channel.id}/" for s in servers)
            shown = [r for r in fake.requests[requests:] if r.path.startswith(channels)]
            assert [(r.method, r.path) for r in shown if r.method != "GET"] == []
        assert processes.tracebacks() == []
        assert fake.rejections == []


async def _wait_message(
    fake: FakeDiscord,
    server: Server,
    count: int,
    timeout: float = 30.0,  # noqa: ASYNC109
) -> FakeMessage:
    """Wait until the server's channel shows `count` round messages; the last."""
    await fake.wait_until(lambda: len(server.messages(fake)) >= count, timeout=timeout)
    return server.messages(fake)[count - 1]
