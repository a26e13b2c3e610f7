"""A round's standings, report and CSV, computed once, match a straightforward reference (a scan
per student per question, as the rules read) on random rounds; and a question's answers by
student are an index, not part of the value."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tutorbot.content.graph import KnowledgeGraph
from tutorbot.content.models import Question, QuestionType, Topic
from tutorbot.domain import round_results, rounds
from tutorbot.domain.progress import prerequisites_to_review
from tutorbot.domain.round_state import RoundAnswer, RoundQuestion, RoundSettings, RoundState
from tutorbot.domain.scoring import ScoringMode, SelfAssessment

from . import _round_play as whole
from .conftest import T0, allowed

GRAPH = KnowledgeGraph({"basics": [], "parts": [], "deep": ["basics"], "mix": ["parts", "deep"]})
MASTERED_SETS: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset({"parts"}),
    frozenset({"deep"}),
    frozenset({"parts", "deep"}),
)


def mixed_topic() -> Topic:
    """Seven questions: four multiple choice, two true/false, one free response."""
    questions = [
        Question(
            id=f"mc{i}",
            type=QuestionType.MULTIPLE_CHOICE,
            prompt=f"Question {i}?",
            choices=("one", "two", "three", "four"),
            answer="ABCD"[i],
            explanation="Because.",
        )
        for i in range(4)
    ]
    questions += [
        Question(
            id=f"tf{i}",
            type=QuestionType.TRUE_FALSE,
            prompt=f"Statement {i}.",
            answer=i == 0,
            explanation="It is so.",
        )
        for i in range(2)
    ]
    questions.append(
        Question(
            id="fr",
            type=QuestionType.FREE_RESPONSE,
            prompt="Why?",
            answer="Because.",
            explanation="It is so.",
        )
    )
    return Topic(id="mix", title="Mix", core_idea="A mix.", questions=tuple(questions))


TOPIC = mixed_topic()


def _choice(question: RoundQuestion, rng: random.Random, user: int) -> str:
    if question.kind is QuestionType.FREE_RESPONSE:
        return rng.choice(["=1+1", "@me", "a, b", "line\nbreak", f"answer {user}"])
    return rng.choice(question.options)


def _play_question(
    state: RoundState, rng: random.Random, students: list[int], start: float
) -> RoundState:
    """Some students answer the open question (a few twice, a few too late)."""
    question = state.current
    assert question is not None
    for user in students:
        if rng.random() < 0.25:
            continue
        for _ in range(rng.choice([1, 1, 1, 2])):
            at = T0 + timedelta(seconds=start + rng.uniform(0, question.limit + 3))
            state, _ = whole.accept(
                state, question.question_id, user, _choice(question, rng, user), at
            )
    return state


def _judge(state: RoundState, rng: random.Random, students: list[int]) -> RoundState:
    """After a free response's reveal, some of those who answered judge it."""
    question = state.current
    assert question is not None
    if question.kind is QuestionType.FREE_RESPONSE:
        for user in students:
            if rng.random() < 0.7:
                assessment = rng.choice(list(SelfAssessment))
                state, _ = whole.self_assess(state, question.question_id, user, assessment)
    return state


def random_round(seed: int) -> RoundState:
    """A round played by random students: speed or flat, finished, stopped, or with its last
    question still open."""
    rng = random.Random(seed)
    students = rng.sample(range(1, 400), rng.randint(0, 60))
    scoring = rng.choice(list(ScoringMode))
    round_settings = RoundSettings(questions=rng.randint(1, 7), seconds=20, scoring=scoring)
    state = allowed(rounds.start_round(TOPIC, 1, round_settings, T0, rng))
    clock = 0.0
    ending = rng.choice(["finish", "stop", "open"])
    while state.running:
        state = _play_question(state, rng, students, clock)
        clock += 30
        if not state.remaining and ending == "open":
            return state
        if not state.remaining and ending == "stop":
            return rounds.stop(state, T0 + timedelta(seconds=clock))
        state = rounds.close_current(state, T0 + timedelta(seconds=clock))
        state = _judge(state, rng, students)
        state = rounds.next_question(state, TOPIC, T0 + timedelta(seconds=clock))
    return state


# -- the reference: the rules as they read, one scan per student per question ------------------


def _first_answer(question: RoundQuestion, user: int) -> RoundAnswer | None:
    for answer in question.answers:
        if answer.user_id == user:
            return answer
    return None


def reference_standings(state: RoundState) -> list[tuple[int, int, int, float, int, int]]:
    """(rank, user, points, credit, answered, asked): everyone who answered anything, over the
    closed questions; rank is 1 + how many did strictly better on (points, credit)."""
    closed = [q for q in state.asked if q.closed]
    users = {a.user_id for q in state.asked for a in q.answers}
    totals = []
    for user in users:
        points, credit, answered = 0, 0.0, 0
        for question in closed:
            answer = _first_answer(question, user)
            if answer is not None:
                answered += 1
                points += question.points_of(answer, state.settings.scoring)
                credit += question.credit_of(answer)
        totals.append((user, points, credit, answered))
    table = []
    for user, points, credit, answered in totals:
        better = sum(1 for _, p, c, _ in totals if (p, c) > (points, credit))
        table.append((1 + better, user, points, credit, answered, len(closed)))
    table.sort(key=lambda row: (row[0], row[1]))
    return table


