"""/review through the fake Discord: what comes due and when, the graph sharing the work, a miss
pointing below, the daily limit, the student's own day, a restart mid-review, and data rights."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot
from tutorbot.content.models import Question, QuestionType, Topic

from .bot_harness import BotFactory, FakeClock
from .helpers import (
    answer_all,
    click_label,
    enabled,
    message_text,
    question_on_screen,
    right_label,
    wrong_label,
)

FIRST, SECOND = "counting-to-10", "counting-to-20"  # SECOND lists FIRST as its only prerequisite
DAY = 24 * 3600.0


def _on_screen(bot: TutorBot, message: Any) -> tuple[Topic, Question]:
    return question_on_screen(bot.services.library, message)


async def _answer_everything(
    bot: TutorBot, fake: FakeDiscord, i: Any, user: Any, right: bool | dict[str, bool] = True
) -> tuple[list[tuple[str, str]], Any]:
    return await answer_all(fake, bot.clock, bot.services.library, i, user, right)


async def _quiz(
    bot: TutorBot, fake: FakeDiscord, topic_id: str, user: Any, right: bool = True
) -> None:
    i = await fake.slash("quiz", {"topic": topic_id}, user)
    await fake.wait_response(i)
    await _answer_everything(bot, fake, i, user, right)


async def _review(fake: FakeDiscord, user: Any, **options: Any) -> tuple[Any, Any]:
    i = await fake.slash("review", options, user)
    return i, await fake.wait_response(i)


async def test_answers_come_back_when_due_and_a_review_runs_to_its_summary(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, user = fake_discord, fake_discord.student
    _, first = await _review(fake, user)
    assert first.ephemeral
    assert "Nothing to review yet" in message_text(first)
    assert "come back here just before you would forget them" in message_text(first)
    assert "Counting to 10" in message_text(first)  # what to learn instead
    await _quiz(bot, fake, FIRST, user)
    _, soon = await _review(fake, user)
    assert "Nothing to review right now" in message_text(soon) and "<t:" in message_text(soon)
    clock.advance(3 * DAY)
    i, started = await _review(fake, user)
    topic = bot.services.library.get(FIRST)
    assert topic is not None
    n = len(topic.questions)
    assert started.content.startswith(f"🧠 **{n} due**, about ")
    assert started.embeds[0]["title"].startswith("Review · Counting to 10 · Question 1 of")
    assert "Private review" in message_text(started)
    asked, summary = await _answer_everything(bot, fake, i, user)
    assert len(asked) == n
    assert f"{n} of {n} remembered" in message_text(summary)
    answers = await bot.services.storage.answers.recent(user.id, 20)
    assert [a.source for a in answers].count("review") == n
    assert await bot.services.review.due_count(user.id) == 0
    assert fake.rejections == []


async def test_a_success_above_clears_the_due_questions_below(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, user = fake_discord, fake_discord.student
    await _quiz(bot, fake, FIRST, user)
    await _quiz(bot, fake, SECOND, user)
    clock.advance(3 * DAY)
    plan = await bot.services.review.plan(user.id)
    # the dependent topic is asked first, though both are due
    topics = [key.split("/")[0] for key in plan.keys]
    assert topics == sorted(topics, key=lambda t: t != SECOND)
    i, _ = await _review(fake, user)
    asked, summary = await _answer_everything(bot, fake, i, user)
    assert {t for t, _ in asked} == {SECOND}  # its success cleared everything below
    cleared = len(bot.services.library.get(FIRST).questions)  # type: ignore[union-attr]
    assert f"{cleared} more cleared by harder questions you got right" in message_text(summary)
    cards = await bot.services.storage.memory.cards_of_topics(user.id, [FIRST])
    assert cards and all(c.due > clock() + timedelta(days=1) for c in cards)
    reviews = await bot.services.storage.data_rights.export_user(user.id)
    implicit = [r for r in reviews["memory_reviews"] if r["source"] == "implicit"]
    assert {r["topic_id"] for r in implicit} == {FIRST}


async def test_a_miss_names_the_prerequisite_and_makes_it_due_now(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, user = fake_discord, fake_discord.student
    await _quiz(bot, fake, FIRST, user)
    await _quiz(bot, fake, SECOND, user)
    clock.advance(1 * DAY)  # nothing due yet
    assert await bot.services.review.due_count(user.id) == 0
    clock.advance(2 * DAY)
    i, _ = await _review(fake, user, limit=1)
    await fake.wait_response(i)
    i, started = await _review(fake, user)
    topic, question = _on_screen(bot, started)
    assert topic.id == SECOND
    if question.type is QuestionType.FREE_RESPONSE:
        clock.advance(question.think_seconds or 0)
        await click_label(fake, i, "Reveal", user)
        missed = await click_label(fake, i, "Missed it", user)
    else:
        missed = await click_label(fake, i, wrong_label(question), user)
    text = message_text(missed)
    assert "🔎 This topic builds on **Counting to 10**: look again at it, now due" in text
    cards = await bot.services.storage.memory.cards_of_topics(user.id, [FIRST])
    assert cards and all(c.due <= clock() for c in cards)


async def test_the_daily_limit_caps_a_day_and_says_how_to_raise_it(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, user = fake_discord, fake_discord.student
    await _quiz(bot, fake, FIRST, user)
    clock.advance(3 * DAY)
    i, changed = await _review(fake, user, limit=2)
    assert "Daily limit: **2** reviews" in changed.content
    i, started = await _review(fake, user)
    assert "Question 1 of 2" in started.embeds[0]["title"]
    topic = bot.services.library.get(FIRST)
    assert topic is not None
    assert f"**{len(topic.questions)} due**, 2 today" in started.content
    asked, summary = await _answer_everything(bot, fake, i, user)
    assert len(asked) == 2
    assert "past your daily limit: they wait for tomorrow" in message_text(summary)
    assert "Review more" not in enabled(summary.components)
    _, done = await _review(fake, user)
    text = message_text(done)
    assert "daily limit of **2**" in text and "/review limit:" in text
    refused = await fake.slash("review", {"limit": 0}, user)
    assert (await fake.wait_response(refused)).ephemeral


async def test_today_is_the_students_own_day(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    """A card due at 10:30 UTC tomorrow is due "today" at noon UTC for a student in UTC-11 (their
    day ends at 11:00 UTC tomorrow) but not for one in UTC+14 (theirs ends at 10:00 UTC)."""
    fake = fake_discord
    east, west = fake.add_user("kiritimati"), fake.add_user("pago")
    for user, zone in ((east, "Pacific/Kiritimati"), (west, "Pacific/Pago_Pago")):
        _, reply = await _review(fake, user, timezone=zone)
        assert f"Time zone: **{zone}**" in reply.content
    now = clock()
    answer_at = (now + timedelta(days=1)).replace(hour=10, minute=30, second=0, microsecond=0)
    clock.advance((answer_at - now).total_seconds())
    for user in (east, west):
        await _quiz(bot, fake, FIRST, user)  # first answers: due in exactly two days
    due_at = clock() + timedelta(days=2)
    noon_before = due_at.replace(hour=12, minute=0) - timedelta(days=1)
    clock.advance((noon_before - clock()).total_seconds())
    assert await bot.services.review.due_count(west.id) > 0
    assert await bot.services.review.due_count(east.id) == 0
    _, nothing = await _review(fake, east)
    assert "Nothing to review right now" in message_text(nothing)
    _, some = await _review(fake, west)
    assert "due**" in some.content
    _, bad = await _review(fake, east, timezone="Mars/Olympus_Mons")
    assert "not a time zone I know" in (bad.content or "")
    settings = await bot.services.review.settings(east.id)
    assert settings.timezone == "Pacific/Kiritimati"


async def test_a_review_resumes_after_a_restart(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, user = fake_discord, fake_discord.student
    async with start_bot() as bot:
        await _quiz(bot, fake, FIRST, user)
        clock.advance(3 * DAY)
        i, started = await _review(fake, user)
        _, question = _on_screen(bot, started)
        if question.type is QuestionType.FREE_RESPONSE:
            clock.advance(question.think_seconds or 0)
            await click_label(fake, i, "Reveal", user)
            await click_label(fake, i, "Got it", user)
        else:
            await click_label(fake, i, right_label(question), user)
    async with start_bot() as bot:
        next_screen = await click_label(
            fake, i, "Next", user
        )  # the old message's button still works
        assert "Question 2 of" in next_screen.embeds[0]["title"]
        _, again = await _review(fake, user)
        assert "Question 2 of" in again.embeds[0]["title"]  # /review resumes, not restarts
        asked, summary = await _answer_everything(bot, fake, i, user)
        assert "remembered" in message_text(summary)
        assert len(asked) == len(bot.services.library.get(FIRST).questions) - 1  # type: ignore[union-attr]


async def test_forgetme_deletes_memory_and_mydata_exports_it(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, user = fake_discord, fake_discord.student
    await _quiz(bot, fake, FIRST, user)
    await _review(fake, user, limit=5, timezone="Europe/Paris")
    exported = await bot.services.storage.data_rights.export_user(user.id)
    assert len(exported["memory_cards"]) == len(bot.services.library.get(FIRST).questions)  # type: ignore[union-attr]
    assert exported["review_settings"][0]["timezone"] == "Europe/Paris"
    assert exported["review_days"][0]["reviews"] >= 1
    await bot.services.storage.data_rights.delete_user(user.id)
    after = await bot.services.storage.data_rights.export_user(user.id)
    for table in ("memory_cards", "memory_reviews", "review_days", "review_settings"):
        assert after[table] == [], table


def test_first_answers_are_due_in_days_not_minutes() -> None:
    """The scheduler has no learning steps: a bot asks at most daily."""
    from tutorbot.domain.memory import MemoryModel, Rating

    now = datetime(2026, 1, 1, tzinfo=UTC)
    card = MemoryModel().review(None, "t", "q", Rating.GOOD, now)
    assert card.due - now >= timedelta(days=1)


async def test_a_placement_in_progress_is_named_and_resumed_from_quiz_and_review(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake, user = fake_discord, fake_discord.student
    placement = await fake.slash("placement", {}, user)
    first = await fake.wait_response(placement)
    assert first.embeds[0]["title"].startswith("Placement · ")
    _, asked = await _review(fake, user)
    assert "Your placement is not finished. Review instead?" in message_text(asked)
    i = await fake.slash("quiz", {"topic": FIRST}, user)
    offered = await fake.wait_response(i)
    assert "Your placement is not finished. Start a new quiz" in message_text(offered)
    back = await click_label(fake, i, "Continue the old one", user)
    assert back.embeds[0]["title"] == first.embeds[0]["title"]
    assert fake.rejections == []
