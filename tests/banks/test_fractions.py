"""An exact fraction in an LMS format: a numeric question whose one right number has no finite
decimal (7/12) goes out as a short answer taking the fraction, in GIFT and Moodle XML alike, and
comes back as the numeric question it was; a short answer made of fractions of one value is read
as a numeric question; anything else keeps its type."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tutorbot.content.banks.draft import Upload
from tutorbot.content.banks.fractions import exact_fraction, fraction_of
from tutorbot.content.banks.gift import write_gift
from tutorbot.content.banks.importing import import_upload
from tutorbot.content.banks.moodle_xml import write_moodle_xml
from tutorbot.content.models import Question, QuestionType, Topic
from tutorbot.domain.typed_answers import TypedJudgement, judge

WRITERS = {".gift": write_gift, ".xml": write_moodle_xml}


def _numeric(question_id: str, **key: object) -> Question:
    return Question.model_validate(
        {
            "id": question_id,
            "type": "numeric",
            "prompt": "What fraction is left? Type a fraction such as 3/5.",
            "explanation": "12/12 - 5/12.",
            **key,
        }
    )


def _topic(*questions: Question) -> Topic:
    return Topic(id="pizza", title="Pizza", core_idea="Slices.", questions=questions)


def _back(suffix: str, *questions: Question) -> tuple[Question, ...]:
    """The questions written in the format of `suffix`, then imported again."""
    text = WRITERS[suffix]([_topic(*questions)])
    result = import_upload(Upload(f"export{suffix}", text.encode()))
    assert result.problems == []
    (topic,) = result.topics
    return topic.questions


def _right(question: Question, typed: str) -> bool:
    """Whether TutorBot judges `typed` right for a typed question."""
    judged = judge(question, typed)
    return isinstance(judged, TypedJudgement) and judged.correct


def test_only_one_exact_number_without_a_finite_decimal_is_an_exact_fraction() -> None:
    assert exact_fraction(_numeric("a", answer="7/12")) == Fraction(7, 12)
    assert exact_fraction(_numeric("b", answer="-1/3")) == Fraction(-1, 3)
    assert exact_fraction(_numeric("c", answer="3/4")) is None  # 0.75 is written exactly
    assert exact_fraction(_numeric("d", answer="7/12", tolerance=0.01)) is None
    assert exact_fraction(_numeric("e", range=(0.5, 0.6))) is None
    assert exact_fraction(_numeric("f", answer=2)) is None


def test_gift_writes_an_exact_fraction_as_a_short_answer_taking_it() -> None:
    text = write_gift([_topic(_numeric("left", answer="7/12"), _numeric("half", answer=0.5))])
    assert "::left::[markdown]What fraction is left? Type a fraction such as 3/5.{\n=7/12\n" in text
    assert "{\n#0.5\n" in text
    assert "0.58333" not in text


def test_moodle_xml_writes_an_exact_fraction_as_a_short_answer_taking_it() -> None:
    text = write_moodle_xml([_topic(_numeric("left", answer="-7/12"))])
    assert '<question type="shortanswer">' in text
    assert '<question type="numerical">' not in text
    assert '<answer fraction="100" format="moodle_auto_format"><text>-7/12</text>' in text
    assert "<tolerance>" not in text and "0.58333" not in text


@pytest.mark.parametrize("suffix", WRITERS)
def test_an_exact_fraction_comes_back_as_the_numeric_question_it_was(suffix: str) -> None:
    written = _numeric("left", answer="7/12")
    (read,) = _back(suffix, written)
    assert read.type is QuestionType.NUMERIC
    assert (read.bounds, read.tolerance, read.range) == (written.bounds, None, None)
    assert [_right(read, typed) for typed in ("7/12", "14/24", "71/2", "712", "0.5833")] == [
        True,
        True,
        False,
        False,
        False,
    ]


@pytest.mark.parametrize("suffix", WRITERS)
def test_a_short_answer_of_fractions_of_one_value_is_read_as_numeric(suffix: str) -> None:
    fractions = Question(
        id="fractions",
        type=QuestionType.SHORT_ANSWER,
        prompt="Three quarters as a fraction?",
        answers=("3/4", "6/8"),
        explanation="3/4.",
    )
    words = fractions.model_copy(update={"id": "words", "answers": ("3/4", "three quarters")})
    unequal = fractions.model_copy(update={"id": "unequal", "answers": ("3/4", "1/2")})
    read = _back(suffix, fractions, words, unequal)
    assert [(q.type, q.accepted) for q in read] == [
        (QuestionType.NUMERIC, ()),
        (QuestionType.SHORT_ANSWER, ("3/4", "three quarters")),
        (QuestionType.SHORT_ANSWER, ("3/4", "1/2")),
    ]
    assert read[0].bounds == (Fraction(3, 4), Fraction(3, 4))


def test_fraction_of_reads_only_fractions_of_one_value() -> None:
    assert fraction_of(["7/12"]) == Fraction(7, 12)
    assert fraction_of([" 14 / 24 ", "7/12"]) == Fraction(7, 12)
    assert fraction_of(["7/12", "-7/-12"]) is None  # a sign only in front
    assert fraction_of(["-7/12", "−14/24"]) == Fraction(-7, 12)
    assert fraction_of(["7/12", "0.5833"]) is None
    assert fraction_of(["12"]) is None
    assert fraction_of(["1/0"]) is None
    assert fraction_of([]) is None
