"""Moodle's question categories, which GIFT and Moodle XML share: a category path read into a
topic, and topics written as category paths.

A path is `$course$/top/A/B`: a context (`$course$`, `$cat$`, `$module$`, `$system$`), the top
category, then the names down to the question's own category; `//` is a slash inside a name.
Each category becomes one topic titled with its last name: `A/B` met again adds to the same
topic, while `A/B` and `C/B` are two topics titled "B". Written back, two topics of the same
title get two paths (the second under a parent named with its id), since Moodle merges the
categories of one path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from tutorbot.content.banks.draft import Bank, DraftTopic
from tutorbot.content.models import Topic

_CONTEXT = re.compile(r"\$[a-z_]+\d*\$", re.IGNORECASE)
"""The context a category path starts with."""
_SLASH = re.compile(r"(?<!/)/(?!/)")
"""A single slash separates a path's names; `//` is a slash inside a name."""


def category_parts(path: str) -> tuple[str, ...]:
    """The names of a category path below its context and top category (`$course$/top/A/B` →
    ("A", "B")); () for the top category itself."""
    parts = [part.replace("//", "/").strip() for part in _SLASH.split(path)]
    if parts and _CONTEXT.fullmatch(parts[0]):
        parts = parts[1:]
        if parts and parts[0].lower() == "top":
            parts = parts[1:]
    return tuple(part for part in parts if part)


def category_path(*names: str) -> str:
    """A course category path for names: `/` doubled, and a leading or trailing slash spaced
    away from the separators, as Moodle writes them; a path is one line."""
    return "/".join(["$course$", "top", *(_path_name(name.replace("\n", " ")) for name in names)])


def _path_name(name: str) -> str:
    escaped = name.replace("/", "//")
    if escaped.startswith("/"):
        escaped = " " + escaped
    if escaped.endswith("/"):
        escaped += " "
    return escaped


class CategoryTopics:
    """The topics of a bank by category path, made the first time a path is met."""

    def __init__(self, bank: Bank, fallback: str) -> None:
        self._bank = bank
        self._fallback = fallback
        self._topics: dict[tuple[str, ...], DraftTopic] = {}

    def topic(self, parts: tuple[str, ...], where: str) -> DraftTopic:
        """The topic of the category with these names (the top category, or none, is titled
        with the fallback, the file's name)."""
        topic = self._topics.get(parts)
        if topic is None:
            topic = self._topics[parts] = DraftTopic(parts[-1] if parts else self._fallback, where)
            self._bank.topics.append(topic)
        return topic


def export_paths(topics: Sequence[Topic]) -> Iterator[tuple[Topic, str]]:
    """Each topic with the category path it is written under: its title, or `<id>/<title>` for
    a second topic of a title already written."""
    paths: set[str] = set()
    for topic in topics:
        path = category_path(topic.title)
        if path in paths:
            path = category_path(topic.id, topic.title)
        paths.add(path)
        yield topic, path
