"""Drawing a knowledge map page (`tutorbot.domain.knowledge_map.KnowledgeMap`) as a PNG.

Columns of boxes left to right (prerequisites on the left), each box filled with a tint of its
state's colour, edged in that colour, with the state's marker at its left and the title wrapped
inside; a fold has a dashed edge. The goal and the current topic get a thick edge and a tag
above ("★ goal", "▶ you are here"). Curves join prerequisites to what they lead to; a short
dashed stub at the page's edge marks a link to an earlier or a later page (drawn for the first
and last columns, where it cannot be mistaken for a curve). A legend of every
state (marker, colour, label) runs along the bottom.
"""

from __future__ import annotations

import functools
import itertools
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tutorbot.domain.knowledge_map import SEVERAL, KnowledgeMap, MapNode
from tutorbot.pictures import palette
from tutorbot.pictures.png import Picture, figure, picture

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.path import Path

WIDTH = 1600
FILENAME = "knowledge-map.png"
MARGIN = 36
TOP = 92
"""Pixels above the columns: the heading, and room for a tag over the top box."""
BOTTOM = 78
"""Pixels below the columns: the legend."""
LEGEND_HEIGHT = 44
FONT = 11.5
"""Points of a box's text (at 100 dpi, about 16 pixels)."""
NARROW_FONT = 10.5
"""Points of a box's text on a page of `NARROW_COLUMNS` columns or more (narrower boxes)."""
NARROW_COLUMNS = 6
CHAR_WIDTH = 0.6
"""A DejaVu Sans character's mean width, in ems, with room for wide letters."""
LINE_HEIGHT = 1.25
MIN_LINES = 2
MAX_LINES = 6
"""Lines a box holds at most; a longer label is cut with "…"."""
GAP = 36
"""Pixels between a box and the next below it: room for a tag ("★ goal")."""
MIN_ROWS = 2
"""Rows a page is at least as tall as, so a chain's single row is a wide strip, not a
sliver."""
EDGE = "#5A5A5A"
LONG_EDGE = "#A6A6A6"
"""An edge past one column or more is lighter: it matters less than what it passes."""


@dataclass(frozen=True)
class Box:
    """Where a node is drawn, in pixels from the top left."""

    x: float
    y: float
    width: float
    height: float
    font: float = FONT

    @property
    def left(self) -> tuple[float, float]:
        """The middle of the box's left side."""
        return (self.x, self.y + self.height / 2)

    @property
    def right(self) -> tuple[float, float]:
        """The middle of the box's right side."""
        return (self.x + self.width, self.y + self.height / 2)


def rows(knowledge_map: KnowledgeMap) -> int:
    """Rows the page's fullest column holds."""
    return max((n.row + 1 for n in knowledge_map.nodes), default=1)


def box_width(knowledge_map: KnowledgeMap) -> float:
    """A box's width: columns share the page's width, with room between them for the curves."""
    return min((WIDTH - 2 * MARGIN) / max(knowledge_map.columns, 1) * 0.78, 330)


def font(knowledge_map: KnowledgeMap) -> float:
    """Points of the boxes' text: a little smaller when the columns are many."""
    return NARROW_FONT if knowledge_map.columns >= NARROW_COLUMNS else FONT


def line(points: float) -> float:
    """Pixels per line of text of this size."""
    return points * 100 / 72 * LINE_HEIGHT


def per_line(width: float, points: float = FONT) -> int:
    """Characters of text of this size a line of a box `width` pixels wide holds."""
    return max(8, int((width - 44) / (points * 100 / 72 * CHAR_WIDTH)))


def box_height(knowledge_map: KnowledgeMap) -> float:
    """A box's height: as many lines as the page's longest label needs, within limits."""
    points = font(knowledge_map)
    chars = per_line(box_width(knowledge_map), points)
    needed = max((len(textwrap.wrap(n.label, chars)) for n in knowledge_map.nodes), default=1)
    return min(max(needed, MIN_LINES), MAX_LINES) * line(points) + 20


def height(knowledge_map: KnowledgeMap) -> int:
    """The page's height in pixels: the heading, the rows of its fullest column, the legend."""
    pitch = box_height(knowledge_map) + GAP
    return round(TOP + BOTTOM + pitch * max(rows(knowledge_map), MIN_ROWS))


