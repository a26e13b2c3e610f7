"""Typed questions (short answer, numeric) through the fake Discord, on a small course of the
test's own: a quiz answered in the "Type my answer" form (a near match accepted, a wrong answer,
text refused for a number with nothing recorded), a review of a typed question, and a placement
answered by typing."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot
from tutorbot.content.models import Question, Topic

from .bot_harness import BotFactory, FakeClock
from .helpers import click_label, enabled, message_text, question_on_screen

TYPE = "Type my answer"
DAY = 24 * 3600.0
BASICS = """\
id: capitals
title: Capitals
core_idea: Every country has a capital.
questions:
  - id: australia
    type: short_answer
    prompt: What is the capital of Australia?
    answers: ["Canberra", "Canberra ACT"]
    explanation: Canberra was chosen as a compromise between Sydney and Melbourne.
  - id: river
    type: short_answer
    prompt: Which river flows through Vienna?
    answers: ["Danube"]
    explanation: The Danube flows through four capitals.
"""
NUMBERS = """\
id: halves
title: Halves
prerequisites: [capitals]
core_idea: Half of a number.
questions:
  - id: half
    type: numeric
    prompt: What is half of 7?
    answer: 3.5
    explanation: 7 / 2 = 3.5.
"""
TYPED_ANSWERS = {
    "australia": "canbera",  # one typo in an 8-letter answer: accepted
    "river": "Rhine",  # wrong
    "half": "7/2",  # right, written as a fraction
}


def _course(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "capitals.yaml").write_text(textwrap.dedent(BASICS))
    (root / "halves.yaml").write_text(textwrap.dedent(NUMBERS))
    return root


async def _type(fake: FakeDiscord, i: Any, text: str, user: Any) -> Any:
    """Press Type my answer and send `text` in the form; the answer to the form."""
    form = await click_label(fake, i, TYPE, user)
    assert form.type == 9, form  # a modal
    submitted = await fake.modal_submit(form.data["custom_id"], {"answer": text}, user)
    return await fake.wait_response(submitted)


def _on_screen(bot: TutorBot, fake: FakeDiscord, i: Any) -> tuple[Topic, Question]:
    return question_on_screen(bot.services.library, fake.original(i))


async def test_a_quiz_of_typed_questions_judges_what_is_typed(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake, user = fake_discord, fake_discord.student
    async with start_bot(content_dir=_course(tmp_path / "content")) as bot:
        i = await fake.slash("quiz", {"topic": "capitals"}, user)
        first = await fake.wait_response(i)
        assert TYPE in enabled(first.components) and "Reveal" not in enabled(first.components)
        assert "case, accents and punctuation do not matter" in message_text(first)
        session = await bot.services.quiz.active(user.id)
        assert session is not None
        # A choice button forged onto a typed question is refused politely.
        forged = await fake.click(
            fake.original(i), f"quiz:answer:{session.id}:0:A", user, forged=True
        )
        assert "does not fit this kind of question" in (await fake.wait_response(forged)).content
        for number in (1, 2):
            _, question = _on_screen(bot, fake, i)
            shown = message_text(await _type(fake, i, TYPED_ANSWERS[question.id], user))
            assert question.explanation in shown
            if question.id == "australia":
                assert "✅ Correct!" in shown and "You typed: canbera" in shown
                assert "Accepted: **Canberra**" in shown
                assert "Expected answer: **Canberra**" in shown
            else:
                assert "❌ Not quite" in shown and "You typed: Rhine" in shown
                assert "Accepted" not in shown and "Expected answer: **Danube**" in shown
            summary = await click_label(fake, i, "See results" if number == 2 else "Next", user)
        assert "Score: 1 / 2** (50%)" in message_text(summary)
        answers = await bot.services.storage.answers.recent(user.id, 10)
        assert sorted((a.question_id, a.answer, a.correct) for a in answers) == [
            ("australia", "canbera", True),
            ("river", "Rhine", False),
        ]
    assert fake.rejections == []


async def test_text_for_a_number_is_refused_politely_and_nothing_is_recorded(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake, user = fake_discord, fake_discord.student
    async with start_bot(content_dir=_course(tmp_path / "content")) as bot:
        i = await fake.slash("quiz", {"topic": "halves"}, user)
        first = await fake.wait_response(i)
        assert "Type a number below: 3.5, 3,5, 7/2 and -0.25 all work." in message_text(first)
        refused = await _type(fake, i, "three and a half", user)
        assert refused.ephemeral
        assert "That is not a number: type something like 3.5, 3,5, 7/2 or -0.25." in (
            refused.content
        )
        assert await bot.services.storage.answers.recent(user.id, 10) == []
        session = await bot.services.quiz.active(user.id)
        assert session is not None and session.state["answers"] == []
        assert TYPE in enabled(fake.original(i).components)  # the question waits, unchanged
        shown = message_text(await _type(fake, i, " 3,5 ", user))
        assert "✅ Correct!" in shown and "You typed: 3,5" in shown
        assert "Expected answer: **3.5**" in shown
        # After a restart, the resumed question shows what was typed, and Next.
    async with start_bot(content_dir=tmp_path / "content") as bot:
        again = await fake.slash("quiz", {"topic": "halves"}, user)
        await fake.wait_response(again)
        resumed = await click_label(fake, again, "Continue the old one", user)
        assert "You typed\n3,5" in message_text(resumed)
        assert set(enabled(resumed.components)) == {"See results"}
        answers = await bot.services.storage.answers.recent(user.id, 10)
        assert [(a.answer, a.correct) for a in answers] == [("3,5", True)]
    assert fake.rejections == []


async def test_a_typed_question_comes_back_in_a_review(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    fake, user = fake_discord, fake_discord.student
    async with start_bot(content_dir=_course(tmp_path / "content")) as bot:
        i = await fake.slash("quiz", {"topic": "halves"}, user)
        await fake.wait_response(i)
        await _type(fake, i, "3.5", user)
        await click_label(fake, i, "See results", user)
        clock.advance(30 * DAY)
        r = await fake.slash("review", {}, user)
        started = await fake.wait_response(r)
        assert started.embeds[0]["title"].startswith("Review · Halves · Question 1 of 1")
        assert TYPE in enabled(started.components)
        shown = message_text(await _type(fake, r, "3.6", user))
        assert "❌ Not quite" in shown and "Expected answer: **3.5**" in shown
        assert "This topic builds on **Capitals**" in shown  # a missed review looks below
        done = await click_label(fake, r, "See results", user)
        assert "0 of 1 remembered" in message_text(done)
        answers = await bot.services.storage.answers.recent(user.id, 10)
        assert [(a.source, a.answer, a.correct) for a in answers] == [
            ("review", "3.6", False),
            ("quiz", "3.5", True),
        ]
    assert fake.rejections == []


async def test_a_placement_is_answered_by_typing(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake, user = fake_discord, fake_discord.student
    async with start_bot(content_dir=_course(tmp_path / "content")) as bot:
        i = await fake.slash("placement", {}, user)
        first = await fake.wait_response(i)
        assert {TYPE, "I don't know", "Stop"} <= set(enabled(first.components))
        # capitals first (the smaller id of two equally good splits), its strongest question
        assert "What is the capital of Australia?" in message_text(first)
        # a right typed answer (+2.17 bits) passes Capitals alone: Halves comes next
        second = await _type(fake, i, "Canberra ACT", user)
        assert "What is half of 7?" in message_text(second)
        refused = await _type(fake, i, "half", user)
        assert refused.ephemeral and "That is not a number" in refused.content
        end = message_text(await _type(fake, i, "3.5", user))
        assert "It took **2 questions**." in end
        assert "📍 **2 topics known by placement.**" in end
        student = await bot.services.progress.student(user.id)
        assert student.placed == frozenset({"capitals", "halves"})
        assert await bot.services.storage.answers.recent(user.id, 10) == []
    assert fake.rejections == []


async def test_i_dont_know_and_a_form_opened_before_a_restart(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake, user = fake_discord, fake_discord.student
    content = _course(tmp_path / "content")
    async with start_bot(content_dir=content) as bot:
        i = await fake.slash("placement", {}, user)
        await fake.wait_response(i)
        # I don't know on a typed question: a wrong answer, Capitals and Halves fail at once
        end = message_text(await click_label(fake, i, "I don't know", user))
        assert "It took **1 question**." in end and "No topic placed this time" in end
        q = await fake.slash("quiz", {"topic": "capitals"}, user)
        await fake.wait_response(q)
        _, question = _on_screen(bot, fake, q)
        typed = question.accepted[0].upper()
        form = await click_label(fake, q, TYPE, user)  # opened before the restart
    async with start_bot(content_dir=content) as bot:
        submitted = await fake.modal_submit(form.data["custom_id"], {"answer": typed}, user)
        shown = message_text(await fake.wait_response(submitted))
        assert "✅ Correct!" in shown and f"You typed: {typed}" in shown
        assert "Accepted" not in shown  # an exact match, case aside
        again = await fake.modal_submit(
            form.data["custom_id"], {"answer": "Sydney"}, user, forged=True
        )
        assert (
            f"already answered this question ({typed})" in (await fake.wait_response(again)).content
        )
        answers = await bot.services.storage.answers.recent(user.id, 10)
        assert [(a.answer, a.correct) for a in answers] == [(typed, True)]
    assert fake.rejections == []
