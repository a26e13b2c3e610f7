"""Judging typed answers: how short answers match and how numbers are read and compared."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorbot.content.models import Question
from tutorbot.domain.typed_answers import (
    MAX_TYPED_ANSWER,
    NotANumber,
    TypedJudgement,
    judge,
    judge_numeric,
    judge_short,
    normalise,
    parse_number,
)


def short(*answers: str) -> Question:
    """A short-answer question accepting these answers."""
    return Question.model_validate(
        {
            "id": "q",
            "type": "short_answer",
            "prompt": "Name it.",
            "answers": list(answers),
            "explanation": "Because.",
        }
    )


def numeric(**fields: object) -> Question:
    """A numeric question with these fields (answer, tolerance, range)."""
    return Question.model_validate(
        {"id": "n", "type": "numeric", "prompt": "How much?", "explanation": "So.", **fields}
    )


PARIS = short("Paris", "Lutetia")


def judged(question: Question, text: str) -> TypedJudgement:
    """A numeric answer's judgement, which must not be a refusal."""
    judgement = judge_numeric(question, text)
    assert isinstance(judgement, TypedJudgement)
    return judgement


def right(question: Question, text: str) -> bool:
    """Whether a number typed for a numeric question is judged right."""
    return judged(question, text).correct


@pytest.mark.parametrize(
    "typed",
    ["Paris", "paris", "PARIS", "  Paris  ", "Paris.", "¡Paris!", "'Paris'", "\tparis\n"],
)
def test_case_punctuation_and_surrounding_space_are_ignored(typed: str) -> None:
    assert judge_short(PARIS, typed) == TypedJudgement(True, "Paris", "Paris")


def test_the_judgement_names_the_accepted_answer_that_matched() -> None:
    assert judge_short(PARIS, "lutetia") == TypedJudgement(True, "Lutetia", "Paris")


@pytest.mark.parametrize(
    ("accepted", "typed"),
    [
        ("Île-de-France", "ile de france"),
        ("crème brûlée", "CREME BRULEE"),
        ("Gödel", "godel"),
        ("São Tomé", "sao tome"),
        ("New   York", "new york"),
        ("the   United Kingdom", " The United\u00a0Kingdom "),
        ("don't", "dont"),
        ("Straße", "STRASSE"),
        ("Paris", "Par\u200bis"),
    ],
)
def test_accents_inner_space_and_dashes_are_ignored(accepted: str, typed: str) -> None:
    assert judge_short(short(accepted), typed).correct


def test_a_missing_space_is_one_typo() -> None:
    assert judge_short(short("ice cap"), "icecap").correct
    assert not judge_short(short("a b"), "ab").correct


@pytest.mark.parametrize(
    ("accepted", "typed", "correct"),
    [
        # under 6 characters: no typo forgiven
        ("Paris", "Pariss", False),
        ("Paris", "Parus", False),
        ("cat", "cot", False),
        ("Rome", "Roma", False),
        # 6 to 11 characters: one edit
        ("London", "Londn", True),
        ("London", "Lodnon", False),
        ("Madrid", "Madird", False),
        ("Berlin", "Berlim", True),
        ("photosynthesis", "fotosynthesis", True),
        # 12 characters or more: two edits
        ("mitochondrion", "mitocondrion", True),
        ("mitochondrion", "mitocondriom", True),
        ("mitochondrion", "mytocondriom", False),
        ("Mediterranean", "Mediteranian", True),
        ("Mediterranean", "Meditteranian", False),
    ],
)
def test_typos_are_forgiven_by_the_length_of_the_answer(
    accepted: str, typed: str, correct: bool
) -> None:
    judged = judge_short(short(accepted), typed)
    assert judged.correct is correct
    assert judged.accepted == (accepted if correct else None)


def test_an_exact_match_wins_over_a_near_one() -> None:
    question = short("Austria", "Australia")
    assert judge_short(question, "Australia").accepted == "Australia"
    assert judge_short(question, "Austria").accepted == "Austria"


def test_a_wrong_or_empty_answer_shows_the_first_accepted_answer() -> None:
    assert judge_short(PARIS, "Lyon") == TypedJudgement(False, None, "Paris")
    assert judge_short(PARIS, "   ") == TypedJudgement(False, None, "Paris")
    assert judge_short(PARIS, "?!") == TypedJudgement(False, None, "Paris")


def test_an_answer_made_of_punctuation_is_matched_as_typed() -> None:
    question = short("?!")
    assert judge_short(question, " ?! ").correct
    assert not judge_short(question, "!?").correct


