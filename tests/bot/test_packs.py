"""/pack through the fake Discord: an instructor uploads a question bank, previews it, imports
it; students quiz on it and rounds run on it; re-import, remove, export, and every refusal."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from fakediscord import FakeDiscord, InteractionRecord

from tutorbot.bot.client import TutorBot
from tutorbot.domain.packs import id_prefix

from .helpers import buttons, enabled, message_text

CAPITALS = b"""// World capitals, for a class
::france::What is the capital of France?{=Paris ~Lyon ~Marseille}

::italy::What is the capital of Italy?{=Rome ~Milan ~Naples}

::spain::What is the capital of Spain?{=Madrid ~Seville ~Valencia}

::nile::The Nile is in Africa.{T}

::match:: Match the pairs. {=1 -> one =2 -> two}
"""
"""Four questions in one topic (Capitals), and a matching question on line 10 that is not
imported."""
DEFERRED = {5, 6}
"""Callbacks that defer ("thinking", or a click's update): the answer follows as a followup."""


def _db(bot: TutorBot) -> Path:
    return bot.settings.db_path


def _rows(bot: TutorBot, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(_db(bot)) as conn:
        return conn.execute(sql, args).fetchall()


def _topic_id(fake: FakeDiscord, name: str = "capitals", slug: str = "capitals") -> str:
    return f"{id_prefix(fake.guild.id, name)}{slug}"


async def _preview(
    fake: FakeDiscord, file_name: str, data: bytes, user: Any = None, **options: Any
) -> tuple[InteractionRecord, Any]:
    """Run /pack import with the file; the reply (a followup after "thinking")."""
    upload = fake.attachment(file_name, data, "text/plain")
    i = await fake.slash("pack import", {"file": upload, **options}, user or fake.admin)
    return i, await _reply(fake, i)


async def _click(fake: FakeDiscord, message: Any, label: str, user: Any = None) -> Any:
    click = await fake.click(message, enabled(message.components)[label], user or fake.admin)
    await fake.wait_response(click, timeout=10)
    return click


async def _import(fake: FakeDiscord, file_name: str, data: bytes) -> Any:
    """Preview and import; the preview message as edited by Import."""
    _, preview = await _preview(fake, file_name, data)
    await _click(fake, preview, "Import")
    await fake.wait_until(lambda: "Imported pack" in fake.messages[preview.id].content)
    return fake.messages[preview.id]


async def _choices(fake: FakeDiscord, command: str, option: str, typed: str, user: Any) -> Any:
    i = await fake.autocomplete(command, option, typed, user)
    return [c["value"] for c in (await fake.wait_response(i)).choices]


async def _reply(fake: FakeDiscord, i: InteractionRecord) -> Any:
    first = await fake.wait_response(i, timeout=10)
    if first.type in DEFERRED:
        (reply,) = await fake.wait_followups(i, 1, timeout=10)
        return reply
    return first


async def test_preview_shows_topics_counts_and_problems_and_stores_nothing_before_import(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    _, preview = await _preview(fake, "capitals.gift", CAPITALS)
    assert preview.ephemeral
    text = message_text(preview)
    assert "Preview of pack capitals" in text
    assert "File: capitals.gift · format: Moodle GIFT" in text
    assert "**Capitals**: 4 questions (3 multiple choice, 1 true/false)" in text
    assert "line 10: matching questions" in text
    assert "Replaces" not in text
    assert list(buttons(preview.components)) == ["Import", "Cancel"]
    assert _rows(bot, "SELECT * FROM packs") == []
    assert _topic_id(fake) not in await _choices(fake, "quiz", "topic", "Capitals", fake.student)

    await _click(fake, preview, "Import")
    await fake.wait_until(lambda: "Imported pack" in fake.messages[preview.id].content)
    done = fake.messages[preview.id]
    assert done.content == (
        "Imported pack `capitals`: 1 topic, 4 questions. Students find them in /topic, /quiz, "
        "/review and /round start now."
    )
    assert done.components == [] and done.embeds == []
    assert _rows(bot, "SELECT name, source, format, topic_count, question_count FROM packs") == [
        ("capitals", "capitals.gift", "gift", 1, 4)
    ]
    again = await fake.click(preview, "pack:import:1", fake.admin, forged=True)
    assert "expired or was already imported" in (await _reply(fake, again)).content
    assert len(_rows(bot, "SELECT * FROM packs")) == 1
    assert fake.rejections == []


async def test_a_student_quizzes_on_the_pack_and_an_instructor_runs_a_round(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    await _import(fake, "capitals.gift", CAPITALS)
    topic_id = _topic_id(fake)
    assert topic_id in await _choices(fake, "topic", "topic", "Capitals", fake.student)
    assert topic_id in await _choices(fake, "quiz", "topic", "capitals", fake.student)

    quiz = await fake.slash("quiz", {"topic": topic_id}, fake.student)
    shown = await fake.wait_response(quiz)
    assert "Capitals" in shown.embeds[0]["title"]
    await _click(fake, fake.original(quiz), "A", fake.student)
    await fake.wait_until(
        lambda: bool(_rows(bot, "SELECT 1 FROM answers WHERE topic_id = ?", topic_id))
    )
    ((user_id, question_id),) = _rows(
        bot, "SELECT user_id, question_id FROM answers WHERE topic_id = ?", topic_id
    )
    assert user_id == fake.student.id and question_id in {"france", "italy", "spain", "nile"}

    started = await fake.slash("round start", {"topic": topic_id, "questions": 2}, fake.admin)
    assert "Round started on **Capitals**: 2 questions" in (await _reply(fake, started)).content
    await fake.wait_until(
        lambda: any("Capitals" in message_text(m) for m in fake.messages_in(fake.channel))
    )
    stop = await fake.slash("round stop", {}, fake.admin)
    await _reply(fake, stop)
    assert fake.rejections == []
