"""The custom_id scheme: `feature:action:arg:arg`, at most 100 characters.

Buttons carry their state here and everything else is reloaded from storage when clicked, so a
click works after a restart (docs/conventions.md, "Custom ids"). Arguments are ids and small
numbers; a colon never appears inside one.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_CUSTOM_ID = 100
SEPARATOR = ":"
MAX_NUMBER = 2**63 - 1
"""The largest number an argument may spell: Discord's snowflakes and SQLite's INTEGER are
signed 64-bit, so anything larger was never made by this bot."""


class BadCustomId(ValueError):
    """A custom_id that this bot did not make, or that no longer parses."""


@dataclass(frozen=True, slots=True)
class CustomId:
    """One custom_id, split: the feature that owns it, the action, and the state it carries."""

    feature: str
    action: str
    args: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = SEPARATOR.join((self.feature, self.action, *self.args))
        if len(text) > MAX_CUSTOM_ID:
            raise ValueError(f"custom_id longer than {MAX_CUSTOM_ID} characters: {text!r}")
        return text

    def arg(self, index: int) -> str:
        """The argument at index, or BadCustomId when it is missing."""
        try:
            return self.args[index]
        except IndexError:
            raise BadCustomId(f"missing argument {index}") from None

    def int_arg(self, index: int) -> int:
        """The argument at index as a number from 0 to MAX_NUMBER, or BadCustomId."""
        value = self.arg(index)
        if not _is_digits(value):
            raise BadCustomId(f"argument {index} is not a number")
        return int(value)  # in range: `parse` refused any larger number


def _is_digits(text: str) -> bool:
    """ASCII digits only (str.isdigit alone also takes '²' and other scripts' digits)."""
    return text.isascii() and text.isdigit()


def _in_range(arg: str) -> bool:
    """An argument that spells a number spells one from 0 to MAX_NUMBER."""
    if not arg.isdigit():
        return True
    return _is_digits(arg) and len(arg) <= len(str(MAX_NUMBER)) and int(arg) <= MAX_NUMBER


def make(feature: str, action: str, *args: object) -> str:
    """Build a custom_id; raises ValueError if it would break the scheme or Discord's limit."""
    parts = [str(a) for a in args]
    for part in (feature, action, *parts):
        if SEPARATOR in part or not part:
            raise ValueError(f"bad custom_id part {part!r}")
    return str(CustomId(feature, action, tuple(parts)))


def parse(custom_id: str) -> CustomId:
    """Split a custom_id made by `make`; BadCustomId for anything else."""
    if not custom_id or len(custom_id) > MAX_CUSTOM_ID:
        raise BadCustomId("empty or too long")
    feature, _, rest = custom_id.partition(SEPARATOR)
    action, _, tail = rest.partition(SEPARATOR)
    if not feature or not action:
        raise BadCustomId("no action")
    args = tuple(tail.split(SEPARATOR)) if tail else ()
    if any(not a for a in args):
        raise BadCustomId("empty argument")
    if not all(_in_range(a) for a in args):
        raise BadCustomId("number out of range")
    return CustomId(feature, action, args)
