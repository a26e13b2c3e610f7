"""What a round shows and leaves behind: each question's reveal, the standings (podium, top 10),
the `/round results` CSV and the instructor's private report, all computed from the state.

The CSV has one row per student per asked question. Every cell a student or content wrote is
neutralised against spreadsheet formulas: a cell starting with = + - @ (or a tab or carriage
return) gets a leading apostrophe, so opening the file never runs a typed answer as a formula.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from tutorbot.content.models import QuestionType, number_text
from tutorbot.domain import typed_answers
from tutorbot.domain.progress import Graph, prerequisites_to_review
from tutorbot.domain.round_options import StreakMark, TeamStanding, streaks, team_standings
from tutorbot.domain.round_state import RoundAnswer, RoundQuestion, RoundState
from tutorbot.domain.scoring import ScoringMode
from tutorbot.domain.standings import ranked

FASTEST_LIMIT = 3
COMMON_WRONG_LIMIT = 3
COMMON_WRONG_AT_LEAST = 2
"""A wrong typed answer is shown on the reveal only when this many students typed it: a
misconception the class shares, never one student's words repeated to the channel."""
STRUGGLING_BELOW = 0.5
CSV_HEADER = ("student", "question id", "answer", "correct", "seconds", "points")
CSV_TEAM = "team"
CSV_STREAK = "streak bonus"
"""Columns a round with teams, or with the streak bonus, adds after `points` (a row's `points`
are its answer's; its streak bonus is apart, and a student's total is the sum of both)."""
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
class WrongAnswer:
    """A wrong typed answer several students gave (written as the first of them typed it; a
    number as a number), and how many gave it."""

    text: str
    count: int


@dataclass(frozen=True)
class Reveal:
    """What the reveal shows: each option's count and share, the right one, the fastest right;
    for a typed short or numeric answer, the expected answer (`correct`) and how many were
    right."""

    question_id: str
    kind: QuestionType
    correct: str | None
    answered: int
    options: tuple[OptionCount, ...]
    fastest: tuple[Fastest, ...]
    right: int = 0
    """How many answers earned full credit."""
    common_wrong: tuple[WrongAnswer, ...] = ()
    """A typed question's most common wrong answers (see `common_wrong`)."""


@dataclass(frozen=True)
class Standing:
    """One student's line in a round's standings; `rank` is 1-based, shared by ties."""

    rank: int
    user_id: int
    points: int
    correct: float
    answered: int
    asked: int
    bonus: int = 0
    """Streak points, already counted in `points`."""

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

    Free response has no options; its fastest are those who judged "got it". A short or numeric
    answer has none either; its fastest are those typed right."""
    answered = len(question.answers)
    chosen = Counter(a.choice for a in question.answers)
    options = tuple(
        OptionCount(
            option=option,
            count=(count := chosen[option]),
            share=count / answered if answered else 0.0,
            correct=option == question.correct,
        )
        for option in question.options
    )
    right = [a for a in question.answers if question.credit_of(a) >= 1.0]
    right.sort(key=lambda a: (a.seconds, a.user_id))
    fastest = tuple(Fastest(a.user_id, a.seconds) for a in right[:FASTEST_LIMIT])
    return Reveal(
        question.question_id,
        question.kind,
        question.correct,
        answered,
        options,
        fastest,
        right=len(right),
        common_wrong=common_wrong(question),
    )


def _same_answer(question: RoundQuestion, text: str) -> tuple[str, str]:
    """What makes two typed answers the same, and how the group is written: for a number its
    value ("3,5" and "7/2" are 3.5), for a short answer its normalised text (case, accents and
    punctuation aside), written as typed."""
    if question.kind is QuestionType.NUMERIC:
        value = typed_answers.parse_number(text)
        if not isinstance(value, typed_answers.NotANumber):
            shown = number_text(value)
            return shown, shown
    return typed_answers.normalise(text) or text, text


def common_wrong(
    question: RoundQuestion,
    limit: int = COMMON_WRONG_LIMIT,
    at_least: int = COMMON_WRONG_AT_LEAST,
) -> tuple[WrongAnswer, ...]:
    """The wrong answers to a short-answer or numeric question that at least `at_least` students
    typed, most common first (ties: the one typed first), at most `limit`; none for other
    kinds."""
    if question.kind not in (QuestionType.SHORT_ANSWER, QuestionType.NUMERIC):
        return ()
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for given in question.answers:
        if question.credit_of(given) >= 1.0:
            continue
        key, text = _same_answer(question, given.choice)
        counts[key] += 1
        shown.setdefault(key, text)
    common = [(key, n) for key, n in counts.most_common() if n >= at_least][:limit]
    return tuple(WrongAnswer(shown[key], n) for key, n in common)


@dataclass
class _Tally:
    """One student's running totals over the closed questions, while they are added up."""

    user_id: int
    points: int = 0
    correct: float = 0.0
    answered: int = 0
    bonus: int = 0


