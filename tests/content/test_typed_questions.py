"""Short-answer and numeric questions in topic files: what loads, what is refused (with the field
and line), what lint warns about, and the `check` of their keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutorbot.cli.content import run_check
from tutorbot.content.errors import ContentError
from tutorbot.content.lint import lint
from tutorbot.content.loader import load_library
from tutorbot.content.models import QuestionType, WarningCode
from tutorbot.settings import BUNDLED_CONTENT_DIR

from .conftest import Pack

HEAD = (
    "id: typed\n"
    "title: Typed\n"
    "core_idea: An idea.\n"
    "questions:\n"
    "  - id: q\n"
    "    type: {type}\n"
    "    prompt: What is it?\n"
    "    explanation: Because.\n"
)
"""A topic with one question; the fields under test follow, from line 9."""


def _topic(kind: str, fields: str) -> str:
    return HEAD.format(type=kind) + fields


def _errors(pack: Pack, kind: str, fields: str) -> list[str]:
    root = pack({"typed.yaml": _topic(kind, fields)})
    with pytest.raises(ContentError) as caught:
        load_library(root)
    return [str(issue).removeprefix(f"{root}/") for issue in caught.value.issues]


def test_both_types_load_with_their_fields_and_expected_answers(pack: Pack) -> None:
    root = pack(
        {
            "typed.yaml": HEAD.format(type="short_answer")
            + "    answers: [Paris, ' the city of Paris ']\n"
            "  - id: tolerance\n"
            "    type: numeric\n"
            "    prompt: What is 7 / 2?\n"
            "    answer: 3.5\n"
            "    tolerance: 0.1\n"
            "    explanation: Halve 7.\n"
            "  - id: exact\n"
            "    type: numeric\n"
            "    prompt: What is 7 / 3?\n"
            "    answer: '7/3'\n"
            "    explanation: A third of 7.\n"
            "  - id: between\n"
            "    type: numeric\n"
            "    prompt: Name a number between 3 and 4.\n"
            "    range: [3, 4]\n"
            "    explanation: Any.\n"
            "  - id: negative\n"
            "    type: numeric\n"
            "    prompt: What is -1/4?\n"
            "    answer: -0.25\n"
            "    explanation: A quarter below zero.\n"
        }
    )
    topic = load_library(root).topics["typed"]
    short, tolerance, exact, between, negative = topic.questions
    assert short.type is QuestionType.SHORT_ANSWER
    assert short.accepted == ("Paris", "the city of Paris")
    assert short.answer_text() == "Paris"
    assert tolerance.answer_text() == "3.5 (± 0.1)"
    assert exact.answer_text() == "7/3"
    assert between.answer_text() == "between 3 and 4"
    assert negative.answer_text() == "-0.25"
    assert str(tolerance.bounds[0]) == "17/5"


ERRORS = {
    "a short answer with answer": (
        "short_answer",
        "    answer: Paris\n",
        "typed.yaml:9: questions[0].answer: a short-answer question takes no answer: "
        "list the accepted answers under answers",
    ),
    "a short answer without answers": (
        "short_answer",
        "",
        "typed.yaml:5: questions[0].answers: a short-answer question needs answers: "
        "the accepted answers",
    ),
    "no accepted answer": (
        "short_answer",
        "    answers: []\n",
        "typed.yaml:9: questions[0].answers: "
        "a short-answer question needs 1 to 20 accepted answers",
    ),
    "too many accepted answers": (
        "short_answer",
        "    answers: [" + ", ".join(f"a{n}" for n in range(21)) + "]\n",
        "typed.yaml:9: questions[0].answers: has more than 20 items (21 given)",
    ),
    "a blank accepted answer": (
        "short_answer",
        "    answers:\n    - Paris\n    - '  '\n",
        "typed.yaml:11: questions[0].answers[1]: must not be empty",
    ),
    "a long accepted answer": (
        "short_answer",
        "    answers: ['" + "x" * 201 + "']\n",
        "typed.yaml:9: questions[0].answers[0]: is longer than 200 characters (201 given)",
    ),
    "answers not a list": (
        "short_answer",
        "    answers: Paris\n",
        "typed.yaml:9: questions[0].answers: must be a list",
    ),
    "a tolerance on a short answer": (
        "short_answer",
        "    answers: [Paris]\n    tolerance: 1\n",
        "typed.yaml:10: questions[0].tolerance: a short-answer question takes no tolerance",
    ),
    "a word for a number": (
        "numeric",
        "    answer: three\n",
        "typed.yaml:9: questions[0].answer: answer 'three' must be a number such as 3.5, -0.25 "
        "or 7/2",
    ),
    "no number and no range": (
        "numeric",
        "",
        "typed.yaml:5: questions[0].answer: a numeric question needs answer (a number) or range",
    ),
    "an infinite answer": (
        "numeric",
        "    answer: .inf\n",
        "typed.yaml:9: questions[0].answer: answer inf must be a number such as 3.5, -0.25 or 7/2",
    ),
    "a negative tolerance": (
        "numeric",
        "    answer: 3\n    tolerance: -1\n",
        "typed.yaml:10: questions[0].tolerance: must be 0 or more",
    ),
    "a tolerance in words": (
        "numeric",
        "    answer: 3\n    tolerance: a lot\n",
        "typed.yaml:10: questions[0].tolerance: must be a number",
    ),
    "tolerance and range": (
        "numeric",
        "    answer: 3\n    tolerance: 1\n    range: [2, 4]\n",
        "typed.yaml:11: questions[0].range: give tolerance or range, not both",
    ),
    "a range upside down": (
        "numeric",
        "    range: [4, 2]\n",
        "typed.yaml:9: questions[0].range: range [4, 2] must be [low, high] with low <= high",
    ),
    "a range of three": (
        "numeric",
        "    range: [1, 2, 3]\n",
        "typed.yaml:9: questions[0].range: has more than 2 items",
    ),
    "a range in words": (
        "numeric",
        "    range: [low, 2]\n",
        "typed.yaml:9: questions[0].range[0]: must be a number",
    ),
    "an answer outside its range": (
        "numeric",
        "    answer: 5\n    range: [2, 4.5]\n",
        "typed.yaml:9: questions[0].answer: answer 5 is outside the range [2, 4.5]",
    ),
    "a number too long to show": (
        "numeric",
        "    answer: 1.0e+300\n",
        "typed.yaml:9: questions[0].answer: the expected answer would show as 301 characters "
        "('10000000000000000000000000000000000000000000000000000000000…'); at most 200: "
        "use fewer digits",
    ),
    "a range too long to show": (
        "numeric",
        "    range: [0, 1.0e-199]\n",
        "typed.yaml:9: questions[0].range: the expected answer would show as 215 characters "
        "('between 0 and 0." + "0" * 43 + "…'); at most 200: "
        "use fewer digits",
    ),
    "accepted answers on a numeric question": (
        "numeric",
        "    answer: 5\n    answers: ['5']\n",
        "typed.yaml:10: questions[0].answers: a numeric question takes no answers",
    ),
    "choices on a numeric question": (
        "numeric",
        "    answer: 5\n    choices: [a, b]\n",
        "typed.yaml:10: questions[0].choices: a numeric question takes no choices",
    ),
    "accepted answers on a free response": (
        "free_response",
        "    answer: A model answer.\n    answers: [x]\n",
        "typed.yaml:10: questions[0].answers: a free-response question takes no answers",
    ),
    "a range on a true/false question": (
        "true_false",
        "    answer: true\n    range: [1, 2]\n",
        "typed.yaml:10: questions[0].range: a true/false question takes no range",
    ),
    "a multiple choice without its answer": (
        "multiple_choice",
        "    choices: [a, b]\n",
        "typed.yaml:5: questions[0].answer: required field is missing",
    ),
    "a number for true/false": (
        "true_false",
        "    answer: 1\n",
        "typed.yaml:9: questions[0].answer: answer 1 must be true or false",
    ),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_each_mistake_names_the_field_and_line(pack: Pack, case: str) -> None:
    kind, fields, expected = ERRORS[case]
    assert _errors(pack, kind, fields) == [expected]


def test_the_checker_prints_the_error_and_loads_nothing(
    pack: Pack, capsys: pytest.CaptureFixture[str]
) -> None:
    root = pack({"typed.yaml": _topic("numeric", "    answer: three\n")})
    assert run_check(root) == 1
    out = capsys.readouterr().out
    assert "typed.yaml:9: questions[0].answer: answer 'three' must be a number" in out
    assert "1 error; nothing was loaded." in out


def _check_summary(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert run_check(root) == 0
    return capsys.readouterr().out


def test_lint_warns_of_accepted_answers_a_student_cannot_tell_apart(
    pack: Pack, capsys: pytest.CaptureFixture[str]
) -> None:
    root = pack(
        {"typed.yaml": _topic("short_answer", "    answers: [Café, 'cafe!', Coffee, ' CAFÉ ']\n")}
    )
    warnings = [w for w in lint(load_library(root)) if w.code is WarningCode.SAME_ACCEPTED_ANSWER]
    assert [w.message for w in warnings] == [
        "questions[0].answers[1] 'cafe!' is matched the same as answers[0] (case, accents, "
        "punctuation and spacing are ignored); remove it",
        "questions[0].answers[3] 'CAFÉ' is matched the same as answers[0] (case, accents, "
        "punctuation and spacing are ignored); remove it",
    ]
    out = _check_summary(root, capsys)
    assert (
        "1 topic, 1 question (0 multiple choice, 0 true/false, 0 free response, 1 short answer)"
    ) in out
    assert "[same-accepted-answer]" in out


def test_distinct_accepted_answers_raise_no_warning(pack: Pack) -> None:
    root = pack({"typed.yaml": _topic("short_answer", "    answers: [Paris, Lutetia]\n")})
    assert [w.code for w in lint(load_library(root))] == []


CHECKS = {
    "numeric, exact": ("numeric", "    answer: 56\n    check: 7 * 8\n", None),
    "numeric, within tolerance": (
        "numeric",
        "    answer: 3.14\n    tolerance: 0.01\n    check: 22 / 7\n",
        None,
    ),
    "numeric, within range": ("numeric", "    range: [3, 4]\n    check: 7 / 2\n", None),
    "numeric, on the range's edge": ("numeric", "    range: [3, 3.5]\n    check: 7 / 2\n", None),
    "numeric, outside tolerance": (
        "numeric",
        "    answer: 3.14\n    tolerance: 0.001\n    check: 22 / 7\n",
        "typed.yaml:11: questions[0].check: check '22 / 7' gives 22/7, "
        "but the answer key accepts 3.14 (± 0.001)",
    ),
    "numeric, wrong key": (
        "numeric",
        "    answer: 54\n    check: 7 * 8\n",
        "typed.yaml:10: questions[0].check: check '7 * 8' gives 56, but the answer key accepts 54",
    ),
    "numeric, several values": (
        "numeric",
        "    answer: 4\n    check: divmod(14, 3)\n",
        "typed.yaml:10: questions[0].check: check 'divmod(14, 3)' gives several values; "
        "a numeric question needs one number",
    ),
    "numeric, a comparison": (
        "numeric",
        "    answer: 4\n    check: 2 < 3\n",
        "typed.yaml:10: questions[0].check: check '2 < 3' is a comparison; "
        "give the number the answer states",
    ),
    "short answer stating the number": (
        "short_answer",
        "    answers: [56, fifty-six]\n    check: 7 * 8\n",
        None,
    ),
    "short answer with another number": (
        "short_answer",
        "    answers: ['54']\n    check: 7 * 8\n",
        "typed.yaml:10: questions[0].check: the first accepted answer does not state 56, "
        "the value of the check",
    ),
}


@pytest.mark.parametrize("case", sorted(CHECKS))
def test_check_recomputes_typed_answers(pack: Pack, case: str) -> None:
    kind, fields, expected = CHECKS[case]
    root = pack({"typed.yaml": _topic(kind, fields)})
    if expected is None:
        load_library(root)
    else:
        assert _errors(pack, kind, fields) == [expected]


def test_the_readme_examples_load_and_show_as_it_says(pack: Pack) -> None:
    readme = (BUNDLED_CONTENT_DIR / "README.md").read_text(encoding="utf-8")
    example = readme.split("### Typed answers")[1].split("```yaml\n")[1].split("```")[0]
    root = pack(
        {"typed.yaml": "id: typed\ntitle: Typed\ncore_idea: An idea.\nquestions:\n" + example}
    )
    questions = load_library(root).topics["typed"].questions
    shown = [f"`{q.answer_text()}`" for q in questions]
    assert shown == ["`Paris`", "`3.5`", "`3.14 (± 0.005)`", "`between 3 and 4`"]
    assert "The expected answer is shown as " + ", ".join(shown[:3]) in readme
