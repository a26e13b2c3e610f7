"""/tutoradmin reload through the fake Discord: broken content keeps the old serving and shows
the errors; a good reload says what changed; a round on a topic that vanished ends politely."""

from __future__ import annotations

from pathlib import Path

from conftest import BotFactory, FakeClock
from fakediscord import FakeDiscord
from helpers import message_text
from rounds_helpers import BASE, TOPIC, channel_messages, is_revealed, reply, tick, write_course

from tutorbot.services.rounds import NEXT_PAUSE


async def test_reload_with_broken_content_then_a_vanished_topic(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    fake = fake_discord
    content = write_course(tmp_path / "content")
    async with start_bot(content_dir=content) as bot:
        refused = await fake.slash("tutoradmin reload", {}, fake.student)
        assert "Only server admins" in await reply(fake, refused)
        started = await fake.slash("round start", {"topic": TOPIC, "questions": 2}, fake.admin)
        assert "Round started" in await reply(fake, started)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
        question = channel_messages(fake)[0]

        broken = content / "broken.yaml"
        broken.write_text("id: broken\ntitle: Broken\nsurprise: 1\n")
        text = await reply(fake, await fake.slash("tutoradmin reload", {}, fake.admin))
        assert "the old content keeps serving" in text and "broken.yaml" in text
        assert len(text) <= 2000
        assert bot.services.library.get(TOPIC) is not None

        broken.unlink()
        (content / f"{TOPIC}.yaml").unlink()
        text = await reply(fake, await fake.slash("tutoradmin reload", {}, fake.admin))
        assert "Reloaded the content: 1 topics, 1 questions." in text
        assert f"Removed 1: `{TOPIC}`" in text
        assert bot.services.library.get(BASE) is not None

        skipped = await fake.slash("round skip", {}, fake.admin)
        assert "Revealed" in await reply(fake, skipped)
        await fake.wait_until(lambda: is_revealed(fake, question))
        await tick(bot, clock, NEXT_PAUSE.total_seconds())
        await fake.wait_until(lambda: len(channel_messages(fake)) == 2)
        end = message_text(channel_messages(fake)[-1])
        assert "removed from the course content" in end
        assert await bot.services.storage.rounds.running() == []
    assert fake.rejections == []
