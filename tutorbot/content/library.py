"""A loaded, validated content pack: topics in learning order, their graph, and topic search."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from tutorbot.content.graph import KnowledgeGraph
from tutorbot.content.models import Topic

_WORD = re.compile(r"[a-z0-9]+")
MAX_QUERY = 100
"""Longest query searched, as Discord sends an autocomplete value; the rest is ignored."""


class Library:
    """Every topic of a content folder, immutable. Build it with `loader.load_library`."""

    __slots__ = ("_haystacks", "_ids", "_sources", "_titles", "_topics", "_words", "graph", "root")

    graph: KnowledgeGraph
    root: Path

    def __init__(
        self,
        root: Path,
        topics: Mapping[str, Topic],
        sources: Mapping[str, Path],
        graph: KnowledgeGraph | None = None,
    ) -> None:
        """Topics must already be validated and acyclic; they are kept in learning order. `graph`,
        when given, must be these topics' graph (the loader has built it already)."""
        if graph is None:
            graph = KnowledgeGraph({tid: topic.prerequisites for tid, topic in topics.items()})
        order = graph.learning_order()
        self.root = root
        self.graph = graph
        self._topics: Mapping[str, Topic] = MappingProxyType({tid: topics[tid] for tid in order})
        self._sources: Mapping[str, Path] = MappingProxyType({tid: sources[tid] for tid in order})
        self._ids = tuple(order)
        self._titles = tuple(topics[tid].title.lower() for tid in order)
        self._haystacks = tuple(
            f"{tid}\n{title}" for tid, title in zip(order, self._titles, strict=True)
        )
        self._words = tuple(" " + " ".join(_WORD.findall(hay)) for hay in self._haystacks)

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, name):
            raise AttributeError(f"Library is immutable: cannot set {name!r}")
        object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def topics(self) -> Mapping[str, Topic]:
        """Topic id -> topic, in learning order (read-only)."""
        return self._topics

    def get(self, topic_id: str) -> Topic | None:
        """The topic with this id, or None."""
        return self._topics.get(topic_id)

    def source(self, topic_id: str) -> Path:
        """The file the topic was loaded from."""
        return self._sources[topic_id]

    def search(self, query: str, limit: int = 25) -> list[Topic]:
        """Autocomplete over ids and titles, best first: exact, prefix, word prefix, substring,
        then the query's letters in order (fuzzy). Ties keep learning order. An empty query gives
        the first topics in learning order. Only the first MAX_QUERY characters count, and no tier
        backtracks: an autocomplete runs on the event loop."""
        q = " ".join(query[:MAX_QUERY].lower().split())
        if not q:
            return [self._topics[tid] for tid in self._ids[:limit]]
        tiers: list[list[int]] = [[], [], [], []]
        word_q = " " + " ".join(_WORD.findall(q))
        for i, (tid, title) in enumerate(zip(self._ids, self._titles, strict=True)):
            if tid == q or title == q:
                tiers[0].append(i)
            elif tid.startswith(q) or title.startswith(q):
                tiers[1].append(i)
            elif word_q.strip() and word_q in self._words[i]:
                tiers[2].append(i)
            elif q in self._haystacks[i]:
                tiers[3].append(i)
        found = [i for tier in tiers for i in tier][:limit]
        if len(found) < limit:
            letters = q.replace(" ", "")
            seen = set(found)
            for i, hay in enumerate(self._haystacks):
                if i not in seen and _in_order(letters, hay):
                    found.append(i)
                    if len(found) == limit:
                        break
        return [self._topics[self._ids[i]] for i in found]

    def closest_ids(self, text: str, n: int = 3) -> list[str]:
        """Topic ids that look most like `text` (a mistyped id or a title), best first."""
        text = text.strip().lower()
        if not text or n <= 0:
            return []
        result = difflib.get_close_matches(text, self._ids, n=n, cutoff=0.6)
        by_title = {title: tid for tid, title in zip(self._ids, self._titles, strict=True)}
        for title in difflib.get_close_matches(text, list(by_title), n=n, cutoff=0.6):
            if by_title[title] not in result:
                result.append(by_title[title])
        for topic in self.search(text, limit=n):
            if topic.id not in result:
                result.append(topic.id)
        return result[:n]


def _in_order(letters: str, text: str) -> bool:
    """Whether the letters appear in the text in this order, not necessarily together. Each find
    starts where the last one stopped, so this is one pass over the text (a regex of the letters
    joined by `.*?` backtracks exponentially)."""
    position = 0
    for letter in letters:
        position = text.find(letter, position) + 1
        if not position:
            return False
    return True
