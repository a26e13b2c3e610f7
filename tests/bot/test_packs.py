"""/pack through the fake Discord: an instructor uploads a question bank, previews it, imports
it; students quiz on it and rounds run on it; re-import, remove, export, and every refusal."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import discord
from db_inspect import select
from fakediscord import FakeDiscord, InteractionRecord

from tutorbot.bot.client import TutorBot
from tutorbot.domain.packs import id_prefix

from .bot_harness import BotFactory
from .helpers import buttons, enabled, exported, message_text, right_label

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


def _rows(bot: TutorBot, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    return select(bot.settings.database, sql, *args)


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

    import_id = buttons(preview.components)["Import"]
    assert import_id.startswith("pack:import:")
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
    again = await fake.click(preview, import_id, fake.admin, forged=True)
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

    answered = await _answer_right(bot, fake, topic_id)
    assert _rows(bot, "SELECT user_id, topic_id, correct FROM answers") == [
        (fake.student.id, topic_id, 1)
    ]
    assert answered in {"france", "italy", "spain", "nile"}

    started = await fake.slash("round start", {"topic": topic_id, "questions": 2}, fake.admin)
    assert "Round started on **Capitals**: 2 questions" in (await _reply(fake, started)).content
    await fake.wait_until(
        lambda: any("Capitals" in message_text(m) for m in fake.messages_in(fake.channel))
    )
    stop = await fake.slash("round stop", {}, fake.admin)
    await _reply(fake, stop)
    assert fake.rejections == []


CHANGED = CAPITALS.replace(
    b"::italy::What is the capital of Italy?{=Rome ~Milan ~Naples}",
    b"::italy-city::Which city is the capital of Italy?{=Rome ~Turin ~Naples}",
)
"""The same file with one question changed (its name and prompt: a new question)."""


async def _answer_right(bot: TutorBot, fake: FakeDiscord, topic_id: str) -> str:
    """Start a quiz on the topic as the student, answer the first question right; its id."""
    quiz = await fake.slash("quiz", {"topic": topic_id}, fake.student)
    await fake.wait_response(quiz)
    shown = fake.original(quiz)
    topic = bot.services.packs.library_for(fake.guild.id).get(topic_id)
    assert topic is not None
    text = shown.embeds[0]["description"]
    (question,) = [q for q in topic.questions if text.startswith(q.prompt)]
    await _click(fake, shown, right_label(question), fake.student)
    await fake.wait_until(
        lambda: bool(_rows(bot, "SELECT 1 FROM answers WHERE question_id = ?", question.id))
    )
    return question.id


async def _stats(fake: FakeDiscord) -> str:
    i = await fake.slash("stats", {}, fake.student)
    return message_text(await fake.wait_response(i))


async def _known_line(fake: FakeDiscord) -> str:
    i = await fake.slash("progress", {}, fake.student)
    text = message_text(await fake.wait_response(i))
    return next(line for line in text.splitlines() if "topics" in line and "know" in line)


async def test_reimport_keeps_unchanged_questions_and_remove_keeps_past_answers(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    await _import(fake, "capitals.gift", CAPITALS)
    topic_id = _topic_id(fake)
    answered = await _answer_right(bot, fake, topic_id)
    assert "1 answered · 1 right (100%)" in await _stats(fake)

    _, preview = await _preview(fake, "capitals.gift", CHANGED)
    text = message_text(preview)
    assert "Replaces pack `capitals` (imported <t:" in text
    assert "3 of its 4 questions stay, so their answers and reviews keep counting." in text
    await _click(fake, preview, "Import")
    await fake.wait_until(lambda: "Imported pack" in fake.messages[preview.id].content)
    topic = bot.services.packs.library_for(fake.guild.id).get(topic_id)
    assert topic is not None
    ids = {q.id for q in topic.questions}
    assert ids == {"france", "italy-city", "spain", "nile"}
    assert "1 answered · 1 right (100%)" in await _stats(fake)
    assert _rows(bot, "SELECT topic_id FROM answers WHERE question_id = ?", answered) == [
        (topic_id,)
    ]
    assert len(_rows(bot, "SELECT * FROM packs")) == 1
    with_pack = await _known_line(fake)

    ask = await fake.slash("pack remove", {"pack": "capitals"}, fake.admin)
    confirm = await fake.wait_response(ask)
    assert confirm.ephemeral and "Students' past answers stay in their stats" in confirm.content
    assert list(buttons(confirm.components)) == ["Remove", "Keep"]
    assert buttons(confirm.components)["Remove"] == "pack:remove:capitals"
    await _click(fake, fake.original(ask), "Remove")
    await fake.wait_until(lambda: "Removed pack" in fake.original(ask).content)
    assert "Removed pack `capitals`" in fake.original(ask).content
    assert _rows(bot, "SELECT * FROM packs") == []
    assert topic_id not in await _choices(fake, "quiz", "topic", "Capitals", fake.student)
    assert await _choices(fake, "pack remove", "pack", "", fake.admin) == []
    assert "1 answered · 1 right (100%)" in await _stats(fake)
    without = await _known_line(fake)
    total = int(with_pack.split(" of ")[1].split()[0])
    assert f" of {total - 1} topics" in without
    assert fake.rejections == []


async def test_keep_removes_nothing_and_list_shows_the_packs(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    empty = await fake.slash("pack list", {}, fake.admin)
    assert (await fake.wait_response(empty)).content.startswith("No packs yet: /pack import")
    await _import(fake, "capitals.gift", CAPITALS)
    await _import(fake, "More *capitals* @everyone.gift", CAPITALS)
    listed = await fake.slash("pack list", {}, fake.admin)
    text = message_text(await fake.wait_response(listed))
    assert "`capitals`: capitals.gift (Moodle GIFT), 1 topic, 4 questions, imported <t:" in text
    assert "More \\*capitals\\* @\u200beveryone.gift" in text
    assert await _choices(fake, "pack export", "pack", "cap", fake.admin) == [
        "capitals",
        "more-capitals-everyone",
    ]
    ask = await fake.slash("pack remove", {"pack": "capitals"}, fake.admin)
    await fake.wait_response(ask)
    await _click(fake, fake.original(ask), "Keep")
    assert fake.original(ask).content == "Kept pack `capitals`: nothing was removed."
    assert len(_rows(bot, "SELECT * FROM packs")) == 2
    unknown = await fake.slash("pack remove", {"pack": "nope"}, fake.admin)
    assert "no pack named 'nope'" in (await fake.wait_response(unknown)).content
    assert fake.rejections == []


async def test_a_student_is_refused_politely_and_nothing_is_downloaded(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    _, reply = await _preview(fake, "capitals.gift", CAPITALS, fake.student)
    assert reply.ephemeral
    assert reply.content.startswith("Only instructors can manage this server's packs")
    assert not [r for r in fake.requests if "/attachments/" in r.path]
    for command, options in (("pack remove", {"pack": "x"}), ("pack export", {"pack": "x"})):
        i = await fake.slash(command, options, fake.student)
        assert (await _reply(fake, i)).content.startswith("Only instructors")
    assert _rows(bot, "SELECT * FROM packs") == []
    assert fake.rejections == []


async def test_a_file_over_the_upload_cap_is_refused_before_download(
    start_bot: BotFactory, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    async with start_bot(import_max_file_mb=1) as bot:
        big = CAPITALS + b"\n// padding\n" * 100_000
        i, reply = await _preview(fake, "big_<@123456789012345678>.gift", big)
        cb = await fake.wait_response(i)
        assert cb.type == 4 and reply.ephemeral  # answered at once, not after a download
        assert "cannot be imported: the file is 1.2 MB; files of at most 1 MB" in reply.content
        assert reply.content.startswith("big\\_<@\u200b123456789012345678>.gift cannot be")
        assert "Nothing was stored." in reply.content
        assert not [r for r in fake.requests if "/attachments/" in r.path]
        assert _rows(bot, "SELECT * FROM packs") == []
    assert fake.rejections == []


def _zip_bomb() -> bytes:
    """An Anki package whose collection inflates to 3 MB of zeros from a few kilobytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", b"\0" * (3 * 1024 * 1024))
        archive.writestr("media", b"{}")
    return buf.getvalue()


