"""A loaded, validated content pack: topics in learning order, their graph, and topic search.

Search and "did you mean" run on the event loop (an autocomplete, a mistyped topic name), so
neither walks the topics in Python: search finds a query in the ids and titles joined into one
string per tier (a C-speed `str.find`, or for the letters-in-order tier a regex that cannot
backtrack), and `closest_ids` scores every id and title with rapidfuzz.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

from rapidfuzz import fuzz, process, utils

from tutorbot.content.graph import KnowledgeGraph
from tutorbot.content.models import Topic

_WORD = re.compile(r"[a-z0-9]+")
MAX_QUERY = 100
"""Longest query searched, as Discord sends an autocomplete value; the rest is ignored."""
CLOSE = 60
"""Least rapidfuzz ratio (0-100) of a whole id or title to a mistyped name that suggests it, like
the 0.6 cutoff of difflib's `get_close_matches`, used before."""
RESPELL = 75
"""Least rapidfuzz ratio of a word of the course to a mistyped word that corrects it."""
RESPELL_WORDS = 12
"""Words of a mistyped name corrected at most (titles have a few; the rest stay as typed)."""
SHORTLIST = 10
"""Candidates each way of finding a suggestion contributes before they are ranked."""


def _separator(texts: Iterable[str]) -> str:
    """The first character (from NUL up) that none of the texts holds."""
    present = set("".join(texts))
    code = 0
    while chr(code) in present:
        code += 1
    return chr(code)


class _Joined:
    """Texts joined into one string, each after a separator none of them holds, so one C-speed
    find scans them all and a match never spans two."""

    __slots__ = ("_ends", "_starts", "_text")

    def __init__(self, texts: Iterable[str], separator: str) -> None:
        starts: list[int] = []
        parts: list[str] = []
        position = 0
        for text in texts:
            starts.append(position)
            parts += (separator, text)
            position += 1 + len(text)
        self._text = "".join(parts)
        self._starts = starts
        self._ends = [*starts[1:], position]

    def containing(self, needle: str) -> Iterator[int]:
        """Indices of the texts holding `needle` (which holds no separator), ascending, each
        once."""
        position = self._text.find(needle)
        while position != -1:
            i = bisect_right(self._starts, position) - 1
            yield i
            position = self._text.find(needle, self._ends[i])

    def matching(self, pattern: re.Pattern[str]) -> Iterator[int]:
        """Indices of the texts `pattern` matches, ascending, each once; the pattern must start
        with the separator and never match one after that."""
        found = pattern.search(self._text)
        while found is not None:
            i = bisect_right(self._starts, found.start()) - 1
            yield i
            found = pattern.search(self._text, self._ends[i])