@dataclass(frozen=True)
class ScoredQuestion:
    """A closed question with the points each answer to it earned, by user id."""

    question: RoundQuestion
    points: Mapping[int, int]


@dataclass(frozen=True)
class RoundScores:
    """A round's standings, computed once (`score`) and read by everything shown at its end: the
    podium, the top 10, the instructor's report and the CSV, with the state they came from."""

    state: RoundState
    closed: tuple[ScoredQuestion, ...]
    """The closed questions, in the order asked (the only ones that count), with their points."""
    standings: tuple[Standing, ...]
    """Everyone who answered, best first (see `score`)."""
    streaks: tuple[Mapping[int, StreakMark], ...] = ()
    """With the streak bonus on, each closed question's runs (parallel to `closed`)."""

    def team_table(
        self, team_of: Mapping[int, int], names: Collection[str]
    ) -> tuple[TeamStanding, ...]:
        """The teams ranked by the mean of their members' points (`round_options`)."""
        points = {s.user_id: s.points for s in self.standings}
        credit = {s.user_id: s.correct for s in self.standings}
        return team_standings(team_of, points, credit, tuple(names))


def _count(
    question: RoundQuestion, scoring: ScoringMode, tallies: dict[int, _Tally]
) -> ScoredQuestion:
    """The closed question with each answer's points, each answer added to its student's tally."""
    points = {}
    for user, given in question.answers_by_user.items():
        earned = points[user] = question.points_of(given, scoring)
        tally = tallies[user]
        tally.answered += 1
        tally.points += earned
        tally.correct += question.credit_of(given)
    return ScoredQuestion(question, points)


def score(state: RoundState) -> RoundScores:
    """The round's standings: everyone who answered at least once (an answer to the open
    question makes a participant), ranked by the one rule of `standings.ranked` (points, then
    credit; equal on both share a rank).

    Only closed questions count, so an open question never leaks into the scores. One pass
    over the answers."""
    tallies = {a.user_id: _Tally(a.user_id) for q in state.asked for a in q.answers}
    scoring = state.settings.scoring
    closed = tuple(_count(q, scoring, tallies) for q in state.asked if q.closed)
    marks: tuple[Mapping[int, StreakMark], ...] = ()
    if state.settings.streak:
        marks = streaks((s.question for s in closed), tallies)
        for here in marks:
            for user, mark in here.items():
                tallies[user].bonus += mark.bonus
                tallies[user].points += mark.bonus
    table = tuple(
        Standing(rank, t.user_id, t.points, t.correct, t.answered, len(closed), t.bonus)
        for rank, t in ranked(tallies.values())
    )
    return RoundScores(state, closed, table, marks)


def standings(state: RoundState) -> list[Standing]:
    """The round's standings (see `score`), best first."""
    return list(score(state).standings)


def most_missed(scores: RoundScores, limit: int = 3) -> list[MissedQuestion]:
    """Closed questions the fewest participants got right (a non-answer counts as a miss);
    lowest share first, ties in the order asked; only questions someone missed."""
    people = len(scores.standings)
    if not people:
        return []
    rows = []
    for question in (scored.question for scored in scores.closed):
        right = sum(question.credit_of(a) for a in question.answers)
        share = right / people
        if share < 1.0:
            rows.append(MissedQuestion(question.question_id, share, people))
    rows.sort(key=lambda m: m.correct_share)
    return rows[:limit]


def struggling(scores: RoundScores, below: float = STRUGGLING_BELOW) -> list[Standing]:
    """Students whose accuracy over the questions asked is under 50%, weakest first."""
    return sorted(
        (s for s in scores.standings if s.accuracy < below), key=lambda s: (s.accuracy, s.user_id)
    )