async def test_a_zip_bomb_is_refused_with_the_caps_message(
    start_bot: BotFactory, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    async with start_bot(import_max_unpacked_mb=1) as bot:
        _, reply = await _preview(fake, "deck.apkg", _zip_bomb())
        assert reply.ephemeral and not reply.components
        assert reply.content == discord.utils.escape_markdown(
            "deck.apkg cannot be imported: the file unpacks to more than 1 MB, the most an "
            "import may unpack (setting TUTORBOT_IMPORT_MAX_UNPACKED_MB); it may be a zip "
            "bomb. Nothing was stored."
        )
        assert _rows(bot, "SELECT * FROM packs") == []
    assert fake.rejections == []


async def test_a_pack_is_not_visible_in_another_server(
    start_bot: BotFactory, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    other = fake.add_guild("Other School")
    teacher = fake.add_member(other, "teacher", manage_guild=True)
    pupil = fake.add_member(other, "pupil")
    async with start_bot() as bot:
        await _import(fake, "capitals.gift", CAPITALS)
        topic_id = _topic_id(fake)
        assert topic_id in await _choices(fake, "quiz", "topic", "Capitals", fake.student)
        assert topic_id not in await _choices(fake, "quiz", "topic", "Capitals", pupil)
        assert await _choices(fake, "pack remove", "pack", "", teacher) == []
        quiz = await fake.slash("quiz", {"topic": topic_id}, pupil)
        assert "No topic matches" in (await fake.wait_response(quiz)).content
        listed = await fake.slash("pack list", {}, teacher)
        assert (await fake.wait_response(listed)).content.startswith("No packs yet")
        export = await fake.slash("pack export", {"pack": "capitals"}, teacher)
        assert "no pack named 'capitals'" in (await _reply(fake, export)).content
        assert len(_rows(bot, "SELECT * FROM packs")) == 1
    assert fake.rejections == []


async def test_import_after_a_restart_says_the_preview_expired(
    start_bot: BotFactory, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    async with start_bot():
        _, preview = await _preview(fake, "capitals.gift", CAPITALS)
    async with start_bot() as bot:
        _, newer = await _preview(fake, "andes.txt", AIKEN)
        assert buttons(newer.components)["Import"] != buttons(preview.components)["Import"]
        click = await _click(fake, preview, "Import")
        text = (await _reply(fake, click)).content
        assert text == (
            "This preview has expired or was already imported. Run /pack import again to "
            "upload the file."
        )
        assert _rows(bot, "SELECT * FROM packs") == []
    assert fake.rejections == []


async def test_cancel_imports_nothing(bot: TutorBot, fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    _, preview = await _preview(fake, "capitals.gift", CAPITALS)
    import_id = buttons(preview.components)["Import"]
    await _click(fake, preview, "Cancel")
    assert fake.messages[preview.id].content == "Cancelled: nothing was imported."
    assert fake.messages[preview.id].components == []
    forged = await fake.click(preview, import_id, fake.admin, forged=True)
    assert "This preview has expired" in (await _reply(fake, forged)).content
    assert _rows(bot, "SELECT * FROM packs") == []


async def test_a_file_with_no_questions_gets_no_import_button(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    _, preview = await _preview(
        fake, "pairs.gift", b"::match:: Match the pairs. {=1 -> one =2 -> two}\n", format="gift"
    )
    text = message_text(preview)
    assert "Nothing here can be imported" in text and "line 1: matching questions" in text
    assert buttons(preview.components) == {}
    assert _rows(bot, "SELECT * FROM packs") == []


async def test_export_gives_a_gift_file_that_imports_back(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    await _import(fake, "capitals.gift", CAPITALS)
    i = await fake.slash("pack export", {"pack": "capitals"}, fake.admin)
    reply = await _reply(fake, i)
    assert reply.ephemeral and "Pack `capitals` as Moodle GIFT" in reply.content
    (exported,) = reply.attachments
    assert exported.filename == "capitals.gift"
    _, again = await _preview(fake, exported.filename, exported.data)
    text = message_text(again)
    assert "4 of its 4 questions stay" in text
    assert "**Capitals**: 4 questions (3 multiple choice, 1 true/false)" in text
    assert "Not imported" not in text
    i = await fake.slash("pack export", {"pack": "capitals", "format": "moodle-xml"}, fake.admin)
    (xml,) = (await _reply(fake, i)).attachments
    assert xml.filename == "capitals.xml" and xml.data.startswith(b"<?xml")
    assert fake.rejections == []


async def test_problems_that_do_not_fit_come_whole_in_problems_txt(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    pairs = b"\n".join(b"::m%d:: Match the pairs. {=1 -> one =2 -> two}\n" % n for n in range(80))
    _, preview = await _preview(fake, "capitals.gift", CAPITALS + b"\n" + pairs)
    text = message_text(preview)
    assert "Not imported (81 problems)" in text and "more in problems.txt" in text
    (problems,) = preview.attachments
    assert problems.filename == "problems.txt"
    lines = problems.data.decode().splitlines()
    assert lines[2] == "line 10: matching questions ({=a -> b}) are not supported"
    assert len(lines) == 2 + 81
    assert "Import" in buttons(preview.components)
    assert fake.rejections == []


AIKEN = b"""What is the capital of Peru?
A. Lima
B. Cusco
ANSWER: A

What is the capital of Chile?
A. Valparaiso
B. Santiago
ANSWER: B
"""


async def test_the_instructor_role_imports_with_a_chosen_format(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    teacher = fake.add_member(fake.guild, "teacher", roles=[fake.instructor_role])
    _, refused = await _preview(fake, "andes.txt", AIKEN, teacher, format="aiken")
    assert refused.content.startswith("Only instructors")
    setting = await fake.slash(
        "tutoradmin settings", {"instructor_role": fake.instructor_role.id}, fake.admin
    )
    await fake.wait_response(setting)
    _, preview = await _preview(fake, "andes.txt", AIKEN, teacher, format="aiken")
    text = message_text(preview)
    assert "format: Aiken" in text and "**Andes**: 2 questions (2 multiple choice)" in text
    click = await _click(fake, preview, "Import", teacher)
    await fake.wait_response(click)
    await fake.wait_until(lambda: "Imported pack `andes`" in fake.messages[preview.id].content)
    assert _rows(bot, "SELECT name, format FROM packs") == [("andes", "aiken")]
    assert fake.rejections == []


async def test_a_double_click_on_import_stores_the_pack_once(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    _, preview = await _preview(fake, "capitals.gift", CAPITALS)
    import_id = buttons(preview.components)["Import"]
    first = await fake.click(preview, import_id, fake.admin)
    second = await fake.click(preview, import_id, fake.admin)
    answers = [await fake.wait_response(click) for click in (first, second)]
    await fake.wait_until(lambda: "Imported pack" in fake.messages[preview.id].content)

    def refusals() -> list[str]:
        """Refused at once, or after a deferred click found the preview gone."""
        at_once = [a.content for a in answers if a.type == 4]
        return at_once + [m.content for m in (*first.followups, *second.followups)]

    await fake.wait_until(lambda: len(refusals()) >= 1)
    replies = refusals()
    assert replies == [
        "This preview has expired or was already imported. Run /pack import again to "
        "upload the file."
    ]
    assert _rows(bot, "SELECT revision FROM pack_revisions") == [(1,)]
    assert fake.rejections == []


async def test_mydata_and_forgetme_treat_pack_answers_like_any_other(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    await _import(fake, "capitals.gift", CAPITALS)
    topic_id = _topic_id(fake)
    answered = await _answer_right(bot, fake, topic_id)
    _, files = await exported(fake, await fake.slash("mydata", {}, fake.student))
    export = json.loads(files[0].data)
    assert [(a["topic_id"], a["question_id"]) for a in export["answers"]] == [(topic_id, answered)]
    asked = await fake.slash("forgetme", {}, fake.student)
    ids = buttons((await fake.wait_response(asked)).components)
    confirm = await fake.click(fake.original(asked), ids["Delete my data"], fake.student)
    await fake.wait_response(confirm)
    assert _rows(bot, "SELECT * FROM answers") == []
    assert len(_rows(bot, "SELECT * FROM packs")) == 1
    assert fake.rejections == []
