"""What a round leaves behind: the `/round results` CSV and the instructor's private report.

The CSV has one row per student per asked question. Every cell a student or content wrote is
neutralised against spreadsheet formulas: a cell starting with = + - @ (or a tab or carriage
return) gets a leading apostrophe, so opening the file never runs a typed answer as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from tutorbot.content.models import QuestionType
from tutorbot.domain.progress import Graph, prerequisites_to_review
from tutorbot.domain.rounds import (
    MissedQuestion,
    RoundState,
    Standing,
    most_missed,
    standings,
    struggling,
)

CSV_HEADER = ("student", "question id", "answer", "correct", "seconds", "points")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ResultRow:
    """One line of a round's CSV: one student's answer to one closed question."""

    student: str
    question_id: str
    answer: str
    correct: str
    seconds: str
    points: int

    def cells(self) -> tuple[str, ...]:
        """The row as CSV cells, in CSV_HEADER's order (`csv_text` neutralises formulas)."""
        return (
            self.student,
            self.question_id,
            self.answer,
            self.correct,
            self.seconds,
            str(self.points),
        )


@dataclass(frozen=True)
class StrugglingStudent:
    """A student below 50% in the round, with the prerequisites worth reviewing."""

    standing: Standing
    review: tuple[str, ...]


@dataclass(frozen=True)
class InstructorReport:
    """Sent privately to the instructor at the end of a round."""

    most_missed: tuple[MissedQuestion, ...]
    struggling: tuple[StrugglingStudent, ...]


def neutralise(cell: str) -> str:
    """The cell, with a leading apostrophe if a spreadsheet would read it as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def result_rows(state: RoundState, names: Mapping[int, str] | None = None) -> list[ResultRow]:
    """One row per student per closed question, students in standings order (see
    `rounds.standings`), questions in asked order.

    `correct` is yes/no, or for free response the self-assessment (got_it, partly, missed) or
    blank if the student never judged it; a question not answered has blank answer and seconds.
    """
    names = names or {}
    rows = []
    for user in (s.user_id for s in standings(state)):
        student = names.get(user, str(user))
        for question in (q for q in state.asked if q.closed):
            given = question.answer_of(user)
            if given is None:
                rows.append(ResultRow(student, question.question_id, "", "no", "", 0))
                continue
            if question.kind is QuestionType.FREE_RESPONSE:
                correct = given.assessment.value if given.assessment else ""
            else:
                correct = "yes" if given.choice == question.correct else "no"
            rows.append(
                ResultRow(
                    student,
                    question.question_id,
                    given.choice,
                    correct,
                    f"{given.seconds:.2f}",
                    question.points_of(given, state.settings.scoring),
                )
            )
    return rows


def csv_text(rows: list[ResultRow]) -> str:
    """The rows as CSV text with a header, every cell neutralised against formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row.cells()])
    return buffer.getvalue()


def instructor_report(
    state: RoundState,
    graph: Graph,
    mastered_by_user: Mapping[int, Collection[str]],
    missed_limit: int = 3,
) -> InstructorReport:
    """The most missed questions and the students below 50%, each with the round topic's direct
    prerequisites they have not mastered (see `progress.prerequisites_to_review`)."""
    weak = tuple(
        StrugglingStudent(
            standing,
            prerequisites_to_review(
                graph, state.topic_id, mastered_by_user.get(standing.user_id, ())
            ),
        )
        for standing in struggling(state)
    )
    return InstructorReport(tuple(most_missed(state, missed_limit)), weak)
