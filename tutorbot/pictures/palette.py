"""Colours, marker shapes and labels shared by every picture.

The colours are the Okabe-Ito palette, told apart with the common kinds of colour blindness;
each state also has its own marker shape and a short label, so colour is never the only cue.
"""

from __future__ import annotations

from dataclasses import dataclass

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#8C8C8C"
"""Not an Okabe-Ito colour: the neutral for what is not there yet."""

OKABE_ITO = (BLACK, ORANGE, SKY_BLUE, BLUISH_GREEN, YELLOW, BLUE, VERMILLION, REDDISH_PURPLE)
TEXT = "#1A1A1A"
BACKGROUND = "#FFFFFF"


@dataclass(frozen=True)
class Style:
    """How a state is drawn: a colour, a matplotlib marker, and a short label for legends."""

    colour: str
    marker: str
    label: str


MASTERED = Style(BLUISH_GREEN, "o", "mastered")
KNOWN = Style(BLUE, "s", "known")
DUE = Style(VERMILLION, "D", "due for review")
READY = Style(ORANGE, ">", "ready to learn")
LOCKED = Style(GREY, "X", "not yet reachable")
GOAL = Style(REDDISH_PURPLE, "*", "goal")
CURRENT = Style(BLACK, "P", "you are here")

STATES: dict[str, Style] = {
    "mastered": MASTERED,
    "known": KNOWN,
    "due": DUE,
    "ready": READY,
    "locked": LOCKED,
}
"""Each topic state a picture shows, by its name in the domain, in legend order."""

EMPHASIS: dict[str, Style] = {"goal": GOAL, "current": CURRENT}
"""The emphasis drawn over a state: the student's goal and the topic they are at."""


def style_of(state: str) -> Style:
    """The style of a state or an emphasis by name; KeyError for an unknown one."""
    return STATES.get(state) or EMPHASIS[state]


def tint(colour: str, amount: float = 0.82) -> str:
    """`colour` mixed with white (`amount` 0 keeps it, 1 is white): a fill under dark text."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (round(c + (255 - c) * amount) for c in (red, green, blue))
    return "#" + "".join(f"{c:02X}" for c in mixed)
