"""GIFT: what an instructor's file imports as, what is skipped and where, refusals, and the
writer's round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banks.helpers import import_sample
from banks.strategies import topic_lists
from tutorbot.content.banks.build import Imported
from tutorbot.content.banks.draft import Bank, ImportRefused, Problem, Upload
from tutorbot.content.banks.gift import read_gift, sniff, write_gift
from tutorbot.content.banks.importing import import_upload
from tutorbot.content.banks.limits import NotText
from tutorbot.content.models import Question, QuestionType, Topic

SAMPLES = Path(__file__).parent / "samples" / "gift"


def imported(name: str) -> Imported:
    """A sample file imported end to end, its format guessed."""
    return import_sample("gift", name)


def question(result: Imported, question_id: str) -> Question:
    """The imported question with this id."""
    found = [q for topic in result.topics for q in topic.questions if q.id == question_id]
    assert len(found) == 1, question_id
    return found[0]


def test_categories_become_topics_and_questions_before_any_go_to_the_file_s_topic() -> None:
    result = imported("capitals.gift")
    assert result.format == "gift"
    assert [(t.title, [q.id for q in t.questions]) for t in result.topics] == [
        ("Capitals", ["capital-france", "largest-planet"]),
        ("Rivers", ["nile-longest", "amazon", "rhine", "danube"]),
        (
            "Numbers",
            ["pi", "dice", "light", "sum", "root-two", "escapes", "essay", "picture"],
        ),
    ]


def test_multiple_choice_with_feedback_folded_into_the_explanation() -> None:
    capital = question(imported("capitals.gift"), "capital-france")
    assert capital.type is QuestionType.MULTIPLE_CHOICE
    assert capital.prompt == "What is the capital of France?"
    assert capital.choices == ("Paris", "Lyon", "Marseille")
    assert capital.answer == "A"
    assert capital.explanation == (
        "France's capital is Paris.\n\nRight: it has been since 987.\n\n"
        "Lyon: Lyon is the third city."
    )


def test_multiple_choice_with_weights_on_lines_of_their_own() -> None:
    planet = question(imported("capitals.gift"), "largest-planet")
    assert planet.choices == ("Mars", "Jupiter", "Venus")
    assert planet.answer == "B"
    assert planet.explanation == "The answer is B. Jupiter."


def test_true_false_in_every_spelling_with_its_feedback() -> None:
    result = imported("capitals.gift")
    nile = question(result, "nile-longest")
    assert nile.answer is True
    assert nile.explanation == (
        "Yes, it flows north to the Mediterranean.\n\nFalse: No: look at a map."
    )
    amazon = question(result, "amazon")
    assert amazon.answer is False
    assert amazon.explanation == "It flows into the Atlantic."


def test_short_answer_and_missing_word() -> None:
    result = imported("capitals.gift")
    rhine = question(result, "rhine")
    assert rhine.type is QuestionType.SHORT_ANSWER
    assert rhine.prompt == "The Rhine flows through _____ and the Netherlands."
    assert rhine.answers == ("Germany", "Deutschland")
    assert question(result, "danube").answers == ("Austria", "Hungary")
    assert question(result, "sum").answers == ("4", "four")


def test_numeric_answer_tolerance_range_and_the_full_credit_one() -> None:
    result = imported("capitals.gift")
    pi = question(result, "pi")
    assert (pi.answer, pi.tolerance) == (3.14, 0.01)
    assert pi.prompt == "What is π to two decimals, with {no} rounding : tricks?"
    assert pi.explanation == "π ≈ 3.14159\n\nA **famous** number."
    assert question(result, "dice").range == (1.0, 6.0)
    light = question(result, "light")
    assert (light.answer, light.tolerance) == (299792458, None)
    root = question(result, "root-two")
    assert (root.answer, root.tolerance) == (1.414, 0.001)
    assert root.explanation == "Close enough.\n\nOther answers: That is not it."


def test_escapes_and_html() -> None:
    result = imported("capitals.gift")
    escapes = question(result, "escapes")
    assert escapes.prompt == 'Which sign means "approximately"? ~ or = or #?'
    assert escapes.choices == ("~", "=", "#")
    essay = question(result, "essay")
    assert essay.type is QuestionType.FREE_RESPONSE
    assert essay.prompt == "Explain **why** the sky is blue."
    assert essay.answer == "Air scatters blue light more than red (Rayleigh scattering)."
    assert essay.explanation == "It is the same reason sunsets are red."
    assert question(result, "picture").prompt == "What is shown? [picture]"


def test_what_is_not_imported_is_said_with_its_line() -> None:
    assert [str(p) for p in imported("capitals.gift").problems] == [
        "line 20: answers with partial credit are not accepted (TutorBot has no partial "
        "credit): Europe",
        "line 34: answers with partial credit are not accepted (TutorBot has no partial "
        "credit): 1.4:0.1",
        "line 40: an essay question without a model answer: add `####Model answer: ...` "
        "before its }",
        "line 42: matching questions ({=a -> b}) are not supported",
        "line 44: a description (text without answers in { }) is not a question, so it is "
        "not imported",
        "line 46: only partial credit (a multiple-answer question): TutorBot's multiple "
        "choice has one right answer",
        "line 48: 2 right answers: TutorBot's multiple choice has one",
        "line 50: has a picture, which is not imported",
        "line 52: the answers {+yes -no} do not start with = (a right answer), ~ (a wrong "
        "answer), # (a number) or T/F",
    ]


def test_broken_questions_are_skipped_and_the_rest_imported() -> None:
    result = imported("broken.gift")
    assert [(t.title, [q.id for q in t.questions]) for t in result.topics] == [("Broken", ["fine"])]
    assert result.problems == [
        Problem("line 2", "the { that opens the answers is not closed with }"),
        Problem("line 4", "a } without the { that opens the answers"),
        Problem("line 6", "the { that opens the answers is not closed with }"),
        Problem("line 9", "a } without the { that opens the answers"),
        Problem("line 12", "'lots' is not a number, such as 3.5 or 1..5"),
        Problem(
            "line 14",
            "more than one set of answers in { }: embedded answers are not supported",
        ),
        Problem("line 16", "no right answer: mark it with ="),
    ]


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", b"// only a comment\n"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    with pytest.raises(ImportRefused, match="the file is empty"):
        import_upload(Upload("empty.gift", data), "gift")


@pytest.mark.parametrize(
    "data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"{=a ~\xff\xfe\xfd}", b"\x00{=a ~b}"]
)
def test_binary_garbage_is_refused(data: bytes) -> None:
    with pytest.raises(ImportRefused, match="text"):
        import_upload(Upload("garbage.gift", data), "gift")


def test_a_file_that_is_not_gift_is_refused() -> None:
    letter = Upload("letter.txt", (SAMPLES / "letter.txt").read_bytes())
    assert not sniff(letter)
    with pytest.raises(ImportRefused, match="the file is not GIFT"):
        import_upload(letter, "gift")


def test_sniff_knows_gift() -> None:
    for name in ("capitals.gift", "broken.gift"):
        assert sniff(Upload(name, (SAMPLES / name).read_bytes()))
    assert sniff(Upload("x.txt", b"Is it? {T}"))
    assert not sniff(Upload("x.json", b'{"response_code": 0, "results": []}'))
    assert not sniff(Upload("x.txt", b"What?\nA. yes\nB. no\nANSWER: A\n"))


def _topic(title: str, *questions: Question) -> Topic:
    return Topic(id="t", title=title, core_idea="c", questions=questions)


def test_the_writer_escapes_and_writes_every_type() -> None:
    topic = _topic(
        "Either/or",
        Question(
            id="mc",
            type=QuestionType.MULTIPLE_CHOICE,
            prompt="Which {one}?\nSay: a=b #1 ~ \\",
            choices=("x", "y"),
            answer="B",
            explanation="Because.",
            hint="Not written.",
        ),
        Question(
            id="tf", type=QuestionType.TRUE_FALSE, prompt="Yes?", answer=True, explanation="Yes."
        ),
        Question(
            id="sa",
            type=QuestionType.SHORT_ANSWER,
            prompt="Name?",
            answers=("Ann", "Anne"),
            explanation="Ann.",
        ),
        Question(
            id="n1",
            type=QuestionType.NUMERIC,
            prompt="N?",
            answer=3.5,
            tolerance=0.1,
            explanation="3.5.",
        ),
        Question(
            id="n2", type=QuestionType.NUMERIC, prompt="R?", range=(-1, 2.5), explanation="R."
        ),
        Question(id="n3", type=QuestionType.NUMERIC, prompt="E?", answer=7, explanation="7."),
        Question(
            id="fr",
            type=QuestionType.FREE_RESPONSE,
            prompt="Why?",
            answer="Because.",
            explanation="See above.",
        ),
    )
    assert write_gift([topic]).split("\n\n") == [
        "$CATEGORY: $course$/top/Either//or",
        "::mc::[markdown]Which \\{one\\}?\\nSay\\: a\\=b \\#1 \\~ \\\\{\n~x\n=y\n####Because.\n}",
        "::tf::[markdown]Yes?{\nT\n####Yes.\n}",
        "::sa::[markdown]Name?{\n=Ann\n=Anne\n####Ann.\n}",
        "::n1::[markdown]N?{\n#3.5:0.1\n####3.5.\n}",
        "::n2::[markdown]R?{\n#-1..2.5\n####R.\n}",
        "::n3::[markdown]E?{\n#7\n####7.\n}",
        "::fr::[markdown]Why?{\n####Model answer\\: Because.\\n\\nSee above.\n}\n",
    ]
    result = import_upload(Upload("x.gift", write_gift([topic]).encode()))
    assert [t.title for t in result.topics] == ["Either/or"]
    assert result.topics[0].questions[0].prompt == "Which {one}?\nSay: a=b #1 ~ \\"
    assert result.topics[0].questions[0].hint is None


def _same(written: Question, read: Question) -> None:
    """The question read back is the one written, hints aside; numbers compared as numbers."""
    assert (read.id, read.type, read.prompt, read.explanation) == (
        written.id,
        written.type,
        written.prompt,
        written.explanation,
    )
    assert (read.choices, read.answers) == (written.choices, written.answers)
    if written.type is QuestionType.NUMERIC:
        assert read.bounds == written.bounds
        assert read.number == written.number
        assert (read.range is None, read.tolerance is None) == (
            written.range is None,
            written.tolerance is None,
        )
    else:
        assert read.answer == written.answer


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(topic_lists())
def test_what_is_written_reads_back_the_same(topics: list[Topic]) -> None:
    text = write_gift(topics)
    result = import_upload(Upload("x.gift", text.encode()))
    assert result.problems == []
    assert [t.title for t in result.topics] == [t.title for t in topics]
    for written, read in zip(topics, result.topics, strict=True):
        assert len(read.questions) == len(written.questions)
        for written_question, read_question in zip(written.questions, read.questions, strict=True):
            _same(written_question, read_question)


GIFTISH = st.text(alphabet="{}=~#%:\\-> \n\tTF.0123ab[]html$CATEGORY/_<>&", max_size=300)


@settings(max_examples=300, deadline=None)
@given(GIFTISH | st.text(max_size=300))
def test_random_text_is_read_or_refused(text: str) -> None:
    upload = Upload("fuzz.gift", text.encode())
    sniff(upload)
    try:
        bank = read_gift(upload)
    except (ImportRefused, NotText):
        return
    assert isinstance(bank, Bank)
    import_upload(upload, "gift")


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("$CATEGORY: $course$/top/Europe/Rivers", "Rivers"),
        ("$CATEGORY: Either//or", "Either/or"),
        ("$CATEGORY: $course$/top", "Rivers"),
        ("$CATEGORY: $system$/top/A/", "A"),
        ("$CATEGORY: top", "top"),
    ],
)
def test_a_category_s_last_part_titles_its_topic(line: str, title: str) -> None:
    bank = read_gift(Upload("rivers.gift", f"{line}\nIs it? {{T}}\n".encode()))
    assert [(topic.title, len(topic.questions)) for topic in bank.topics] == [(title, 1)]


def test_hostile_blocks_are_skipped_quickly() -> None:
    tildes = b"Q {=" + b"~" * 200_000 + b"}"
    equals = b"Q {#" + b"=1" * 200_000 + b"}"
    nested = b"[html]Deep?{T####" + b"<i>" * 100_000 + b"}"
    text = b"\n\n".join([tildes, equals, nested, b"Fine? {F}"])
    bank = read_gift(Upload("hostile.gift", text))
    assert [str(p) for p in bank.problems] == [
        "line 1: 200001 answers in { }: a multiple choice has at most 10",
        "line 3: 200000 answers in { }: at most 100 are read",
    ]
    assert [draft.prompt for draft in bank.topics[0].questions] == ["Deep?", "Fine?"]
