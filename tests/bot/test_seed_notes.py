"""Through the fake Discord, a student sees the seed topic's notes: the topic's under its core
idea on the card, and each question's after its explanation when the answer is shown."""

from __future__ import annotations

from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot
from tutorbot.content.models import QuestionType

from .bot_harness import FakeClock
from .helpers import click_label, embed_text, message_text, question_on_screen, right_label

SEED = "self-supervised-learning-theory"


async def test_the_card_shows_the_topic_note_under_the_seed_core_idea(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    topic = bot.services.library.get(SEED)
    assert topic is not None and topic.note is not None
    i = await fake_discord.slash("topic", {"topic": SEED}, fake_discord.student)
    text = embed_text((await fake_discord.wait_response(i)).embeds[0])
    assert f"**Core Idea**\n{topic.core_idea}\n\n**Note:** {topic.note}" in text


async def test_each_answer_shows_the_question_note_after_the_seed_explanation(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, library = fake_discord, bot.services.library
    i = await fake.slash("quiz", {"topic": SEED}, fake.student)
    await fake.wait_response(i)
    noted = set()
    for number in range(1, 5):
        _, question = question_on_screen(library, fake.original(i))
        if question.type is QuestionType.FREE_RESPONSE:
            clock.advance(question.think_seconds or 0)
            shown = await click_label(fake, i, "Reveal", fake.student)
            await click_label(fake, i, "Got it", fake.student)
        else:
            shown = await click_label(fake, i, right_label(question), fake.student)
        text = message_text(shown)
        assert question.explanation.strip() in text
        if question.note is not None:
            assert f"{question.explanation.strip()}\n\n**Note:** {question.note}" in text
            noted.add(question.id)
        else:
            assert "**Note:**" not in text
        await click_label(fake, i, "See results" if number == 4 else "Next", fake.student)
    assert noted == {
        "few-label-fine-tuning",
        "information-theoretic-principle",
        "contrastive-vs-masked",
    }
    assert fake.rejections == []
