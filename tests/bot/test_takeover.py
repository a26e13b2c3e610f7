"""A round whose process dies right after closing a question: the close stored the closed
question, the next step and the reveal in one write, so whichever process comes next (the same
shard's restarted, on SQLite; another shard's taking the timers over, on PostgreSQL) shows the
reveal once, on the question's message, and carries the round on, on the server's own pack
topic, to its podium.

The death is made exact: Discord fails the reveal's edit (discord.py is still trying again when
the process stops), and its reveal is left claimed by a process that no longer runs, as a
SIGKILL leaves it (its lease runs out before anyone else may take it).
tests/bot/test_two_processes.py kills real processes with SIGKILL."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fakediscord import FakeDiscord, FakeMessage, Fault, running
from pydantic import SecretStr

from tutorbot.bot.client import TutorBot
from tutorbot.clock import utc_now
from tutorbot.domain.packs import id_prefix
from tutorbot.scheduler import KEEP, LEASE, Scheduler
from tutorbot.services.round_reveals import TIMER_REVEAL
from tutorbot.services.rounds import TIMER_CLOSE, TIMER_NEXT, TIMER_POST
from tutorbot.storage import RoundAlreadyRunningError, Storage, open_storage
from tutorbot.storage.rounds import Round
from tutorbot.storage.timers import StepTimer, Timer

from .bot_harness import FakeClock, bot_settings
from .helpers import enabled, message_text
from .rounds_helpers import channel_messages, is_revealed, tick

PACK = b"""// World capitals, for a class
::france::What is the capital of France?{=Paris ~Lyon ~Marseille}

