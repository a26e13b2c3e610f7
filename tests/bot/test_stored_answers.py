"""A quiz taken through the fake Discord lands in the database (SQLite, or PostgreSQL: issue
19's first step) and counts after a restart."""

from __future__ import annotations

from pathlib import Path

from db_inspect import select
from fakediscord import FakeDiscord

from .bot_harness import BotFactory, FakeClock
from .helpers import answer_all


async def test_a_quiz_taken_is_stored_and_counts_after_a_restart(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, database: Path | str
) -> None:
    fake = fake_discord
    async with start_bot() as bot:
        assert bot.settings.database == database
        quiz = await fake.slash("quiz", {"topic": "counting-to-five"}, fake.student)
        await fake.wait_response(quiz)
        asked, summary = await answer_all(fake, clock, bot.services.library, quiz, fake.student)
        assert summary.embeds
    assert select(database, "SELECT topic_id, question_id FROM answers ORDER BY id") == asked
    async with start_bot():
        stats = await fake.slash("stats", {}, fake.student)
        reply = await fake.wait_response(stats)
        assert f"{len(asked)} answered · {len(asked)} right (100%)" in str(reply.embeds)
    assert fake.rejections == []