class ResultRow(NamedTuple):
    """One line of a round's CSV: one student's answer to one closed question.

    A named tuple rather than a frozen dataclass: a CSV has a row per student per question (50,000
    for a class of 5,000), and a tuple is built several times faster."""

    student: str
    question_id: str
    answer: str
    correct: str
    seconds: str
    points: int
    team: str = ""
    """The student's team, in a round with teams."""
    streak: int = 0
    """The streak bonus this answer earned, in a round with the streak bonus."""

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


_UNANSWERED = ("", "no", "", 0)
"""The answer, correct, seconds and points cells of a question a student did not answer."""


def result_rows(
    scores: RoundScores,
    names: Mapping[int, str] | None = None,
    teams: Mapping[int, str] | None = None,
) -> Iterator[ResultRow]:
    """One row per student per closed question, students in standings order (see `score`),
    questions in asked order; made as they are read (a class of 5,000 has 50,000 rows, which
    `csv_text` writes one by one instead of keeping them all).

    `correct` is yes/no (a typed short or numeric answer as judged), or for free response the
    self-assessment (got_it, partly, missed) or blank if the student never judged it; a question
    not answered has blank answer and seconds. `teams` names each student's team (a round with
    teams); the streak bonus of each answer comes from the scores.
    """
    names = names or {}
    teams = teams or {}
    marks = scores.streaks or tuple({} for _ in scores.closed)
    columns = [
        (s.question.question_id, _answer_cells(s), here)
        for s, here in zip(scores.closed, marks, strict=True)
    ]
    for standing in scores.standings:
        user = standing.user_id
        student = names.get(user, str(user))
        team = teams.get(user, "")
        for question_id, cells, here in columns:
            mark = here.get(user)
            yield ResultRow(
                student,
                question_id,
                *cells.get(user, _UNANSWERED),
                team,
                mark.bonus if mark is not None else 0,
            )


def _answer_cells(scored: ScoredQuestion) -> dict[int, tuple[str, str, str, int]]:
    """The answer, correct, seconds and points cells of each answer to a question, by user id."""
    question = scored.question
    return {
        user: (given.choice, _verdict(question, given), f"{given.seconds:.2f}", scored.points[user])
        for user, given in question.answers_by_user.items()
    }


def _verdict(question: RoundQuestion, given: RoundAnswer) -> str:
    """The CSV's `correct` cell of an answer: yes/no, or for free response the student's own
    judgement (blank until they gave one)."""
    if question.self_assessed:
        return given.assessment.value if given.assessment else ""
    return "yes" if question.is_right(given) else "no"


def csv_text(rows: Iterable[ResultRow], *, teams: bool = False, streak: bool = False) -> str:
    """The rows as CSV text with a header, every cell that text can reach neutralised against
    formulas: the student's name, the question id, the answer and the team (a role's name). The
    others are written by the bot (yes/no or a judgement, seconds and points as numbers). With
    `teams` a team column follows the points, with `streak` a streak bonus column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        (*CSV_HEADER, *((CSV_TEAM,) if teams else ()), *((CSV_STREAK,) if streak else ()))
    )
    if not teams and not streak:
        writer.writerows(
            (
                neutralise(r.student),
                neutralise(r.question_id),
                neutralise(r.answer),
                *r[3:5],
                r.points,
            )
            for r in rows
        )
        return buffer.getvalue()
    writer.writerows(
        (
            neutralise(r.student),
            neutralise(r.question_id),
            neutralise(r.answer),
            *r[3:5],
            r.points,
            *((neutralise(r.team),) if teams else ()),
            *((r.streak,) if streak else ()),
        )
        for r in rows
    )
    return buffer.getvalue()


def instructor_report(
    scores: RoundScores,
    graph: Graph,
    mastered_by_user: Mapping[int, Collection[str]],
    missed_limit: int = 3,
) -> InstructorReport:
    """The most missed questions and the students below 50%, each with the round topic's direct
    prerequisites they have not mastered (see `progress.prerequisites_to_review`)."""
    topic_id = scores.state.topic_id
    reviews: dict[frozenset[str], tuple[str, ...]] = {}  # a class shares a few mastered sets

    def review(user_id: int) -> tuple[str, ...]:
        mastered = frozenset(mastered_by_user.get(user_id, ()))
        if mastered not in reviews:
            reviews[mastered] = prerequisites_to_review(graph, topic_id, mastered)
        return reviews[mastered]

    weak = tuple(StrugglingStudent(s, review(s.user_id)) for s in struggling(scores))
    return InstructorReport(tuple(most_missed(scores, missed_limit)), weak)
