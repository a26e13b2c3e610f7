"""The activity chart of /stats: answers per day as bars, the share right as dots on a line.

matplotlib is imported inside the drawing (in the worker process), never when this module is.
Drawn at 800 x 400 pixels with large type, so it stays readable where Discord shrinks an embed's
image to about half that width. The bars and the dots have their own colour, shape and axis
label (left: answers, right: % right), so neither depends on colour alone.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from tutorbot.domain.activity import Activity, day_label, describe
from tutorbot.pictures.palette import BLUE, GREY, TEXT, VERMILLION, tint
from tutorbot.pictures.png import DPI, Picture, figure, picture

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH, HEIGHT = 800, 400
FILENAME = "activity.png"
FONT = 15
"""Points: about 20 pixels at the figure's size, 10 where Discord shows it at half size."""
AXES = (0.09, 0.17, 0.80, 0.68)
"""Where the plot sits in the figure (left, bottom, width, height, as fractions)."""
LABEL_EVERY = 7
"""Days between two date labels on the x axis (today is always labelled)."""


def draw_activity(found: Activity) -> Picture:
    """The chart of `found` as a PNG, with its description as alt text."""
    fig = figure(WIDTH, HEIGHT)
    axes = fig.add_axes(AXES)
    _bars(axes, found)
    _accuracy(axes.twinx(), found)
    _dates(axes, found)
    fig.text(0.02, 0.93, _title(found), fontsize=FONT + 2, color=TEXT, weight="bold")
    return picture(fig, FILENAME, describe(found))


def _title(found: Activity) -> str:
    days = len(found.days)
    if not found.answered:
        return f"Last {days} days: no answers yet"
    right = f" · {found.accuracy:.0%} right" if found.accuracy is not None else ""
    answers = "answer" if found.answered == 1 else "answers"
    active = "day" if found.days_active == 1 else "days"
    return f"Last {days} days: {found.answered:,} {answers} on {found.days_active} {active}{right}"


def _bars(axes: Axes, found: Activity) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator  # loaded in the worker process only

    counts = [d.answered for d in found.days]
    # One collection of thick lines rather than a patch per bar: the same picture, drawn faster.
    per_day = WIDTH * AXES[2] / (len(counts) + 1.4) * 72 / DPI
    drawn = [(n, c) for n, c in enumerate(counts) if c]
    if drawn:
        xs, ys = zip(*drawn, strict=True)
        axes.vlines(xs, 0, ys, colors=BLUE, linewidth=per_day * 0.75, capstyle="butt", zorder=2)
    top = max(counts, default=0)
    axes.set_ylim(0, max(top * 1.15, 4))
    axes.set_ylabel("answers (bars)", fontsize=FONT, color=BLUE)
    axes.tick_params(axis="y", labelsize=FONT - 2, colors=BLUE)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True, steps=[1, 2, 5, 10]))
    axes.yaxis.set_major_formatter(FuncFormatter(_count))
    axes.grid(axis="y", color=tint(GREY, 0.6), linewidth=0.8, zorder=0)
    axes.set_axisbelow(True)
    for side in ("top",):
        axes.spines[side].set_visible(False)
    if not top:
        axes.text(
            0.5, 0.5, "Answer a quiz, a review or a round to fill this chart",
            transform=axes.transAxes, ha="center", va="center", fontsize=FONT, color=TEXT,
        )  # fmt: skip


def _count(value: float, _position: object = None) -> str:
    """An axis count kept short: 950, 1.5k, 12k."""
    if value < 1000:
        return f"{value:.0f}"
    return f"{value / 1000:.1f}k".replace(".0k", "k") if value < 10_000 else f"{value / 1000:.0f}k"


def _accuracy(axes: Axes, found: Activity) -> None:
    # A day without answers has no accuracy: NaN breaks the line there rather than bridging it.
    ys = [math.nan if d.accuracy is None else d.accuracy * 100 for d in found.days]
    xs = list(range(len(ys)))
    if found.answered:
        axes.plot(xs, ys, color=VERMILLION, linewidth=1.5, zorder=3)
        # Not clipped: a diamond at 0% or 100% sits on the frame, whole.
        axes.plot(
            xs,
            ys,
            linestyle="none",
            marker="D",
            markersize=7,
            color=VERMILLION,
            markeredgecolor="white",
            markeredgewidth=1,
            zorder=4,
            clip_on=False,
        )
    axes.set_ylim(0, 105)
    axes.set_yticks([0, 50, 100])
    axes.set_yticklabels(["0%", "50%", "100%"])
    axes.set_ylabel("% right (dots)", fontsize=FONT, color=VERMILLION)
    axes.tick_params(axis="y", labelsize=FONT - 2, colors=VERMILLION)
    axes.spines["top"].set_visible(False)


def _dates(axes: Axes, found: Activity) -> None:
    last = len(found.days) - 1
    ticks = sorted({*range(last, -1, -LABEL_EVERY)})
    axes.set_xticks(ticks)
    labels = [day_label(found.days[n].day) for n in ticks]
    labels[-1] = "today"
    axes.set_xticklabels(labels, fontsize=FONT - 2, color=TEXT)
    axes.set_xlim(-0.7, last + 0.7)
    axes.set_xlabel(f"day ({found.zone})", fontsize=FONT - 2, color=TEXT)
