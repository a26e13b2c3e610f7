"""/quiz through the fake Discord: every question type of the seed topic, the delayed reveal,
a restart mid-quiz, and every kind of bad click."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot
from tutorbot.content.loader import load_library
from tutorbot.content.models import LETTERS, TYPED, Question, QuestionType, Topic

from .bot_harness import BotFactory, FakeClock
from .helpers import buttons, enabled, message_text

SEED = "self-supervised-learning-theory"


def _question_on_screen(topic: Topic, callback: Any) -> Question:
    """The question whose prompt the message shows."""
    text = callback.embeds[0]["description"]
    found = [q for q in topic.questions if text.startswith(q.prompt)]
    assert len(found) == 1, text
    return found[0]


async def _start(fake: FakeDiscord, topic_id: str, user: Any = None, **options: Any) -> Any:
    i = await fake.slash("quiz", {"topic": topic_id, **options}, user or fake.student)
    return i, await fake.wait_response(i)


async def _click(fake: FakeDiscord, i: Any, label: str, user: Any = None) -> Any:
    message = fake.original(i)
    click = await fake.click(message, enabled(message.components)[label], user or fake.student)
    return await fake.wait_response(click)


async def test_seed_quiz_every_question_type_and_the_delayed_reveal(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake = fake_discord
    topic = bot.services.library.get(SEED)
    assert topic is not None
    i, cb = await _start(fake, SEED)
    assert cb.ephemeral
    seen_types = set()
    for number in range(1, 5):
        current = fake.original(i)
        assert f"Question {number} of 4" in current.embeds[0]["title"]
        question = _question_on_screen(topic, current)
        seen_types.add(question.type)
        if question.type is QuestionType.MULTIPLE_CHOICE:
            assert question.choices is not None
            assert list(buttons(current.components))[: len(question.choices)] == list("ABCD")
            for letter, choice in zip(LETTERS, question.choices, strict=False):
                assert f"**{letter}.** {choice}" in current.embeds[0]["description"]
            result = await _click(fake, i, str(question.answer))
            text = message_text(result)
            assert "✅ Correct!" in text and question.explanation in text
            assert f"Correct answer: **{question.answer_text()}**" in text
        elif question.type is QuestionType.TRUE_FALSE:
            assert {"True", "False"} <= set(buttons(current.components))
            result = await _click(fake, i, "False")
            text = message_text(result)
            assert "❌ Not quite" in text and "Correct answer: **True**" in text
        else:
            assert "Think about your answer, then reveal below." in message_text(current)
            early = await _click(fake, i, "Reveal")
            assert early.ephemeral and early.content.startswith("Not yet")
            assert "<t:" in early.content
            form = await _click(fake, i, "Write my answer")
            assert form.type == 9  # a modal
            submitted = await fake.modal_submit(
                form.data["custom_id"], {"answer": "Masking forces semantics."}, fake.student
            )
            saved = await fake.wait_response(submitted)
            assert saved.ephemeral and "Saved your answer" in saved.content
            clock.advance(question.think_seconds or 0)
            revealed = await _click(fake, i, "Reveal")
            text = message_text(revealed)
            assert "Masking forces semantics." in text
            assert str(question.answer) in text and question.explanation in text
            await _click(fake, i, "Got it")
        label = "See results" if number == 4 else "Next"
        result = await _click(fake, i, label)
    assert seen_types == set(QuestionType) - TYPED  # the seed topic has no typed questions
    summary = message_text(result)
    assert "Score: 3 / 4** (75%)" in summary
    assert "Mastery needs at least 80%" in summary
    answers = await bot.services.storage.answers.recent(fake.student.id, 10)
    assert len(answers) == 4
    assert {a.source for a in answers} == {"quiz"}
    assert sum(a.correct for a in answers) == 3
    assert [a.points for a in answers if not a.correct] == [0]  # a wrong answer earns nothing
    assert await bot.services.quiz.active(fake.student.id) is None
    assert fake.rejections == []


async def test_a_perfect_quiz_masters_the_topic_and_says_what_it_unlocks(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    topic = bot.services.library.get("counting-to-10")
    assert topic is not None
    i, _ = await _start(fake, topic.id, fake.dm_user)
    for number in range(1, len(topic.questions) + 1):
        question = _question_on_screen(topic, fake.original(i))
        if question.type is QuestionType.FREE_RESPONSE:
            bot.clock.advance(question.think_seconds or 0)  # type: ignore[attr-defined]
            await _click(fake, i, "Reveal", fake.dm_user)
            await _click(fake, i, "Got it", fake.dm_user)
        else:
            label = str(question.answer) if isinstance(question.answer, str) else "True"
            if question.type is QuestionType.TRUE_FALSE:
                label = "True" if question.answer else "False"
            await _click(fake, i, label, fake.dm_user)
        done = number == len(topic.questions)
        result = await _click(fake, i, "See results" if done else "Next", fake.dm_user)
    text = message_text(result)
    assert "100%" in text and "You have mastered **Counting to 10**" in text
    assert "Counting to 20" in text  # what it unlocked
    view = await bot.services.progress.student(fake.dm_user.id)
    assert "counting-to-10" in view.mastered


async def test_restart_mid_quiz_continues_from_the_old_message(
    start_bot: BotFactory, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    async with start_bot() as bot:
        topic = bot.services.library.get(SEED)
        assert topic is not None
        i, cb = await _start(fake, SEED, questions=2)
        question = _question_on_screen(topic, cb)
        if question.type is QuestionType.FREE_RESPONSE:
            bot.clock.advance(60)  # type: ignore[attr-defined]
            await _click(fake, i, "Reveal")
            await _click(fake, i, "Partly")
        else:
            await _click(fake, i, "True" if question.type is QuestionType.TRUE_FALSE else "A")
    async with start_bot() as bot:
        after = await _click(fake, i, "Next")
        assert "Question 2 of 2" in after.embeds[0]["title"]
        session = await bot.services.quiz.active(fake.student.id)
        assert session is not None and session.position == 1
    assert fake.rejections == []


async def test_bad_clicks_get_polite_private_answers_and_change_nothing(
    bot: TutorBot, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    topic = bot.services.library.get("addition-within-10")
    assert topic is not None
    i, cb = await _start(fake, topic.id)
    question = _question_on_screen(topic, cb)
    first_button = next(iter(enabled(cb.components).values()))
    session = await bot.services.quiz.active(fake.student.id)
    assert session is not None

    async def answer_to(custom_id: str, user: Any = None, forged: bool = False) -> str:
        click = await fake.click(fake.original(i), custom_id, user or fake.student, forged=forged)
        reply = await fake.wait_response(click)
        assert reply.ephemeral, reply
        return reply.content

    # Someone else's quiz.
    assert "belongs to someone else" in await answer_to(first_button, fake.admin)
    # Answer, then click an answer of the same question again.
    if question.type is QuestionType.FREE_RESPONSE:
        bot.clock.advance(120)  # type: ignore[attr-defined]
        await _click(fake, i, "Reveal")
        await _click(fake, i, "Got it")
        again = f"quiz:assess:{session.id}:0:missed"
    else:
        await fake.wait_response(await fake.click(fake.original(i), first_button, fake.student))
        again = first_button
    assert "already answered" in await answer_to(again, forged=True)
    # Forged or stale custom_ids.
    assert "no longer exists" in await answer_to("quiz:answer:99999:0:A", forged=True)
    assert "no longer active" in await answer_to("quiz:answer:abc", forged=True)
    assert "no longer active" in await answer_to("quiz:frobnicate:1:2", forged=True)
    before = await bot.services.storage.answers.recent(fake.student.id, 50)
    # The topic disappears from content (a reload without it).
    trimmed = tmp_path / "content"
    shutil.copytree(bot.settings.content_dir, trimmed)
    below = "".join(f"- {p}\n" for p in topic.prerequisites)
    for path in trimmed.rglob("*.yaml"):  # what built on it builds on what it built on
        if path.stem == topic.id:
            path.unlink()
        else:
            path.write_text(path.read_text().replace(f"- {topic.id}\n", below))
    bot.services.bundled = load_library(trimmed)
    next_id = enabled(fake.original(i).components)["Next"]
    assert "removed from the content" in await answer_to(next_id)
    assert await bot.services.storage.answers.recent(fake.student.id, 50) == before
    assert fake.rejections == []


async def test_starting_a_second_quiz_asks_first(bot: TutorBot, fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    await _start(fake, "counting-to-10")
    first = await bot.services.quiz.active(fake.student.id)
    i, cb = await _start(fake, "counting-to-20")
    assert "You have a quiz in progress" in message_text(cb)
    keep = await _click(fake, i, "Continue the old one")
    assert "Counting to 10" in keep.embeds[0]["title"]
    i, cb = await _start(fake, "counting-to-20")
    new = await _click(fake, i, "Start new quiz")
    assert "Counting to 20" in new.embeds[0]["title"]
    second = await bot.services.quiz.active(fake.student.id)
    assert first is not None and second is not None and second.id != first.id
    assert (await bot.services.storage.quizzes.get(first.id)).status == "abandoned"  # type: ignore[union-attr]


async def test_practice_button_on_the_topic_card_starts_a_quiz(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    i = await fake.slash("topic", {"topic": SEED}, fake.student)
    card = await fake.wait_response(i)
    click = await fake.click(card, buttons(card.components)["Practice"], fake.student)
    quiz = await fake.wait_response(click)
    assert "Question 1 of 4" in quiz.embeds[0]["title"]


async def test_a_card_and_an_open_form_still_answer_after_a_restart(
    start_bot: BotFactory, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    async with start_bot() as bot:
        card = await fake.slash("topic", {"topic": SEED}, fake.student)
        await fake.wait_response(card)
        topic = bot.services.library.get(SEED)
        assert topic is not None
        free = next(q for q in topic.questions if q.type is QuestionType.FREE_RESPONSE)
        i, _ = await _start(fake, SEED)
        session = await bot.services.quiz.active(fake.student.id)
        assert session is not None
        position = session.question_ids.index(free.id)
        while _question_on_screen(topic, fake.original(i)).id != free.id:
            question = _question_on_screen(topic, fake.original(i))
            await _click(fake, i, "True" if question.type is QuestionType.TRUE_FALSE else "A")
            await _click(fake, i, "Next")
        form = await _click(fake, i, "Write my answer")  # opened before the restart
    async with start_bot() as bot:
        chain = await fake.click(fake.original(card), f"topic:chain:{SEED}:0", fake.student)
        assert "Prerequisite Chain" in (await fake.wait_response(chain)).embeds[0]["title"]
        submitted = await fake.modal_submit(
            form.data["custom_id"], {"answer": "Written before the restart."}, fake.student
        )
        assert "Saved your answer" in (await fake.wait_response(submitted)).content
        session = await bot.services.quiz.active(fake.student.id)
        assert session is not None and session.position == position
        assert session.state["written"] == "Written before the restart."
    assert fake.rejections == []