def boxes(knowledge_map: KnowledgeMap) -> dict[str, Box]:
    """Each node's box: columns share the width, each column's boxes centred top to bottom."""
    column_width = (WIDTH - 2 * MARGIN) / max(knowledge_map.columns, 1)
    width, tall = box_width(knowledge_map), box_height(knowledge_map)
    pitch = tall + GAP
    area = height(knowledge_map) - TOP - BOTTOM
    per_column: dict[int, int] = {}
    for node in knowledge_map.nodes:
        per_column[node.column] = max(per_column.get(node.column, 0), node.row + 1)
    placed = {}
    for node in knowledge_map.nodes:
        count = per_column[node.column]
        top = TOP + (area - count * pitch) / 2 + node.row * pitch + GAP / 2
        left = MARGIN + node.column * column_width + (column_width - width) / 2
        placed[node.key] = Box(left, top, width, tall, font(knowledge_map))
    return placed


def wrapped(label: str, box: Box) -> str:
    """The label wrapped to the box's width, at most as many lines as fit (the last ending "…"
    when cut)."""
    chars = per_line(box.width, box.font)
    fit = max(1, min(MAX_LINES, int((box.height - 12) / line(box.font))))
    lines = textwrap.wrap(label, chars) or [""]
    if len(lines) > fit:
        lines = lines[:fit]
        lines[-1] = lines[-1][: chars - 1].rstrip(" …") + "…"
    return "\n".join(lines)


def draw_knowledge_map(knowledge_map: KnowledgeMap) -> Picture:
    """The page as a PNG `WIDTH` pixels wide and `height` tall, with its alt text."""
    tall = height(knowledge_map)
    fig = figure(WIDTH, tall)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(tall, 0)
    ax.set_axis_off()
    placed = boxes(knowledge_map)
    _heading(ax, knowledge_map)
    _edges(ax, knowledge_map, placed)
    for node in knowledge_map.nodes:
        _node(ax, node, placed[node.key])
    fig.figimage(legend_pixels(), xo=0, yo=12, zorder=5)
    return picture(fig, FILENAME, knowledge_map.alt_text())


def _heading(ax: Axes, knowledge_map: KnowledgeMap) -> None:
    title = f"Knowledge map: {knowledge_map.heading}"
    ax.text(
        MARGIN,
        40,
        textwrap.shorten(title, 95, placeholder=" …"),
        parse_math=False,
        fontsize=17,
        fontweight="bold",
        color=palette.TEXT,
        va="center",
    )
    if knowledge_map.pages > 1:
        ax.text(
            WIDTH - MARGIN,
            40,
            f"page {knowledge_map.page + 1} of {knowledge_map.pages}",
            parse_math=False,
            fontsize=13,
            color=palette.TEXT,
            ha="right",
            va="center",
        )


def _edges(ax: Axes, knowledge_map: KnowledgeMap, placed: dict[str, Box]) -> None:
    from matplotlib.patches import FancyArrowPatch

    column = {n.key: n.column for n in knowledge_map.nodes}
    for source, target in knowledge_map.edges:
        route = _route(knowledge_map, placed, source, target)
        long = column[target] - column[source] > 1
        ax.add_patch(
            FancyArrowPatch(
                path=_curve(route),
                arrowstyle="-|>",
                mutation_scale=12,
                color=LONG_EDGE if long else EDGE,
                linewidth=1.1 if long else 1.3,
                zorder=0.5 if long else 1,
            )
        )
    first, last = 0, knowledge_map.columns - 1
    for key in (k for k in knowledge_map.enters if column[k] == first):
        x, y = placed[key].left
        ax.annotate(
            "",
            (x, y),
            (max(x - 70, 4), y),
            zorder=1,
            arrowprops={"arrowstyle": "-|>", "color": EDGE, "linestyle": "--"},
        )
    for key in (k for k in knowledge_map.leaves if column[k] == last):
        x, y = placed[key].right
        ax.annotate(
            "",
            (min(x + 70, WIDTH - 4), y),
            (x, y),
            zorder=1,
            arrowprops={"arrowstyle": "-|>", "color": EDGE, "linestyle": "--"},
        )


Point = tuple[float, float]


def _route(
    knowledge_map: KnowledgeMap, placed: dict[str, Box], source: str, target: str
) -> list[Point]:
    """Where an edge passes: from the source's right side to the target's left side, crossing
    each column between them through a gap between its boxes (the one nearest the straight
    line), so a long edge never runs behind a box and looks like it starts there."""
    start, end = placed[source].right, placed[target].left
    column = {n.key: n.column for n in knowledge_map.nodes}
    first, last = column[source], column[target]
    points = [start]
    for between in range(first + 1, last):
        stack = sorted(
            (placed[n.key] for n in knowledge_map.nodes if n.column == between),
            key=lambda b: b.y,
        )
        if not stack:
            continue
        share = (between - first) / (last - first)
        wanted = start[1] + (end[1] - start[1]) * share
        y = _free_y(stack, wanted)
        points += [(stack[0].x - 10, y), (stack[0].x + stack[0].width + 10, y)]
    points.append(end)
    return points


