"""The class at a glance in the instructor's round report: students by topics, a cell per pair.

Each cell is tinted with its state's colour and carries the state's marker shape (mastered o,
known square, ready to learn >, not yet reachable X: `palette.STATES`), so the grid reads without
colour too; a legend under it names them. Above the rows, a line counts over the whole class how
many students lack each topic, drawn or not. The layout is in pixels: a fixed width, and a height
that grows with the rows drawn (at most `class_glance.MAX_ROWS`).

matplotlib is imported inside the drawing (in the worker process), never when this module is.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from tutorbot.domain.class_glance import STATES, ClassGlance, describe, students_text
from tutorbot.pictures.palette import GREY, TEXT, VERMILLION, style_of, tint
from tutorbot.pictures.png import Picture, figure, picture

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FILENAME = "class.png"
CELL = 26
"""Pixels per row of the grid."""
COLUMN = 52
"""Pixels per column of the grid (12 columns: 624)."""
MIN_WIDTH = 800
"""The narrowest picture: room for the title and the legend beside a grid of few columns."""
HEADING = 80
"""Pixels of the title, above the column titles."""
CHAR = 8.5
"""About how many pixels a character of a column title takes along its slant."""
SLANT = 50
"""Degrees the column titles are turned (sin 50° = 0.77 of their length goes up)."""
BOTTOM = 70
"""Pixels below the grid: the legend and the note on students not drawn."""
LEFT = 210
"""Pixels left of the grid: the students' names."""
RIGHT = 160
"""Pixels right of the grid: room for the last column's slanted title."""
FONT = 12
TITLE_CHARS = 26
"""A column's title is cut to this many characters."""


def top_of(found: ClassGlance) -> int:
    """Pixels above the grid: the title, then the slanted column titles (as tall as the
    longest needs)."""
    longest = max((len(_short(t, TITLE_CHARS)) for t in found.columns), default=0)
    return HEADING + math.ceil(math.sin(math.radians(SLANT)) * CHAR * longest) + 20


def size_of(found: ClassGlance) -> tuple[int, int]:
    """The picture's width and height in pixels: a column per topic, a row per student drawn
    and one for the class's counts."""
    width = max(MIN_WIDTH, LEFT + len(found.columns) * COLUMN + RIGHT)
    return width, top_of(found) + (len(found.rows) + 1) * CELL + BOTTOM


def draw_class_glance(found: ClassGlance) -> Picture:
    """The class at a glance as a PNG, with its description as alt text."""
    width, height = size_of(found)
    fig = figure(width, height)
    rows = len(found.rows) + 1  # the class's counts are the grid's first row
    grid = fig.add_axes(
        (LEFT / width, BOTTOM / height, len(found.columns) * COLUMN / width, rows * CELL / height)
    )
    _cells(grid, found)
    _labels(grid, found)
    _title(fig, found, height)
    _legend(fig, found, height)
    return picture(fig, FILENAME, describe(found))


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _cells(axes: Axes, found: ClassGlance) -> None:
    """Each row's tinted cells and markers; row 0 is the class's counts."""
    from matplotlib.colors import to_rgb  # loaded in the worker process only

    columns = len(found.columns)
    image = [[to_rgb("#FFFFFF")] * columns]
    for row in found.rows:
        image.append([to_rgb(tint(style_of(s).colour, 0.7)) for s in row.states])
    axes.imshow(image, aspect="auto", interpolation="nearest", extent=_extent(found))
    for state in STATES:
        style = style_of(state)
        cells = [
            (c, r + 1) for r, row in enumerate(found.rows) for c, s in enumerate(row.states)
            if s == state
        ]  # fmt: skip
        if cells:
            xs, ys = zip(*cells, strict=True)
            axes.scatter(
                xs, ys, marker=style.marker, s=90, c=style.colour, edgecolors="white",
                linewidths=0.6, zorder=3,
            )  # fmt: skip
    for c in range(columns):
        lacking = found.lacking(c)
        axes.text(
            c, 0, f"{lacking}", ha="center", va="center", fontsize=FONT, weight="bold",
            color=VERMILLION if lacking else TEXT,
        )  # fmt: skip
    rows = len(found.rows)
    axes.vlines([c - 0.5 for c in range(columns + 1)], -0.5, rows + 0.5, colors="white", lw=1.5)
    axes.hlines([r + 0.5 for r in range(1, rows)], -0.5, columns - 0.5, colors="white", lw=1)
    axes.hlines([0.5], -0.5, columns - 0.5, colors=TEXT, lw=1.2)


def _extent(found: ClassGlance) -> tuple[float, float, float, float]:
    rows = len(found.rows) + 1
    return (-0.5, len(found.columns) - 0.5, rows - 0.5, -0.5)


def _labels(axes: Axes, found: ClassGlance) -> None:
    """Column titles above (the round topic in bold), names on the left: plain texts, not
    axis ticks (a tick costs several artists, and a class has many rows)."""
    columns = len(found.columns)
    axes.set_xlim(-0.5, columns - 0.5)
    axes.set_ylim(len(found.rows) + 0.5, -0.5)
    axes.set_xticks([])
    axes.set_yticks([])
    for c, column in enumerate(found.columns):
        axes.text(
            c, -0.75, _short(column, TITLE_CHARS), rotation=SLANT, rotation_mode="anchor",
            ha="left", va="center", fontsize=FONT, color=TEXT, parse_math=False,
            weight="bold" if c == columns - 1 else "normal",
        )  # fmt: skip
    names = [f"lack it (of {found.students})"] + [r.name for r in found.rows]
    for r, name in enumerate(names):
        axes.text(
            -0.6, r, name, ha="right", va="center", fontsize=FONT, color=TEXT,
            parse_math=False, weight="bold" if r == 0 else "normal",
        )  # fmt: skip
    for spine in axes.spines.values():
        spine.set_color(GREY)


def _title(fig: Figure, found: ClassGlance, height: int) -> None:
    drawn = f" · the {len(found.rows)} lacking most" if found.hidden else ""
    heading = _short(f"Class at a glance: {found.topic}", 60)
    fig.text(
        20 / fig.bbox.width, 1 - 12 / height, f"{heading}\n{students_text(found.students)}{drawn}",
        ha="left", va="top", fontsize=FONT + 3, weight="bold", color=TEXT, parse_math=False,
    )  # fmt: skip


def _legend(fig: Figure, found: ClassGlance, height: int) -> None:
    from matplotlib.lines import Line2D  # loaded in the worker process only

    handles = [
        Line2D(
            [], [], linestyle="none", marker=style_of(s).marker, markersize=10,
            color=style_of(s).colour, markerfacecolor=style_of(s).colour,
            label=style_of(s).label,
        )
        for s in STATES
    ]  # fmt: skip
    fig.legend(
        handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=FONT,
        bbox_to_anchor=(0.5, 6 / height),
    )  # fmt: skip
    if found.hidden:
        fig.text(
            0.5, 40 / height,
            f"{found.hidden} more students are counted in the first line, not drawn.",
            ha="center", va="bottom", fontsize=FONT - 1, color=TEXT,
        )  # fmt: skip