::italy::What is the capital of Italy?{=Rome ~Milan ~Naples}
"""
REVEAL_COLOUR = 0x2ECC71
SECONDS = 5
TAKEOVER_SECONDS = 2.0


def _reveals(message: FakeMessage) -> int:
    """How many versions of a question message (each edit kept) show its reveal."""
    versions = [*message.history, message.snapshot()]
    return sum(1 for v in versions if v["embeds"] and v["embeds"][0].get("color") == REVEAL_COLOUR)


class World:
    """One fake Discord, one database and a clock, and the bot processes of a test."""

    def __init__(self, fake: FakeDiscord, database: dict[str, Any], tmp_path: Path) -> None:
        self.fake, self.database, self.tmp_path = fake, database, tmp_path
        self.clock = FakeClock()

    @contextlib.asynccontextmanager
    async def bot(self, **shards: Any) -> AsyncIterator[TutorBot]:
        """A bot process (of some shards, if given) until the block ends."""
        settings = bot_settings(self.fake, self.tmp_path, **self.database, **shards)
        bot = TutorBot(settings, clock=self.clock, guild_ready_timeout=0.05)
        async with running(bot, self.fake) as ready:
            yield ready

    async def storage(self) -> Storage:
        url = self.database.get("database_url")
        return await open_storage(url.get_secret_value() if url else self.database["db_path"])


def _database(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    if backend == "sqlite":
        return {"db_path": tmp_path / "data" / "tutorbot.sqlite3"}
    pg = request.getfixturevalue("pg_server")
    return {"database_url": SecretStr(pg.fresh_database())}


async def _import_pack(fake: FakeDiscord) -> str:
    """/pack import of PACK and its Import button, as the server's admin; the topic's id."""
    upload = fake.attachment("capitals.gift", PACK, "text/plain")
    i = await fake.slash("pack import", {"file": upload}, fake.admin)
    await fake.wait_response(i, timeout=10)
    (preview,) = await fake.wait_followups(i, 1, timeout=10)
    click = await fake.click(preview, enabled(preview.components)["Import"], fake.admin)
    await fake.wait_response(click, timeout=10)
    await fake.wait_until(lambda: "Imported pack" in fake.messages[preview.id].content)
    return f"{id_prefix(fake.guild.id, 'capitals')}capitals"


async def _start_round(fake: FakeDiscord, topic: str) -> FakeMessage:
    start = await fake.slash(
        "round start", {"topic": topic, "questions": 2, "seconds": SECONDS}, fake.admin
    )
    await fake.wait_response(start, timeout=10)
    await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
    return channel_messages(fake)[0]


async def _close_and_die(world: World, bot: TutorBot, question: FakeMessage) -> Fault:
    """The deadline passes and the process closes the question; Discord fails its reveal's
    edit (discord.py tries again itself, seconds apart) and the process dies meanwhile. Returns
    the failure, to end once the process is gone."""
    fake = world.fake
    edits = rf"/channels/{fake.channel.id}/messages/{question.id}"
    failing = fake.fail_next("PATCH", edits, times=100, status=500)
    sent = len(fake.requests)

    def reveal_tried() -> bool:
        return any(
            r.method == "PATCH" and r.body["embeds"][0]["color"] == REVEAL_COLOUR
            for r in fake.requests[sent:]
            if re.fullmatch(edits, r.path)
        )

    await tick(bot, world.clock, SECONDS + 2)
    await fake.wait_until(reveal_tried, timeout=10)
    return failing


async def _as_killed(world: World, failing: Fault, kind: str = TIMER_REVEAL) -> None:
    """After the stop: leave the timer of `kind` claimed by the dead process, as a SIGKILL
    leaves it (a clean stop gives its claims back), until its lease runs out; Discord works
    again."""
    failing.remaining = 0
    storage = await world.storage()
    try:
        now = world.clock()
        assert await storage.timers.claim("killed", {kind}, now, now + LEASE)
    finally:
        await storage.close()


async def _assert_closed_with_follow_ups(world: World) -> None:
    """What the dead process left: the question closed, and both what follows it (the next
    question and the reveal) pending, stored by the one write that closed it."""
    storage = await world.storage()
    try:
        [rnd] = await storage.rounds.running()
        assert rnd.deadline is None  # closed: no answer is taken any more
        pending = {t.kind: t for t in await storage.timers.all() if t.kind != TIMER_CLOSE}
        assert set(pending) == {TIMER_NEXT, TIMER_REVEAL}
        assert pending[TIMER_NEXT].payload["version"] == rnd.version
        assert pending[TIMER_REVEAL].claimed_by == "killed"
    finally:
        await storage.close()


async def _finish(world: World, bot: TutorBot, first: FakeMessage) -> None:
    """The next process shows the held reveal once the dead one's lease ran out, asks the
    pack's second question, and ends the round."""
    fake = world.fake
    await tick(bot, world.clock, LEASE.total_seconds() + TAKEOVER_SECONDS + 1)
    await fake.wait_until(lambda: is_revealed(fake, first), timeout=10)
    await fake.wait_until(lambda: len(channel_messages(fake)) == 2, timeout=10)
    second = channel_messages(fake)[1]
    assert "capital of" in message_text(second)  # the pack's topic, held by this process too
    await tick(bot, world.clock, SECONDS + TAKEOVER_SECONDS + 2)
    await fake.wait_until(lambda: is_revealed(fake, second), timeout=10)
    await tick(bot, world.clock, 4 + TAKEOVER_SECONDS + 1)
    await fake.wait_until(lambda: len(channel_messages(fake)) == 3, timeout=10)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_round_cut_short_after_a_close_is_carried_on_by_the_next_process(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    database = _database(backend, tmp_path, request)
    sharded = backend == "postgresql"  # SQLite: the same process restarted
    async with FakeDiscord(shard_count=2 if sharded else 1) as fake:
        world = World(fake, database, tmp_path)
        doomed = {"shard_count": 2, "shard_ids": (0,)} if sharded else {}
        successor = (
            {"shard_count": 2, "shard_ids": (1,), "timer_takeover_seconds": TAKEOVER_SECONDS}
            if sharded
            else {}
        )
        async with world.bot(**doomed) as bot:
            topic = await _import_pack(fake)
            first = await _start_round(fake, topic)
            failing = await _close_and_die(world, bot, first)
        await _as_killed(world, failing)
        await _assert_closed_with_follow_ups(world)
        assert _reveals(fake.messages[first.id]) == 0

        async with world.bot(**successor) as bot:
            if sharded:
                assert not bot.services.owns_guild(fake.guild.id)
            await _finish(world, bot, first)

        messages = channel_messages(fake)
        assert [_reveals(m) for m in messages[:2]] == [1, 1]  # each reveal shown once
        assert "removed" not in message_text(messages[2])  # the podium, not a topic gone
        storage = await world.storage()
        try:
            [rnd] = await storage.rounds.recent_in_guild(fake.guild.id)
            assert rnd.status == "finished"
            assert [t for t in await storage.timers.all() if t.kind == TIMER_REVEAL] == []
        finally:
            await storage.close()
        assert fake.rejections == []


async def test_a_step_and_its_timers_are_stored_together_or_not_at_all(tmp_path: Path) -> None:
    storage = await open_storage(tmp_path / "steps.sqlite3")
    try:
        now = FakeClock()()
        rnd = await storage.rounds.start(
            guild_id=1, channel_id=2, host_id=3, now=now, state={"asked": []}
        )
        follow = StepTimer(TIMER_NEXT, now, {"round_id": rnd.id, "version": rnd.version + 1})
        broken = StepTimer(TIMER_REVEAL, now, {"round_id": rnd.id, "not json": {1j}})
        step: dict[str, Any] = {
            "now": now,
            "state": {"asked": [1]},
            "current_index": 0,
            "deadline": None,
        }
        with pytest.raises(TypeError):
            await storage.rounds.save_step(
                rnd.id, expected_version=rnd.version, timers=[follow, broken], **step
            )
        assert await storage.rounds.get(rnd.id) == rnd  # the step was not stored either
        assert await storage.timers.all() == []
        saved = await storage.rounds.save_step(
            rnd.id, expected_version=rnd.version, timers=[follow], **step
        )
        assert saved is not None
        again = await storage.rounds.save_step(
            rnd.id, expected_version=rnd.version, timers=[follow], **step
        )
        assert again is None  # a step already taken stores nothing, its timers neither
        [timer] = await storage.timers.all()
        assert (timer.id, timer.guild_id) == (saved[1][0], 1)
        assert json.loads(json.dumps(timer.payload)) == follow.payload
        assert saved[0].version == rnd.version + 1
        assert timer.due_at - now == timedelta(0)
    finally:
        await storage.close()


async def test_a_round_starts_with_its_first_close_timer_in_the_same_write(
    tmp_path: Path,
) -> None:
    storage = await open_storage(tmp_path / "start.sqlite3")
    try:
        now = FakeClock()()

        def close(rnd: Round) -> list[StepTimer]:
            payload = {"round_id": rnd.id, "version": rnd.version}
            return [StepTimer(TIMER_CLOSE, now, payload, key=f"round:{rnd.id}:close")]

        start: dict[str, Any] = {"guild_id": 1, "channel_id": 2, "host_id": 3, "now": now}
        rnd = await storage.rounds.start(**start, then=close)
        [timer] = await storage.timers.all()
        assert (timer.kind, timer.payload, timer.key, timer.guild_id) == (
            TIMER_CLOSE,
            {"round_id": rnd.id, "version": rnd.version},
            f"round:{rnd.id}:close",
            1,
        )
        with pytest.raises(RoundAlreadyRunningError):
            await storage.rounds.start(**start, then=close)
        assert await storage.timers.all() == [timer]  # a round refused stores no timer
    finally:
        await storage.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_question_opened_but_never_posted_is_posted_by_the_next_process(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    database = _database(backend, tmp_path, request)
    sharded = backend == "postgresql"
    async with FakeDiscord(shard_count=2 if sharded else 1) as fake:
        world = World(fake, database, tmp_path)
        doomed = {"shard_count": 2, "shard_ids": (0,)} if sharded else {}
        successor = (
            {"shard_count": 2, "shard_ids": (1,), "timer_takeover_seconds": TAKEOVER_SECONDS}
            if sharded
            else {}
        )
        posts = rf"/channels/{fake.channel.id}/messages"
        async with world.bot(**doomed) as bot:
            first = await _start_round(fake, await _import_pack(fake))
            await tick(bot, world.clock, SECONDS + 2)
            await fake.wait_until(lambda: is_revealed(fake, first), timeout=10)
            # The next question is opened; Discord fails its post and the process dies.
            failing = fake.fail_next("POST", posts, times=100, status=500)
            sent = len(fake.requests)
            await tick(bot, world.clock, 5)
            await fake.wait_for_request("POST", posts, after=sent)
        await _as_killed(world, failing, TIMER_POST)
        storage = await world.storage()
        try:
            [rnd] = await storage.rounds.running()
            assert (rnd.current_index, rnd.message_id) == (1, None)  # opened, never shown
        finally:
            await storage.close()

        async with world.bot(**successor) as bot:
            await tick(bot, world.clock, LEASE.total_seconds() + TAKEOVER_SECONDS + 1)
            await fake.wait_until(lambda: len(channel_messages(fake)) == 2, timeout=10)
            second = channel_messages(fake)[1]
            await fake.wait_until(lambda: is_revealed(fake, second), timeout=10)
            await tick(bot, world.clock, 4 + TAKEOVER_SECONDS + 1)
            await fake.wait_until(lambda: len(channel_messages(fake)) == 3, timeout=10)

        messages = channel_messages(fake)
        assert "capital of" in message_text(messages[1])  # the second question, posted once
        assert [_reveals(m) for m in messages[:2]] == [1, 1]
        assert messages[1].history  # posted as a question, then edited into its reveal
        assert "Round over" in message_text(messages[2])
        assert fake.rejections == []


async def test_a_kept_timer_stays_held_past_its_lease_until_done(tmp_path: Path) -> None:
    storage = await open_storage(tmp_path / "kept.sqlite3")
    scheduler = Scheduler(storage.timers, lease=timedelta(seconds=0.3))
    fired: list[int] = []

    async def hand_on(timer: Timer) -> object:
        fired.append(timer.id)
        return KEEP

    scheduler.register("test.kept", hand_on)
    timer = await scheduler.schedule("test.kept", utc_now(), {})
    await scheduler.start()
    try:
        for _ in range(100):  # the handler ran, and three leases' time passes
            await asyncio.sleep(0.03)
        [held] = await storage.timers.all()
        assert held.claimed_by == scheduler.owner  # renewed: never fired a second time
        assert fired == [timer.id]
        await scheduler.done(timer.id)
        assert await storage.timers.all() == []
    finally:
        await scheduler.stop()
        await storage.close()
