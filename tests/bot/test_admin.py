"""/tutoradmin reload through the fake Discord: broken content keeps the old serving and shows
the errors; a good reload says what changed; a round on a topic that vanished ends politely."""

from __future__ import annotations

from pathlib import Path

from fakediscord import FakeDiscord

from tutorbot.services.rounds import CLOSE_GRACE, NEXT_PAUSE

from .bot_harness import BotFactory, FakeClock
from .helpers import enabled, message_text
from .rounds_helpers import (
    BASE,
    TOPIC,
    channel_messages,
    click,
    is_revealed,
    reply,
    tick,
    write_course,
)


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


async def test_a_reload_without_the_round_topic_ends_it_with_podium_and_report(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    """The round's topic leaves the content mid-question: the open question still reveals
    (from its snapshot), then the round ends with its podium in the channel and the report,
    struggling students included, in the instructor's DMs."""
    fake = fake_discord
    ana, ben = fake.add_member(fake.guild, "ana"), fake.add_member(fake.guild, "ben")
    content = write_course(tmp_path / "content")
    async with start_bot(content_dir=content) as bot:
        started = await fake.slash(
            "round start", {"topic": TOPIC, "questions": 3, "seconds": 20}, fake.admin
        )
        assert "Round started" in await reply(fake, started)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
        question = channel_messages(fake)[0]
        labels = list(enabled(question.components))
        if labels == ["Write my answer"]:
            for student, typed in ((ana, "Scattering."), (ben, "Oceans.")):
                form = await fake.click(question, enabled(question.components)[labels[0]], student)
                shown = await fake.wait_response(form)
                sent = await fake.modal_submit(shown.data["custom_id"], {"answer": typed}, student)
                assert await reply(fake, sent) == "Locked in your answer."
        else:
            right, wrong = ("B", "A") if "B" in labels else ("True", "False")
            assert "Locked in" in await click(fake, question, right, ana)
            assert "Locked in" in await click(fake, question, wrong, ben)

        (content / f"{TOPIC}.yaml").unlink()
        text = await reply(fake, await fake.slash("tutoradmin reload", {}, fake.admin))
        assert f"Removed 1: `{TOPIC}`" in text

        await tick(bot, clock, 20 + CLOSE_GRACE.total_seconds() + 0.5)
        await fake.wait_until(lambda: is_revealed(fake, question))
        if labels == ["Write my answer"]:
            assert "500 points" in await click(fake, question, "Got it", ana)
            assert "Missed it" in await click(fake, question, "Missed it", ben)
        await tick(bot, clock, NEXT_PAUSE.total_seconds())
        await fake.wait_until(lambda: len(channel_messages(fake)) == 2)
        podium = message_text(channel_messages(fake)[-1])
        assert f"Round over: {TOPIC}" in podium  # the title left with the content
        assert "removed from the course content" in podium
        assert podium.index("🥇 **Ana**") < podium.index("🥈 **Ben**")
        assert "2 took part · 1 question" in podium
        await fake.wait_until(lambda: len(fake.dms_with(fake.admin)) == 1)
        report = fake.dms_with(fake.admin)[0].content
        assert "Ben" in report and "Below 50%" in report
        assert await bot.services.storage.rounds.running() == []
    assert fake.rejections == []
