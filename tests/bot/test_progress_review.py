"""/progress shows the reviews due today and how well each recently mastered topic is remembered;
/stats shows the review streak. Through the fake Discord, answers given by clicking a real quiz and
days passing on the test clock."""

from __future__ import annotations

import re
from typing import Any

from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot
from tutorbot.bot.exts.progress.render import progress_embed
from tutorbot.content.loader import load_library
from tutorbot.domain import progress as progress_rules
from tutorbot.services.progress import Remembering
from tutorbot.settings import BUNDLED_CONTENT_DIR

from .bot_harness import FakeClock
from .helpers import answer_all, embed_text, message_text

TOPIC = "counting-to-10"
DAY = 86400
REMEMBERED = re.compile(r"• Counting to 10 · (\d+)% remembered today")


async def _say(fake: FakeDiscord, name: str, user: Any) -> str:
    i = await fake.slash(name, {}, user)
    response = await fake.wait_response(i)
    assert response.ephemeral
    return message_text(response)


async def _quiz(
    bot: TutorBot, fake: FakeDiscord, clock: FakeClock, user: Any, questions: int | None = None
) -> str:
    """A quiz on `TOPIC` answered right throughout, clicked to its summary; the summary's text."""
    topic = bot.services.library.get(TOPIC)
    assert topic is not None
    options: dict[str, Any] = {"topic": TOPIC}
    if questions is not None:
        options["questions"] = questions
    i = await fake.slash("quiz", options, user)
    await fake.wait_response(i)
    _, summary = await answer_all(fake, clock, bot.services.library, i, user)
    return message_text(summary)


async def test_progress_shows_reviews_due_today_and_how_well_mastered_topics_are_remembered(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake = fake_discord
    before = await _say(fake, "progress", fake.student)
    assert "🧠" not in before and "remembered today" not in before
    summary = await _quiz(bot, fake, clock, fake.student)
    assert "You have mastered **Counting to 10**" in summary

    fresh = await _say(fake, "progress", fake.student)
    assert "🧠" not in fresh  # nothing due yet: the line is left out
    found = REMEMBERED.search(fresh)
    assert found is not None and found.group(1) == "100"
    assert fresh.index("Recently mastered") < found.start()

    clock.advance(3 * DAY)
    later = await _say(fake, "progress", fake.student)
    assert "🧠 **5 reviews due today** — /review" in later
    found = REMEMBERED.search(later)
    assert found is not None and 50 < int(found.group(1)) < 100
    assert await bot.services.review.due_count(fake.student.id) == 5

    other = await _say(fake, "progress", fake.admin)
    assert "🧠" not in other and "remembered today" not in other
    assert fake.rejections == []


async def test_stats_shows_a_review_streak_of_three_days_in_a_row(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake = fake_discord
    first = await _say(fake, "stats", fake.student)
    assert "Review streak" not in first
    for day in range(1, 4):
        await _quiz(bot, fake, clock, fake.student, questions=1)
        text = await _say(fake, "stats", fake.student)
        assert f"🔥 Review streak: {day} day{'s' if day > 1 else ''}" in text
        clock.advance(DAY)
    # The next day, before answering: the streak still stands until the day is over.
    assert "🔥 Review streak: 3 days" in await _say(fake, "stats", fake.student)
    clock.advance(DAY)
    assert "Review streak" not in await _say(fake, "stats", fake.student)
    assert await bot.services.review.streak(fake.student.id) == 0
    assert fake.rejections == []


def test_a_mastered_topic_without_cards_shows_no_retention() -> None:
    library = load_library(BUNDLED_CONTENT_DIR)
    overview = progress_rules.Progress(frozenset(), None, (), ("counting-to-10", "counting-to-20"))
    embed = progress_embed(library, overview, Remembering(0, {"counting-to-20": 0.874}))
    text = embed_text(dict(embed.to_dict()))
    assert "• Counting to 10\n" in text
    assert "• Counting to 20 · 87% remembered today" in text
    assert "🧠" not in text
