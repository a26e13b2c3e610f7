"""Reading what the fake Discord received, as a user would see it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from console.console_helpers import typed_text
from fakediscord import FakeDiscord, InteractionRecord

from tutorbot.content.library import Library
from tutorbot.content.models import TYPED, Question, QuestionType, Topic


def embed_text(embed: dict[str, Any]) -> str:
    """Every visible string of an embed, in reading order."""
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    parts.append(embed.get("footer", {}).get("text", ""))
    return "\n".join(parts)


def message_text(message: Any) -> str:
    """Content and all embeds of a message or callback."""
    return "\n".join([message.content or "", *(embed_text(e) for e in message.embeds)])


def buttons(components: list[dict[str, Any]]) -> dict[str, str]:
    """Label -> custom_id of every button."""
    return {
        c["label"]: c["custom_id"]
        for row in components
        for c in row.get("components", [])
        if c.get("type") == 2
    }


def enabled(components: list[dict[str, Any]]) -> dict[str, str]:
    """Label -> custom_id of every enabled button."""
    return {
        c["label"]: c["custom_id"]
        for row in components
        for c in row.get("components", [])
        if c.get("type") == 2 and not c.get("disabled")
    }


async def exported(fake: FakeDiscord, mydata: InteractionRecord) -> tuple[str, list[Any]]:
    """What /mydata sent: its text and its attachments (the reply comes as followups, after a
    "thinking" response)."""
    await fake.wait_response(mydata)
    first, *_ = await fake.wait_followups(mydata, 1, timeout=30)
    parts = [a for m in fake.followups(mydata) for a in m.attachments]
    return first.content, parts


def question_on_screen(library: Library, message: Any) -> tuple[Topic, Question]:
    """The topic and question a quiz or review message shows (its title names the topic)."""
    title = message.embeds[0]["title"]
    text = message.embeds[0]["description"]
    for topic in library.topics.values():
        if topic.title not in title:
            continue
        for question in topic.questions:
            if text.startswith(question.prompt):
                return topic, question
    raise AssertionError(f"no question matches {title!r}")


def right_label(question: Question) -> str:
    """The button that answers a multiple-choice or true/false question right."""
    if question.type is QuestionType.TRUE_FALSE:
        return "True" if question.answer else "False"
    return str(question.answer)


def wrong_label(question: Question) -> str:
    """A button that answers a multiple-choice or true/false question wrong."""
    if question.type is QuestionType.TRUE_FALSE:
        return "False" if question.answer else "True"
    return next(letter for letter in "ABCD" if letter != question.answer)


async def click_label(fake: FakeDiscord, interaction: Any, label: str, user: Any) -> Any:
    """Click the enabled button `label` of the interaction's message as `user`; the answer."""
    message = fake.original(interaction)
    click = await fake.click(message, enabled(message.components)[label], user)
    return await fake.wait_response(click)


async def answer_on_screen(
    fake: FakeDiscord, clock: Any, interaction: Any, question: Question, user: Any, right: bool
) -> Any:
    """Answer the question on screen, right or wrong (a free response: wait out its think time,
    reveal, then Got it or Missed it; a typed question: Type my answer, then the form); the
    message that shows the result."""
    if question.type is QuestionType.FREE_RESPONSE:
        clock.advance(question.think_seconds or 0)
        await click_label(fake, interaction, "Reveal", user)
        return await click_label(fake, interaction, "Got it" if right else "Missed it", user)
    if question.type in TYPED:
        form = await click_label(fake, interaction, TYPE_MY_ANSWER, user)
        text = typed_text(question, right)
        submitted = await fake.modal_submit(form.data["custom_id"], {"answer": text}, user)
        return await fake.wait_response(submitted)
    label = right_label(question) if right else wrong_label(question)
    return await click_label(fake, interaction, label, user)


async def answer_all(
    fake: FakeDiscord,
    clock: Any,
    library: Library,
    interaction: Any,
    user: Any,
    right: bool | Mapping[str, bool] = True,
) -> tuple[list[tuple[str, str]], Any]:
    """Answer every question of a quiz or review until its summary: right, wrong, or by topic
    id. Returns (topic id, question id) in the order asked, and the summary message."""
    asked: list[tuple[str, str]] = []
    while any(k in enabled(fake.original(interaction).components) for k in _ANSWERS):
        topic, question = question_on_screen(library, fake.original(interaction))
        asked.append((topic.id, question.id))
        good = right if isinstance(right, bool) else right[topic.id]
        await answer_on_screen(fake, clock, interaction, question, user, good)
        labels = enabled(fake.original(interaction).components)
        await click_label(
            fake, interaction, "See results" if "See results" in labels else "Next", user
        )
    return asked, fake.original(interaction)


TYPE_MY_ANSWER = "Type my answer"
"""The button that opens the form for a short-answer or numeric question."""

_ANSWERS = ("A", "True", "Reveal", TYPE_MY_ANSWER)
"""A button only a question waiting for its answer shows."""
