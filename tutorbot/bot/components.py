"""Dynamic buttons that survive restarts and always answer.

Each feature subclasses `FeatureButton` with its own prefix and a table of actions. discord.py
routes any click whose custom_id matches the template to it, even after a restart; a click whose
custom_id no longer parses, or whose action is unknown, gets a polite private answer. Exceptions
never escape unanswered: errors in a DynamicItem are only logged by discord.py, so we catch them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import discord
from discord.ui import Button, DynamicItem

from tutorbot.bot import limits
from tutorbot.bot.custom_ids import BadCustomId, CustomId, parse
from tutorbot.bot.errors import UserFacingError, refuse, report_error
from tutorbot.bot.members import note_member
from tutorbot.domain.refusals import Refusal
from tutorbot.guild_scope import enter_guild

RESTARTING = "TutorBot is restarting; please try again in a few seconds."
STALE_BUTTON = "This button is no longer active. Run the command again to get a fresh one."

ButtonHandler = Callable[[discord.Interaction[Any], CustomId], Awaitable[None]]


def button(
    custom_id: str,
    label: str,
    *,
    style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    disabled: bool = False,
    emoji: str | None = None,
    row: int | None = None,
) -> Button[Any]:
    """A plain button with a custom_id from `custom_ids.make`; labels are cut to Discord's 80."""
    label = limits.clip(label, limits.BUTTON_LABEL)
    return Button(
        custom_id=custom_id, label=label, style=style, disabled=disabled, emoji=emoji, row=row
    )


class _RebuiltButton(DynamicItem[Button[Any]], template=r"(?!)"):
    """A dynamic button rebuilt from the clicked message's own button (label, style, id)."""

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> _RebuiltButton:
        """The clicked button, as discord.py asks a dynamic item to rebuild itself."""
        if not isinstance(item, Button):  # this bot sends no other component with these ids
            raise TypeError(f"{cls.__name__} rebuilds buttons, not {type(item).__name__}")
        return cls(item)


class FeatureButton(_RebuiltButton, template=r"(?!)"):
    """Base for every feature's buttons. Subclasses set `feature` and fill `actions`."""

    feature: ClassVar[str] = ""
    actions: ClassVar[dict[str, ButtonHandler]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if "template" not in kwargs and cls.feature:
            kwargs["template"] = re.escape(cls.feature) + r":(?P<rest>.*)"
        super().__init_subclass__(**kwargs)
        cls.actions = {}

    @classmethod
    def action(cls, name: str) -> Callable[[ButtonHandler], ButtonHandler]:
        """Register the handler of one action: `@QuizButton.action("answer")`."""

        def register(handler: ButtonHandler) -> ButtonHandler:
            cls.actions[name] = handler
            return handler

        return register

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Run the action the custom_id names; a stale or unknown one gets a polite answer."""
        if not getattr(interaction.client, "accepting", True):
            await report_error(interaction, UserFacingError(RESTARTING))
            return
        try:
            parsed = parse(self.item.custom_id or "")
            handler = self.actions.get(parsed.action)
            if parsed.feature != self.feature or handler is None:
                raise BadCustomId(parsed.action)
            enter_guild(interaction.guild_id)
            note_member(interaction)
            await handler(interaction, parsed)
        except BadCustomId:
            await report_error(interaction, UserFacingError(STALE_BUTTON))
        except Exception as exc:
            await report_error(interaction, exc)


class UnknownButton(_RebuiltButton, template=r"(?!)"):
    """Catches clicks on buttons no feature claims (an old scheme, a forged id): a polite answer."""

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Tell the user the button is no longer active."""
        await report_error(interaction, UserFacingError(STALE_BUTTON))


def unknown_button_class(features: list[str]) -> type[UnknownButton]:
    """An UnknownButton whose template matches every custom_id outside these features."""
    claimed = "|".join(re.escape(f) for f in features)
    return type("UnclaimedButton", (UnknownButton,), {}, template=rf"(?!(?:{claimed}):)(?s:.*)")


ModalHandler = Callable[[discord.Interaction[Any], CustomId, dict[str, str]], Awaitable[None]]
MODAL_ACTIONS: dict[tuple[str, str], ModalHandler] = {}
STALE_FORM = "This form is no longer active. Run the command again to get a fresh one."


def modal_action(feature: str, action: str) -> Callable[[ModalHandler], ModalHandler]:
    """Register the handler of a submitted form whose custom_id is `feature:action:...`.

    Forms are routed from `on_interaction` rather than by discord.py's modal store, which is lost
    on restart: a form opened before a restart is still answered after it.
    """

    def register(handler: ModalHandler) -> ModalHandler:
        MODAL_ACTIONS[(feature, action)] = handler
        return handler

    return register


class PassiveModal(discord.ui.Modal):
    """A form whose submit is handled by `route_modal`, not by this object (see modal_action)."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Decline the submit here: `route_modal` answers it (also after a restart)."""
        self.stop()
        return False


ANSWER_FIELD = "answer"


def answer_form(custom_id: str, title: str, max_length: int) -> PassiveModal:
    """A one-field form for a typed answer (quizzes and rounds), routed by `modal_action`."""
    form = PassiveModal(title=title, custom_id=custom_id)
    form.add_item(
        discord.ui.TextInput(
            label="Your answer",
            custom_id=ANSWER_FIELD,
            style=discord.TextStyle.paragraph,
            max_length=max_length,
        )
    )
    return form


async def open_answer_form(
    interaction: discord.Interaction[Any],
    refused: Refusal | None,
    custom_id: str,
    title: str,
    max_length: int,
) -> None:
    """The answer form (`answer_form`), or privately the refusal that keeps it closed (the
    question answered already, time up, a stale button)."""
    if refused is not None:
        await refuse(interaction, refused)
        return
    await interaction.response.send_modal(answer_form(custom_id, title, max_length))


def modal_values(data: Any) -> dict[str, str]:
    """custom_id -> value of every text input in a modal submit (rows or labels alike)."""
    values: dict[str, str] = {}
    stack = list(data.get("components", [])) if isinstance(data, dict) else []
    while stack:
        component = stack.pop()
        if not isinstance(component, dict):
            continue
        if "value" in component and "custom_id" in component:
            values[str(component["custom_id"])] = str(component["value"])
        stack.extend(component.get("components", []))
        if isinstance(component.get("component"), dict):
            stack.append(component["component"])
    return values


async def route_modal(interaction: discord.Interaction[Any]) -> None:
    """Answer a submitted form through its registered handler, or politely when it is stale."""
    if interaction.type is not discord.InteractionType.modal_submit:
        return
    data: Any = interaction.data or {}
    try:
        parsed = parse(str(data.get("custom_id", "")))
        handler = MODAL_ACTIONS.get((parsed.feature, parsed.action))
        if handler is None:
            raise BadCustomId(parsed.action)
        enter_guild(interaction.guild_id)
        note_member(interaction)
        await handler(interaction, parsed, modal_values(data))
    except BadCustomId:
        await report_error(interaction, UserFacingError(STALE_FORM))
    except Exception as exc:
        await report_error(interaction, exc)
