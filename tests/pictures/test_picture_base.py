"""The shared picture base: palette, the Picture value and its limits, the renderer's worker
process and cache."""

from __future__ import annotations

import asyncio
import io
import os
from dataclasses import dataclass

import pytest
from PIL import Image

from tutorbot.pictures import palette
from tutorbot.pictures.png import (
    ALT_TEXT_LIMIT,
    UPLOAD_LIMIT,
    Picture,
    TooLarge,
    check_fits,
    clip_alt_text,
    figure,
    picture,
)
from tutorbot.pictures.render import PictureRenderer, RendererClosed


@dataclass(frozen=True)
class Square:
    colour: str
    size: int = 300


def draw_square(data: Square) -> Picture:
    """A filled square whose alt text names the process that drew it."""
    fig = figure(data.size, data.size)
    fig.patch.set_facecolor(data.colour)
    return picture(fig, "square.png", f"a square drawn by process {os.getpid()}")


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def test_every_state_differs_in_colour_marker_and_label() -> None:
    styles = [*palette.STATES.values(), *palette.EMPHASIS.values()]
    for attribute in ("colour", "marker", "label"):
        values = [getattr(style, attribute) for style in styles]
        assert len(set(values)) == len(values), attribute
    assert palette.style_of("due") is palette.DUE
    assert palette.style_of("goal") is palette.GOAL


def test_state_colours_are_okabe_ito_but_the_neutral_grey() -> None:
    for style in [*palette.STATES.values(), *palette.EMPHASIS.values()]:
        assert style.colour in (*palette.OKABE_ITO, palette.GREY)


def test_tint_mixes_towards_white() -> None:
    assert palette.tint("#000000", 0.5) == "#808080"
    assert palette.tint("#D55E00", 0) == "#D55E00"
    assert palette.tint("#D55E00", 1) == "#FFFFFF"


def test_a_figure_becomes_a_png_of_its_pixel_size() -> None:
    made = draw_square(Square("#56B4E9", 320))
    image = decoded(made.png)
    assert (made.width, made.height) == image.size == (320, 320)
    assert image.convert("RGB").getpixel((160, 160)) == (0x56, 0xB4, 0xE9)


def test_alt_text_is_clipped_to_discords_limit() -> None:
    text = "word " * 400
    clipped = clip_alt_text(text)
    assert len(clipped) == ALT_TEXT_LIMIT
    assert clipped.endswith("…")
    assert clip_alt_text("short") == "short"
    png = draw_square(Square("#FFFFFF", 10)).png
    with pytest.raises(ValueError, match="alt text"):
        Picture(png, "x.png", text, 10, 10)


def test_a_png_over_the_upload_limit_or_not_a_png_is_refused() -> None:
    png = draw_square(Square("#FFFFFF", 10)).png
    check_fits(png)
    with pytest.raises(TooLarge):
        check_fits(png + b"\0" * UPLOAD_LIMIT)
    with pytest.raises(ValueError, match="not a PNG"):
        check_fits(b"GIF89a")


async def test_the_renderer_draws_in_another_process_and_caches() -> None:
    renderer = PictureRenderer()
    try:
        first = await renderer.render(draw_square, Square("#009E73"))
        assert f"process {os.getpid()}" not in first.alt_text
        assert decoded(first.png).size == (300, 300)
        again = await renderer.render(draw_square, Square("#009E73"))
        assert again is first
        other = await renderer.render(draw_square, Square("#D55E00"))
        assert other.png != first.png
        assert renderer.drawn == 2
    finally:
        await renderer.close()


async def test_the_same_picture_asked_twice_at_once_is_drawn_once() -> None:
    renderer = PictureRenderer()
    try:
        one, two = await asyncio.gather(
            renderer.render(draw_square, Square("#0072B2")),
            renderer.render(draw_square, Square("#0072B2")),
        )
        assert one is two
        assert renderer.drawn == 1
    finally:
        await renderer.close()


async def test_the_cache_keeps_the_newest_pictures() -> None:
    renderer = PictureRenderer(cache_size=2)
    try:
        for colour in ("#000000", "#E69F00", "#56B4E9", "#000000"):
            await renderer.render(draw_square, Square(colour, 20))
        assert renderer.drawn == 4  # black fell out of the cache when sky blue came in
    finally:
        await renderer.close()


async def test_a_closed_renderer_refuses_to_draw() -> None:
    renderer = PictureRenderer()
    await renderer.render(draw_square, Square("#F0E442", 20))
    await renderer.close()
    with pytest.raises(RendererClosed):
        await renderer.render(draw_square, Square("#CC79A7", 20))
    await renderer.close()  # closing twice is harmless
