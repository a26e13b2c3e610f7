"""Edge cases through the fake Discord: out-of-range options, empty topics, hostile text,
stale and concurrent clicks, commands from the wrong person. Each must get a polite, specific
private answer and leave the database as it was (or hold exactly what the user was told)."""

from __future__ import annotations

import asyncio
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot
from tutorbot.content.loader import load_library
from tutorbot.domain.refusals import Refusal

from .bot_harness import BotFactory, FakeClock
from .helpers import buttons, enabled, message_text
from .rounds_helpers import BASE, TOPIC, channel_messages, reply, write_course

OOPS = "went wrong on our side"
HOSTILE = [
    "@everyone",
    "@here look",
    "<@123456789012345678> <@&234567890123456789> <#789>",
    "**bold** __under__ ~~gone~~ `code` ```block``` [link](https://example.com) || spoiler ||",
    "x" * 6000,
    "@everyone " * 600,
    "🧠 Ünïcødé \u200b\u202e reversed",
]


def _course(root: Path) -> Path:
    """The rounds course plus a topic with no questions at all."""
    write_course(root)
    (root / "empty-topic.yaml").write_text(
        textwrap.dedent(
            """\
            id: empty-topic
            title: Empty Topic
            core_idea: Nothing to practise yet.
            explainer: Questions will come later.
            """
        )
    )
    return root


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return _course(tmp_path / "content")


@pytest.fixture
async def small(start_bot: BotFactory, course: Path) -> Any:
    async with start_bot(content_dir=course) as running_bot:
        yield running_bot


def _no_pings(fake: FakeDiscord) -> None:
    """Every message the bot sent or edited parses no mentions, and the client default is none."""
    checked = 0
    for request in fake.requests:
        if request.method not in {"POST", "PATCH"} or not isinstance(request.body, dict):
            continue
        data = request.body.get("data", request.body)
        if not isinstance(data, dict) or not ({"content", "embeds"} & set(data)):
            continue
        mentions = data.get("allowed_mentions")
        assert mentions is not None, request
        assert mentions.get("parse") == [], request
        assert not mentions.get("users") and not mentions.get("roles"), request
        checked += 1
    assert checked


async def _private(fake: FakeDiscord, interaction: Any) -> str:
    text = await reply(fake, interaction)
    assert OOPS not in text, text
    assert 0 < len(text) <= 2000
    return text


# --- /quiz -------------------------------------------------------------------------------


