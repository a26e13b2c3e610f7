"""The whole bot on PostgreSQL (issue 19, first step): a quiz taken through the fake Discord
lands in PostgreSQL and counts after a restart."""

from __future__ import annotations

from typing import Any

from fakediscord import FakeDiscord
from pydantic import SecretStr

from tutorbot.storage.backend import PgConn

from .bot_harness import BotFactory, FakeClock
from .helpers import answer_all


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    conn = PgConn.connect(url)
    try:
        return [tuple(row) for row in conn.execute(sql).fetchall()]
    finally:
        conn.close()


async def test_a_quiz_taken_on_postgresql_is_stored_there_and_counts_after_a_restart(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, pg_server: Any
) -> None:
    fake = fake_discord
    url = pg_server.fresh_database()
    settings = {"database_url": SecretStr(url)}
    async with start_bot(**settings) as bot:
        quiz = await fake.slash("quiz", {"topic": "counting-to-five"}, fake.student)
        await fake.wait_response(quiz)
        asked, summary = await answer_all(fake, clock, bot.services.library, quiz, fake.student)
        assert summary.embeds
    stored = _rows(url, "SELECT topic_id, question_id FROM answers ORDER BY id")
    assert [tuple(row) for row in stored] == asked
    async with start_bot(**settings):
        stats = await fake.slash("stats", {}, fake.student)
        reply = await fake.wait_response(stats)
        assert f"{len(asked)} answered · {len(asked)} right (100%)" in str(reply.embeds)
    assert fake.rejections == []
