"""The knowledge map in Discord: /progress and /goal set add it to their private message, its
pages turn with "Earlier"/"Later", the topic card's "Map" button sends the clicker their own map
around the topic; each picture decodes, fits, and carries its alt text."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fakediscord import FakeDiscord
from PIL import Image

from tutorbot.bot.client import TutorBot
from tutorbot.bot.exts.topics.render import map_embed
from tutorbot.content.models import MAX_TITLE, Topic
from tutorbot.pictures.knowledge_map import FILENAME, WIDTH
from tutorbot.pictures.png import ALT_TEXT_LIMIT, UPLOAD_LIMIT

from .bot_harness import BotFactory, FakeClock
from .helpers import answer_all, buttons, embed_text, enabled

SEED = "self-supervised-learning-theory"
DRAWN_WITHIN = 60.0
"""Seconds a test waits for a picture (the worker process starts at the first one; a loaded
machine is slow): a bound for a hung test, not a timing asserted."""


def _description(fake: FakeDiscord, after: int = 0) -> str:
    """The alt text of the latest upload of the map (among requests from index `after`)."""
    for request in reversed(fake.requests[after:]):
        if any(f.filename == FILENAME for f in request.files) and isinstance(request.body, dict):
            data = request.body.get("data", request.body)
            for attachment in data.get("attachments") or request.body.get("attachments") or []:
                if attachment.get("filename") == FILENAME:
                    return str(attachment.get("description"))
    raise AssertionError("no upload of the map")


async def _mapped(fake: FakeDiscord, interaction: Any, before: int = 0) -> Any:
    """The interaction's original message once it holds a map newer than `before` versions."""

    def drawn() -> bool:
        if interaction.original is None:
            return False
        message = fake.original(interaction)
        return len(message.history) > before and any(
            a.filename == FILENAME for a in message.attachments
        )

    await fake.wait_until(drawn, timeout=DRAWN_WITHIN)
    return fake.original(interaction)


def _png_of(message: Any) -> bytes:
    png: bytes = next(a.data for a in message.attachments if a.filename == FILENAME)
    assert len(png) < UPLOAD_LIMIT
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size[0] == WIDTH
    return png


