"""Split long text into pages at the most natural boundary that fits: paragraph, line, sentence,
word, and only as a last resort inside a word. Nothing is cut or lost: every page is a slice of
the text, so the pages hold every character of it but the whitespace where they were split.
"""

from __future__ import annotations

import re

_BOUNDARIES = (
    re.compile(r"\n\s*\n"),  # paragraphs
    re.compile(r"\n"),  # lines
    re.compile(r"(?<=[.!?])\s+"),  # sentences
    re.compile(r"\s+"),  # words
)


def paginate(text: str, limit: int) -> list[str]:
    """Pages of at most `limit` characters; an empty text is one empty page."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    pages: list[str] = []
    while len(text) > limit:
        cut = _best_cut(text, limit)
        pages.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    pages.append(text)
    return pages


def _best_cut(text: str, limit: int) -> int:
    """Where to end the page: the last boundary of the strongest kind within the limit."""
    window = text[: limit + 1]
    for boundary in _BOUNDARIES:
        cuts = [m.start() for m in boundary.finditer(window) if 0 < m.start() <= limit]
        if cuts:
            return cuts[-1]
    return limit
