"""The knowledge map's layout as plain data: each topic's state, the topics shown, folding,
crowded columns, ordering, paging and the alt text."""

from __future__ import annotations

from tutorbot.content.graph import KnowledgeGraph
from tutorbot.domain.knowledge_map import (
    COLUMNS_PER_PAGE,
    MAX_ROWS,
    KnowledgeMap,
    StudentState,
    goal_map,
    map_around,
    state_of,
    topics_around,
)
from tutorbot.pictures.png import ALT_TEXT_LIMIT


def chain(n: int) -> KnowledgeGraph:
    return KnowledgeGraph({f"t{i}": [f"t{i - 1}"] if i else [] for i in range(n)})


def title(topic_id: str) -> str:
    return topic_id.upper()


def student(
    graph: KnowledgeGraph,
    marked: list[str] = [],  # noqa: B006 - never changed
    mastered: list[str] = [],  # noqa: B006
    due: list[str] = [],  # noqa: B006
    goal: str | None = None,
) -> StudentState:
    return StudentState(
        known=graph.known([*marked, *mastered]),
        mastered=frozenset(mastered),
        due=frozenset(due),
        goal=goal,
    )


def shown(m: KnowledgeMap) -> list[tuple[int, str, str, int]]:
    """(column, state, label, topics) of each node, column by column."""
    return [(n.column, n.state, n.label, n.topics) for n in m.nodes]


def test_each_topic_gets_its_state_due_first_then_mastered_known_ready_locked() -> None:
    graph = KnowledgeGraph({"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"], "e": ["d"]})
    s = student(graph, mastered=["b"], due=["a"])
    assert {t: state_of(graph, t, s) for t in "abcde"} == {
        "a": "due",
        "b": "mastered",
        "c": "ready",
        "d": "locked",
        "e": "locked",
    }
    placed = StudentState(known=graph.known(["c"]))  # known by a mark or a placement
    assert state_of(graph, "a", placed) == "known"
    assert state_of(graph, "b", placed) == "ready"


def test_a_new_student_on_the_80_step_chain_sees_the_start_a_fold_and_the_goal() -> None:
    graph = chain(80)
    m = goal_map(graph, student(graph, goal="t79"), title)
    assert m is not None
    assert shown(m) == [
        (0, "ready", "T0", 1),
        (1, "locked", "T1", 1),
        (2, "locked", "77 topics not yet reachable: T2 … T78", 77),
        (3, "locked", "T79", 1),
    ]
    assert [(n.current, n.goal) for n in m.nodes] == [
        (True, False),
        (False, False),
        (False, False),
        (False, True),
    ]
    assert m.edges == (("t0", "t1"), ("t1", "fold:t2"), ("fold:t2", "t79"))
    assert (m.page, m.pages) == (0, 1)
    assert m.counts == (("ready", 1), ("locked", 79))


def test_halfway_the_known_run_folds_and_a_due_topic_splits_it() -> None:
    graph = chain(80)
    m = goal_map(graph, student(graph, marked=["t39"], mastered=["t38"], goal="t79"), title)
    assert m is not None
    assert shown(m) == [
        (0, "known", "40 known topics (1 mastered): T0 … T39", 40),
        (1, "ready", "T40", 1),
        (2, "locked", "T41", 1),
        (3, "locked", "37 topics not yet reachable: T42 … T78", 37),
        (4, "locked", "T79", 1),
    ]
    due = goal_map(graph, student(graph, mastered=["t39"], due=["t20"], goal="t79"), title)
    assert due is not None
    assert shown(due)[:3] == [
        (0, "known", "20 known topics: T0 … T19", 20),
        (1, "due", "T20", 1),
        (2, "known", "19 known topics (1 mastered): T21 … T39", 19),
    ]
    mastered = goal_map(graph, student(graph, mastered=["t0", "t1", "t2"], goal="t79"), title)
    assert mastered is not None
    assert shown(mastered)[0] == (0, "mastered", "3 mastered topics: T0 … T2", 3)


def test_a_reached_goal_stands_alone_after_the_fold() -> None:
    graph = chain(80)
    m = goal_map(graph, student(graph, marked=["t79"], goal="t79"), title)
    assert m is not None
    assert shown(m) == [
        (0, "known", "79 known topics: T0 … T78", 79),
        (1, "known", "T79", 1),
    ]
    assert m.current is None
    assert m.ready == ()
    assert "Nothing on this map is ready to learn." in m.alt_text()


def test_no_goal_gives_no_goal_map() -> None:
    graph = chain(3)
    assert goal_map(graph, student(graph), title) is None
    assert goal_map(graph, student(graph, goal="gone"), title) is None


def ladder(rungs: int) -> KnowledgeGraph:
    """a(i) on a(i-1); b(i) beside it on a(i-1); a top on the last a and every b."""
    prerequisites: dict[str, list[str]] = {}
    for i in range(rungs):
        below = [f"a{i - 1}"] if i else []
        prerequisites[f"a{i}"] = below
        prerequisites[f"b{i}"] = list(below)
    prerequisites["top"] = [f"a{rungs - 1}", *(f"b{i}" for i in range(rungs))]
    return KnowledgeGraph(prerequisites)


