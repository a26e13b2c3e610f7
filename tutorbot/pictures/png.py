"""The `Picture` value and the PNG helpers: a figure of a pixel size, written to PNG bytes that
fit in a Discord attachment.

matplotlib is imported only where a figure is made (in the worker process), so the front ends
that merely pass pictures on do not load it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutorbot.pictures.palette import BACKGROUND

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 100
ALT_TEXT_LIMIT = 1024
"""Discord's limit on an attachment's description, which carries a picture's alt text."""
UPLOAD_LIMIT = 8 * 1024 * 1024
"""Bytes a picture may take: under Discord's default upload limit (10 MiB), with room."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class TooLarge(ValueError):
    """A PNG that would not fit in a Discord attachment."""


@dataclass(frozen=True)
class Picture:
    """A rendered PNG with its file name, its alt text (at most `ALT_TEXT_LIMIT` characters)
    and its size in pixels."""

    png: bytes
    filename: str
    alt_text: str
    width: int
    height: int

    def __post_init__(self) -> None:
        check_fits(self.png)
        if len(self.alt_text) > ALT_TEXT_LIMIT:
            raise ValueError(f"alt text of {len(self.alt_text)} characters > {ALT_TEXT_LIMIT}")


def check_fits(png: bytes) -> None:
    """Raise `TooLarge` unless `png` is a PNG within `UPLOAD_LIMIT` bytes."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    if len(png) > UPLOAD_LIMIT:
        raise TooLarge(f"a picture of {len(png):,} bytes > {UPLOAD_LIMIT:,}")


def clip_alt_text(text: str, limit: int = ALT_TEXT_LIMIT) -> str:
    """`text` cut to `limit` characters, ending with "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def figure(width: int, height: int) -> Figure:
    """A blank white figure of `width` x `height` pixels (at `DPI`), with an Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes of exactly its pixel size (no tight cropping), checked to fit."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor=fig.get_facecolor())
    png = buffer.getvalue()
    check_fits(png)
    return png


def picture(fig: Figure, filename: str, alt_text: str) -> Picture:
    """The figure written to PNG as a `Picture` (alt text clipped to Discord's limit)."""
    width, height = (round(v) for v in fig.get_size_inches() * DPI)
    return Picture(png_bytes(fig), filename, clip_alt_text(alt_text), width, height)
