"""A tiny course for round tests, and ways to drive a round through the fake Discord."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from fakediscord import FakeDiscord, FakeMessage

from tutorbot.bot.client import TutorBot

from .bot_harness import FakeClock
from .helpers import buttons, enabled

TOPIC = "sky-colours"
BASE = "light-basics"
PROMPTS = {
    "Which colour is the sky on a clear day?": "mc",
    "Snow is white.": "tf",
    "Why is the sky blue?": "fr",
}

_BASE = """\
id: light-basics
title: Light Basics
core_idea: Light travels in straight lines.
explainer: Light travels in straight lines from a source.
questions:
  - id: straight
    type: true_false
    prompt: Light travels in straight lines.
    answer: true
    explanation: It does, in one medium.
"""

_TOPIC = """\
id: sky-colours
title: Sky Colours
prerequisites: [light-basics]
core_idea: Air scatters blue light more than red.
explainer: Air scatters short wavelengths most.
questions:
  - id: mc
    type: multiple_choice
    prompt: Which colour is the sky on a clear day?
    choices: ["Green", "Blue", "Red", "Yellow"]
    answer: B
    explanation: Air scatters blue light the most.
  - id: tf
    type: true_false
    prompt: Snow is white.
    answer: true
    explanation: Snow reflects every colour about equally.
  - id: fr
    type: free_response
    prompt: Why is the sky blue?
    answer: Air molecules scatter short (blue) wavelengths more than long ones.
    explanation: This is Rayleigh scattering.
"""


def write_course(root: Path) -> Path:
    """Two topics: the round's topic and its one prerequisite."""
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{BASE}.yaml").write_text(textwrap.dedent(_BASE))
    (root / f"{TOPIC}.yaml").write_text(textwrap.dedent(_TOPIC))
    return root


def channel_messages(fake: FakeDiscord) -> list[FakeMessage]:
    return fake.messages_in(fake.channel)


def kind_of(message: FakeMessage) -> str:
    """Which of the course's questions a channel message shows."""
    description = message.embeds[0]["description"]
    return next(kind for prompt, kind in PROMPTS.items() if description.startswith(prompt))


async def tick(bot: TutorBot, clock: FakeClock, seconds: float) -> None:
    """Move time on and let the round's deadlines fire."""
    clock.advance(seconds)
    bot.services.wake()


async def reply(fake: FakeDiscord, interaction: Any) -> str:
    """The private text answer to an interaction (a deferred one's followup too)."""
    callback = await fake.wait_response(interaction)
    if callback.type == 5:  # deferred: the answer is a followup
        followups = await fake.wait_followups(interaction, count=1)
        assert followups[0].ephemeral
        return str(followups[0].content)
    assert callback.ephemeral, callback
    return str(callback.content)


async def click(fake: FakeDiscord, message: FakeMessage, label: str, user: Any) -> str:
    """Click a button by its label as `user`; the private answer."""
    current = fake.messages[message.id]
    return await reply(fake, await fake.click(current, buttons(current.components)[label], user))


def is_revealed(fake: FakeDiscord, message: FakeMessage) -> bool:
    current = fake.messages[message.id]
    return (
        bool(current.embeds)
        and current.embeds[0].get("color") == 0x2ECC71
        and not any(
            label in {"A", "B", "C", "D", "True", "False"} for label in enabled(current.components)
        )
    )
