"""The knowledge map's pictures: each decodes as a PNG of the promised size, fits in a Discord
attachment and carries its alt text; from the seed chain to a 1,000-topic pack."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from tutorbot.content.graph import KnowledgeGraph
from tutorbot.content.library import Library
from tutorbot.content.loader import load_library
from tutorbot.domain.knowledge_map import MAX_ROWS, KnowledgeMap, StudentState, goal_map, map_around
from tutorbot.pictures.knowledge_map import (
    FILENAME,
    WIDTH,
    Box,
    draw_knowledge_map,
    height,
    wrapped,
)
from tutorbot.pictures.png import ALT_TEXT_LIMIT, UPLOAD_LIMIT
from tutorbot.settings import BUNDLED_CONTENT_DIR

SEED = "self-supervised-learning-theory"


@pytest.fixture(scope="module")
def course() -> Library:
    return load_library(BUNDLED_CONTENT_DIR)


def check(m: KnowledgeMap) -> Image.Image:
    picture = draw_knowledge_map(m)
    assert picture.filename == FILENAME
    assert len(picture.png) < UPLOAD_LIMIT
    assert picture.alt_text == m.alt_text()
    assert len(picture.alt_text) <= ALT_TEXT_LIMIT
    image = Image.open(io.BytesIO(picture.png))
    image.load()
    assert image.format == "PNG"
    assert image.size == (picture.width, picture.height) == (WIDTH, height(m))
    return image


def test_the_seed_chain_for_a_new_student_and_one_halfway(course: Library) -> None:
    graph = course.graph

    def title(topic_id: str) -> str:
        topic = course.get(topic_id)
        return topic.title if topic else topic_id

    new = goal_map(graph, StudentState(known=frozenset(), goal=SEED), title)
    assert new is not None
    check(new)
    steps = graph.longest_chain(SEED)
    halfway = StudentState(
        known=graph.known([steps[40]]),
        mastered=frozenset(steps[30:41]),
        due=frozenset(steps[35:36]),
        goal=SEED,
    )
    for page in range(goal_map(graph, halfway, title).pages):  # type: ignore[union-attr]
        m = goal_map(graph, halfway, title, page)
        assert m is not None
        check(m)
    check(map_around(graph, steps[40], halfway, title))


def big_pack(size: int, seed: int = 5) -> KnowledgeGraph:
    """A branching pack: each topic rests on up to three earlier ones, mostly recent."""
    rng = random.Random(seed)
    prerequisites: dict[str, list[str]] = {}
    for i in range(size):
        picks = {max(0, i - 1 - int(rng.expovariate(0.08))) for _ in range(min(i, 3))}
        prerequisites[f"topic-{i}"] = [f"topic-{j}" for j in sorted(picks)]
    return KnowledgeGraph(prerequisites)


def long_title(topic_id: str) -> str:
    number = topic_id.split("-")[1]
    return f"Spectral Methods for Hierarchical Bayesian Inference in Graphs, part {number}"


def test_a_1000_topic_pack_renders_every_page_within_bounds() -> None:
    graph = big_pack(1000)
    goal = max(graph.learning_order(), key=graph.depth)
    marked = random.Random(1).sample(graph.learning_order()[:700], 5)
    known = graph.known(marked)
    s = StudentState(known=known, mastered=frozenset(list(known)[::3]), goal=goal)
    first = goal_map(graph, s, long_title)
    assert first is not None
    assert first.total > 500
    assert first.pages > 1
    for page in range(first.pages):
        m = goal_map(graph, s, long_title, page)
        assert m is not None
        assert max(n.row for n in m.nodes) < MAX_ROWS
        check(m)
    check(map_around(graph, goal, s, long_title))


def test_a_long_title_is_wrapped_and_cut_to_its_box() -> None:
    box = Box(0, 0, 200, 90)
    text = wrapped("word " * 60, box)
    lines = text.split("\n")
    assert 1 < len(lines) <= 4
    assert lines[-1].endswith("…")
    assert wrapped("Counting to 10", box) == "Counting to 10"


def test_titles_are_drawn_as_text_never_as_mathtext() -> None:
    graph = KnowledgeGraph({"a": [], "b": ["a"]})
    hostile = {"a": "Costs in $ and $\\frac{1}{", "b": "$x^{2$ and \\$5 $$ {"}
    m = goal_map(graph, StudentState(known=frozenset(), goal="b"), hostile.__getitem__)
    assert m is not None
    check(m)  # a title that mathtext would refuse still draws
