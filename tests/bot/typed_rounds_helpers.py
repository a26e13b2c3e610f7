"""A course of typed questions (a short answer and a number) for round tests, and ways to answer
them through the fake Discord's form."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from fakediscord import FakeDiscord, FakeMessage

from .helpers import buttons, enabled
from .rounds_helpers import reply

TYPED_TOPIC = "capitals"
TYPE_LABEL = "Type my answer"
SHORT_PROMPT = "What is the capital of Australia?"
NUMBER_PROMPT = "At how many degrees Celsius does water boil at sea level?"

_TOPIC = f"""\
id: {TYPED_TOPIC}
title: Capitals and Numbers
core_idea: Some answers are typed.
explainer: Type the answer; a small typo in a long one is forgiven.
questions:
  - id: short
    type: short_answer
    prompt: {SHORT_PROMPT}
    answers: ["Canberra", "Canberra ACT"]
    explanation: Canberra was chosen as a compromise between Sydney and Melbourne.
  - id: number
    type: numeric
    prompt: {NUMBER_PROMPT}
    answer: 100
    tolerance: 0.5
    explanation: At one atmosphere water boils at 100 degrees Celsius.
"""


def write_typed_course(root: Path) -> Path:
    """One topic with a short-answer and a numeric question, no prerequisites."""
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{TYPED_TOPIC}.yaml").write_text(textwrap.dedent(_TOPIC))
    return root


def typed_kind(message: FakeMessage) -> str:
    """Which question a channel message shows: "short" or "number"."""
    description = message.embeds[0]["description"]
    return "short" if description.startswith(SHORT_PROMPT) else "number"


async def type_answer(fake: FakeDiscord, message: FakeMessage, text: str, user: Any) -> str:
    """Press "Type my answer" as `user` and send `text` in the form; the private reply (the
    refusal instead, if the form is not opened)."""
    current = fake.messages[message.id]
    pressed = await fake.click(current, buttons(current.components)[TYPE_LABEL], user)
    shown = await fake.wait_response(pressed)
    if shown.type != 9:  # not a form: refused privately
        assert shown.ephemeral, shown
        return str(shown.content)
    sent = await fake.modal_submit(shown.data["custom_id"], {"answer": text}, user)
    return await reply(fake, sent)


def is_typed_revealed(fake: FakeDiscord, message: FakeMessage) -> bool:
    """Whether a typed question's message turned into its reveal (green, form button off)."""
    current = fake.messages[message.id]
    return (
        bool(current.embeds)
        and current.embeds[0].get("color") == 0x2ECC71
        and TYPE_LABEL not in enabled(current.components)
    )
