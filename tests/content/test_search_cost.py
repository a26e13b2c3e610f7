"""Topic search costs time linear in the query and the titles, whatever a title or query holds.

The fuzzy tier used to build a regex of the query's letters joined by `.*?`; against a title of 40
repeated letters a 25-letter query backtracked for ever, and autocomplete runs on the event loop.
A search that could hang runs in a forked child (`in_child`): a regex holds the GIL.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tutorbot.content.library import MAX_QUERY, Library
from tutorbot.content.models import Topic

from .child import in_child

REPEATED = "a" * 40


def _library(titles: list[str]) -> Library:
    topics = {
        f"t{i}": Topic(id=f"t{i}", title=title, core_idea="An idea.")
        for i, title in enumerate(titles)
    }
    return Library(Path("pack"), topics, {tid: Path(f"{tid}.yaml") for tid in topics})


def _search_ids(library: Library, query: str) -> list[str]:
    return [topic.id for topic in library.search(query)]


def test_fuzzy_search_over_a_repeated_title_returns_at_once() -> None:
    library = _library([REPEATED, "Counting to 10"])
    miss = "a" * 24 + "z"
    assert in_child(_search_ids, library, miss) == ("ok", [])
    assert in_child(_search_ids, library, "a a" * 12 + "a") == ("ok", ["t0"])


def test_a_long_query_is_clipped_to_what_discord_sends() -> None:
    library = _library(["a" * 100, "Counting to 10"])
    assert MAX_QUERY == 100
    assert in_child(_search_ids, library, "a" * 1_000_000) == ("ok", ["t0"])
    assert in_child(_search_ids, library, "a" * 100 + "z") == ("ok", ["t0"])


def _old_search(library: Library, query: str, limit: int = 25) -> list[str]:
    """The search before the fix, kept as the oracle: the fuzzy tier is the old regex."""
    ids = list(library.topics)
    titles = [topic.title.lower() for topic in library.topics.values()]
    haystacks = [f"{tid}\n{title}" for tid, title in zip(ids, titles, strict=True)]
    words = [" " + " ".join(re.findall(r"[a-z0-9]+", hay)) for hay in haystacks]
    q = " ".join(query.lower().split())
    if not q:
        return ids[:limit]
    tiers: list[list[int]] = [[], [], [], []]
    word_q = " " + " ".join(re.findall(r"[a-z0-9]+", q))
    for i, (tid, title) in enumerate(zip(ids, titles, strict=True)):
        if tid == q or title == q:
            tiers[0].append(i)
        elif tid.startswith(q) or title.startswith(q):
            tiers[1].append(i)
        elif word_q.strip() and word_q in words[i]:
            tiers[2].append(i)
        elif q in haystacks[i]:
            tiers[3].append(i)
    found = [i for tier in tiers for i in tier][:limit]
    if len(found) < limit:
        pattern = re.compile(".*?".join(re.escape(c) for c in q if not c.isspace()), re.DOTALL)
        for i, hay in enumerate(haystacks):
            if i not in found and pattern.search(hay):
                found.append(i)
                if len(found) == limit:
                    break
    return [ids[i] for i in found]


# NUL and \x01: search joins the ids and titles with the first character none of them holds.
_LETTERS = "ab1 .*-\nT\x00\x01"


@settings(max_examples=300, deadline=None)
@given(
    titles=st.lists(
        st.text(_LETTERS, min_size=1, max_size=12).filter(lambda t: t.strip() == t and t),
        min_size=1,
        max_size=6,
    ),
    query=st.text(_LETTERS, max_size=8),
    limit=st.integers(1, 6),
)
def test_search_agrees_with_the_old_regex_search(titles: list[str], query: str, limit: int) -> None:
    library = _library(titles)
    assert [t.id for t in library.search(query, limit)] == _old_search(library, query, limit)
