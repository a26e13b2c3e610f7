from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from banks.helpers import import_sample
from tutorbot.content.banks.draft import Bank, ImportRefused, Problem, Upload
from tutorbot.content.banks.formats import guess_format
from tutorbot.content.banks.importing import Imported, import_upload
from tutorbot.content.banks.quizlet import read_quizlet, sniff
from tutorbot.content.models import MAX_ACCEPTED_ANSWER, QuestionType

SAMPLES = Path(__file__).parent / "samples" / "quizlet"


def imported(name: str, separator: str | None = None) -> Imported:
    return import_sample("quizlet", name, "quizlet", separator)


def test_each_card_asks_the_definition_and_accepts_the_term() -> None:
    result = imported("french_words.txt")

    assert result.problems == []
    [topic] = result.topics
    assert topic.title == "French words"
    short = topic.questions[:3]
    assert [(q.type, q.prompt, q.accepted) for q in short] == [
        (QuestionType.SHORT_ANSWER, "the apple", ("la pomme",)),
        (QuestionType.SHORT_ANSWER, "the cat", ("le chat",)),
        (QuestionType.SHORT_ANSWER, "the time\tthe hour", ("l'heure",)),
    ]
    assert short[0].explanation == "The answer is la pomme."


def test_a_term_too_long_to_type_becomes_a_free_response_question() -> None:
    long = imported("french_words.txt").topics[0].questions[3]

    assert long.type is QuestionType.FREE_RESPONSE
    assert long.prompt.startswith("The mitochondrion is a membrane-bound organelle")
    assert len(long.prompt) > MAX_ACCEPTED_ANSWER
    assert long.answer == "the powerhouse of the cell"


def test_a_term_of_exactly_the_longest_accepted_answer_is_still_typed() -> None:
    term = "x" * MAX_ACCEPTED_ANSWER
    result = import_upload(Upload("edge.txt", f"{term}\tletters\n".encode()), "quizlet")

    [question] = result.topics[0].questions
    assert question.type is QuestionType.SHORT_ANSWER
    assert question.accepted == (term,)


def test_lines_without_a_separator_or_with_an_empty_side_are_problems_with_their_line() -> None:
    result = imported("broken.txt")

    assert [(q.prompt, q.accepted) for q in result.topics[0].questions] == [
        ("the dog", ("le chien",)),
        ("the bread", ("le pain",)),
    ]
    assert result.problems == [
        Problem("line 2", "no separator (a tab) between term and definition"),
        Problem("line 3", "the term is empty"),
        Problem("line 4", "the definition is empty"),
    ]


def test_a_chosen_separator_splits_at_its_first_occurrence_only() -> None:
    result = imported("chemistry-dash.txt", separator=" - ")

    assert result.topics[0].title == "Chemistry dash"
    assert [(q.prompt, q.accepted) for q in result.topics[0].questions] == [
        ("water", ("H2O",)),
        ("table salt - common salt", ("NaCl",)),
    ]
    assert result.problems == [
        Problem("line 3", "no separator (' - ') between term and definition")
    ]


def test_a_comma_separator_and_crlf_lines() -> None:
    data = b"gato,cat\r\nperro,dog, hound\r\n"

    result = import_upload(Upload("spanish.csv", data, separator=","), "quizlet")

    assert [(q.prompt, q.accepted) for q in result.topics[0].questions] == [
        ("cat", ("gato",)),
        ("dog, hound", ("perro",)),
    ]


def test_a_file_where_no_line_holds_the_separator_is_refused() -> None:
    with pytest.raises(ImportRefused, match=r"no line holds the separator .*\(a tab\)"):
        imported("chemistry-dash.txt")


def test_an_empty_separator_is_refused() -> None:
    with pytest.raises(ImportRefused, match="cannot be empty"):
        import_upload(Upload("x.txt", b"a\tb\n", separator=""), "quizlet")


def test_sniff_wants_mostly_tabbed_lines_and_no_other_format() -> None:
    assert sniff(Upload("x.txt", (SAMPLES / "french_words.txt").read_bytes()))
    assert sniff(Upload("x.txt", (SAMPLES / "broken.txt").read_bytes()))
    dashed = (SAMPLES / "chemistry-dash.txt").read_bytes()
    assert not sniff(Upload("x.txt", dashed))
    assert sniff(Upload("x.txt", dashed, separator=" - "))
    assert not sniff(Upload("x.txt", b"#separator:tab\n#html:true\nfront\tback\n"))
    assert not sniff(Upload("x.txt", b"Q?\nA. a\tb\nB. c\tb\nANSWER: A\n"))
    assert not sniff(Upload("x.json", b'[{"a":\t1}]'))
    assert not sniff(Upload("x.txt", b""))


@given(
    st.text(alphabet=st.sampled_from(list("ab \t\n,-")), max_size=200),
    st.sampled_from([None, ",", " - "]),
)
@settings(max_examples=300, deadline=None)
def test_card_like_text_gives_a_bank_or_a_refusal(text: str, separator: str | None) -> None:
    try:
        bank = read_quizlet(Upload("fuzz.txt", text.encode(), separator=separator))
    except ImportRefused:
        return
    assert isinstance(bank, Bank)


def test_the_guess_picks_quizlet_for_a_tab_separated_export() -> None:
    path = SAMPLES / "french_words.txt"

    assert guess_format(Upload(path.name, path.read_bytes())).name == "quizlet"


def test_the_guess_picks_quizlet_for_an_export_with_the_separator_given() -> None:
    path = SAMPLES / "chemistry-dash.txt"

    assert guess_format(Upload(path.name, path.read_bytes(), separator=" - ")).name == "quizlet"
