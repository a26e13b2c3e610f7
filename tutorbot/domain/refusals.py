"""Refusals: why something a person asked for cannot happen now, in the words they see.

Rules return a `Refusal` rather than raise it, so a caller sees in the type that a step may be
refused and passes the value on; a front end shows `text` privately and logs nothing. Raising is
kept for forged input (a value no honest client sends) and for bugs.
"""

from __future__ import annotations

from typing import ClassVar


class Refusal:
    """Base of every refusal; subclasses say why in `text`, worded for the person who asked: a
    fixed sentence as their `default`, or a `text` of their own built from their fields."""

    __slots__ = ()
    default: ClassVar[str] = "That button can no longer do anything."

    @property
    def text(self) -> str:
        """What the person is told."""
        return self.default


class Forged(ValueError):
    """Input no honest client sends (an option the question does not have, an unknown
    self-assessment): raised, not returned; its message is still fit to show."""
