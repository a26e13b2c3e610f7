from pathlib import Path

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from banks.helpers import import_sample
from tutorbot.content.banks.draft import Bank, ImportRefused, Problem, Upload
from tutorbot.content.banks.formats import guess_format
from tutorbot.content.banks.importing import Imported, import_upload
from tutorbot.content.banks.red_trivia import read_red_trivia, sniff
from tutorbot.content.models import QuestionType

SAMPLES = Path(__file__).parent / "samples" / "red_trivia"


def imported(name: str) -> Imported:
    return import_sample("red_trivia", name, "red-trivia")


def test_each_question_accepts_its_answers_as_written() -> None:
    result = imported("world_capitals.yaml")

    assert result.problems == []
    [topic] = result.topics
    assert topic.title == "World capitals"
    assert topic.explainer == "Trivia list by Jane Doe."
    assert {q.type for q in topic.questions} == {QuestionType.SHORT_ANSWER}
    assert [(q.prompt, q.accepted) for q in topic.questions] == [
        ("What is the capital of France?", ("Paris",)),
        (
            "What is the capital of the United States?",
            ("Washington", "Washington D.C.", "Washington, DC"),
        ),
        ("In what year did the Berlin Wall fall?", ("1989",)),
        ("Is Canberra the capital of Australia?", ("Yes",)),
        ("Pi to two decimals: what is it?", ("3.14", "3,14")),
        ("Name the capital of Japan,\nin English.", ("Tokyo",)),
    ]


def test_config_is_not_a_question() -> None:
    topic = imported("world_capitals.yaml").topics[0]

    assert all("CONFIG" not in q.prompt and "AUTHOR" not in q.prompt for q in topic.questions)


def test_entries_that_are_not_lists_of_text_are_problems_with_their_line() -> None:
    result = imported("broken-list.yaml")

    [topic] = result.topics
    assert topic.title == "Broken list"
    assert topic.explainer == "Trivia list by Alice, Bob."
    assert [(q.prompt, q.accepted) for q in topic.questions] == [
        ("What is 2 + 2?", ("4", "four")),
        ("A question with a nested and a good answer?", ("good",)),
    ]
    assert result.problems == [
        Problem(
            "line 7",
            "'A question with a single string answer?': its answers should be a list "
            "('- answer' lines)",
        ),
        Problem("line 8", "'A question with no answers?' has no answers"),
        Problem("line 9", "'A question with nested answers?': none of its answers is text"),
        Problem(
            "line 12",
            "'A question with a nested and a good answer?': 2 of its answers are not text (a "
            "list, a mapping or empty) and left out; the others are imported",
        ),
        Problem("line 16", "'A question with no value?' has no answers"),
    ]


def test_more_accepted_answers_than_a_question_holds_is_a_problem_from_the_models() -> None:
    answers = "".join(f"- answer {n}\n" for n in range(21))
    data = f"Many?:\n{answers}Few?:\n- one\n".encode()

    result = import_upload(Upload("many.yml", data), "red-trivia")

    assert [q.prompt for q in result.topics[0].questions] == ["Few?"]
    assert result.problems == [
        Problem("line 1", "a short-answer question needs 1 to 20 accepted answers")
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("repeated.yaml", r"line 3: key 'What is 2 \+ 2\?' appears twice .*lines 1 and 3"),
        ("bad_yaml.yaml", "not valid YAML on line 4"),
        ("alias_bomb.yaml", "line 8: aliases .* repeat more than 1,000 values"),
        ("not_a_mapping.yaml", "not a Red trivia list"),
    ],
)
def test_broken_or_hostile_yaml_is_refused_with_its_line(name: str, message: str) -> None:
    with pytest.raises(ImportRefused, match=message):
        imported(name)


@pytest.mark.parametrize(
    "data", [b"", b"# only a comment\n", b"just text\n", b"{}\n", b"[" * 100_000]
)
def test_files_that_are_no_trivia_list_are_refused(data: bytes) -> None:
    with pytest.raises(ImportRefused):
        import_upload(Upload("x.yaml", data), "red-trivia")


