"""The class at a glance: columns, states, the neediest rows and the counts as plain data, its
words, and its PNG at the largest class (200 students, a 1,000-topic pack)."""

from __future__ import annotations

import io

from PIL import Image

from tutorbot.content.graph import KnowledgeGraph
from tutorbot.domain.class_glance import (
    MAX_COLUMNS,
    MAX_ROWS,
    StudentMarks,
    columns,
    describe,
    glance,
)
from tutorbot.pictures.class_glance import (
    COLUMN,
    FILENAME,
    LEFT,
    RIGHT,
    draw_class_glance,
    size_of,
)
from tutorbot.pictures.png import ALT_TEXT_LIMIT, UPLOAD_LIMIT

# base -> (left, right) -> top, and far below base: deep1 -> deep2 -> deep3 -> base
GRAPH = KnowledgeGraph(
    {
        "deep1": [],
        "deep2": ["deep1"],
        "deep3": ["deep2"],
        "base": ["deep3"],
        "left": ["base"],
        "right": ["base"],
        "top": ["left", "right"],
    }
)
TITLES = {t: t.title() for t in ("deep1", "deep2", "deep3", "base", "left", "right", "top")}


def test_columns_are_prerequisites_three_levels_down_in_learning_order_topic_last() -> None:
    assert columns(GRAPH, "top") == ["deep3", "base", "left", "right", "top"]
    assert columns(GRAPH, "top", levels=1) == ["left", "right", "top"]
    assert columns(GRAPH, "deep1") == ["deep1"]
    assert columns(GRAPH, "gone") == ["gone"]  # a topic a reload removed


def test_columns_are_capped_nearest_levels_first() -> None:
    wide = KnowledgeGraph(
        {"top": [f"p{n:02d}" for n in range(30)], **{f"p{n:02d}": [] for n in range(30)}}
    )
    shown = columns(wide, "top")
    assert len(shown) == MAX_COLUMNS and shown[-1] == "top"
    assert columns(GRAPH, "top", limit=3) == ["left", "right", "top"]


def test_each_cell_is_the_students_state_and_rows_come_neediest_first() -> None:
    students = [
        StudentMarks(1, "Ana", known=frozenset({"left"})),  # base and below known by closure
        StudentMarks(2, "Ben"),
        StudentMarks(3, "Cy", known=frozenset({"left", "right"}), mastered=frozenset({"right"})),
    ]
    found = glance(GRAPH, "top", TITLES, students)
    assert found.columns == ("Deep3", "Base", "Left", "Right", "Top")
    assert [(r.name, r.states) for r in found.rows] == [
        ("Ben", ("locked", "locked", "locked", "locked", "locked")),
        ("Ana", ("known", "known", "known", "ready", "locked")),
        ("Cy", ("known", "known", "known", "mastered", "ready")),
    ]
    assert found.counts[3] == (1, 0, 1, 1)  # Right: mastered, known, ready, locked
    assert [found.lacking(c) for c in range(5)] == [1, 1, 1, 2, 3]
    assert found.hidden == 0
    assert describe(found) == (
        "Class at a glance for Top: 3 students against 5 topics. Lacking most: Ben (5), "
        "Ana (2), Cy (1). By topic: Top: 3 of 3 lack it; Right: 2 of 3 lack it; "
        "Deep3: 1 of 3 lack it; Base: 1 of 3 lack it; Left: 1 of 3 lack it."
    )


def test_beyond_the_rows_drawn_the_class_is_counted() -> None:
    students = [
        StudentMarks(n, f"s{n:03d}", known=frozenset({"left"} if n % 2 else ())) for n in range(200)
    ]
    found = glance(GRAPH, "top", TITLES, students)
    assert len(found.rows) == MAX_ROWS and found.students == 200 and found.hidden == 170
    assert all(r.lacking == 5 for r in found.rows)  # the 100 who know nothing come first
    assert found.lacking(0) == 100
    assert "The 30 neediest are drawn." in describe(found)


def test_long_names_are_cut_and_the_words_fit_discord() -> None:
    students = [StudentMarks(n, "N" * 80 + str(n)) for n in range(200)]
    found = glance(GRAPH, "top", dict.fromkeys(TITLES, "T" * 200), students)
    assert all(len(r.name) == 20 for r in found.rows)
    assert len(describe(found)) <= ALT_TEXT_LIMIT


def _pack(topics: int) -> KnowledgeGraph:
    """A branching pack: each topic needs up to three of the ten before it."""
    return KnowledgeGraph(
        {
            f"t{n:04d}": [f"t{p:04d}" for p in range(max(0, n - 10), n) if (n + p) % 4 == 0][:3]
            for n in range(topics)
        }
    )


def test_the_largest_class_draws_within_the_limits() -> None:
    graph = _pack(1000)
    top = "t0999"
    below = sorted(graph.ancestors(top))
    students = [
        StudentMarks(
            n, f"Student $\\alpha$ {n} " + "x" * 30, known=frozenset(below[: n % len(below)])
        )
        for n in range(200)
    ]
    found = glance(graph, top, {t: f"Topic {t} with a long title" for t in [*below, top]}, students)
    assert len(found.columns) == MAX_COLUMNS
    drawn = draw_class_glance(found)
    assert drawn.filename == FILENAME
    assert (drawn.width, drawn.height) == size_of(found)
    assert drawn.width == LEFT + MAX_COLUMNS * COLUMN + RIGHT
    assert len(drawn.png) < UPLOAD_LIMIT and len(drawn.alt_text) <= ALT_TEXT_LIMIT
    with Image.open(io.BytesIO(drawn.png)) as image:
        assert image.format == "PNG" and image.size == size_of(found)
