"""/stats shows the student's activity chart: the figures at once, then the chart added to the
same private message, with its alt text as the attachment's description."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from fakediscord import FakeDiscord
from PIL import Image

from tutorbot.bot.client import TutorBot
from tutorbot.pictures.activity import FILENAME, HEIGHT, WIDTH
from tutorbot.pictures.png import UPLOAD_LIMIT

from .bot_harness import FakeClock
from .helpers import message_text

DRAWN_WITHIN = 60.0
"""Seconds a test waits for a picture (the worker process starts at the first one; a loaded
machine is slow): a bound for a hung test, not a timing asserted."""


async def _answers(bot: TutorBot, user: int, days_ago: list[int], correct: bool = True) -> None:
    now = bot.services.clock()
    for ago in days_ago:
        await bot.services.storage.answers.record(
            user_id=user,
            guild_id=None,
            topic_id="t",
            question_id="q",
            answer="B",
            correct=correct,
            seconds=2.0,
            source="quiz",
            now=now - timedelta(days=ago),
        )


def _description(fake: FakeDiscord, filename: str) -> str:
    """The alt text the bot sent with the latest upload of `filename`."""
    for request in reversed(fake.requests):
        if any(f.filename == filename for f in request.files) and isinstance(request.body, dict):
            for attachment in request.body.get("attachments") or []:
                if attachment.get("filename") == filename:
                    return str(attachment.get("description"))
    raise AssertionError(f"no upload of {filename}")


async def test_stats_shows_the_activity_chart(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake = fake_discord
    await _answers(bot, fake.student.id, [0, 0, 0, 2, 2, 40])
    await _answers(bot, fake.student.id, [2], correct=False)

    asked = await fake.slash("stats", {}, fake.student)
    response = await fake.wait_response(asked)
    assert response.ephemeral
    assert "7 answered" in message_text(response)  # the figures do not wait for the chart

    def charted() -> Any:
        message = fake.original(asked) if asked.original is not None else None
        return message is not None and any(a.filename == FILENAME for a in message.attachments)

    await fake.wait_until(charted, timeout=DRAWN_WITHIN)
    message = fake.original(asked)
    assert message.embeds[0]["image"]["url"] == f"attachment://{FILENAME}"
    assert "7 answered" in message_text(message)
    png = next(a.data for a in message.attachments if a.filename == FILENAME)
    assert len(png) < UPLOAD_LIMIT
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (WIDTH, HEIGHT)
    alt = _description(fake, FILENAME)
    assert "6 answers on 2 of 30 days, 83% right" in alt, alt
    assert "Today: 3" in alt
    assert fake.rejections == []


async def test_a_new_answer_gives_a_new_chart(bot: TutorBot, fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    seen: list[str] = []
    for _ in range(2):
        await _answers(bot, fake.student.id, [0])
        asked = await fake.slash("stats", {}, fake.student)
        await fake.wait_response(asked)
        await fake.wait_until(
            lambda i=asked: i.original is not None and bool(fake.original(i).attachments),
            timeout=DRAWN_WITHIN,
        )
        seen.append(_description(fake, FILENAME))
    assert "1 answer on 1 of 30 days" in seen[0]
    assert "2 answers on 1 of 30 days" in seen[1]
    assert bot.services.pictures.drawn == 2
