"""The client as a whole: the synced command set, where commands work, and the error path."""

from __future__ import annotations

import logging
import re

import pytest
from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot

STUDENT_COMMANDS = {
    "topic",
    "quiz",
    "review",
    "placement",
    "remind",
    "progress",
    "goal",
    "stats",
    "mydata",
    "forgetme",
}


async def test_the_product_commands_are_synced_once_with_no_clash(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    commands = fake_discord.registered_commands()
    names = [c["name"] for c in commands]
    assert len(names) == len(set(names))
    assert STUDENT_COMMANDS | {"leaderboard"} <= set(names)
    for command in commands:
        assert len(command["name"]) <= 32 and 1 <= len(command["description"]) <= 100


async def test_student_commands_work_in_dms_and_as_a_user_installed_app(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    by_name = {c["name"]: c for c in fake_discord.registered_commands()}
    for name in STUDENT_COMMANDS:
        assert set(by_name[name]["integration_types"]) == {0, 1}, name  # guild and user install
        assert set(by_name[name]["contexts"]) == {0, 1, 2}, name  # server, bot DM, group DM


async def test_an_unexpected_error_gets_an_error_id_and_is_logged_with_it(
    bot: TutorBot, fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.services.storage.close()  # the database goes away under the bot
    with caplog.at_level(logging.ERROR, logger="tutorbot.errors"):
        i = await fake_discord.slash("progress", {}, fake_discord.student)
        cb = await fake_discord.wait_response(i)
    assert cb.ephemeral
    match = re.search(r"something went wrong on our side \(error id `([0-9a-f]{8})`\)", cb.content)
    assert match, cb.content
    assert "Traceback" not in cb.content
    assert any(match.group(1) in record.getMessage() for record in caplog.records)


async def test_instructor_and_admin_commands_are_for_servers_with_the_bot_only(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    by_name = {c["name"]: c for c in fake_discord.registered_commands()}
    for name in ("round", "tutoradmin"):
        assert by_name[name]["contexts"] == [0], name
        assert by_name[name]["integration_types"] == [0], name