async def test_progress_shows_the_way_to_the_goal_as_a_map(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    goal = await fake.slash("goal set", {"topic": SEED}, fake.student)
    await fake.wait_response(goal)
    await _mapped(fake, goal)

    asked = await fake.slash("progress", {}, fake.student)
    response = await fake.wait_response(asked)
    assert response.ephemeral
    assert "Goal: Self-Supervised Learning Theory" in embed_text(response.embeds[0])
    message = await _mapped(fake, asked)
    assert message.embeds[0]["image"]["url"] == f"attachment://{FILENAME}"
    assert "Goal: Self-Supervised Learning Theory" in embed_text(message.embeds[0])
    _png_of(message)
    alt = _description(fake)
    assert len(alt) <= ALT_TEXT_LIMIT
    assert alt.startswith("Knowledge map: the way to Self-Supervised Learning Theory.")
    assert "Ready to learn next: Counting to 10 (you are here)" in alt
    assert "The goal, Self-Supervised Learning Theory, is on this page" in alt
    assert buttons(message.components) == {}  # one page: no page buttons
    assert bot.services.pictures.drawn == 1  # the second map was the first one, cached
    assert fake.rejections == []


async def test_progress_without_a_goal_maps_what_is_ready(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    asked = await fake.slash("progress", {}, fake.student)
    await fake.wait_response(asked)
    await _mapped(fake, asked)
    assert _description(fake).startswith("Knowledge map: around Counting to 10.")
    assert fake.rejections == []


async def test_marking_a_topic_known_gives_a_fresh_map(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    await bot.services.progress.set_goal(fake.student.id, SEED)
    first = await fake.slash("progress", {}, fake.student)
    await fake.wait_response(first)
    await _mapped(fake, first)
    await bot.services.progress.toggle_known(fake.student.id, "counting-to-20")
    second = await fake.slash("progress", {}, fake.student)
    await fake.wait_response(second)
    await _mapped(fake, second)
    alt = _description(fake)
    assert "2 known" in alt
    assert "Ready to learn next: Understanding Zero (you are here)" in alt, alt
    assert bot.services.pictures.drawn == 2


def _ladder(root: Path, rungs: int) -> Path:
    """A course of rungs a0 → a1 → … with a b(i) beside each a(i), resting on a(i-1), and a
    top resting on the last a and every b: once a student knows half the way, each depth below
    holds a known topic and one ready to learn, so nothing folds and the map has pages."""
    root.mkdir(parents=True)
    for i in range(rungs):
        listed = f"\n- a{i - 1}" if i else " []"
        for name in (f"a{i}", f"b{i}"):
            (root / f"{name}.yaml").write_text(
                f"id: {name}\ntitle: Topic {name.upper()}\nprerequisites:{listed}\n"
                "core_idea: An idea.\n",
                encoding="utf-8",
            )
    below = "".join(f"\n- {p}" for p in [f"a{rungs - 1}", *(f"b{i}" for i in range(rungs))])
    (root / "top.yaml").write_text(
        f"id: top\ntitle: The Top\nprerequisites:{below}\ncore_idea: An idea.\n",
        encoding="utf-8",
    )
    return root


async def test_a_long_map_turns_its_pages_and_refuses_forged_ones(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    async with start_bot(content_dir=_ladder(tmp_path / "course", 24)) as bot:
        await bot.services.progress.set_goal(fake.student.id, "top")
        await bot.services.progress.toggle_known(fake.student.id, "a11")
        asked = await fake.slash("progress", {}, fake.student)
        await fake.wait_response(asked)
        message = await _mapped(fake, asked)
        alt = _description(fake)
        assert "(page 1 of 3)" in alt, alt  # the page where the student is
        assert "Ready to learn next: Topic B0 (you are here); Topic B1" in alt
        assert "The goal, The Top, is on page 3" in alt
        assert enabled(message.components) == {"Later ▶": "progress:map:1:next"}
        assert buttons(message.components)["◀ Earlier"] == "progress:map:0:prev"

        versions = len(message.history)
        later = await fake.click(message, "progress:map:1:next", fake.student)
        await fake.wait_response(later)
        message = await _mapped(fake, asked, versions)
        alt = _description(fake)
        assert "(page 2 of 3)" in alt, alt
        assert "Goal: The Top" in embed_text(message.embeds[0])  # the text stays
        assert enabled(message.components) == {
            "◀ Earlier": "progress:map:0:prev",
            "Later ▶": "progress:map:2:next",
        }

        for forged in ("progress:map:x:next", "progress:map", "progress:mapx:1:next"):
            click = await fake.click(message, forged, fake.student, forged=True)
            answer = await fake.wait_response(click)
            assert "no longer active" in (answer.content or ""), forged

        versions = len(message.history)
        past = await fake.click(message, "progress:map:99:next", fake.student, forged=True)
        await fake.wait_response(past)
        await _mapped(fake, asked, versions)
        alt = _description(fake)
        assert "(page 3 of 3)" in alt  # a page past the end shows the last
        assert "The goal, The Top, is on this page" in alt
    assert fake.rejections == []


async def test_the_topic_cards_map_button_sends_the_clickers_own_map(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    await bot.services.progress.toggle_known(fake.student.id, "counting-to-20")
    card = await fake.slash("topic", {"topic": "understanding-zero"}, fake.student)
    shown = await fake.wait_response(card)
    assert buttons(shown.components)["🗺️ Map"] == "topic:map:understanding-zero"

    clicked = await fake.click(card, "topic:map:understanding-zero", fake.admin)
    answer = await fake.wait_response(clicked)
    assert answer.ephemeral
    assert answer.embeds[0]["title"] == "Map around Understanding Zero"
    message = await _mapped(fake, clicked)
    _png_of(message)
    alt = _description(fake)
    assert alt.startswith("Knowledge map: around Understanding Zero.")
    assert "known" not in alt.split(".")[1]  # the admin knows nothing: their own map
    assert message.embeds[0]["description"] == alt  # the text says what the picture shows

    mine = await fake.click(card, "topic:map:understanding-zero", fake.student)
    await fake.wait_response(mine)
    await _mapped(fake, mine)
    assert "2 known" in _description(fake)

    versions = len(fake.original(mine).history)
    turned = await fake.click(
        mine, "topic:mappage:understanding-zero:0:next", fake.student, forged=True
    )  # a map around a topic has one page here: a stale page button redraws that page
    await fake.wait_response(turned)
    await _mapped(fake, mine, versions)
    assert "2 known" in _description(fake)
    bad_id = "topic:mappage:understanding-zero:x:next"
    bad = await fake.click(mine, bad_id, fake.student, forged=True)
    assert "no longer active" in ((await fake.wait_response(bad)).content or "")

    gone = await fake.click(card, "topic:map:no-such-topic", fake.student, forged=True)
    refused = await fake.wait_response(gone)
    assert "no longer in the course content" in (refused.content or "")
    assert fake.rejections == []


async def test_a_mastered_topic_shows_as_due_once_its_review_comes_due(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake = fake_discord
    quiz = await fake.slash("quiz", {"topic": "counting-to-10"}, fake.student)
    await fake.wait_response(quiz)
    await answer_all(fake, clock, bot.services.library, quiz, fake.student)
    await bot.services.progress.set_goal(fake.student.id, "counting-to-20")

    maps = []
    for days in (0, 60):
        clock.advance(days * 86400)
        asked = await fake.slash("progress", {}, fake.student)
        await fake.wait_response(asked)
        await _mapped(fake, asked)
        maps.append(_description(fake))
    assert maps[0].startswith("Knowledge map: the way to Counting to 20. 2 topics: 1 mastered,")
    assert "Ready to learn next: Counting to 20 (you are here)" in maps[0]
    assert "2 topics: 1 due for review, 1 ready to learn" in maps[1], maps[1]
    assert fake.rejections == []


async def test_the_map_button_works_after_a_restart(
    start_bot: BotFactory, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    async with start_bot():
        card = await fake.slash("topic", {"topic": "counting-to-20"}, fake.student)
        await fake.wait_response(card)
    async with start_bot():
        clicked = await fake.click(card, "topic:map:counting-to-20", fake.student)
        await fake.wait_response(clicked)
        await _mapped(fake, clicked)
        assert _description(fake).startswith("Knowledge map: around Counting to 20.")
    assert fake.rejections == []


def test_the_map_message_fits_discord_at_the_longest_title_and_alt_text() -> None:
    topic = Topic(id="t", title="W" * MAX_TITLE, core_idea="An idea.")
    embed = map_embed(topic, "x" * ALT_TEXT_LIMIT)
    assert embed.title is not None and len(embed.title) <= 256
    assert len(embed) <= 6000