def reference_csv(state: RoundState, names: dict[int, str]) -> str:
    """The CSV written cell by cell from the reference standings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(round_results.CSV_HEADER)
    for _, user, *_ in reference_standings(state):
        for question in (q for q in state.asked if q.closed):
            answer = _first_answer(question, user)
            if answer is None:
                cells = ["", "no", "", "0"]
            else:
                if question.kind is QuestionType.FREE_RESPONSE:
                    verdict = answer.assessment.value if answer.assessment else ""
                else:
                    verdict = "yes" if answer.choice == question.correct else "no"
                points = question.points_of(answer, state.settings.scoring)
                cells = [answer.choice, verdict, f"{answer.seconds:.2f}", str(points)]
            row = [names.get(user, str(user)), question.question_id, *cells]
            writer.writerow(
                ["'" + c if c[:1] in ("=", "+", "-", "@", "\t", "\r") else c for c in row]
            )
    return buffer.getvalue()


def reference_most_missed(state: RoundState, limit: int = 3) -> list[tuple[str, float, int]]:
    people = len(reference_standings(state))
    rows = []
    for question in (q for q in state.asked if q.closed):
        share = sum(question.credit_of(a) for a in question.answers) / people if people else 1.0
        if share < 1.0:
            rows.append((question.question_id, share, people))
    return sorted(rows, key=lambda row: row[1])[:limit]


def reference_struggling(state: RoundState) -> list[tuple[int, float]]:
    """(user, accuracy) of everyone under 50% of the questions asked, weakest first."""
    weak = [
        (user, credit / asked if asked else 0.0)
        for _, user, _, credit, _, asked in reference_standings(state)
    ]
    return sorted(((u, a) for u, a in weak if a < 0.5), key=lambda row: (row[1], row[0]))


def mastered_by(user: int) -> frozenset[str]:
    return MASTERED_SETS[user % len(MASTERED_SETS)]


# -- the tests -----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_standings_match_the_reference(seed: int) -> None:
    state = random_round(seed)
    scores = round_results.score(state)
    table = [
        (s.rank, s.user_id, s.points, s.correct, s.answered, s.asked) for s in scores.standings
    ]
    assert table == reference_standings(state)
    assert round_results.standings(state) == list(scores.standings)
    assert len(scores.closed) == sum(1 for q in state.asked if q.closed)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_csv_matches_the_reference(seed: int) -> None:
    state = random_round(seed)
    names = {user: f"@name {user}" for user in range(1, 400, 3)}
    text = round_results.csv_text(round_results.result_rows(round_results.score(state), names))
    assert text == reference_csv(state, names)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_report_matches_the_reference(seed: int) -> None:
    state = random_round(seed)
    scores = round_results.score(state)
    mastered = {user: set(mastered_by(user)) for user in range(1, 400) if user % 5}
    report = round_results.instructor_report(scores, GRAPH, mastered)
    assert [(m.question_id, m.correct_share, m.participants) for m in report.most_missed] == (
        reference_most_missed(state)
    )
    assert [(s.standing.user_id, s.standing.accuracy) for s in report.struggling] == (
        reference_struggling(state)
    )
    for student in report.struggling:
        user = student.standing.user_id
        expected = prerequisites_to_review(GRAPH, "mix", mastered.get(user, ()))
        assert student.review == expected
    assert [s.user_id for s in round_results.struggling(scores)] == [
        user for user, _ in reference_struggling(state)
    ]


def _asked(answers: tuple[RoundAnswer, ...]) -> RoundQuestion:
    return RoundQuestion(
        "mc0",
        QuestionType.MULTIPLE_CHOICE,
        ("A", "B"),
        "A",
        T0,
        T0 + timedelta(seconds=20),
        answers,
    )


def test_a_students_answer_is_their_first_and_the_index_is_not_part_of_the_value() -> None:
    first, second = RoundAnswer(7, "A", T0, 1.0), RoundAnswer(7, "B", T0, 2.0)
    other = RoundAnswer(8, "B", T0, 3.0)
    question = _asked((first, other, second))
    assert question.answer_of(7) == first and question.answer_of(8) == other
    assert question.answer_of(9) is None
    assert question == _asked((first, other, second))
    assert question.to_dict() == _asked((first, other, second)).to_dict()
    assert set(question.to_dict()) == {
        "question_id", "kind", "options", "correct", "opened_at", "deadline", "answers",
        "closed_at",
    }  # fmt: skip
    assert RoundQuestion.from_dict(question.to_dict()) == question


def test_a_replaced_question_answers_from_its_own_answers() -> None:
    question = _asked((RoundAnswer(7, "A", T0, 1.0),))
    assert question.answer_of(8) is None
    added = replace(question, answers=(*question.answers, RoundAnswer(8, "B", T0, 2.0)))
    assert added.answer_of(8) == RoundAnswer(8, "B", T0, 2.0)
    assert question.answer_of(8) is None


def test_a_state_finds_its_asked_questions_by_id() -> None:
    state = random_round(3)
    for index, question_id in enumerate(state.question_ids):
        found = state.question(question_id)
        assert found == next((q for q in state.asked if q.question_id == question_id), None)
        assert state.question_at(index) == found
    assert state.question("nope") is None
