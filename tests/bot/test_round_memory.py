"""A group round's answers are reviews too: each student's memory of each question moves with
what they answered in the channel, and a miss makes the topic's prerequisite due."""

from __future__ import annotations

from pathlib import Path

from fakediscord import FakeDiscord

from .bot_harness import BotFactory, FakeClock
from .helpers import buttons
from .rounds_helpers import BASE, TOPIC, channel_messages, is_revealed, kind_of, tick, write_course

SECONDS = 20


async def test_round_answers_are_reviews_with_the_same_ratings(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    fake = fake_discord
    student = fake.student
    async with start_bot(content_dir=write_course(tmp_path / "content")) as bot:
        quiz = await fake.slash("quiz", {"topic": BASE}, student)
        await fake.wait_response(quiz)
        answered = await fake.click(
            fake.original(quiz), buttons(fake.original(quiz).components)["True"], student
        )
        await fake.wait_response(answered)
        memory = bot.services.storage.memory
        (base_card,) = await memory.cards_of_topics(student.id, [BASE])
        assert base_card.due > clock()

        started = await fake.slash(
            "round start", {"topic": TOPIC, "questions": 3, "seconds": SECONDS}, fake.admin
        )
        await fake.wait_response(started)
        order: list[str] = []
        for number in range(1, 4):
            await fake.wait_until(lambda n=number: len(channel_messages(fake)) == n)
            message = channel_messages(fake)[-1]
            kind = kind_of(message)
            order.append(kind)
            label = {"mc": "B", "tf": "False"}.get(kind, "Write my answer")  # tf: wrong
            clicked = await fake.click(message, buttons(message.components)[label], student)
            shown = await fake.wait_response(clicked)
            if kind == "fr":
                typed = {"answer": "Scattering, I think."}
                await fake.wait_response(
                    await fake.modal_submit(shown.data["custom_id"], typed, student)
                )
                # a typed answer is a review only once its author judged it
                assert await memory.cards(student.id, [(TOPIC, "fr")]) == []
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
            if r["topic_id"] == TOPIC
        }
        assert ratings == {"mc": (3, "round"), "tf": (1, "round"), "fr": (2, "round")}
        (after,) = await memory.cards_of_topics(student.id, [BASE])
        if order.index("tf") > order.index("mc"):
            assert after.due <= clock()  # the miss made the prerequisite due now
        else:  # due now, then the right answer that followed reviewed it implicitly
            assert after.due > clock() and after.last_review != base_card.last_review
        assert fake.rejections == []
