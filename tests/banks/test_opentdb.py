import base64
import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from banks.helpers import import_sample
from tutorbot.content.banks.draft import Bank, ImportRefused, Problem, Upload
from tutorbot.content.banks.formats import guess_format
from tutorbot.content.banks.importing import Imported, import_upload
from tutorbot.content.banks.opentdb import ATTRIBUTION, answer_position, read_opentdb, sniff
from tutorbot.content.banks.write import write_pack
from tutorbot.content.lint import lint
from tutorbot.content.loader import load_library
from tutorbot.content.models import QuestionType, Topic, WarningCode

SAMPLES = Path(__file__).parent / "samples" / "opentdb"


def imported(name: str) -> Imported:
    return import_sample("opentdb", name, "opentdb")


def summary(topic: Topic) -> list[tuple[Any, ...]]:
    return [(q.type, q.prompt, q.choices, q.answer) for q in topic.questions]


def test_a_default_download_is_decoded_and_grouped_by_category() -> None:
    result = imported("default.json")

    assert result.problems == []
    science, books = result.topics
    assert (science.title, science.tags) == ("Science & Nature", ("easy", "medium"))
    assert summary(science) == [
        (
            QuestionType.MULTIPLE_CHOICE,
            'What is the chemical symbol for "gold"?',
            ("Ag", "Gd", "Go", "Au"),
            "D",
        ),
        (QuestionType.TRUE_FALSE, "The Sun is a star.", None, True),
    ]
    assert (books.title, books.tags) == ("Entertainment: Books", ("hard", "easy"))
    assert summary(books) == [
        (
            QuestionType.MULTIPLE_CHOICE,
            "Who wrote 'Les Misérables'?",
            ("Victor Hugo", "Émile Zola", "Gustave Flaubert", "Alexandre Dumas"),
            "A",
        ),
        (QuestionType.TRUE_FALSE, '"1984" was written by Aldous Huxley.', None, False),
    ]


def test_every_topic_carries_the_licence_attribution() -> None:
    for name in ("default.json", "url3986.json", "base64.json", "bare_list.json"):
        for topic in imported(name).topics:
            assert topic.explainer == ATTRIBUTION
            assert "CC BY-SA 4.0" in topic.explainer
            assert "https://opentdb.com" in topic.explainer
            assert "https://creativecommons.org/licenses/by-sa/4.0/" in topic.explainer


@pytest.mark.parametrize("name", ["url3986.json", "base64.json"])
def test_percent_and_base64_encodings_are_told_apart_and_decoded(name: str) -> None:
    science, history = imported(name).topics

    assert (science.title, science.tags) == ("Science & Nature", ("easy",))
    assert summary(science) == [
        (QuestionType.MULTIPLE_CHOICE, "What is 100% of 3?", ("1", "30", "3", "300"), "C")
    ]
    assert (history.title, history.tags) == ("History", ("hard",))
    assert summary(history) == [
        (QuestionType.TRUE_FALSE, "Rome's first emperor was Augustus.", None, True)
    ]


def test_a_bare_list_of_results_is_read() -> None:
    [topic] = imported("bare_list.json").topics

    assert summary(topic) == [
        (QuestionType.TRUE_FALSE, "Rome's first emperor was Augustus.", None, True)
    ]


def test_the_right_answer_keeps_its_letter_on_every_import() -> None:
    first = imported("default.json").topics[0].questions[0]
    again = imported("default.json").topics[0].questions[0]

    assert first.answer == again.answer == "D"
    assert first.id == again.id


def test_right_answers_spread_over_the_letters(tmp_path: Path) -> None:
    results = [
        {
            "type": "multiple",
            "category": "Numbers",
            "question": f"Which number is {n}?",
            "correct_answer": str(n),
            "incorrect_answers": ["x", "y", "z"],
        }
        for n in range(40)
    ]
    data = json.dumps({"response_code": 0, "results": results}).encode()

    [topic] = import_upload(Upload("numbers.json", data), "opentdb").topics

    letters = Counter(str(q.answer) for q in topic.questions)
    assert set(letters) == set("ABCD")
    write_pack([topic], tmp_path / "trivia" / "numbers")
    warnings = lint(load_library(tmp_path))
    assert WarningCode.ANSWER_LETTER_SKEW not in {warning.code for warning in warnings}
    for question in topic.questions:
        assert question.choices is not None
        assert question.choices[answer_position(question.prompt, 4)] == question.prompt[16:-1]


