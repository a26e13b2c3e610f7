"""/topic through the fake Discord: the card's figures, autocomplete, paging and marks."""

from __future__ import annotations

import re

from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot
from tutorbot.bot.exts.topics.render import topic_card
from tutorbot.content.card import topic_page
from tutorbot.content.loader import load_library
from tutorbot.services.progress import StudentView
from tutorbot.settings import BUNDLED_CONTENT_DIR

from .helpers import buttons, embed_text

SEED = "self-supervised-learning-theory"


async def test_topic_card_shows_the_seed_page_figures(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    i = await fake_discord.slash("topic", {"topic": SEED}, fake_discord.student)
    cb = await fake_discord.wait_response(i)
    assert cb.ephemeral
    text = embed_text(cb.embeds[0])
    assert cb.embeds[0]["title"] == "Self-Supervised Learning Theory"
    assert "Research · Depth 79 in the knowledge graph" in text
    assert "Unlocks 1 downstream topic" in text
    assert "`self-supervised-learning` `representation-learning`" in text
    assert "Self-supervised learning (SSL) is a framework for learning representations" in text
    assert "Prerequisites (3)" in text and "Information Bottleneck Theory" in text
    assert "Leads To (1)" in text
    assert re.search(r"Longest path: 80 steps · \d+ total prerequisite topics", text)
    assert "4 questions" in text
    labels = buttons(cb.components)
    assert list(labels) == [
        "Read explainer",
        "Practice",
        "I know this",
        "Set as goal",
        "Prerequisite chain",
        "🗺️ Map",
    ]
    assert fake_discord.rejections == []


async def test_topic_works_in_dms(bot: TutorBot, fake_discord: FakeDiscord) -> None:
    i = await fake_discord.slash("topic", {"topic": "counting-to-10"}, fake_discord.dm_user)
    cb = await fake_discord.wait_response(i)
    assert cb.embeds[0]["title"] == "Counting to 10"
    assert "Depth 0 in the knowledge graph" in cb.embeds[0]["description"]


async def test_autocomplete_matches_titles_and_ids_best_first(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    i = await fake_discord.autocomplete("topic", "topic", "self-sup", fake_discord.student)
    cb = await fake_discord.wait_response(i)
    assert cb.choices[0] == {"name": "Self-Supervised Learning Theory", "value": SEED}
    i = await fake_discord.autocomplete("topic", "topic", "division", fake_discord.student)
    choices = (await fake_discord.wait_response(i)).choices
    assert 2 <= len(choices) <= 25
    names = [c["name"] for c in choices]
    # The two topics that share a title are told apart by their ids.
    assert "Division as Equal Sharing (division-as-equal-sharing)" in names
    i = await fake_discord.autocomplete("topic", "topic", "", fake_discord.student)
    assert len((await fake_discord.wait_response(i)).choices) == 25


async def test_unknown_topic_gets_suggestions(bot: TutorBot, fake_discord: FakeDiscord) -> None:
    i = await fake_discord.slash("topic", {"topic": "chain rul"}, fake_discord.student)
    cb = await fake_discord.wait_response(i)
    assert cb.ephemeral
    assert "No topic matches" in cb.content and "Chain Rule" in cb.content


async def test_explainer_pages_hold_the_whole_explainer(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    topic = bot.services.library.get(SEED)
    assert topic is not None
    i = await fake_discord.slash("topic", {"topic": SEED}, fake_discord.student)
    card = await fake_discord.wait_response(i)
    click = await fake_discord.click(
        card, buttons(card.components)["Read explainer"], fake_discord.student
    )
    page = await fake_discord.wait_response(click)
    shown = [page.embeds[0]["description"]]
    total = int(page.embeds[0]["footer"]["text"].rsplit(" ", 1)[1])
    for _ in range(total - 1):
        click = await fake_discord.click(
            fake_discord.original(i), buttons(page.components)["Next ▶"], fake_discord.student
        )
        page = await fake_discord.wait_response(click)
        shown.append(page.embeds[0]["description"])
    squash = re.compile(r"\s+")
    assert squash.sub("", "".join(shown)) == squash.sub("", topic.explainer)
    assert fake_discord.rejections == []


async def test_chain_pages_list_all_80_steps(bot: TutorBot, fake_discord: FakeDiscord) -> None:
    i = await fake_discord.slash("topic", {"topic": SEED}, fake_discord.student)
    card = await fake_discord.wait_response(i)
    click = await fake_discord.click(
        card, buttons(card.components)["Prerequisite chain"], fake_discord.student
    )
    page = await fake_discord.wait_response(click)
    lines = page.embeds[0]["description"].splitlines()
    assert lines[0] == "1. ▫️ Counting to 10"
    steps = list(lines)
    while not any(
        c.get("disabled") for r in page.components for c in r["components"] if "Next" in c["label"]
    ):
        click = await fake_discord.click(
            fake_discord.original(i), buttons(page.components)["Next ▶"], fake_discord.student
        )
        page = await fake_discord.wait_response(click)
        steps += page.embeds[0]["description"].splitlines()
    assert len(steps) == 80
    assert steps[-1] == "80. ▫️ Self-Supervised Learning Theory"


async def test_i_know_this_counts_prerequisites_as_known(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    i = await fake_discord.slash("topic", {"topic": "addition-within-10"}, fake_discord.student)
    card = await fake_discord.wait_response(i)
    click = await fake_discord.click(
        card, buttons(card.components)["I know this"], fake_discord.student
    )
    updated = await fake_discord.wait_response(click)
    assert "Marked **Addition Within 10** as known" in updated.content
    assert "✓ I know this" in buttons(updated.components)
    assert "✅ Combining Small Groups Within 5" in embed_text(updated.embeds[0])
    view = await bot.services.progress.student(fake_discord.student.id)
    assert view.marked == {"addition-within-10"}
    assert "counting-to-10" in view.known
    # Clicking again un-marks it.
    click = await fake_discord.click(
        fake_discord.original(i), "topic:known:addition-within-10", fake_discord.student
    )
    again = await fake_discord.wait_response(click)
    assert "no longer marked" in again.content
    assert (await bot.services.progress.student(fake_discord.student.id)).marked == frozenset()


async def test_forged_button_gets_a_polite_answer(bot: TutorBot, fake_discord: FakeDiscord) -> None:
    i = await fake_discord.slash("topic", {"topic": SEED}, fake_discord.student)
    card = await fake_discord.wait_response(i)
    for forged in ("topic:explainer:no-such-topic:0", "topic:explainer:x", "nonsense:1"):
        click = await fake_discord.click(card, forged, fake_discord.student, forged=True)
        answer = await fake_discord.wait_response(click)
        assert answer.ephemeral
        assert "no longer" in answer.content
    assert fake_discord.rejections == []


def test_every_bundled_card_says_what_the_terminal_page_says() -> None:
    """One implementation of the card's figures: for every bundled topic, each figure line of the
    Discord card is a line of `tutorbot content show`'s page, word for word."""
    library = load_library(BUNDLED_CONTENT_DIR)
    for topic in library.topics.values():
        page = topic_page(library, topic.id).splitlines()
        embed = topic_card(library, topic, StudentView()).embeds[0]
        description = (embed.description or "").splitlines()
        assert description[0] in page, topic.id  # level and depth
        unlocks = next(line for line in description if line.startswith("Unlocks "))
        fields = [field.name for field in embed.fields]
        for line in (unlocks, embed.footer.text, *fields[:2]):
            assert line in page, (topic.id, line)
        assert f"Practice Questions: {embed.fields[2].value}" in page, topic.id
