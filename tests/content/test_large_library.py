"""Search and "did you mean" on a 10,000-topic library with titles as alike as a big course's.

The titles combine a quality, a subject and a setting ("Spectral Clustering on Graphs"), so
thousands share each word: a suggestion must pick the one title a slip came from.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tutorbot.content.library import MAX_QUERY, Library
from tutorbot.content.models import Topic

from .course_words import slug, titles
from .test_search_cost import _old_search


@pytest.fixture(scope="module")
def big() -> Library:
    rng = random.Random(3)
    names = titles(10_000, rng)
    prerequisites: dict[str, list[str]] = {}
    for i, title in enumerate(names):
        earlier = [slug(names[rng.randrange(i)]) for _ in range(min(i, 2))]
        prerequisites[slug(title)] = list(dict.fromkeys(earlier))
    topics = {
        slug(title): Topic(
            id=slug(title),
            title=title,
            core_idea="An idea.",
            prerequisites=prerequisites[slug(title)],
        )
        for title in names
    }
    return Library(Path("big"), topics, {tid: Path(f"{tid}.yaml") for tid in topics})


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Spectral Clusterng on Graphs", "spectral-clustering-on-graphs"),
        ("spectral clustering on grpahs", "spectral-clustering-on-graphs"),
        ("Clustering Spectral on Graphs", "spectral-clustering-on-graphs"),
        ("Bayesain Inference with Priors", "bayesian-inference-with-priors"),
        ("bayesian-inference-with-prior", "bayesian-inference-with-priors"),
        ("Informaton Networks for Time Serie", "information-networks-for-time-series"),
        ("Kernal Embedings", "kernel-embeddings"),
        ("hierarchical models in high dimension", "hierarchical-models-in-high-dimensions"),
    ],
)
def test_a_slip_in_a_title_suggests_that_title_first(big: Library, typed: str, meant: str) -> None:
    assert big.closest_ids(typed)[0] == meant


def test_part_of_a_title_suggests_titles_holding_it(big: Library) -> None:
    found = big.closest_ids("Quantm Games", n=3)
    assert found[0] == "quantum-games"
    assert all(tid.startswith("quantum-games") for tid in found)


def test_nothing_close_suggests_nothing(big: Library) -> None:
    assert big.closest_ids("zzzz qqqq") == []
    assert big.closest_ids("x" * 1_000_000) == []


@pytest.mark.parametrize(
    "query",
    [
        "s",
        "spe",
        "spectral clustering",
        "Clustering on",
        "clustering-on-graphs",
        "scog",
        "kernel games for text",
        "zzz",
        ("quantum games " * 10)[:MAX_QUERY],
        "a" * MAX_QUERY,
    ],
)
def test_search_on_a_big_library_agrees_with_the_old_search(big: Library, query: str) -> None:
    assert [t.id for t in big.search(query)] == _old_search(big, query)