def test_items_that_cannot_be_read_are_problems_with_their_number() -> None:
    result = imported("broken_items.json")

    [topic] = result.topics
    assert [q.prompt for q in topic.questions] == ["How many days are in a week?"]
    assert result.problems == [
        Problem("item 2", "it is 'not a question', not a question object"),
        Problem(
            "item 3",
            "it has 0 incorrect answers; a multiple-choice question has 2 to 10 choices in all",
        ),
        Problem("item 4", "its type 'matching' is neither multiple nor boolean"),
        Problem("item 5", "its correct_answer 'Maybe' is neither True nor False"),
        Problem("item 6", "its question is missing"),
        Problem("item 7", "its correct answer 'x' is also among its incorrect ones"),
    ]


def test_bad_base64_in_one_item_is_a_problem_for_that_item() -> None:
    good = {
        key: base64.b64encode(value.encode()).decode()
        for key, value in {
            "type": "boolean",
            "question": "Snow is white.",
            "correct_answer": "True",
        }.items()
    }
    bad = {**good, "question": "not base64!"}
    data = json.dumps([good, bad]).encode()

    result = import_upload(Upload("b.json", data), "opentdb")

    assert [q.prompt for q in result.topics[0].questions] == ["Snow is white."]
    assert result.topics[0].title == "B"
    assert result.problems == [
        Problem("item 2", "'not base64!' is not base64 text, as the rest of the file is")
    ]


def test_bad_percent_encoding_is_a_problem_for_that_item() -> None:
    item = {"type": "boolean", "question": quote("Is it?"), "correct_answer": "True"}
    data = json.dumps([item, {**item, "question": "%FF%FE"}]).encode()

    result = import_upload(Upload("p.json", data), "opentdb")

    assert [q.prompt for q in result.topics[0].questions] == ["Is it?"]
    assert result.problems == [Problem("item 2", "its question '%FF%FE' cannot be decoded")]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no_results.json", r"response code 1 \(no results"),
        ("token_empty.json", r"response code 4 \(token empty"),
        ("not_json.json", r"not JSON: Expecting value \(line 1, column 1\)"),
        ("truncated.json", r"not JSON: .*\(line 3, column 1\)"),
    ],
)
def test_error_responses_and_broken_json_are_refused(name: str, message: str) -> None:
    with pytest.raises(ImportRefused, match=message):
        imported(name)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"response_code": 2, "results": []}', r"response code 2 \(invalid parameter"),
        (b'{"response_code": 3, "results": []}', r"response code 3 \(token not found"),
        (b'{"response_code": 99, "results": []}', r"response code 99; it holds no questions"),
        (b'{"trivia": []}', "not an Open Trivia DB download"),
        (b'"just text"', "not an Open Trivia DB download"),
        (b'{"response_code": 0, "results": {}}', "'results' should be a list"),
        (b'{"response_code": 0, "results": []}', "holds no questions"),
        (b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
        (b"[" + b"1" * 5000 + b"]", "holds a value that cannot be read: Exceeds the limit"),
    ],
)
def test_files_that_are_not_questions_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ImportRefused, match=message):
        import_upload(Upload("x.json", data), "opentdb")


def test_sniff_knows_a_download_from_other_json() -> None:
    for path in SAMPLES.glob("*.json"):
        expected = path.name not in ("not_json.json",)
        assert sniff(Upload(path.name, path.read_bytes())) is expected, path.name
    assert not sniff(Upload("x.json", b'{"name": "package"}'))
    assert not sniff(Upload("x.txt", b'correct_answer\t"correct_answer"'))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
item_values = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["multiple", "boolean", "bXVsdGlwbGU=", "x"]) | json_values,
        "question": st.text(max_size=20) | json_values,
        "category": st.text(max_size=20) | json_values,
        "difficulty": st.text(max_size=10) | json_values,
        "correct_answer": st.sampled_from(["True", "False", "%41"]) | json_values,
        "incorrect_answers": st.lists(st.text(max_size=10), max_size=4) | json_values,
    },
)


@given(st.lists(item_values | json_values, max_size=5), st.sampled_from([0, 1, "0"]))
@settings(max_examples=300, deadline=None)
def test_shaped_json_gives_a_bank_or_a_refusal(results: list[Any], code: object) -> None:
    data = json.dumps({"response_code": code, "results": results}).encode()
    try:
        bank = read_opentdb(Upload("fuzz.json", data))
    except ImportRefused:
        return
    assert isinstance(bank, Bank)


def test_the_guess_picks_opentdb_for_its_samples() -> None:
    for name in ("default.json", "url3986.json", "base64.json", "bare_list.json"):
        path = SAMPLES / name
        assert guess_format(Upload(path.name, path.read_bytes())).name == "opentdb"
