from __future__ import annotations

import csv
import io

from tutorbot.content.graph import KnowledgeGraph
from tutorbot.content.models import Topic
from tutorbot.domain import rounds
from tutorbot.domain.round_results import (
    CSV_HEADER,
    csv_text,
    instructor_report,
    neutralise,
    result_rows,
    score,
)

from . import _round_play as whole
from .test_rounds import TEACHER, at, lock, play, started


def test_one_row_per_student_per_question(topic: Topic) -> None:
    state, _ = whole.self_assess(play(topic), "fr", 10, "got_it")
    rows = [r.cells() for r in result_rows(score(state), names={10: "Ada", 11: "Bo"})]
    assert rows == [
        ("Ada", "mc", "B", "yes", "0.00", "1000"),
        ("Ada", "tf", "True", "yes", "0.00", "1000"),
        ("Ada", "fr", "same share", "got_it", "5.00", "500"),
        ("Bo", "mc", "B", "yes", "10.00", "750"),
        ("Bo", "tf", "True", "yes", "20.00", "500"),
        ("Bo", "fr", "", "no", "", "0"),
        ("12", "mc", "A", "no", "1.00", "0"),
        ("12", "tf", "", "no", "", "0"),
        ("12", "fr", "no idea", "", "10.00", "0"),
    ]


def test_neutralise_formula_starts() -> None:
    for dangerous in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=x", "\r=x"]:
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise("1-1") == "1-1" and neutralise("") == ""


def test_csv_text_escapes_typed_answers_and_quotes(topic: Topic) -> None:
    state = started(topic)
    state = rounds.next_question(rounds.close_current(state, at(20)), topic, at(20))
    state = rounds.next_question(rounds.close_current(state, at(40)), topic, at(40))
    state = lock(state, "fr", 10, '=HYPERLINK("http://x", "a,b")', 41)
    state = lock(state, "fr", 11, "line one\nline two", 42)
    state = rounds.close_current(state, at(60))
    text = csv_text(result_rows(score(state), names={11: "@bob"}))
    parsed = list(csv.reader(io.StringIO(text)))
    assert tuple(parsed[0]) == CSV_HEADER
    answers = {row[0]: row[2] for row in parsed[1:] if row[1] == "fr"}
    assert answers == {"10": '\'=HYPERLINK("http://x", "a,b")', "'@bob": "line one\nline two"}
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in parsed for cell in row)


def test_instructor_report(topic: Topic) -> None:
    graph = KnowledgeGraph({"halves": [], "parts": [], "fractions": ["halves", "parts"]})
    report = instructor_report(score(play(topic)), graph, {12: {"parts"}})
    assert [m.question_id for m in report.most_missed] == ["fr", "mc", "tf"]
    assert [(s.standing.user_id, s.review) for s in report.struggling] == [(12, ("halves",))]
    assert started(topic).instructor_id == TEACHER
