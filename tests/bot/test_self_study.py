"""/progress, /goal, /stats, /leaderboard, /mydata and /forgetme through the fake Discord."""

from __future__ import annotations

import json
from typing import Any

from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot

from .helpers import buttons, exported, message_text

SEED = "self-supervised-learning-theory"


async def _say(fake: FakeDiscord, name: str, options: dict[str, Any] | None, user: Any) -> Any:
    i = await fake.slash(name, options or {}, user)
    return i, await fake.wait_response(i)


async def _record(
    bot: TutorBot, user_id: int, guild_id: int | None, right: int, wrong: int
) -> None:
    """Answers as a finished quiz leaves them (the quiz flow itself is tested in test_quiz)."""
    now = bot.services.clock()
    for n in range(right + wrong):
        await bot.services.storage.answers.record(
            user_id=user_id,
            guild_id=guild_id,
            topic_id="counting-to-10",
            question_id=f"q{n}",
            answer="A",
            correct=n < right,
            seconds=2.0,
            source="quiz",
            now=now,
            points=100 if n < right else 0,
        )


async def test_progress_goal_and_next_topics(bot: TutorBot, fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    _, cb = await _say(fake, "progress", None, fake.student)
    assert cb.ephemeral and "No goal set" in message_text(cb)
    assert "Counting to 10" in message_text(cb)  # the first thing to learn

    _, cb = await _say(fake, "goal set", {"topic": SEED}, fake.student)
    text = message_text(cb)
    assert "🎯 Goal set: **Self-Supervised Learning Theory**" in text
    total = len(bot.services.library.graph.ancestors(SEED))
    assert f"0 / {total} prerequisites known (0%)" in text

    await bot.services.progress.toggle_known(fake.student.id, "addition-within-100")
    _, cb = await _say(fake, "progress", None, fake.student)
    text = message_text(cb)
    known = len(bot.services.library.graph.known(["addition-within-100"]))
    assert f"{known} / {total} prerequisites known" in text
    assert "█" in text and "░" in text
    assert "Repeated Addition as Multiplication" in text.split("Learn next")[1]

    _, cb = await _say(fake, "goal clear", None, fake.student)
    assert cb.content == "Goal cleared."
    _, cb = await _say(fake, "goal clear", None, fake.student)
    assert cb.content == "You had no goal set."


async def test_stats_and_leaderboard(bot: TutorBot, fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    await _record(bot, fake.student.id, fake.guild.id, right=3, wrong=1)
    await _record(bot, fake.admin.id, fake.guild.id, right=1, wrong=0)
    _, cb = await _say(fake, "stats", None, fake.student)
    text = message_text(cb)
    assert "4 answered · 3 right (75%) · 300 points · rank 1" in text
    _, cb = await _say(fake, "stats", {"user": fake.admin}, fake.student)
    assert f"<@{fake.admin.id}>" in message_text(cb)
    assert "1 answered · 1 right (100%) · 100 points" in message_text(cb)

    _, cb = await _say(fake, "leaderboard", None, fake.admin)
    assert not cb.ephemeral
    lines = cb.embeds[0]["description"].splitlines()
    # Both used the bot in this server, so their display names are known.
    assert lines[0].startswith("🥇 Student · **300** points")
    assert lines[1].startswith("🥈 Admin · **100** points")
    assert lines[1].endswith("← you")
    assert cb.data.get("allowed_mentions", {"parse": []}) == {"parse": []}  # names never ping


async def test_the_leaderboard_mentions_a_student_never_seen_in_the_server(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    await _record(bot, fake.student.id, fake.guild.id, right=3, wrong=1)
    _, cb = await _say(fake, "leaderboard", None, fake.admin)
    lines = cb.embeds[0]["description"].splitlines()
    assert lines[0].startswith(f"🥇 <@{fake.student.id}> · **300** points")  # renders, never pings
    assert cb.data.get("allowed_mentions", {"parse": []}) == {"parse": []}


async def test_leaderboard_in_dms_explains_it_needs_a_server(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    _, cb = await _say(fake_discord, "leaderboard", None, fake_discord.dm_user)
    assert cb.ephemeral and "only works in a server" in cb.content


async def test_every_self_study_command_works_in_dms(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    for name, options in [
        ("progress", None),
        ("goal set", {"topic": "counting-to-20"}),
        ("goal clear", None),
        ("stats", None),
        ("mydata", None),
        ("forgetme", None),
    ]:
        _, cb = await _say(fake, name, options, fake.dm_user)
        assert cb.ephemeral, name
        assert "went wrong" not in cb.content, name
    assert fake.rejections == []


async def test_mydata_exports_and_forgetme_deletes_only_that_user(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    await _record(bot, fake.student.id, fake.guild.id, right=2, wrong=1)
    await _record(bot, fake.admin.id, fake.guild.id, right=1, wrong=0)
    await bot.services.progress.set_goal(fake.student.id, SEED)

    text, files = await exported(fake, await fake.slash("mydata", {}, fake.student))
    assert text == "Here is everything TutorBot holds about you, as JSON."
    assert [f.filename for f in files] == [f"tutorbot-{fake.student.id}.json"]
    data = json.loads(files[0].data)
    assert len(data["answers"]) == 3 and data["goals"][0]["topic_id"] == SEED

    i, cb = await _say(fake, "forgetme", None, fake.student)
    assert "cannot be undone" in cb.content
    ids = buttons(cb.components)
    other = await fake.click(fake.original(i), ids["Delete my data"], fake.admin)
    assert "Only the person who asked" in (await fake.wait_response(other)).content
    assert (
        len((await bot.services.storage.data_rights.export_user(fake.student.id))["answers"]) == 3
    )

    done = await fake.wait_response(
        await fake.click(fake.original(i), ids["Delete my data"], fake.student)
    )
    assert "3 answers" in done.content and "1 goal," in done.content
    left = await bot.services.storage.data_rights.export_user(fake.student.id)
    assert left["answers"] == [] and left["goals"] == []
    assert len((await bot.services.storage.data_rights.export_user(fake.admin.id))["answers"]) == 1


async def test_forgetme_cancel_deletes_nothing(bot: TutorBot, fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    await _record(bot, fake.student.id, None, right=1, wrong=0)
    i, cb = await _say(fake, "forgetme", None, fake.student)
    done = await fake.wait_response(
        await fake.click(fake.original(i), buttons(cb.components)["Cancel"], fake.student)
    )
    assert done.content == "Nothing was deleted."
    assert (
        len((await bot.services.storage.data_rights.export_user(fake.student.id))["answers"]) == 1
    )
