"""Where the console writes: rich in a terminal (colour, Markdown), plain text everywhere else."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console, RenderableType
from rich.markdown import Markdown
from rich.text import Text


@dataclass(frozen=True)
class Md:
    """Markdown from content: rendered in a terminal, printed as written in a pipe."""

    text: str


Block = RenderableType | Md | str


class Output:
    """One rich Console; `colour` is on only when the output is a terminal.

    Markup and emoji codes are off: content text is printed as written, never interpreted.
    In a pipe lines are not wrapped, so a script sees each line whole.
    """

    def __init__(self, file: TextIO, *, colour: bool) -> None:
        self.colour = colour
        self.console = Console(
            file=file,
            force_terminal=colour,
            no_color=not colour,
            highlight=False,
            markup=False,
            emoji=False,
            soft_wrap=not colour,
        )

    def show(self, blocks: Iterable[Block]) -> None:
        """Print blocks in order and flush, so a script reading the output sees them at once."""
        for block in blocks:
            self.console.print(self._renderable(block))
        self.console.file.flush()

    def say(self, text: str, style: str | None = None) -> None:
        """One line (or paragraph) of plain text in an optional style."""
        self.show([Text(text, style=style or "")])

    def _renderable(self, block: Block) -> RenderableType:
        if isinstance(block, Md):
            return Markdown(block.text) if self.colour else Text(block.text.strip())
        if isinstance(block, str):
            return Text(block)
        return block