def test_a_long_mixed_map_is_paged_evenly_and_opens_where_the_student_is() -> None:
    graph = ladder(24)
    s = student(graph, marked=["a11"], goal="top")
    first = goal_map(graph, s, title)
    assert first is not None
    # 12 mixed columns (a known, a ready), one of two ready, one locked, a fold, the top: 16
    assert (first.page, first.pages) == (0, 3)
    assert first.current == "B0"
    assert first.columns == 6
    pages = [goal_map(graph, s, title, page=p) for p in range(3)]
    columns = [m.columns for m in pages if m is not None]
    assert columns == [6, 6, 4]
    assert all(c <= COLUMNS_PER_PAGE for c in columns)
    last = pages[2]
    assert last is not None
    assert last.nodes[-1].label == "TOP" and last.nodes[-1].goal
    assert last.goal_page == 2 and last.page == 2
    middle = pages[1]
    assert middle is not None
    assert set(middle.enters) == {"a6", "b6"}  # rest on a5, on page 1
    assert set(middle.leaves) >= {"a11"}
    assert all(e[0] in {n.key for n in middle.nodes} for e in middle.edges)
    past = goal_map(graph, s, title, page=99)
    assert past is not None and past.page == 2


def test_a_crowded_column_shows_what_the_student_can_act_on_and_folds_the_rest() -> None:
    roots = [f"r{i:02}" for i in range(30)]
    graph = KnowledgeGraph({**{r: [] for r in roots}, "top": roots})
    s = student(graph, marked=roots[:20], due=["r25"], goal="top")
    m = goal_map(graph, s, title)
    assert m is not None
    column = [n for n in m.nodes if n.column == 0]
    assert len(column) == MAX_ROWS
    states = [n.state for n in column]
    assert states.count("ready") == 5 and states.count("due") == 1
    assert column[-1].label == "+24 more topics: 20 known, 4 ready to learn"
    assert column[-1].topics == 24 and column[-1].state == "several"
    assert sum(n.topics for n in m.nodes) == 31


def test_columns_are_ordered_to_avoid_crossings() -> None:
    graph = KnowledgeGraph({"r0": [], "r1": [], "c0": ["r1"], "c1": ["r0"], "top": ["c0", "c1"]})
    m = goal_map(graph, student(graph, goal="top"), title)
    assert m is not None
    row = {n.key: n.row for n in m.nodes}
    assert row["r0"] < row["r1"]
    assert row["c1"] < row["c0"]  # beside its own prerequisite, so the two edges do not cross


def test_a_map_around_a_topic_shows_three_levels_down_and_two_up() -> None:
    graph = chain(80)
    assert topics_around(graph, "t40") == ["t37", "t38", "t39", "t40", "t41", "t42"]
    m = map_around(graph, "t40", student(graph, marked=["t39"]), title)
    assert [(n.label, n.state) for n in m.nodes] == [
        ("T37", "known"),
        ("T38", "known"),
        ("T39", "known"),
        ("T40", "ready"),
        ("T41", "locked"),
        ("T42", "locked"),
    ]
    assert [n.current for n in m.nodes] == [False, False, False, True, False, False]
    assert m.pages == 1
    hub = KnowledgeGraph({"hub": [], **{f"x{i}": ["hub"] for i in range(100)}})
    assert len(topics_around(hub, "hub")) == 1 + 24


def test_the_alt_text_says_the_map_in_words_within_discords_limit() -> None:
    graph = chain(80)
    m = goal_map(graph, student(graph, marked=["t39"], due=["t3"], goal="t79"), title)
    assert m is not None
    assert m.alt_text() == (
        "Knowledge map: the way to T79. 80 topics: 39 known, 1 due for review, "
        "1 ready to learn, 39 not yet reachable. Ready to learn next: T40 (you are here). "
        "The goal, T79, is on this page, at the right: not yet reachable. Prerequisites are on "
        "the left, what they lead to on the right. A box with a number holds that many topics, "
        "folded together."
    )
    long_titles = goal_map(graph, student(graph, goal="t79"), lambda t: t * 200)
    assert long_titles is not None
    assert len(long_titles.alt_text()) <= ALT_TEXT_LIMIT


def test_a_map_around_a_topic_leaves_out_prerequisites_deeper_than_its_columns() -> None:
    # far is three steps down by its own edge, but five columns down behind the chain
    graph = KnowledgeGraph(
        {
            "far": [],
            "c1": ["far"],
            "c2": ["c1"],
            "c3": ["c2"],
            "c4": ["c3"],
            "hub": ["c4"],
            "mid": ["far", "hub"],
            "here": ["mid", "c4"],
        }
    )
    assert "far" in topics_around(graph, "here")
    m = map_around(graph, "here", student(graph), title)
    assert "FAR" not in [n.label for n in m.nodes]
    assert m.pages == 1