@pytest.mark.parametrize("data", [b"[" * 100_000 + b"]" * 100_000, b"Q?:\n" + b"- " * 100_000])
def test_yaml_nested_deep_enough_to_crash_libyaml_is_refused_first(data: bytes) -> None:
    with pytest.raises(ImportRefused, match="nested more than 32 deep"):
        import_upload(Upload("deep.yaml", data), "red-trivia")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Q?:\n- 2024-13-45\n", r"value YAML cannot read \(month must be in 1..12\)"),
        (b"Q?:\n- !!int abc\n", "value YAML cannot read"),
        (b"Q?:\n- !!python/object:os.system x\n", "could not determine a constructor"),
        (b"? [a, b]\n: - x\n", "line 1: found unhashable key"),
    ],
)
def test_values_yaml_cannot_build_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ImportRefused, match=message):
        import_upload(Upload("x.yaml", data), "red-trivia")


def test_a_list_with_only_author_and_config_imports_nothing() -> None:
    result = import_upload(Upload("x.yaml", b"AUTHOR: Me\nCONFIG:\n  delay: 5\n"), "red-trivia")

    assert result.topics == []
    assert result.problems == []


def test_the_title_comes_from_the_file_name() -> None:
    assert Upload("lists/world_capitals.yaml", b"").title("x") == "World capitals"
    assert Upload("general-knowledge_2.yml", b"").title("x") == "General knowledge 2"
    assert Upload("NBA.yaml", b"").title("x") == "NBA"


def test_sniff_knows_a_trivia_list_from_other_text() -> None:
    for name in ("world_capitals.yaml", "broken-list.yaml", "repeated.yaml", "bad_yaml.yaml"):
        assert sniff(Upload(name, (SAMPLES / name).read_bytes())), name
    topic_file = b"id: t\ntitle: T\nquestions:\n  - id: q1\n    type: true_false\n"
    assert not sniff(Upload("t.yaml", topic_file))
    assert not sniff(Upload("x.txt", b"term\tdefinition\n"))
    assert not sniff(Upload("x.txt", b"Q?\nA. a\nB. b\nANSWER: A\n"))


yaml_like = st.text(alphabet=st.sampled_from(list("ab?:- \n[]{}&*!'\"~#12-.|>\t")), max_size=200)


@given(yaml_like)
@settings(max_examples=400, deadline=None)
def test_yaml_like_text_gives_a_bank_or_a_refusal(text: str) -> None:
    try:
        bank = read_red_trivia(Upload("fuzz.yaml", text.encode()))
    except ImportRefused:
        return
    assert isinstance(bank, Bank)


def test_the_guess_picks_red_trivia_for_its_samples() -> None:
    for name in ("world_capitals.yaml", "broken-list.yaml"):
        path = SAMPLES / name
        assert guess_format(Upload(path.name, path.read_bytes())).name == "red-trivia"


words = st.text(alphabet=st.sampled_from(list("abcXYZ019 ?:-'\"#&*!é")), min_size=1, max_size=30)


@given(st.dictionaries(words, st.lists(words, min_size=1, max_size=5), min_size=1, max_size=5))
@settings(max_examples=200, deadline=None)
def test_any_list_dumped_by_yaml_reads_back_as_written(trivia: dict[str, list[str]]) -> None:
    assume(len({q.strip() for q in trivia}) == len(trivia))  # two questions, one prompt
    text = yaml.safe_dump(trivia, allow_unicode=True)

    bank = read_red_trivia(Upload("any.yaml", text.encode()))

    questions = [q for q in trivia if q not in ("AUTHOR", "CONFIG")]
    got = {draft.prompt: draft.answers for draft in bank.topics[0].questions}
    expected = {q.strip(): [a.strip() for a in trivia[q] if a.strip()] for q in questions}
    assert got == {q: a for q, a in expected.items() if q and a}
