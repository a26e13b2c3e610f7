"""Hard-wrapped text: a line break inside a paragraph.

Markdown reads a single line break inside a paragraph as a space, but Discord shows every line
break as it is, so a paragraph wrapped at 80 columns in a YAML file comes out ragged in a chat.
`soft_breaks` finds breaks in the middle of a sentence (the linter warns about them). A break is
kept wherever it may be meant: after a line that ends a sentence or a clause (. ! ? : ;), between
paragraphs, before list items, headings, quotes and tables, inside code blocks, after a bold
heading line, and at a hard break written as two trailing spaces or a backslash.
"""

from __future__ import annotations

import re

_BLOCK_START = re.compile(r"\s*(?:[-*+]\s|\d+[.)]\s|#|>|\||```|~~~|\*\*[^*].*\*\*:?\s*$)")
_FENCE = re.compile(r"\s*(?:```|~~~)")


def _keeps_break(line: str) -> bool:
    """Whether a line break after this line is meant (so the next line starts afresh)."""
    stripped = line.strip()
    return (
        not stripped
        or line.endswith(("  ", "\\"))
        or stripped.endswith((".", "!", "?", ":", ";"))
        or bool(re.fullmatch(r"\*\*[^*].*\*\*:?", stripped))
        or stripped.startswith(("#", "|"))
    )


def _starts_block(line: str) -> bool:
    return not line.strip() or bool(_BLOCK_START.match(line))


def soft_breaks(text: str) -> list[int]:
    """0-based numbers of the lines that continue the paragraph of the line before them."""
    found: list[int] = []
    lines = text.split("\n")
    in_fence = False
    for number, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or number == 0:
            continue
        previous = lines[number - 1]
        if not _keeps_break(previous) and not _starts_block(line) and not _FENCE.match(previous):
            found.append(number)
    return found
