from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from banks.helpers import import_sample
from tutorbot.content.banks.aiken import read_aiken, sniff
from tutorbot.content.banks.draft import Bank, ImportRefused, Problem, Upload
from tutorbot.content.banks.formats import guess_format
from tutorbot.content.banks.importing import Imported, import_upload
from tutorbot.content.models import QuestionType

SAMPLES = Path(__file__).parent / "samples" / "aiken"


def imported(name: str) -> Imported:
    return import_sample("aiken", name, "aiken")


def test_every_question_of_a_good_file_is_imported_as_multiple_choice() -> None:
    result = imported("world_capitals.txt")

    assert result.problems == []
    [topic] = result.topics
    assert topic.title == "World capitals"
    assert [q.type for q in topic.questions] == [QuestionType.MULTIPLE_CHOICE] * 4
    assert [(q.prompt, q.choices, q.answer) for q in topic.questions] == [
        ("What is the capital of France?", ("Paris", "Lyon", "Marseille"), "A"),
        (
            "Which city is the capital of Australia?\nIt is not the largest city.",
            ("Sydney", "Canberra", "Melbourne", "Perth"),
            "B",
        ),
        ("Which river flows through Vienna?", ("Danube", "Rhine"), "A"),
        ("What is the capital of Canada?", ("Toronto", "Ottawa", "Vancouver"), "B"),
    ]
    assert topic.questions[0].explanation == "The answer is A. Paris."


def test_a_broken_file_names_the_line_of_every_question_not_imported() -> None:
    result = imported("broken.txt")

    [topic] = result.topics
    assert [(q.prompt, q.answer) for q in topic.questions] == [("Which planet is largest?", "A")]
    no_answer = "has no 'ANSWER: <letter>' line after its options"
    assert [str(problem) for problem in result.problems] == [
        "line 4: ANSWER 'E' is not one of the options of question 'What is 2 + 2?' (A to B)",
        "line 6: question 'What colour is the sky?': the option on line 8 is C where B was "
        "expected; options must go A, B, C... in order",
        "line 11: question 'How many legs has a spider?' has only one option; a multiple-choice "
        "question needs 2 to 10, each on its own line as 'A. text' or 'A) text'",
        "line 19: ANSWER 'A, B' names more than one option: TutorBot's multiple choice has one "
        "right answer",
        f"line 21: question 'Who wrote Hamlet?' {no_answer}",
        "line 28: an ANSWER line with no question and options before it",
        f"line 30: question 'What is the boiling point of water at sea level?' {no_answer}",
    ]


def test_more_than_ten_options_are_refused_for_that_question() -> None:
    options = "\n".join(f"{letter}. option {letter}" for letter in "ABCDEFGHIJK")
    data = f"Too many?\n{options}\nANSWER: A\n\nFine?\nA. yes\nB. no\nANSWER: B\n".encode()

    result = import_upload(Upload("many.aiken", data), "aiken")

    assert [q.prompt for q in result.topics[0].questions] == ["Fine?"]
    assert result.problems == [
        Problem(
            "line 1",
            "question 'Too many?' has 11 options; TutorBot's multiple choice has at most 10",
        )
    ]


def test_an_answer_line_right_after_the_text_means_no_options() -> None:
    result = import_upload(Upload("q.txt", b"Just text?\nANSWER: A\n"), "aiken")

    assert result.topics == []
    assert [p.where for p in result.problems] == ["line 1"]
    assert "has no options" in result.problems[0].why


def test_a_file_without_any_answer_line_is_refused() -> None:
    with pytest.raises(ImportRefused, match="not an Aiken file"):
        import_upload(Upload("notes.txt", b"Some notes\nA. not a quiz\n"), "aiken")


def test_crlf_and_a_byte_order_mark_are_read() -> None:
    data = "\ufeffQ?\r\nA. x\r\nB) y\r\nANSWER: B\r\n".encode()

    result = import_upload(Upload("crlf.txt", data), "aiken")

    assert [(q.prompt, q.choices, q.answer) for q in result.topics[0].questions] == [
        ("Q?", ("x", "y"), "B")
    ]


def test_the_topic_is_titled_from_the_file_stem() -> None:
    assert Upload("dir/world_capitals-2024.txt", b"").title("x") == "World capitals 2024"
    assert Upload(".txt", b"").title("x") == ".txt"
    assert Upload("_.txt", b"").title("Aiken questions") == "Aiken questions"


def test_sniff_knows_aiken_from_other_text() -> None:
    for path in SAMPLES.iterdir():
        assert sniff(Upload(path.name, path.read_bytes()))
    assert not sniff(Upload("x.txt", b"term\tdefinition\n"))
    assert not sniff(Upload("x.gift", b"::Q1:: What? {=yes ~no}\n"))
    assert not sniff(Upload("x.txt", b"\xff\xfe\x00"))


@given(st.text(alphabet=st.sampled_from(list("ABC.) \nANSWER:xq")), max_size=300))
@settings(max_examples=300, deadline=None)
def test_aiken_like_text_gives_a_bank_or_a_refusal(text: str) -> None:
    try:
        bank = read_aiken(Upload("fuzz.txt", text.encode()))
    except ImportRefused:
        return
    assert isinstance(bank, Bank)


def test_the_guess_picks_aiken_for_its_samples() -> None:
    for path in SAMPLES.iterdir():
        assert guess_format(Upload(path.name, path.read_bytes())).name == "aiken"