async def test_quiz_asking_for_more_questions_than_the_topic_has(
    small: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    i = await fake.slash("quiz", {"topic": TOPIC, "questions": 50}, fake.student)
    cb = await fake.wait_response(i)
    assert cb.ephemeral and OOPS not in message_text(cb)
    assert "Question 1 of 3" in cb.embeds[0]["title"]
    session = await small.services.quiz.active(fake.student.id)
    assert session is not None and len(session.question_ids) == 3
    assert fake.rejections == []


@pytest.mark.parametrize("count", [0, -1, 51, 10**9])
async def test_quiz_with_an_out_of_range_question_count_is_refused(
    small: TutorBot, fake_discord: FakeDiscord, count: int
) -> None:
    """Discord enforces 1-50 in the client; a value past it still gets words, not an error id."""
    fake = fake_discord
    i = await fake.slash("quiz", {"topic": TOPIC, "questions": count}, fake.student)
    text = await _private(fake, i)
    assert "between 1 and 50" in text
    assert await small.services.quiz.active(fake.student.id) is None
    assert fake.rejections == []


async def test_quiz_on_a_topic_without_questions(
    small: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    text = await _private(fake, await fake.slash("quiz", {"topic": "empty-topic"}, fake.student))
    assert "no practice questions yet" in text
    assert await small.services.quiz.active(fake.student.id) is None
    card = await fake.wait_response(
        await fake.slash("topic", {"topic": "empty-topic"}, fake.student)
    )
    practice = buttons(card.components)["Practice"]
    assert "Practice" not in enabled(card.components)
    click = await fake.click(card, practice, fake.student, forged=True)
    assert "no practice questions yet" in await _private(fake, click)
    assert await small.services.quiz.active(fake.student.id) is None
    assert fake.rejections == []


# --- hostile text in text options ----------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("command", ["topic", "quiz", "goal set", "round start"])
async def test_hostile_topic_text_gets_a_polite_refusal_that_pings_nobody(
    small: TutorBot, fake_discord: FakeDiscord, command: str, text: str
) -> None:
    fake = fake_discord
    user = fake.admin if command == "round start" else fake.student
    answer = await _private(fake, await fake.slash(command, {"topic": text}, user))
    assert "No topic matches" in answer
    assert "@everyone" not in answer.replace("@\u200beveryone", "")
    assert "@here" not in answer.replace("@\u200bhere", "")
    assert "<@123456789012345678>" not in answer and "<@&234567890123456789>" not in answer
    _no_pings(fake)
    assert await small.services.quiz.active(user.id) is None
    assert await small.services.storage.progress.get_goal(user.id) is None
    assert channel_messages(fake) == []
    assert fake.rejections == []


# --- autocomplete ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["", " ", "x" * 6000, "🧠🧠", "Ünïcødé", "sky\u0000", "@everyone"]
)
@pytest.mark.parametrize("command", ["topic", "quiz", "goal set", "round start"])
async def test_autocomplete_with_odd_input_answers_within_limits(
    small: TutorBot, fake_discord: FakeDiscord, command: str, typed: str
) -> None:
    fake = fake_discord
    i = await fake.autocomplete(command, "topic", typed, fake.admin)
    cb = await fake.wait_response(i)
    assert cb.choices is not None and len(cb.choices) <= 25
    for choice in cb.choices:
        assert 1 <= len(choice["name"]) <= 100 and 1 <= len(str(choice["value"])) <= 100
    if not typed.strip():
        assert len(cb.choices) == 3
    assert fake.rejections == []


# --- /goal ---------------------------------------------------------------------------------


async def test_goal_on_a_topic_already_known(small: TutorBot, fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    await small.services.progress.toggle_known(fake.student.id, TOPIC)
    text = message_text(
        await fake.wait_response(await fake.slash("goal set", {"topic": TOPIC}, fake.student))
    )
    assert OOPS not in text
    assert "Goal set" in text and "✅ reached" in text
    assert (await small.services.progress.student(fake.student.id)).goal == TOPIC
    assert fake.rejections == []


async def test_goal_whose_topic_disappears_in_a_reload(
    small: TutorBot, fake_discord: FakeDiscord, course: Path, tmp_path: Path
) -> None:
    fake = fake_discord
    set_ = await fake.wait_response(await fake.slash("goal set", {"topic": TOPIC}, fake.student))
    assert "Goal set" in message_text(set_)
    trimmed = tmp_path / "trimmed"
    shutil.copytree(course, trimmed)
    (trimmed / f"{TOPIC}.yaml").unlink()
    small.services.bundled = load_library(trimmed)
    progress = await fake.wait_response(await fake.slash("progress", {}, fake.student))
    text = message_text(progress)
    assert OOPS not in text and progress.ephemeral
    cleared = await _private(fake, await fake.slash("goal clear", {}, fake.student))
    assert cleared in {"Goal cleared.", "You had no goal set."}
    assert fake.rejections == []


# --- /forgetme during a quiz ---------------------------------------------------------------


async def test_forgetme_during_a_quiz_then_the_old_quiz_buttons(
    small: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    i = await fake.slash("quiz", {"topic": TOPIC}, fake.student)
    quiz = await fake.wait_response(i)
    old_buttons = enabled(quiz.components)
    ask = await fake.slash("forgetme", {}, fake.student)
    confirm = await fake.wait_response(ask)
    done = await fake.click(confirm, buttons(confirm.components)["Delete my data"], fake.student)
    done_cb = await fake.wait_response(done)
    assert "Deleted everything" in (done_cb.content or "")
    assert await small.services.quiz.active(fake.student.id) is None
    for label, custom_id in old_buttons.items():
        click = await fake.click(fake.original(i), custom_id, fake.student)
        text = await _private(fake, click)
        assert "no longer exists" in text or "no longer active" in text, (label, text)
    assert await small.services.storage.answers.recent(fake.student.id, 10) == []
    assert await small.services.quiz.active(fake.student.id) is None
    assert fake.rejections == []


# --- /round ---------------------------------------------------------------------------------


async def test_round_commands_by_a_student_or_with_no_round(
    small: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    started = await _private(fake, await fake.slash("round start", {"topic": TOPIC}, fake.student))
    assert "instructor" in started.lower()
    assert channel_messages(fake) == []
    assert await small.services.storage.rounds.running() == []
    for command in ("round skip", "round stop", "round results"):
        text = await _private(fake, await fake.slash(command, {}, fake.student))
        assert "instructor" in text.lower(), (command, text)
        text = await _private(fake, await fake.slash(command, {}, fake.admin))
        assert "no round" in text.lower() or "no such round" in text.lower(), (command, text)
    assert fake.rejections == []


async def test_round_results_of_another_servers_round(
    start_bot: BotFactory, fake_discord: FakeDiscord, course: Path
) -> None:
    fake = fake_discord
    other_guild = fake.add_guild("Other Server")
    other_channel = fake.add_text_channel(other_guild, "class")
    other_admin = fake.add_member(other_guild, "other-admin", manage_guild=True)
    async with start_bot(content_dir=course) as bot:
        topic = bot.services.library.get(TOPIC)
        assert topic is not None
        rnd = await bot.services.rounds.start_round(
            guild_id=other_guild.id,
            channel_id=other_channel.id,
            instructor_id=other_admin.id,
            is_instructor=True,
            topic=topic,
            questions=1,
            seconds=5,
            scoring=None,
        )
        assert not isinstance(rnd, Refusal)
        asked = await fake.slash("round results", {"round": rnd.round_id}, fake.admin)
        text = await _private(fake, asked)
        assert "No such round in this server." in text
        assert not (await fake.wait_response(asked)).data.get("attachments")
    assert fake.rejections == []


# --- /tutoradmin settings ------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [{"questions": 0}, {"questions": 51}, {"seconds": 4}, {"seconds": 301}, {"seconds": -5}],
)
async def test_admin_settings_out_of_range_are_refused_and_change_nothing(
    small: TutorBot, fake_discord: FakeDiscord, options: dict[str, int]
) -> None:
    fake = fake_discord
    before = await small.services.storage.settings.get(fake.guild.id)
    text = await _private(fake, await fake.slash("tutoradmin settings", options, fake.admin))
    assert "between" in text, text
    assert await small.services.storage.settings.get(fake.guild.id) == before
    assert fake.rejections == []


async def test_admin_settings_by_a_student(small: TutorBot, fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    before = await small.services.storage.settings.get(fake.guild.id)
    options = {"questions": 5, "seconds": 30}
    text = await _private(fake, await fake.slash("tutoradmin settings", options, fake.student))
    assert "Only server admins" in text
    assert await small.services.storage.settings.get(fake.guild.id) == before


@pytest.mark.parametrize(
    "options", [{"questions": 0}, {"questions": 51}, {"seconds": 4}, {"seconds": 301}]
)
async def test_round_start_out_of_range_is_refused(
    small: TutorBot, fake_discord: FakeDiscord, options: dict[str, int]
) -> None:
    fake = fake_discord
    text = await _private(
        fake, await fake.slash("round start", {"topic": TOPIC, **options}, fake.admin)
    )
    assert "between" in text, text
    assert await small.services.storage.rounds.running() == []
    assert channel_messages(fake) == []


# --- concurrent clicks ---------------------------------------------------------------------


async def test_the_same_answer_clicked_twice_at_once_counts_once(
    small: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    topic = small.services.library.get(BASE)
    assert topic is not None
    i = await fake.slash("quiz", {"topic": BASE}, fake.student)
    quiz = await fake.wait_response(i)
    true_id = enabled(quiz.components)["True"]
    message = fake.original(i)
    first, second = await asyncio.gather(
        fake.click(message, true_id, fake.student), fake.click(message, true_id, fake.student)
    )
    a, b = await asyncio.gather(fake.wait_response(first), fake.wait_response(second))
    texts = sorted([message_text(a), message_text(b)])
    assert all(OOPS not in t for t in texts), texts
    assert any("Correct" in t for t in texts), texts
    assert first.latency is not None and first.latency < 3
    assert second.latency is not None and second.latency < 3
    answers = await small.services.storage.answers.recent(fake.student.id, 10)
    assert len(answers) == 1
    assert fake.rejections == []


async def test_two_different_answers_clicked_at_once_keep_one(
    small: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    i = await fake.slash("quiz", {"topic": BASE}, fake.student)
    quiz = await fake.wait_response(i)
    ids = enabled(quiz.components)
    message = fake.original(i)
    clicks = await asyncio.gather(
        fake.click(message, ids["True"], fake.student),
        fake.click(message, ids["False"], fake.student),
    )
    replies = await asyncio.gather(*(fake.wait_response(c) for c in clicks))
    assert all(OOPS not in message_text(r) for r in replies)
    answers = await small.services.storage.answers.recent(fake.student.id, 10)
    assert len(answers) == 1
    assert fake.rejections == []


async def test_forgetme_confirm_clicked_twice_at_once(
    small: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake = fake_discord
    await small.services.progress.toggle_known(fake.student.id, BASE)
    confirm = await fake.wait_response(await fake.slash("forgetme", {}, fake.student))
    delete = buttons(confirm.components)["Delete my data"]
    clicks = await asyncio.gather(
        fake.click(confirm, delete, fake.student), fake.click(confirm, delete, fake.student)
    )
    replies = await asyncio.gather(*(fake.wait_response(c) for c in clicks))
    assert all(OOPS not in message_text(r) for r in replies)
    assert (
        await small.services.progress.student(fake.student.id)
        == type(await small.services.progress.student(fake.student.id))()
    )
    assert fake.rejections == []


async def test_next_clicked_twice_at_once_moves_one_question(
    small: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    i = await fake.slash("quiz", {"topic": BASE}, fake.student)
    await fake.wait_response(i)
    answered = await fake.click(
        fake.original(i), enabled(fake.original(i).components)["True"], fake.student
    )
    await fake.wait_response(answered)
    message = fake.original(i)
    label = "See results" if "See results" in enabled(message.components) else "Next"
    target = enabled(message.components)[label]
    clicks = await asyncio.gather(
        fake.click(message, target, fake.student), fake.click(message, target, fake.student)
    )
    replies = await asyncio.gather(*(fake.wait_response(c) for c in clicks))
    assert all(OOPS not in message_text(r) for r in replies), [message_text(r) for r in replies]
    assert len(await small.services.storage.answers.recent(fake.student.id, 10)) == 1
    assert await small.services.quiz.active(fake.student.id) is None
    assert fake.rejections == []


async def test_a_round_answer_clicked_twice_at_once_counts_once(
    small: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    started = await fake.slash("round start", {"topic": BASE, "questions": 1}, fake.admin)
    assert "Round started" in await _private(fake, started)
    await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
    question = channel_messages(fake)[0]
    target = enabled(question.components)["True"]
    clicks = await asyncio.gather(
        fake.click(question, target, fake.student), fake.click(question, target, fake.student)
    )
    texts = sorted([await _private(fake, c) for c in clicks])
    assert any(t.startswith("Locked in") for t in texts), texts
    assert any("already answered" in t or t.startswith("Locked in") for t in texts)
    (rnd,) = await small.services.storage.rounds.running()
    answers = await small.services.storage.rounds.answers(rnd.id)
    assert len([a for a in answers if a.user_id == fake.student.id]) == 1
    assert fake.rejections == []


async def test_someone_else_clicking_a_forgetme_confirm(
    small: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    await small.services.progress.toggle_known(fake.student.id, BASE)
    confirm = await fake.wait_response(await fake.slash("forgetme", {}, fake.student))
    delete = buttons(confirm.components)["Delete my data"]
    text = await _private(fake, await fake.click(confirm, delete, fake.admin, forged=True))
    assert "Only the person who asked" in text
    assert BASE in (await small.services.progress.student(fake.student.id)).marked


@pytest.mark.parametrize("written", ["@everyone " * 600, "```" + "x" * 5000, "   "])
async def test_a_hostile_or_huge_written_answer_is_kept_inside_the_limits(
    small: TutorBot, fake_discord: FakeDiscord, clock: FakeClock, written: str
) -> None:
    fake = fake_discord
    i = await fake.slash("quiz", {"topic": TOPIC}, fake.student)
    await fake.wait_response(i)
    session = await small.services.quiz.active(fake.student.id)
    assert session is not None
    position = session.question_ids.index("fr")
    for _ in range(position):  # answer whatever comes before the free-response question
        shown = enabled(fake.original(i).components)
        label = "B" if "B" in shown else "True"
        await fake.wait_response(await fake.click(fake.original(i), shown[label], fake.student))
        nxt = enabled(fake.original(i).components)["Next"]
        await fake.wait_response(await fake.click(fake.original(i), nxt, fake.student))
    form_id = f"quiz:written:{session.id}:{position}"
    saved = await fake.modal_submit(form_id, {"answer": written}, fake.student, forged=True)
    assert "Saved your answer" in await _private(fake, saved)
    clock.advance(600)
    reveal = enabled(fake.original(i).components)["Reveal"]
    revealed = await fake.wait_response(await fake.click(fake.original(i), reveal, fake.student))
    text = message_text(revealed)
    assert OOPS not in text and "Model answer" in text
    if written.startswith("```"):  # shown as typed: it cannot turn what follows into code
        assert "\\`\\`\\`" in text and "\n```" not in text
    _no_pings(fake)
    assert fake.rejections == []