def _free_y(stack: list[Box], wanted: float) -> float:
    """The height nearest `wanted` where a line passes a column of boxes (top to bottom)
    without crossing one: `wanted` itself, or the middle of a gap."""
    if all(not (b.y - 4 <= wanted <= b.y + b.height + 4) for b in stack):
        return wanted
    gaps = [stack[0].y - GAP / 2]
    gaps += [(a.y + a.height + b.y) / 2 for a, b in itertools.pairwise(stack)]
    gaps.append(stack[-1].y + stack[-1].height + GAP / 2)
    return min(gaps, key=lambda y: abs(y - wanted))


def _curve(points: list[Point]) -> Path:
    """A smooth path through `points`: a straight run where two share a height (across a
    column), an S-shaped cubic curve leaving and arriving horizontally elsewhere."""
    from matplotlib.path import Path

    vertices: list[Point] = [points[0]]
    codes = [Path.MOVETO]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if y0 == y1:
            vertices.append((x1, y1))
            codes.append(Path.LINETO)
            continue
        bend = max((x1 - x0) / 2, 20)
        vertices += [(x0 + bend, y0), (x1 - bend, y1), (x1, y1)]
        codes += [Path.CURVE4] * 3
    return Path(vertices, codes)


def _node(ax: Axes, node: MapNode, box: Box) -> None:
    from matplotlib.patches import FancyBboxPatch

    several = node.state == SEVERAL
    style = None if several else palette.STATES[node.state]
    colour = palette.GREY if style is None else style.colour
    fill = palette.BACKGROUND if style is None else palette.tint(colour)
    edge, width = colour, 2.0
    if node.current:
        edge, width = palette.CURRENT.colour, 4.0
    elif node.goal:
        edge, width = palette.GOAL.colour, 4.0
    ax.add_patch(
        FancyBboxPatch(
            (box.x, box.y),
            box.width,
            box.height,
            boxstyle="round,pad=0,rounding_size=10",
            facecolor=fill,
            edgecolor=edge,
            linewidth=width,
            linestyle="--" if node.topics > 1 else "-",
            zorder=2,
        )
    )
    if style is not None:
        ax.plot(
            [box.x + 17],
            [box.y + box.height / 2],
            marker=style.marker,
            markersize=11,
            color=colour,
            markeredgecolor=palette.TEXT,
            markeredgewidth=0.8,
            zorder=3,
        )
    ax.text(
        box.x + 32,
        box.y + box.height / 2,
        wrapped(node.label, box),
        parse_math=False,
        fontsize=box.font,
        color=palette.TEXT,
        va="center",
        ha="left",
        linespacing=LINE_HEIGHT,
        zorder=3,
    )
    tags = [t for t, on in (("★ goal", node.goal), ("▶ you are here", node.current)) if on]
    if tags:
        tag_colour = palette.CURRENT.colour if node.current else palette.GOAL.colour
        ax.text(
            box.x + 4,
            box.y - 6,
            "   ".join(tags),
            parse_math=False,
            fontsize=11,
            fontweight="bold",
            color=tag_colour,
            bbox={"facecolor": palette.BACKGROUND, "edgecolor": "none", "pad": 1.5},
            va="bottom",
            ha="left",
            zorder=3,
        )


@functools.cache
def legend_pixels() -> np.ndarray[Any, np.dtype[np.uint8]]:
    """The legend as an RGBA image `WIDTH` x `LEGEND_HEIGHT` pixels: the same on every map, so
    each worker draws it once (laying a legend out costs more than the rest of a small map)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = figure(WIDTH, LEGEND_HEIGHT)
    canvas = FigureCanvasAgg(fig)
    _legend(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def _legend(fig: Figure) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Artist] = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=s.marker,
            markersize=11,
            color=s.colour,
            markeredgecolor=palette.TEXT,
            markeredgewidth=0.8,
            label=s.label,
        )
        for s in palette.STATES.values()
    ]
    handles += [
        Patch(
            facecolor=palette.BACKGROUND, edgecolor=palette.GOAL.colour, linewidth=3, label="★ goal"
        ),
        Patch(
            facecolor=palette.BACKGROUND,
            edgecolor=palette.CURRENT.colour,
            linewidth=3,
            label="▶ you are here",
        ),
        Patch(
            facecolor=palette.BACKGROUND,
            edgecolor=palette.GREY,
            linewidth=2,
            linestyle="--",
            label="several topics",
        ),
    ]
    fig.legend(
        handles=handles,
        loc="center",
        ncols=len(handles),
        frameon=False,
        fontsize=11.5,
        handlelength=1.6,
        columnspacing=1.4,
        bbox_to_anchor=(0.5, 0.5),
    )
