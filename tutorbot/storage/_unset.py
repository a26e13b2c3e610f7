"""A marker for "leave this column as it is", where None is a real value (e.g. no message)."""

from __future__ import annotations

import enum


class Unset(enum.Enum):
    UNSET = enum.auto()


UNSET = Unset.UNSET
