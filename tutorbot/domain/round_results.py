"""What a round shows and leaves behind: each question's reveal, the standings (podium, top 10),
the `/round results` CSV and the instructor's private report, all computed from the state.

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
from tutorbot.domain.round_state import RoundQuestion, RoundState
from tutorbot.domain.standings import ranked

FASTEST_LIMIT = 3
STRUGGLING_BELOW = 0.5
CSV_HEADER = ("student", "question id", "answer", "correct", "seconds", "points")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class OptionCount:
    """One option on the reveal: how many chose it, their share, and whether it is right."""

    option: str
    count: int
    share: float
    correct: bool


@dataclass(frozen=True)
class Fastest:
    """A student among the fastest right answers on the reveal."""

    user_id: int
    seconds: float


@dataclass(frozen=True)
class Reveal:
    """What the reveal shows: each option's count and share, the right one, the fastest right."""

    question_id: str
    kind: QuestionType
    correct: str | None
    answered: int
    options: tuple[OptionCount, ...]
    fastest: tuple[Fastest, ...]


@dataclass(frozen=True)
class Standing:
    """One student's line in a round's standings; `rank` is 1-based, shared by ties."""

    rank: int
    user_id: int
    points: int
    correct: float
    answered: int
    asked: int

    @property
    def accuracy(self) -> float:
        """Credit earned over the questions asked (not answered) so far."""
        return self.correct / self.asked if self.asked else 0.0


@dataclass(frozen=True)
class MissedQuestion:
    """A question that not everyone got right, for the instructor's report."""

    question_id: str
    correct_share: float
    participants: int


def reveal(question: RoundQuestion) -> Reveal:
    """The reveal of a question: option counts and shares, the correct option, the 3 fastest right.

    Free response has no options; its fastest are those who judged "got it"."""
    answered = len(question.answers)
    options = tuple(
        OptionCount(
            option=option,
            count=(count := sum(1 for a in question.answers if a.choice == option)),
            share=count / answered if answered else 0.0,
            correct=option == question.correct,
        )
        for option in question.options
    )
    right = [a for a in question.answers if question.credit_of(a) >= 1.0]
    right.sort(key=lambda a: (a.seconds, a.user_id))
    fastest = tuple(Fastest(a.user_id, a.seconds) for a in right[:FASTEST_LIMIT])
    return Reveal(question.question_id, question.kind, question.correct, answered, options, fastest)


def participants(state: RoundState) -> list[int]:
    """Every student who answered at least once, by user id."""
    return sorted({a.user_id for q in state.asked for a in q.answers})


@dataclass(frozen=True)
class _Tally:
    user_id: int
    points: int
    correct: float
    answered: int


def standings(state: RoundState) -> list[Standing]:
    """Everyone who answered, ranked by the one rule of `standings.ranked` (points, then credit;
    equal on both share a rank).

    Only closed questions count, so an open question never leaks into the scores."""
    closed = [q for q in state.asked if q.closed]
    tallies = []
    for user in participants(state):
        points, right, answered = 0, 0.0, 0
        for question in closed:
            given = question.answer_of(user)
            if given is None:
                continue
            answered += 1
            points += question.points_of(given, state.settings.scoring)
            right += question.credit_of(given)
        tallies.append(_Tally(user, points, right, answered))
    return [
        Standing(rank, t.user_id, t.points, t.correct, t.answered, len(closed))
        for rank, t in ranked(tallies)
    ]


def most_missed(state: RoundState, limit: int = 3) -> list[MissedQuestion]:
    """Closed questions the fewest participants got right (a non-answer counts as a miss);
    lowest share first, ties in the order asked; only questions someone missed."""
    people = participants(state)
    if not people:
        return []
    rows = []
    for question in (q for q in state.asked if q.closed):
        right = sum(question.credit_of(a) for a in question.answers)
        share = right / len(people)
        if share < 1.0:
            rows.append(MissedQuestion(question.question_id, share, len(people)))
    rows.sort(key=lambda m: m.correct_share)
    return rows[:limit]


def struggling(state: RoundState, below: float = STRUGGLING_BELOW) -> list[Standing]:
    """Students whose accuracy over the questions asked is under 50%, weakest first."""
    return sorted(
        (s for s in standings(state) if s.accuracy < below), key=lambda s: (s.accuracy, s.user_id)
    )


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