def test_a_long_typed_answer_is_judged_on_its_first_characters() -> None:
    question = short("x" * MAX_TYPED_ANSWER)
    assert judge_short(question, "x" * MAX_TYPED_ANSWER + "y" * 10_000).correct


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("3.5", Fraction(7, 2)),
        ("3,5", Fraction(7, 2)),
        ("7/2", Fraction(7, 2)),
        (" 7 / 2 ", Fraction(7, 2)),
        ("-0.25", Fraction(-1, 4)),
        ("\u22120.25", Fraction(-1, 4)),
        ("+2", Fraction(2)),
        (".5", Fraction(1, 2)),
        ("0,5", Fraction(1, 2)),
        ("4.", Fraction(4)),
        ("1e3", Fraction(1000)),
        ("2.5E-2", Fraction(1, 40)),
        ("1e30", Fraction(10**30)),
        ("-1/3", Fraction(-1, 3)),
        ("  42  ", Fraction(42)),
        ("0.1", Fraction(1, 10)),
        ("0,125", Fraction(1, 8)),
        ("12,5", Fraction(25, 2)),
        ("1,2345", Fraction(12345, 10000)),
        ("1000", Fraction(1000)),
    ],
)
def test_numbers_are_read_exactly(typed: str, value: Fraction) -> None:
    assert parse_number(typed) == value


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "three",
        "3.5 cm",
        "about 3",
        "1/0",
        "1e31",
        "1e-31",
        "1e999999999",
        "1,000.5",
        "1,000",
        "-12,500",
        "1,000,000",
        "1 000",
        "3..5",
        "--2",
        "2/3/4",
        "0x10",
        "inf",
        "nan",
        "½",
        "1" * 101,
    ],
)
def test_what_is_not_a_number_is_refused_politely(typed: str) -> None:
    refusal = parse_number(typed)
    assert refusal == NotANumber()
    assert isinstance(refusal, NotANumber)
    assert refusal.text == "That is not a number: type something like 3.5, 3,5, 7/2 or -0.25."


def test_a_hundred_characters_is_the_longest_number() -> None:
    assert parse_number("1" * 100) == Fraction(int("1" * 100))


def test_numeric_answers_within_the_tolerance_are_right_edges_included() -> None:
    question = numeric(answer=3.5, tolerance=0.1)
    inside = ["3.4", "3,4", "3.5", "7/2", "3.6", "3.55", "17/5"]
    outside = ["3.39", "3.61", "-3.5", "35", "3.6000001"]
    assert [right(question, t) for t in inside] == [True] * len(inside)
    assert [right(question, t) for t in outside] == [False] * len(outside)
    assert judge_numeric(question, "3.6") == TypedJudgement(True, None, "3.5 (± 0.1)")


def test_without_tolerance_only_the_exact_number_is_right() -> None:
    question = numeric(answer=-0.25)
    assert judge_numeric(question, "-1/4") == TypedJudgement(True, None, "-0.25")
    assert right(question, "-0,25")
    assert not right(question, "-0.251")
    assert not right(question, "0.25")


def test_a_fraction_answer_is_exact() -> None:
    question = numeric(answer="7/3")
    assert right(question, "7/3")
    assert right(question, "14/6")
    assert not right(question, "2.333")


def test_a_range_includes_its_edges() -> None:
    question = numeric(range=[3, 4])
    assert [right(question, t) for t in ["3", "3.5", "4", "2.999", "4.001"]] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert judged(question, "5").expected == "between 3 and 4"


def test_text_for_a_numeric_question_is_refused_not_judged_wrong() -> None:
    question = numeric(answer=3)
    assert judge_numeric(question, "three") == NotANumber()
    assert judge_numeric(question, "1/0") == NotANumber()
    assert judge_numeric(question, "") == NotANumber()


def test_judge_picks_the_rule_of_the_question_type() -> None:
    assert judge(PARIS, "paris") == TypedJudgement(True, "Paris", "Paris")
    assert judge(numeric(answer=2), "2,0") == TypedJudgement(True, None, "2")
    choice = Question.model_validate(
        {
            "id": "c",
            "type": "multiple_choice",
            "prompt": "Which?",
            "choices": ["a", "b"],
            "answer": "A",
            "explanation": "So.",
        }
    )
    with pytest.raises(ValueError, match="not answered by typing"):
        judge(choice, "a")


@settings(max_examples=300)
@given(st.text(max_size=60))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=300)
@given(st.text(max_size=60))
def test_a_text_always_matches_itself_as_an_accepted_answer(text: str) -> None:
    if text.strip():
        question = short(text.strip()[:MAX_TYPED_ANSWER])
        assert judge_short(question, text).correct


@settings(max_examples=300)
@given(st.fractions(max_denominator=10**6).filter(lambda value: abs(value.numerator) < 10**30))
def test_parse_number_reads_back_a_fraction_as_written(value: Fraction) -> None:
    assert parse_number(str(value)) == value
