"""/placement through the fake Discord: a truthful student placed where they stand, the card and
/progress after it, a retake, "I don't know", Stop, a restart mid-placement, stale and other
students' clicks, a goal, and a quiz in progress. The fake checks every message on send."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Collection
from pathlib import Path
from typing import Any

from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot
from tutorbot.content.models import Topic

from .bot_harness import BotFactory, FakeClock
from .helpers import (
    answer_all,
    answer_on_screen,
    buttons,
    click_label,
    enabled,
    message_text,
    question_on_screen,
)

UP_TO = "addition-within-20"  # 9th in learning order, on a chain from counting-to-10
GOAL = "addition-within-10"  # a chain of 8 topics, counting-to-10 first
TITLE = re.compile(r"^Placement · .+ · Question (\d+) of at most (\d+)$")


async def _placement(fake: FakeDiscord, user: Any, **options: Any) -> tuple[Any, Any]:
    i = await fake.slash("placement", options, user)
    return i, await fake.wait_response(i)


def _known_up_to(bot: TutorBot, topic_id: str) -> frozenset[str]:
    """The topic and everything beneath it: what the simulated student knows."""
    graph = bot.services.library.graph
    return frozenset(graph.known([topic_id]))


def _number(message: Any) -> int:
    found = TITLE.match(message.embeds[0]["title"])
    assert found, message.embeds[0]["title"]
    return int(found.group(1))


def _asking(message: Any) -> bool:
    return "I don't know" in enabled(message.components)


async def _take(
    bot: TutorBot,
    fake: FakeDiscord,
    i: Any,
    user: Any,
    known: Collection[str],
    *,
    dont_know: bool = False,
) -> tuple[list[Topic], Any]:
    """Answer every question until the end as a student who knows `known` (unknown ones with
    "I don't know" when `dont_know`, else a wrong choice); the topics asked and the end."""
    asked: list[Topic] = []
    first = _number(fake.original(i)) if _asking(fake.original(i)) else 1
    while _asking(fake.original(i)):
        message = fake.original(i)
        assert _number(message) == first + len(asked)  # one question per answer
        topic, question = question_on_screen(bot.services.library, message)
        asked.append(topic)
        if topic.id not in known and dont_know:
            await click_label(fake, i, "I don't know", user)
        else:
            await answer_on_screen(fake, bot.clock, i, question, user, topic.id in known)
    return asked, fake.original(i)


async def _placed(bot: TutorBot, user: Any) -> frozenset[str]:
    return (await bot.services.progress.student(user.id)).placed


async def test_a_truthful_student_is_placed_where_they_stand(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake, user = fake_discord, fake_discord.student
    known = _known_up_to(bot, UP_TO)
    i, first = await _placement(fake, user)
    assert first.ephemeral
    assert _number(first) == 1 and first.embeds[0]["title"].endswith("of at most 15")
    assert "'I don't know' is fine" in message_text(first)
    asked, end = await _take(bot, fake, i, user, known)
    text = message_text(end)
    assert 1 <= len(asked) <= 15
    assert f"It took **{len(asked)} questions**" in text
    placed = await _placed(bot, user)
    assert placed and placed <= known  # truthful answers never place too high
    assert "Known by placement" in text and "come up in /review" in text
    library = bot.services.library
    for topic_id in placed:
        assert library.get(topic_id).title in text  # type: ignore[union-attr]
    ready = [t for t in library.graph.ready(placed) if t not in placed]
    assert library.get(ready[0]).title in text.split("Learn next")[1]  # type: ignore[union-attr]
    card_ids = set(buttons(end.components).values())
    assert f"topic:card:{ready[0]}" in card_ids
    assert not await bot.services.storage.answers.recent(user.id, 50)  # no points, no stats
    assert fake.rejections == []


async def test_the_card_and_progress_show_what_placement_found(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake, user = fake_discord, fake_discord.student
    i, _ = await _placement(fake, user, goal=GOAL)
    await _take(bot, fake, i, user, _known_up_to(bot, GOAL))
    placed = await _placed(bot, user)
    assert GOAL in placed
    card = await fake.wait_response(await fake.slash("topic", {"topic": GOAL}, user))
    text = message_text(card)
    assert "📍 Known by placement" in text and "You know this topic" not in text
    other = await fake.wait_response(
        await fake.slash("topic", {"topic": "addition-within-100"}, user)
    )
    assert "Known by placement" not in message_text(other)
    progress = await fake.wait_response(await fake.slash("progress", {}, user))
    text = message_text(progress)
    assert f"You know **{len(placed)}** of" in text and f"({len(placed)} by placement)" in text
    assert fake.rejections == []


async def test_a_retake_replaces_placement_marks_but_never_mastery(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake, user = fake_discord, fake_discord.student
    quiz = await fake.slash("quiz", {"topic": "counting-to-10"}, user)
    await fake.wait_response(quiz)
    await answer_all(fake, bot.clock, bot.services.library, quiz, user)
    i, _ = await _placement(fake, user, goal=GOAL)
    await _take(bot, fake, i, user, _known_up_to(bot, GOAL))
    assert GOAL in await _placed(bot, user)
    again, first = await _placement(fake, user, goal=GOAL)
    assert question_on_screen(bot.services.library, first)[0].id != "counting-to-10"  # mastered
    asked, end = await _take(bot, fake, again, user, (), dont_know=True)
    assert asked and "No topic placed this time" in message_text(end)
    assert await _placed(bot, user) == frozenset()
    view = await bot.services.progress.student(user.id)
    assert "counting-to-10" in view.mastered  # the quiz's mastery stays
    assert fake.rejections == []


async def test_i_dont_know_counts_as_wrong_and_the_next_question_comes_at_once(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake, user = fake_discord, fake_discord.student
    i, first = await _placement(fake, user, goal=GOAL)
    topic, _ = question_on_screen(bot.services.library, first)
    after = await click_label(fake, i, "I don't know", user)
    assert "Correct" not in message_text(after) and "Not quite" not in message_text(after)
    if _asking(after):
        assert _number(after) == 2
        asked, _ = await _take(bot, fake, i, user, (), dont_know=True)
        assert topic not in asked  # decided: not known, not asked again
    assert topic.id not in await _placed(bot, user)
    assert fake.rejections == []


async def test_stop_ends_with_the_result_so_far_and_old_buttons_refuse(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake, user = fake_discord, fake_discord.student
    i, first = await _placement(fake, user)
    _, question = question_on_screen(bot.services.library, first)
    await answer_on_screen(fake, bot.clock, i, question, user, True)
    still = enabled(fake.original(i).components)
    end = await click_label(fake, i, "Stop", user)
    assert "It took **1 question**" in message_text(end)
    assert "left undecided count as not known yet" in message_text(end)
    answer = next(cid for label, cid in still.items() if label not in {"Stop", "Reveal"})
    click = await fake.click(fake.original(i), answer, user, forged=True)
    reply = await fake.wait_response(click)
    assert reply.ephemeral and "placement is over" in reply.content
    assert await bot.services.quiz.active(user.id) is None
    assert fake.rejections == []


async def test_stopping_before_any_answer_says_so(bot: TutorBot, fake_discord: FakeDiscord) -> None:
    fake, user = fake_discord, fake_discord.student
    i, _ = await _placement(fake, user)
    end = await click_label(fake, i, "Stop", user)
    assert end.embeds[0]["title"] == "Placement stopped"
    assert "You stopped before answering anything" in message_text(end)
    assert fake.rejections == []


async def test_a_placement_resumes_after_a_restart(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, user = fake_discord, fake_discord.student
    async with start_bot() as bot:
        known = _known_up_to(bot, UP_TO)
        i, first = await _placement(fake, user)
        topic, question = question_on_screen(bot.services.library, first)
        await answer_on_screen(fake, clock, i, question, user, topic.id in known)
    async with start_bot() as bot:
        second = fake.original(i)
        assert _number(second) == 2
        topic, question = question_on_screen(bot.services.library, second)
        right = topic.id in known
        third = await answer_on_screen(fake, clock, i, question, user, right)  # old buttons
        assert _number(third) == 3
        _, again = await _placement(fake, user)
        assert again.content.startswith("📍 Your placement continues")
        assert _number(again) == 3  # /placement resumes, not restarts
        asked, end = await _take(bot, fake, i, user, known)
        assert f"It took **{len(asked) + 2} questions**" in message_text(end)
    assert fake.rejections == []


async def test_stale_and_other_students_clicks_are_refused_politely(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake, user = fake_discord, fake_discord.student
    i, first = await _placement(fake, user, goal=GOAL)
    old = enabled(first.components)["I don't know"]

    async def reply_to(custom_id: str, who: Any) -> str:
        click = await fake.click(fake.original(i), custom_id, who, forged=True)
        reply = await fake.wait_response(click)
        assert reply.ephemeral
        return reply.content

    assert "belongs to someone else" in await reply_to(old, fake.admin)
    assert _number(fake.original(i)) == 1  # nothing changed
    await click_label(fake, i, "I don't know", user)
    if _asking(fake.original(i)):
        assert "not the one your placement is on now" in await reply_to(old, user)
        assert _number(fake.original(i)) == 2
    assert "no longer active" in await reply_to("placement:answer:abc", user)
    assert fake.rejections == []


async def test_a_goal_limits_the_placement_to_its_prerequisites(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake, user = fake_discord, fake_discord.student
    below = _known_up_to(bot, GOAL)
    i, first = await _placement(fake, user, goal=GOAL)
    assert "8 topics on the way" in message_text(first)
    asked, end = await _take(bot, fake, i, user, _known_up_to(bot, "counting-to-five"))
    assert {t.id for t in asked} <= below
    text = message_text(end)
    assert f"On the way to **{bot.services.library.get(GOAL).title}**" in text  # type: ignore[union-attr]
    assert await _placed(bot, user) <= _known_up_to(bot, "counting-to-five")
    assert fake.rejections == []


async def test_a_quiz_in_progress_asks_first(bot: TutorBot, fake_discord: FakeDiscord) -> None:
    fake, user = fake_discord, fake_discord.student
    quiz = await fake.slash("quiz", {"topic": "counting-to-10"}, user)
    await fake.wait_response(quiz)
    session = await bot.services.quiz.active(user.id)
    i, asked = await _placement(fake, user)
    assert "You have a quiz in progress" in message_text(asked)
    back = await click_label(fake, i, "Continue the quiz", user)
    assert "Counting to 10 · Question 1 of" in back.embeds[0]["title"]
    i, _ = await _placement(fake, user, goal=GOAL)
    started = await click_label(fake, i, "Start placement", user)
    assert _number(started) == 1
    assert session is not None
    assert (await bot.services.storage.quizzes.get(session.id)).status == "abandoned"  # type: ignore[union-attr]
    assert fake.rejections == []


def _free_response_course(root: Path) -> Path:
    """Two topics, the second built on the first, each asked only by a free response."""
    root.mkdir()
    for topic_id, prerequisites in (("first-steps", "[]"), ("next-steps", "[first-steps]")):
        title = topic_id.replace("-", " ").title()
        (root / f"{topic_id}.yaml").write_text(
            textwrap.dedent(
                f"""\
                id: {topic_id}
                title: {title}
                prerequisites: {prerequisites}
                core_idea: The idea of {title}.
                questions:
                  - id: explain
                    type: free_response
                    prompt: Explain {title} in your own words.
                    answer: The model answer of {title}.
                    think_seconds: 30
                    explanation: Why {title} works.
                """
            )
        )
    return root


async def test_a_free_response_is_revealed_after_its_think_time_and_judged(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    fake, user = fake_discord, fake_discord.student
    async with start_bot(content_dir=_free_response_course(tmp_path / "content")) as bot:
        i, first = await _placement(fake, user)
        assert "Think about your answer" in message_text(first)
        assert "The model answer opens <t:" in message_text(first)
        early = await click_label(fake, i, "Reveal", user)
        assert early.ephemeral and early.content.startswith("Not yet")
        assert _number(fake.original(i)) == 1
        clock.advance(30)
        shown = await click_label(fake, i, "Reveal", user)
        assert "The model answer of" in message_text(shown)
        assert set(enabled(shown.components)) == {"Got it", "Partly", "Missed it", "Stop"}
        second = await click_label(fake, i, "Got it", user)
        # one "Got it" (1.85 bits) does not pass First Steps: Next Steps is asked next
        assert _number(second) == 2 and "Next Steps" in second.embeds[0]["title"]
        end = await click_label(fake, i, "I don't know", user)  # no think time to wait out
        text = message_text(end)
        assert end.embeds[0]["title"] == "Placement complete"
        assert "It took **2 questions**" in text and "No topic placed this time" in text
        # First Steps had no question left to decide it with
        assert "1 topic left undecided counts as not known yet: practise it" in text
        assert await _placed(bot, user) == frozenset()
    assert fake.rejections == []


async def test_nothing_to_place_when_the_goal_is_already_known(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake, user = fake_discord, fake_discord.student
    await bot.services.progress.toggle_known(user.id, GOAL)  # "I know this" on the card
    _, end = await _placement(fake, user, goal=GOAL)
    assert end.embeds[0]["title"] == "Nothing to place"
    assert "you already know every topic on the way to **" in message_text(end)
    assert "topic:card:addition-within-20" in buttons(end.components).values()  # learn next
    assert await bot.services.quiz.active(user.id) is None  # nothing stored
    assert fake.rejections == []


async def test_a_double_click_is_counted_once(bot: TutorBot, fake_discord: FakeDiscord) -> None:
    fake, user = fake_discord, fake_discord.student
    _, first = await _placement(fake, user, goal=GOAL)
    idk = enabled(first.components)["I don't know"]
    # forged: the second click may come after the first edited the message, as a slow client's
    clicks = [await fake.click(first, idk, user, forged=True) for _ in range(2)]
    replies = [await fake.wait_response(click) for click in clicks]
    refused = [r for r in replies if r.ephemeral and r.content]
    assert len(refused) == 1  # the second click, politely
    exported = await bot.services.storage.data_rights.export_user(user.id)
    reviews = [r for r in exported["memory_reviews"] if r["source"] == "placement"]
    assert len(reviews) == 1
    assert fake.rejections == []


async def test_the_resume_button_shows_the_question_on_screen(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake, user = fake_discord, fake_discord.student
    _, first = await _placement(fake, user, goal=GOAL)
    session = await bot.services.quiz.active(user.id)
    assert session is not None and session.kind == "placement"
    resume = f"placement:resume:{session.id}"  # what /quiz and /review offer while one runs
    shown = await fake.wait_response(await fake.click(first, resume, user, forged=True))
    assert shown.content.startswith("📍 Your placement continues") and _number(shown) == 1
    other = await fake.wait_response(await fake.click(first, resume, fake.admin, forged=True))
    assert other.ephemeral and "belongs to someone else" in other.content
    assert fake.rejections == []


async def test_a_quiz_button_forged_with_a_placement_session_is_refused_politely(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake, user = fake_discord, fake_discord.student
    i, _ = await _placement(fake, user)
    session = await bot.services.quiz.active(user.id)
    assert session is not None and session.kind == "placement"
    forged = await fake.click(fake.original(i), f"quiz:next:{session.id}:0", user, forged=True)
    reply = await fake.wait_response(forged)
    assert reply.ephemeral and "no longer exists" in (reply.content or "")
    assert fake.rejections == []
