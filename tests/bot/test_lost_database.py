"""The data folder deleted while the bot runs: a click is refused as not saved, the loss is
logged once, and the health check fails."""

from __future__ import annotations

import logging
import shutil
from typing import Any

import pytest
from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot
from tutorbot.cli.health import run_healthcheck

from .bot_harness import FakeClock
from .helpers import enabled, message_text

pytestmark = pytest.mark.sqlite_only(
    "the database file deleted under the bot: a PostgreSQL database has no file to lose"
)

ANSWERS = ("A", "True")


async def _click(fake: FakeDiscord, i: Any, label: str) -> Any:
    message = fake.original(i)
    click = await fake.click(message, enabled(message.components)[label], fake.student)
    return click, await fake.wait_response(click)


def _said(fake: FakeDiscord, click: Any, callback: Any) -> str:
    """Everything the clicking user was shown: the callback and any followups."""
    return "\n".join([message_text(callback), *(message_text(m) for m in fake.followups(click))])


async def _to_a_choice_question(fake: FakeDiscord, i: Any, clock: FakeClock) -> str:
    """Answer free-response questions (think, reveal, got it) until one has answer buttons."""
    for _ in range(10):
        labels = enabled(fake.original(i).components)
        for label in ANSWERS:
            if label in labels:
                return label
        clock.advance(600)
        await _click(fake, i, "Reveal")
        await _click(fake, i, "Got it")
        await _click(fake, i, "Next")
    raise AssertionError("no multiple-choice or true/false question in the quiz")


async def test_deleting_the_data_folder_mid_quiz_refuses_the_click_and_reports_unhealthy(
    bot: TutorBot,
    fake_discord: FakeDiscord,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = fake_discord
    db_path = bot.settings.db_path
    i = await fake.slash("quiz", {"topic": "counting-to-10"}, fake.student)
    await fake.wait_response(i)
    label = await _to_a_choice_question(fake, i, clock)
    await bot.services.storage.meta.heartbeat(clock())
    assert run_healthcheck(db_path, clock()) == 0
    answered = len(await bot.services.storage.answers.recent(fake.student.id, 50))

    shutil.rmtree(db_path.parent)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        click, callback = await _click(fake, i, label)
        said = _said(fake, click, callback)
        assert "could not be saved" in said
        assert "Correct" not in said and "Not quite" not in said
        assert "error id" not in said

        # A second click is refused the same way, and the loss is logged once, not per click.
        click, callback = await _click(fake, i, label)
        assert "could not be saved" in _said(fake, click, callback)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert str(db_path) in errors[0].getMessage()
    assert "deleted or replaced" in errors[0].getMessage()

    assert run_healthcheck(db_path, clock()) == 1
    # Reads still see the answers given before the loss; the refused one was not counted.
    assert len(await bot.services.storage.answers.recent(fake.student.id, 50)) == answered
    assert fake.rejections == []
