"""A group round's answers are reviews too: each student's memory of each question moves with
what they answered in the channel, and a missed review makes the topic's prerequisite due."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fakediscord import FakeDiscord

from tutorbot.domain.memory import HELD

from .bot_harness import BotFactory, FakeClock
from .helpers import buttons, enabled
from .rounds_helpers import BASE, TOPIC, channel_messages, is_revealed, kind_of, tick, write_course

SECONDS = 20


async def _perfect_quiz(fake: FakeDiscord, clock: FakeClock, topic: str, student: Any) -> None:
    """A whole quiz on `topic`, every question right (Got it for the typed one)."""
    started = await fake.slash("quiz", {"topic": topic}, student)
    await fake.wait_response(started)
    for _ in range(10):
        labels = enabled(fake.original(started).components)
        label = next(
            (x for x in ("B", "True", "Reveal", "Got it", "Next", "See results") if x in labels),
            None,
        )
        if label is None:
            return
        if label == "Reveal":
            clock.advance(120)
        await fake.wait_response(await fake.click(fake.original(started), labels[label], student))


async def test_round_answers_are_reviews_with_the_same_ratings(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    fake = fake_discord
    student = fake.student
    async with start_bot(content_dir=write_course(tmp_path / "content")) as bot:
        for topic in (BASE, TOPIC):  # learnt first, so the round's answers are reviews
            await _perfect_quiz(fake, clock, topic, student)
        memory = bot.services.storage.memory
        (base_card,) = await memory.cards_of_topics(student.id, [BASE])
        assert base_card.due > clock()

        started = await fake.slash(
            "round start", {"topic": TOPIC, "questions": 3, "seconds": SECONDS}, fake.admin
        )
        await fake.wait_response(started)
        for number in range(1, 4):
            await fake.wait_until(lambda n=number: len(channel_messages(fake)) == n)
            message = channel_messages(fake)[-1]
            kind = kind_of(message)
            label = {"mc": "B", "tf": "False"}.get(kind, "Write my answer")  # tf: wrong
            clicked = await fake.click(message, buttons(message.components)[label], student)
            shown = await fake.wait_response(clicked)
            if kind == "fr":
                typed = {"answer": "Scattering, I think."}
                await fake.wait_response(
                    await fake.modal_submit(shown.data["custom_id"], typed, student)
                )
                # a typed answer is a review only once its author judged it
                (fr,) = await memory.cards(student.id, [(TOPIC, "fr")])
                assert fr.reps == 1
            await tick(bot, clock, SECONDS + 3)
            await fake.wait_until(lambda m=message: is_revealed(fake, m))
            if kind == "fr":
                current = fake.messages[message.id]
                partly = buttons(current.components)["Partly"]
                await fake.wait_response(await fake.click(current, partly, student))
            await tick(bot, clock, 10)

        exported = await bot.services.storage.data_rights.export_user(student.id)
        ratings = {
            r["question_id"]: (r["rating"], r["source"])
            for r in exported["memory_reviews"]
            if r["topic_id"] == TOPIC and r["source"] == "round"
        }
        assert ratings == {"mc": (3, "round"), "tf": (1, "round"), "fr": (2, "round")}
        (after,) = await memory.cards_of_topics(student.id, [BASE])
        # the missed review made the prerequisite due now, held until answered (so the right
        # answers around it credit it nothing)
        assert after.due <= clock() and after.credit == HELD
        assert after.last_review == base_card.last_review
        assert fake.rejections == []
