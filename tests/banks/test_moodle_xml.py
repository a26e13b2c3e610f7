"""Moodle XML: what an instructor's export becomes (topics, questions, problems naming the
question), the files refused whole (not XML, not a quiz, cut short, entity bombs, external
entities, over the size cap), and export then import giving back the same questions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutorbot.content.banks.build import Imported
from tutorbot.content.banks.categories import category_parts, category_path
from tutorbot.content.banks.draft import ImportRefused, Problem, Upload
from tutorbot.content.banks.importing import import_upload
from tutorbot.content.banks.limits import ImportLimits, NotText, TooBig
from tutorbot.content.banks.moodle_xml import read_moodle_xml, sniff, write_moodle_xml
from tutorbot.content.banks.write import topic_yaml
from tutorbot.content.models import Question, QuestionType, Topic

from .strategies import topic_lists

SAMPLES = Path(__file__).parent / "samples" / "moodle_xml"
DTD_REFUSAL = "the file declares a DTD/entities"


def _import(name: str, format_name: str | None = None) -> Imported:
    path = SAMPLES / name
    return import_upload(Upload(path.name, path.read_bytes()), format_name)


def _refusal(name: str, format_name: str | None = "moodle-xml") -> str:
    with pytest.raises(ImportRefused) as refused:
        _import(name, format_name)
    return str(refused.value)


@pytest.fixture(scope="module")
def everything() -> Imported:
    return _import("everything.xml")


def _questions(imported: Imported) -> dict[str, Question]:
    return {q.id: q for topic in imported.topics for q in topic.questions}


# Every construct -------------------------------------------------------------------------------


def test_the_format_is_guessed_and_each_category_is_a_topic(everything: Imported) -> None:
    assert everything.format == "moodle-xml"
    assert [(t.title, [q.id for q in t.questions]) for t in everything.topics] == [
        ("Everything", ["capital-of-france"]),
        ("Europe", ["danube-source", "capital-of-italy", "seine-length", "why-rivers"]),
        ("Sets/Logic", ["venn", "plain-stars", "markdown-sets", "what-is-7-2-as-a-decimal"]),
    ]
    europe = everything.topics[1]
    assert europe.core_idea == "Capitals and rivers of *Europe*."
    for topic in everything.topics:
        assert topic_yaml(topic)


def test_multiple_choice_html_as_markdown_feedback_folded_first_hint(
    everything: Imported,
) -> None:
    question = _questions(everything)["capital-of-france"]
    assert question.type is QuestionType.MULTIPLE_CHOICE
    assert question.prompt == "What is the **capital** of France?"
    assert question.choices == ("Lyon", "Paris & nowhere else", "Marseille")
    assert question.answer == "B"
    assert question.explanation == (
        "Paris has been the capital since 508.\n\nFrance's government sits in Paris."
    )
    assert question.hint == "It is on the Seine."


def test_true_false_takes_the_answer_worth_full_credit(everything: Imported) -> None:
    question = _questions(everything)["danube-source"]
    assert question.type is QuestionType.TRUE_FALSE
    assert question.answer is False
    assert question.explanation == "It rises in the Black Forest."  # "Correct!" not folded in


def test_short_answer_accepts_every_full_credit_answer(everything: Imported) -> None:
    question = _questions(everything)["capital-of-italy"]
    assert question.type is QuestionType.SHORT_ANSWER
    assert question.answers == ("Rome", "Roma", "R*me")  # `\*` is a literal star
    assert question.explanation == "Rome, since 1871."


def test_numerical_takes_the_full_credit_answer_and_its_tolerance(everything: Imported) -> None:
    question = _questions(everything)["seine-length"]
    assert question.type is QuestionType.NUMERIC
    assert question.answer == 777
    assert question.tolerance == 10
    assert question.explanation == "About 777 km."
    unnamed = _questions(everything)["what-is-7-2-as-a-decimal"]
    assert (unnamed.answer, unnamed.tolerance) == (3.5, None)


def test_essay_is_free_response_with_the_grader_information_as_model_answer(
    everything: Imported,
) -> None:
    question = _questions(everything)["why-rivers"]
    assert question.type is QuestionType.FREE_RESPONSE
    assert question.answer == "Trade, water and defence.\n\nRivers carried goods."


def test_text_formats(everything: Imported) -> None:
    questions = _questions(everything)
    assert questions["plain-stars"].prompt == "2\\*3\\*4 = 24 and <b> is not bold\non two lines"
    markdown = questions["markdown-sets"]
    assert markdown.prompt == "Which is **empty**?\n\n- the set of even primes above 2"
    assert markdown.explanation == "2 is the *only* even prime."
    assert markdown.choices == ("the empty set", "{2}")
    assert questions["venn"].prompt == "In the diagram, which set is empty?\n\n[picture]"


def test_every_item_not_imported_is_reported_with_its_place_and_why(
    everything: Imported,
) -> None:
    assert everything.problems == [
        Problem(
            "question 3 (rivers)",
            "a multiple-answer question (several choices to tick): TutorBot's multiple choice "
            "has one right answer",
        ),
        Problem(
            "question 4 (two-right)",
            "2 answers are worth 100%: TutorBot's multiple choice has exactly one",
        ),
        Problem(
            "question 6 (capital-of-italy)",
            "accepted answer 'Rom*' uses Moodle's * wildcard, which TutorBot does not match; "
            "it is left out",
        ),
        Problem(
            "question 6 (capital-of-italy)",
            "case-sensitive matching is not kept: TutorBot ignores case",
        ),
        Problem(
            "question 7 (partial-only)",
            "no answer worth 100% can be accepted (partial credit only: 'Seville' (50%))",
        ),
        Problem(
            "question 8 (seine-length)",
            "units (km, m) are not imported: students type the number only",
        ),
        Problem("question 9 (why-rivers)", "has a picture, which is not imported"),
        Problem(
            "question 10 (no-grader-info)",
            "an essay without information for graders: TutorBot's free response shows a model "
            "answer, written in the essay's <graderinfo>",
        ),
        Problem("question 12 (match-capitals)", "matching questions are not supported"),
        Problem("question 13 (cloze)", "cloze (embedded answers) questions are not supported"),
        Problem(
            "question 14 (intro)", "a description is text without a question; it is not imported"
        ),
        Problem("question 15 (drag)", "drag and drop into text questions are not supported"),
        Problem("question 16 (calc)", "calculated questions are not supported"),
        Problem(
            "question 17 (Random (Sets))",
            "random questions draw from a category; they are not imported",
        ),
        Problem("question 18 (venn)", "has a picture, which is not imported"),
        Problem(
            "question 21 (only-picture)",
            "the question text is only a picture, which is not imported",
        ),
        Problem("question 22 (any-number)", "the answer worth 100% is *, which accepts any number"),
    ]


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("$course$/top/Geography/Europe", ("Geography", "Europe")),
        ("$course$/Default for Biology", ("Default for Biology",)),
        ("$cat$/top/Sets//Logic", ("Sets/Logic",)),
        ("$course$/top/ //slash", ("/slash",)),
        ("$course$/top/top", ("top",)),
        ("$system$/top", ()),
        ("tom/dick/harry", ("tom", "dick", "harry")),
    ],
)
def test_category_parts(path: str, parts: tuple[str, ...]) -> None:
    assert category_parts(path) == parts


@pytest.mark.parametrize("title", ["Europe", "a/b", "/lead", "trail/", "a//b", "///", "top"])
def test_category_paths_read_back_as_the_title(title: str) -> None:
    assert category_parts(category_path(title)) == (title,)


def test_a_parent_named_in_a_path() -> None:
    assert category_path("topic-2", "a/b") == "$course$/top/topic-2/a//b"


def _true_false(path: str, prompt: str) -> str:
    return (
        f'<question type="category"><category><text>{path}</text></category></question>'
        f'<question type="truefalse"><questiontext><text>{prompt}</text></questiontext>'
        '<answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question>'
    )


def test_a_category_met_again_adds_to_its_topic_and_two_paths_ending_alike_are_two() -> None:
    text = (
        "<quiz>"
        + _true_false("$course$/top/Europe/Rivers", "The Rhine is long.")
        + _true_false("$course$/top/Asia/Rivers", "The Ganges is long.")
        + _true_false("$course$/top/Europe/Rivers", "The Seine is long.")
        + "</quiz>"
    )
    imported = import_upload(Upload("rivers.xml", text.encode()))
    assert [(t.title, [q.prompt for q in t.questions]) for t in imported.topics] == [
        ("Rivers", ["The Rhine is long.", "The Seine is long."]),
        ("Rivers", ["The Ganges is long."]),
    ]


def test_questions_before_any_category_and_a_category_without_a_name_use_the_file_name() -> None:
    text = (
        '<quiz><question type="category"><category><text>$course$/top</text></category>'
        '</question><question type="truefalse"><questiontext><text>Sky is blue.</text>'
        '</questiontext><answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question></quiz>'
    )
    imported = import_upload(Upload("world_facts.xml", text.encode()))
    assert [topic.title for topic in imported.topics] == ["World facts"]


# Files refused whole ---------------------------------------------------------------------------


def test_not_xml_is_refused() -> None:
    assert _refusal("not_xml.xml").startswith("the file is not well-formed XML (syntax error")


def test_xml_that_is_not_a_quiz_is_refused() -> None:
    assert _refusal("not_quiz.xml") == (
        "the file is XML but not Moodle XML: it starts with <html>, not <quiz>"
    )


def test_a_truncated_file_is_refused_with_where_it_ends() -> None:
    assert _refusal("truncated.xml", None) == (
        "the file is not well-formed XML (no element found: line 6, column 0)"
    )


def test_an_empty_quiz_is_refused() -> None:
    with pytest.raises(ImportRefused, match="holds no questions"):
        import_upload(Upload("empty.xml", b"<?xml version='1.0'?>\n<quiz>\n</quiz>\n"))


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_a_dtd_is_refused_before_any_entity_is_expanded(name: str) -> None:
    message = _refusal(name, None)  # guessed from the content, as a bomb would arrive
    assert message.startswith(DTD_REFUSAL)
    assert "lol" not in message


def test_an_external_entity_is_never_read() -> None:
    message = _refusal("external_entity.xml")
    passwd = Path("/etc/passwd")
    secrets = passwd.read_text().splitlines() if passwd.exists() else ["root:x:0:0"]
    assert not any(line and line in message for line in secrets)
    assert "root:" not in message


def test_a_file_over_the_cap_is_refused() -> None:
    data = (SAMPLES / "everything.xml").read_bytes()
    with pytest.raises(ImportRefused, match="TUTORBOT_IMPORT_MAX_FILE_MB"):
        import_upload(Upload("big.xml", data, ImportLimits(max_file_bytes=len(data) - 1)))
    with pytest.raises(TooBig):
        read_moodle_xml(Upload("big.xml", data, ImportLimits(max_file_bytes=1024)))


def test_text_that_is_not_utf8_is_refused() -> None:
    data = b'<?xml version="1.0" encoding="ISO-8859-1"?><quiz>caf\xe9</quiz>'
    with pytest.raises(ImportRefused, match="not UTF-8 text"):
        import_upload(Upload("latin.xml", data), "moodle-xml")


def test_deeply_nested_html_keeps_its_words_not_a_crash() -> None:
    nested = "&lt;b&gt;" * 5000 + "deep"
    text = (
        '<quiz><question type="truefalse"><name><text>deep</text></name>'
        f'<questiontext format="html"><text>{nested}</text></questiontext>'
        '<answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question></quiz>'
    )
    bank = read_moodle_xml(Upload("deep.xml", text.encode()))
    assert bank.problems == []
    assert [q.prompt for q in bank.topics[0].questions] == ["deep"]


def test_deeply_nested_elements_in_a_name_or_a_category_are_problems() -> None:
    deep = "<b>" * 5000 + "x" + "</b>" * 5000
    text = (
        f'<quiz><question type="category"><category><text>{deep}</text></category></question>'
        f'<question type="essay"><name><text>{deep}</text></name></question></quiz>'
    )
    bank = read_moodle_xml(Upload("deep.xml", text.encode()))
    assert [str(p) for p in bank.problems] == [
        "question 1: its text is nested too deeply to be read",
        "question 2: its text is nested too deeply to be read",
    ]


def test_sniff() -> None:
    for name in ("everything.xml", "billion_laughs.xml", "external_entity.xml"):
        assert sniff(Upload(name, (SAMPLES / name).read_bytes()))
    for name in ("not_xml.xml", "not_quiz.xml"):
        assert not sniff(Upload(name, (SAMPLES / name).read_bytes()))
    assert sniff(Upload("x.xml", "\ufeff<quiz/>".encode("utf-16")))
    assert not sniff(Upload("x.txt", b"What is a <quiz>?"))


# Export, then import ---------------------------------------------------------------------------


def _key(question: Question) -> tuple[object, ...]:
    """What a question says, numbers as the interval of right values."""
    bounds = question.bounds if question.type is QuestionType.NUMERIC else None
    answer = None if question.type is QuestionType.NUMERIC else question.answer
    return (
        question.id,
        question.type,
        question.prompt,
        question.choices,
        answer,
        question.answers,
        bounds,
        question.explanation,
        question.hint,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(topic_lists())
def test_export_then_import_gives_back_the_same_questions(topics: list[Topic]) -> None:
    text = write_moodle_xml(topics)
    imported = import_upload(Upload("export.xml", text.encode()))
    assert imported.problems == []
    assert [t.title for t in imported.topics] == [t.title for t in topics]
    assert [t.core_idea for t in imported.topics] == [t.core_idea for t in topics]
    for back, original in zip(imported.topics, topics, strict=True):
        assert [_key(q) for q in back.questions] == [_key(q) for q in original.questions]


def test_two_topics_of_one_title_stay_two_topics() -> None:
    question = Question(id="q", type="true_false", prompt="P?", answer=True, explanation="E.")
    topics = [
        Topic(id=f"sharing-{n}", title="Sharing", core_idea="C.", questions=(question,))
        for n in (1, 2)
    ]
    text = write_moodle_xml(topics)
    assert "<text>$course$/top/Sharing</text>" in text
    assert "<text>$course$/top/sharing-2/Sharing</text>" in text
    imported = import_upload(Upload("export.xml", text.encode()))
    assert [(t.title, len(t.questions)) for t in imported.topics] == [("Sharing", 1)] * 2


def test_text_html_would_change_is_written_as_markdown() -> None:
    question = Question(
        id="q",
        type="multiple_choice",
        prompt="Is **this** bold?\nLine two",
        choices=("two  spaces", "a_b"),
        answer="A",
        explanation="Plain text & <tags>.",
        hint="Use `code`  here",
    )
    topic = Topic(id="t", title="T", core_idea="C.", questions=(question,))
    text = write_moodle_xml([topic])
    assert '<questiontext format="markdown"><text>Is **this** bold?\nLine two</text>' in text
    assert '<answer fraction="100" format="markdown"><text>two  spaces</text>' in text
    assert '<answer fraction="0" format="html"><text><![CDATA[<p>a_b</p>]]></text>' in text
    assert (
        '<generalfeedback format="html"><text><![CDATA[<p>Plain text &amp; &lt;tags&gt;.</p>]]>'
        in text
    )
    (back,) = import_upload(Upload("export.xml", text.encode())).topics
    assert back.questions == (question,)


_MARKED = st.text(alphabet="ab *_\\`#>-[]()&<\n", min_size=1, max_size=40).map(str.strip)


@settings(max_examples=150, deadline=None)
@given(_MARKED.filter(bool), _MARKED.filter(lambda t: bool(t) and "\n" not in t))
def test_markdown_marks_and_spacing_come_back_as_written(text: str, line: str) -> None:
    question = Question(
        id="q",
        type="multiple_choice",
        prompt=text,
        choices=(line, line + " x"),
        answer="B",
        explanation=text,
        hint=line,
    )
    topic = Topic(id="t", title="T", core_idea="C.", questions=(question,))
    (back,) = import_upload(Upload("export.xml", write_moodle_xml([topic]).encode())).topics
    assert back.questions == (question,)


def test_export_writes_numeric_ranges_as_midpoint_and_tolerance() -> None:
    topic = Topic(
        id="t",
        title="Numbers",
        core_idea="Numbers.",
        questions=(
            Question(id="r", type="numeric", prompt="Between?", range=(1, 2), explanation="x"),
            Question(
                id="s",
                type="numeric",
                prompt="Third?",
                answer="7/3",
                tolerance=0.01,
                explanation="x",
            ),
        ),
    )
    text = write_moodle_xml([topic])
    assert "<text>1.5</text><tolerance>0.5</tolerance>" in text
    # 7/3 alone is a short answer taking the fraction (test_fractions); within 0.01, a decimal.
    assert "<text>2.3333333333333335</text><tolerance>0.01</tolerance>" in text


def test_export_refuses_text_xml_cannot_carry() -> None:
    topic = Topic(
        id="t",
        title="Bell \x07",
        core_idea="Bells.",
        questions=(Question(id="q", type="true_false", prompt="P?", answer=True, explanation="x"),),
    )
    with pytest.raises(
        ValueError, match=r"^topic 't': '\$course\$/top/Bell \\x07' holds the control"
    ):
        write_moodle_xml([topic])


# Garbage ---------------------------------------------------------------------------------------

_TYPES = st.sampled_from(
    ["multichoice", "truefalse", "shortanswer", "numerical", "essay", "category", "matching", ""]
)
_FIELDS = st.sampled_from(
    [
        "name",
        "questiontext",
        "generalfeedback",
        "answer",
        "hint",
        "graderinfo",
        "single",
        "category",
        "info",
        "units",
        "usecase",
    ]
)
_VALUES = st.text(alphabet="ab1.*-/\\ <>&;tru", max_size=12)


@st.composite
def _question_xml(draw: st.DrawFn) -> str:
    fields = []
    for field in draw(st.lists(_FIELDS, max_size=8)):
        value = draw(_VALUES).replace("&", "&amp;").replace("<", "&lt;")
        fraction = draw(st.sampled_from(["100", "0", "50", "x", "-100", "100.0"]))
        fmt = draw(st.sampled_from(["html", "plain_text", "markdown", "moodle_auto_format", "?"]))
        fields.append(
            f'<{field} fraction="{fraction}" format="{fmt}"><text>{value}</text>'
            f"<tolerance>{draw(_VALUES).replace('&', '').replace('<', '')}</tolerance></{field}>"
        )
    return f'<question type="{draw(_TYPES)}">{"".join(fields)}</question>'


def _only_refusals(data: bytes) -> None:
    try:
        bank = read_moodle_xml(Upload("fuzz.xml", data, ImportLimits(max_file_bytes=4096)))
    except (ImportRefused, NotText, TooBig):
        return
    assert bank.format == "moodle-xml"


@settings(max_examples=300, deadline=None)
@given(st.lists(_question_xml(), max_size=6))
def test_random_questions_are_read_or_reported(questions: list[str]) -> None:
    _only_refusals(("<quiz>" + "".join(questions) + "</quiz>").encode())
