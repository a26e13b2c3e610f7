"""HTML from other tools (Moodle's question text, Anki's fields, Open Trivia DB's entities) as
the Markdown Discord shows, or as plain text where a student's typed answer is compared.

Parsed by BeautifulSoup's HTML parser and converted by markdownify; scripts, styles and
comments are dropped with their content, pictures become `[picture]` (their files are not
imported; readers say so with `has_picture`).
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment
from markdownify import MarkdownConverter

PICTURE = "[picture]"
_DROPPED = ("script", "style", "head", "title", "template", "iframe", "object", "embed")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_TAG = re.compile(r"<[a-zA-Z!/]")
_CONVERTER = MarkdownConverter(heading_style="ATX", bullets="-", escape_misc=False)


def looks_like_html(text: str) -> bool:
    """Whether text has a tag or an entity worth parsing (plain text is returned as it is)."""
    return bool(_TAG.search(text)) or "&" in text


def _soup(html: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(_DROPPED):
        tag.decompose()
    for comment in soup.find_all(string=lambda node: isinstance(node, Comment)):
        comment.extract()
    for picture in soup("img"):
        picture.replace_with(PICTURE)
    return soup


def html_to_markdown(html: str) -> str:
    """Markdown for an HTML fragment: bold, italics, lists, links and line breaks kept; blank
    lines collapsed; surrounding space stripped. HTML nested too deep to convert gives its plain
    text."""
    if not looks_like_html(html):
        return html.strip()
    soup = _soup(html)
    try:
        text = _CONVERTER.convert_soup(soup)
    except RecursionError:  # tags nested thousands deep: markdownify recurses; keep the words
        return " ".join(soup.get_text(" ").split())
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def html_to_text(html: str) -> str:
    """The plain text of an HTML fragment (entities decoded, tags dropped, line breaks as
    spaces), for accepted answers and choices that a student's answer is compared with."""
    if not looks_like_html(html):
        return " ".join(html.split())
    soup = _soup(html)
    for br in soup("br"):
        br.replace_with(" ")
    return " ".join(soup.get_text(" ").split())


def has_picture(html: str) -> bool:
    """Whether an HTML fragment shows a picture (which an import leaves out)."""
    return "<img" in html.lower()