class Library:
    """Every topic of a content folder, immutable. Build it with `loader.load_library`."""

    __slots__ = (
        "_exact",
        "_haystacks",
        "_ids",
        "_names",
        "_prefixes",
        "_separator",
        "_shuffled",
        "_sources",
        "_spelling",
        "_titles",
        "_topics",
        "_words",
        "graph",
        "root",
    )

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
        haystacks = [f"{tid}\n{title}" for tid, title in zip(order, self._titles, strict=True)]
        self._separator = separator = _separator(haystacks)
        self._exact = _positions(self._ids, self._titles)
        pairs = zip(order, self._titles, strict=True)
        self._prefixes = _Joined((text for pair in pairs for text in pair), separator)
        self._words = _Joined((" " + " ".join(_WORD.findall(h)) for h in haystacks), separator)
        self._haystacks = _Joined(haystacks, separator)
        self._names = tuple(_plain(text) for text in (*order, *self._titles))
        self._shuffled = tuple(_sorted_words(name) for name in self._names)
        self._spelling = tuple(sorted({word for name in self._names for word in name.split()}))

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
        return [self._topics[self._ids[i]] for i in self._ranked(q, limit, fuzzy=True)]

    def _ranked(self, q: str, limit: int, *, fuzzy: bool) -> list[int]:
        """Positions of the topics matching the normalised query `q`, tier by tier, at most
        `limit`; the letters-in-order tier only when `fuzzy`."""
        found: dict[int, None] = {}
        if limit <= 0:
            return []
        for tier in self._tiers(q, fuzzy=fuzzy):
            for i in tier:
                found[i] = None
                if len(found) == limit:
                    return list(found)
        return list(found)

    def _tiers(self, q: str, *, fuzzy: bool) -> Iterator[Iterable[int]]:
        """The positions each tier matches, best tier first, each made only when reached."""
        sep = self._separator
        anywhere = sep not in q  # else q is in no id or title, though its words may be
        yield sorted(set(self._exact.get(q, ())))
        if anywhere:
            yield (i // 2 for i in self._prefixes.containing(sep + q))
        word_q = " " + " ".join(_WORD.findall(q))
        if word_q.strip():
            yield self._words.containing(word_q)
        if anywhere:
            yield self._haystacks.containing(q)
            if fuzzy:
                yield self._haystacks.matching(_in_order(q.replace(" ", ""), sep))

    def closest_ids(self, text: str, n: int = 3) -> list[str]:
        """Topic ids that look most like `text` (a mistyped id or title, or part of one), best
        first; none when nothing is close.

        Candidates are the ids and titles most like the whole text, and the topics a search
        finds once each word is respelled as the closest word of the course ("kernal methods"
        finds "Kernel Methods and the Kernel Trick"). Those whose rapidfuzz WRatio against the
        text is at least CLOSE are ranked by it, ties in learning order."""
        query = _plain(text[:MAX_QUERY])
        if not query or n <= 0:
            return []
        candidates = dict.fromkeys(self._close_names(query))
        candidates.update(
            dict.fromkeys(self._ranked(self._respelled(query), SHORTLIST, fuzzy=False))
        )
        likeness = {i: self._likeness(query, i) for i in candidates}
        close = (i for i in candidates if likeness[i] >= CLOSE)
        ranked = sorted(close, key=lambda i: (-likeness[i], i))
        return [self._ids[i] for i in ranked[:n]]

    def _close_names(self, query: str) -> list[int]:
        """Positions of the topics whose id or title, as a whole, is most like `query`, as typed
        or with its words in any order ("clustering spectral")."""
        count = len(self._ids)
        found: dict[int, None] = {}
        for typed, names in ((query, self._names), (_sorted_words(query), self._shuffled)):
            matches = process.extract(
                typed, names, scorer=fuzz.ratio, processor=None, limit=SHORTLIST, score_cutoff=CLOSE
            )
            found.update(dict.fromkeys(index % count for _, _, index in matches))
        return list(found)

    def _respelled(self, query: str) -> str:
        """`query` with each of its first RESPELL_WORDS words not in the course replaced by the
        course's closest word, if one is close enough."""
        words = query.split()
        for k, word in enumerate(words[:RESPELL_WORDS]):
            at = bisect_left(self._spelling, word)
            if at < len(self._spelling) and self._spelling[at] == word:
                continue
            best = process.extractOne(
                word, self._spelling, scorer=fuzz.ratio, processor=None, score_cutoff=RESPELL
            )
            if best is not None:
                words[k] = best[0]
        return " ".join(words)

    def _likeness(self, query: str, i: int) -> float:
        """How much the topic at position `i` looks like `query`: rapidfuzz's WRatio (0-100) of
        its id or title, whichever is higher."""
        count = len(self._ids)
        return max(
            fuzz.WRatio(query, self._names[i], processor=None),
            fuzz.WRatio(query, self._names[i + count], processor=None),
        )


def _positions(ids: tuple[str, ...], titles: tuple[str, ...]) -> dict[str, list[int]]:
    """Each id and lower-case title -> the positions of the topics it names."""
    positions: dict[str, list[int]] = {}
    for i, (tid, title) in enumerate(zip(ids, titles, strict=True)):
        positions.setdefault(tid, []).append(i)
        if title != tid:
            positions.setdefault(title, []).append(i)
    return positions


def _plain(text: str) -> str:
    """`text` as names are compared: lower case, letters and digits, words one space apart."""
    return " ".join(utils.default_process(text).split())


def _sorted_words(name: str) -> str:
    """The words of `name` in alphabetical order, so names compare whatever their word order."""
    return " ".join(sorted(name.split()))


def _in_order(letters: str, separator: str) -> re.Pattern[str]:
    """A pattern matching, from a separator, a text holding these letters in this order, not
    necessarily together. Each letter is reached across characters that are not that letter, so
    the match is unique and the regex never backtracks more than the text is long (`.*?` between
    the letters backtracks exponentially)."""
    sep = re.escape(separator)
    steps = (f"[^{re.escape(c)}{sep}]*{re.escape(c)}" for c in letters)
    return re.compile(sep + "".join(steps), re.DOTALL)
