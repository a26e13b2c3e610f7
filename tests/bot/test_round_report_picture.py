"""The instructor's private round report carries the class at a glance: each student who
answered against the round topic's prerequisites, with its alt text as the description."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fakediscord import FakeDiscord, FakeMessage
from PIL import Image

from tutorbot.pictures.class_glance import FILENAME, MIN_WIDTH
from tutorbot.pictures.png import UPLOAD_LIMIT
from tutorbot.services.rounds import CLOSE_GRACE, NEXT_PAUSE

from .bot_harness import BotFactory, FakeClock
from .helpers import buttons, enabled
from .rounds_helpers import (
    BASE,
    TOPIC,
    channel_messages,
    click,
    is_revealed,
    kind_of,
    reply,
    tick,
    write_course,
)
from .test_stats_pictures import DRAWN_WITHIN, _description

SECONDS = 20


async def _answer(fake: FakeDiscord, question: FakeMessage, user: Any) -> None:
    label = {"mc": "B", "tf": "True"}.get(kind_of(question))
    if label is not None:
        assert "Locked in" in await click(fake, question, label, user)
        return
    form = await fake.click(question, enabled(question.components)["Write my answer"], user)
    shown = await fake.wait_response(form)
    sent = await fake.modal_submit(shown.data["custom_id"], {"answer": "Blue."}, user)
    await reply(fake, sent)


def _png(message: FakeMessage) -> bytes:
    return next(a.data for a in message.attachments if a.filename == FILENAME)


def _check_png(png: bytes, rows: int) -> None:
    assert len(png) < UPLOAD_LIMIT
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        width, height = image.size
    assert width == MIN_WIDTH  # two columns: the narrowest picture
    assert height > 200 + rows * 20


async def test_the_round_report_shows_the_class_at_a_glance(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    ana, ben = fake.add_member(fake.guild, "Ana"), fake.add_member(fake.guild, "Ben")
    async with start_bot(content_dir=write_course(tmp_path / "content")) as bot:
        await bot.services.storage.progress.mark_known(ana.id, BASE, bot.services.clock())
        started = await fake.slash("round start", {"topic": TOPIC, "questions": 1}, fake.admin)
        assert "Round started" in await reply(fake, started)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
        question = channel_messages(fake)[0]
        for student in (ana, ben):
            await _answer(fake, question, student)

        stopped = await fake.slash("round stop", {}, fake.admin)
        assert "Round report" in await reply(fake, stopped)
        report = fake.followups(stopped)[0]
        await fake.wait_until(
            lambda: bool(fake.messages[report.id].attachments), timeout=DRAWN_WITHIN
        )
        _check_png(_png(fake.messages[report.id]), rows=2)
        alt = _description(fake, FILENAME)
        assert "Class at a glance for Sky Colours: 2 students against 2 topics." in alt, alt
        assert "Lacking most: Ben (2), Ana (1)." in alt
        assert "Light Basics: 1 of 2 lack it" in alt and "Sky Colours: 2 of 2 lack it" in alt

        # The podium's "Instructor report" button shows the same picture (from the cache).
        await fake.wait_until(lambda: len(channel_messages(fake)) == 2)
        podium = channel_messages(fake)[-1]
        pressed = await fake.click(
            podium, buttons(podium.components)["Instructor report"], fake.admin
        )
        assert "Round report" in await reply(fake, pressed)
        await fake.wait_until(
            lambda: pressed.original is not None and bool(fake.original(pressed).attachments),
            timeout=DRAWN_WITHIN,
        )
        assert _png(fake.original(pressed)) == _png(fake.messages[report.id])
        assert bot.services.pictures.drawn == 1
    assert fake.rejections == []


async def test_the_report_sent_by_dm_at_a_rounds_end_has_the_picture(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    fake = fake_discord
    ana = fake.add_member(fake.guild, "Ana")
    async with start_bot(content_dir=write_course(tmp_path / "content")) as bot:
        started = await fake.slash(
            "round start", {"topic": TOPIC, "questions": 1, "seconds": SECONDS}, fake.admin
        )
        await reply(fake, started)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
        await _answer(fake, channel_messages(fake)[0], ana)
        await tick(bot, clock, SECONDS + CLOSE_GRACE.total_seconds() + 0.5)
        await fake.wait_until(lambda: is_revealed(fake, channel_messages(fake)[0]))
        await tick(bot, clock, NEXT_PAUSE.total_seconds())
        await fake.wait_until(lambda: len(fake.dms_with(fake.admin)) == 1)
        report = fake.dms_with(fake.admin)[0]
        await fake.wait_until(
            lambda: bool(fake.messages[report.id].attachments), timeout=DRAWN_WITHIN
        )
        assert "Round report" in fake.messages[report.id].content
        _check_png(_png(fake.messages[report.id]), rows=1)
        assert "Sky Colours: 1 student against 2 topics." in _description(fake, FILENAME)
        assert "Lacking most: Ana (2)." in _description(fake, FILENAME)
    assert fake.rejections == []


async def test_a_round_nobody_answered_has_no_picture(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    async with start_bot(content_dir=write_course(tmp_path / "content")) as bot:
        started = await fake.slash("round start", {"topic": TOPIC, "questions": 1}, fake.admin)
        await reply(fake, started)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
        stopped = await fake.slash("round stop", {}, fake.admin)
        assert "Round report" in await reply(fake, stopped)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 2)
        assert fake.followups(stopped)[0].attachments == []
        assert bot.services.pictures.drawn == 0
    assert fake.rejections == []
