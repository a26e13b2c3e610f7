"""/round start thread:on through the fake Discord: the round runs in a new public thread of the
channel (the channel is told where, and who won at the end), the round commands work from the
channel too; without the permissions to start one the instructor is told which is missing and
nothing starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakediscord import FakeDiscord
from fakediscord.threads import (
    CREATE_PUBLIC_THREADS,
    SEND_MESSAGES_IN_THREADS,
    THREAD_PERMISSIONS,
    add_thread,
    threads_of,
)

from .bot_harness import BotFactory
from .helpers import message_text
from .rounds_helpers import click, reply
from .test_round_options import TOPIC, write_true_course


def grant(fake: FakeDiscord, permissions: int) -> None:
    """Give the bot a role with these permissions."""
    role = fake.add_role(fake.guild, "bot-threads", permissions)
    fake.guild.members[fake.bot.id].roles.append(role)


@pytest.mark.parametrize(
    ("granted", "missing"),
    [
        (0, "**Create Public Threads** and **Send Messages in Threads**"),
        (CREATE_PUBLIC_THREADS, "**Send Messages in Threads** permission"),
        (SEND_MESSAGES_IN_THREADS, "**Create Public Threads** permission"),
    ],
)
async def test_without_the_permissions_the_instructor_is_told_which_and_nothing_starts(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path, granted: int, missing: str
) -> None:
    fake = fake_discord
    grant(fake, granted)
    async with start_bot(content_dir=write_true_course(tmp_path / "content")) as bot:
        started = await fake.slash(
            "round start", {"topic": TOPIC, "questions": 2, "thread": "on"}, fake.admin
        )
        said = await reply(fake, started)
        assert "I cannot run the round in a thread here: I need the " + missing in said, said
        assert "Nothing was started" in said
        assert threads_of(fake, fake.channel) == []
        assert fake.messages_in(fake.channel) == []
        assert await bot.services.storage.rounds.running() == []


async def test_a_round_in_a_thread_is_announced_played_there_and_stopped_from_the_channel(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    grant(fake, THREAD_PERMISSIONS)
    ana = fake.add_member(fake.guild, "ana")
    async with start_bot(content_dir=write_true_course(tmp_path / "content")):
        started = await fake.slash(
            "round start", {"topic": TOPIC, "questions": 2, "thread": "on"}, fake.admin
        )
        said = await reply(fake, started)
        (thread,) = threads_of(fake, fake.channel)
        assert thread.name == "Round: Plain Facts"
        assert f"2 questions in <#{thread.id}>" in said, said
        (announced,) = fake.messages_in(fake.channel)
        assert f"starts in <#{thread.id}>" in announced.content

        await fake.wait_until(lambda: len(fake.messages_in(thread)) == 1)
        (question,) = fake.messages_in(thread)
        assert "Question 1 of 2" in message_text(question)
        assert "Locked in" in await click(fake, question, "True", ana)

        paused = await fake.slash("round pause", {}, fake.admin)  # from the channel
        assert "Paused question 1 of 2" in await reply(fake, paused)
        resumed = await fake.slash("round resume", {}, fake.admin, channel=thread)
        assert "Resumed question 1 of 2" in await reply(fake, resumed)
        stopped = await fake.slash("round stop", {}, fake.admin)  # from the channel again
        assert "Round report" in await reply(fake, stopped)

        await fake.wait_until(
            lambda: any("Round over" in message_text(m) for m in fake.messages_in(thread))
        )
        await fake.wait_until(lambda: len(fake.messages_in(fake.channel)) == 2)
        ended = fake.messages_in(fake.channel)[-1].content
        assert f"in <#{thread.id}> is over" in ended and "🥇 Ana" in ended, ended
        again = await fake.slash("round stop", {}, fake.admin)
        assert "There is no round running in this channel" in await reply(fake, again)
    assert fake.rejections == []


async def test_the_server_default_runs_rounds_in_threads_and_thread_off_overrides_it(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    grant(fake, THREAD_PERMISSIONS)
    async with start_bot(content_dir=write_true_course(tmp_path / "content")):
        changed = await fake.slash("tutoradmin settings", {"thread": "on"}, fake.admin)
        assert "thread on" in await reply(fake, changed)
        started = await fake.slash("round start", {"topic": TOPIC, "questions": 1}, fake.admin)
        await reply(fake, started)
        assert len(threads_of(fake, fake.channel)) == 1
        here = await fake.slash(
            "round start",
            {"topic": TOPIC, "questions": 1, "thread": "off"},
            fake.admin,
            channel=fake.other_channel,
        )
        said = await reply(fake, here)
        assert f"in <#{fake.other_channel.id}>" in said, said
        assert threads_of(fake, fake.other_channel) == []


async def test_started_inside_a_thread_the_round_runs_in_that_thread(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    grant(fake, SEND_MESSAGES_IN_THREADS)  # no new thread is started: no Create Public Threads
    thread = add_thread(fake, fake.channel, "our round")
    async with start_bot(content_dir=write_true_course(tmp_path / "content")):
        started = await fake.slash(
            "round start",
            {"topic": TOPIC, "questions": 1, "thread": "on"},
            fake.admin,
            channel=thread,
        )
        assert f"1 questions in <#{thread.id}>" in await reply(fake, started)
        await fake.wait_until(lambda: len(fake.messages_in(thread)) == 1)
        assert threads_of(fake, fake.channel) == [thread]
        assert fake.messages_in(fake.channel) == []
