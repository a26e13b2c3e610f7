"""Kahoot's quiz spreadsheet template, end to end through import_upload.

The spreadsheets are written here with openpyxl in the template's layout (a title area, the
header row, numbered question rows), so no binary is committed.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from tutorbot.content.banks import kahoot
from tutorbot.content.banks.draft import Bank, ImportRefused, Problem, Upload
from tutorbot.content.banks.formats import guess_format
from tutorbot.content.banks.importing import import_upload
from tutorbot.content.banks.limits import NotText, TooBig
from tutorbot.content.banks.write import topic_yaml
from tutorbot.content.models import QuestionType, Topic

HEADER = kahoot.TEMPLATE_HEADER
HEADER_ROW = 8
"""The template's header row; its questions start on row 9."""

Cell = str | float | bool | datetime.date | None
"""What a test writes in a cell (int is a float to the type checker; datetime is a date)."""


def template_xlsx(
    questions: Sequence[Sequence[Cell]],
    *,
    header: Sequence[str] = HEADER,
    header_row: int = HEADER_ROW,
    first_column: int = 1,
    numbered: bool = True,
    before: Sequence[str] = (),
    after: Mapping[str, Sequence[Sequence[Cell]]] | None = None,
) -> bytes:
    """A workbook in Kahoot's template layout: "Quiz template" and its instructions in the title
    area, the header row at `header_row` (after a number column when `numbered`), then one row
    per question (question, answers 1-4, time limit, correct answer(s)), numbered in the first
    column (the title area only above a header on row 4 or below). `before` names empty sheets
    that come before the quiz sheet; `after` more sheets by title, each with the header on its
    first row and its questions below (empty when given no questions)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for title in before:
        workbook.create_sheet(title, 0)
    sheet.title = "Sheet1"
    if header_row > 3:
        sheet.cell(2, first_column + 1, "Quiz template")
        sheet.cell(3, first_column + 1, "Add questions, at least two answers, a time limit")
    start = first_column + 1 if numbered else first_column
    for offset, label in enumerate(header):
        sheet.cell(header_row, start + offset, label)
    for number, values in enumerate(questions, start=1):
        row = header_row + number
        if numbered:
            sheet.cell(row, first_column, number)
        for offset, value in enumerate(values):
            sheet.cell(row, start + offset, value)
    for title, rows in (after or {}).items():
        more = workbook.create_sheet(title)
        for values in [header, *rows] if rows else []:
            more.append(list(values))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def question(prompt: Cell, answers: Sequence[Cell], correct: Cell, time: Cell = 20) -> list[Cell]:
    """One question row: prompt, answers 1-4 (missing ones empty), time limit, correct."""
    padded = [*answers, *[None] * (4 - len(answers))]
    return [prompt, *padded, time, correct]


def patched(data: bytes, member: str, change: Callable[[str], str]) -> bytes:
    """The xlsx with one member's XML text changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == member:
                content = change(content.decode()).encode()
            target.writestr(info, content)
    return out.getvalue()


def imported_topics(data: bytes, name: str = "quiz.xlsx") -> tuple[list[Topic], list[Problem]]:
    """The topics and problems of an import, each topic's YAML written as a check."""
    imported = import_upload(Upload(name, data))
    assert imported.format == "kahoot"
    for topic in imported.topics:
        assert topic_yaml(topic)
    return imported.topics, imported.problems


def refusal(data: bytes, name: str = "quiz.xlsx") -> str:
    """The message of the refusal an upload gets."""
    with pytest.raises(ImportRefused) as refused:
        import_upload(Upload(name, data), "kahoot")
    return str(refused.value)


def test_a_template_quiz_becomes_one_topic_titled_from_the_file() -> None:
    data = template_xlsx(
        [
            question("Capital of France?", ["Berlin", "Paris", "Rome"], 2, time=30),
            question("Largest planet?", ["Mars", "Venus", "Earth", "Jupiter"], 4),
            question("The Earth is flat.", ["True", "FALSE"], 2),
        ]
    )
    topics, problems = imported_topics(data, "Capitals of Europe.xlsx")
    assert problems == []
    [topic] = topics
    assert topic.title == "Capitals of Europe"
    assert topic.id == "capitals-of-europe"
    france, planet, flat = topic.questions
    assert france.type is QuestionType.MULTIPLE_CHOICE
    assert france.prompt == "Capital of France?"
    assert france.choices == ("Berlin", "Paris", "Rome")
    assert france.answer == "B"
    assert france.answer_text() == "B. Paris"
    assert planet.choices == ("Mars", "Venus", "Earth", "Jupiter")
    assert planet.answer == "D"
    assert flat.type is QuestionType.TRUE_FALSE
    assert flat.answer is False
    assert flat.choices is None


def test_true_and_false_in_any_case_or_as_boolean_cells_make_true_false_questions() -> None:
    data = template_xlsx(
        [
            question("Water is wet.", ["true", "false"], 1),
            question("Ice is hot.", [False, True], 1),
            question("Two is even.", ["FALSE", "True"], "2"),
        ]
    )
    [topic], problems = imported_topics(data)
    assert problems == []
    assert [q.type for q in topic.questions] == [QuestionType.TRUE_FALSE] * 3
    assert [q.answer for q in topic.questions] == [True, False, True]


def test_true_false_among_other_answers_stays_multiple_choice() -> None:
    data = template_xlsx([question("Which?", ["True", "False", "Neither"], 3)])
    [topic], _ = imported_topics(data)
    [only] = topic.questions
    assert only.type is QuestionType.MULTIPLE_CHOICE
    assert only.choices == ("True", "False", "Neither")
    assert only.answer == "C"


DATES = [datetime.datetime.fromisoformat(text) for text in ("2024-03-01", "1969-07-20T20:17")]
"""Date cells as openpyxl reads them: naive, as a spreadsheet has no time zone."""


def test_number_and_date_cells_read_as_written() -> None:
    data = template_xlsx(
        [
            question(1969, [3, 4.0, 0.1, -2.5], 2.0),
            question("When?", [*DATES, datetime.date(1999, 12, 31)], "1"),
        ]
    )
    [topic], problems = imported_topics(data)
    assert problems == []
    numbers, when = topic.questions
    assert numbers.prompt == "1969"
    assert numbers.choices == ("3", "4", "0.1", "-2.5")
    assert numbers.answer == "B"
    assert when.choices == ("2024-03-01", "1969-07-20 20:17", "1999-12-31")


def test_the_choices_are_the_answers_filled_in_and_the_key_follows_them() -> None:
    data = template_xlsx([question("Gap?", ["first", None, "third", "  fourth  "], 3)])
    [topic], problems = imported_topics(data)
    assert problems == []
    [only] = topic.questions
    assert only.choices == ("first", "third", "fourth")
    assert only.answer == "B"


def test_rows_tutorbot_cannot_ask_are_reported_with_their_row_numbers() -> None:
    data = template_xlsx(
        [
            question("Fine?", ["yes", "no"], 1),  # row 9
            question("Two primes?", ["2", "3", "4"], "1,2"),  # row 10
            question("No key?", ["a", "b"], None),  # row 11
            question("Past the answers?", ["a", "b", "c"], 4),  # row 12
            question("Alone?", ["only"], 1),  # row 13
            question(None, ["a", "b"], 1),  # row 14
            question("Not a number?", ["a", "b"], "B"),  # row 15
            question("Out of range?", ["a", "b"], 9),  # row 16
            question("Spaces?", ["a", "b"], " 1 , 2 "),  # row 17
        ]
    )
    [topic], problems = imported_topics(data)
    assert [q.prompt for q in topic.questions] == ["Fine?"]
    several = "Kahoot accepts several right answers here; TutorBot's multiple choice has one"
    assert problems == [
        Problem("row 10", several),
        Problem("row 11", "no correct answer is chosen"),
        Problem("row 12", "the correct answer is 4, but answer 4 is empty"),
        Problem("row 13", "fewer than two answers are filled in; a question needs at least two"),
        Problem("row 14", "the question is empty"),
        Problem("row 15", "the correct answer 'B' is not an answer number"),
        Problem("row 16", "the correct answer is 9, but answer 9 is empty"),
        Problem("row 17", several),
    ]


def test_empty_and_numbered_only_rows_are_not_reported() -> None:
    data = template_xlsx(
        [question("First?", ["a", "b"], 1), [], [], question("Last?", ["c", "d"], 2)]
    )
    [topic], problems = imported_topics(data)
    assert problems == []
    assert [q.prompt for q in topic.questions] == ["First?", "Last?"]


def test_the_time_limit_is_not_used_and_any_value_there_is_harmless() -> None:
    data = template_xlsx([question("Timed?", ["a", "b"], 1, time="forever")])
    [topic], problems = imported_topics(data)
    assert problems == []
    assert len(topic.questions) == 1


def test_text_too_long_for_tutorbot_is_reported_by_row() -> None:
    data = template_xlsx([question("x" * 1001, ["a", "b"], 1), question("Ok?", ["a", "b"], 2)])
    [topic], problems = imported_topics(data)
    assert [q.prompt for q in topic.questions] == ["Ok?"]
    assert problems == [Problem("row 9", "the prompt is longer than 1000 characters")]


def test_the_header_row_is_found_where_it_was_moved() -> None:
    data = template_xlsx([question("Moved?", ["a", "b"], 2)], header_row=3, first_column=3)
    [topic], problems = imported_topics(data)
    assert problems == []
    assert topic.questions[0].answer == "B"
    wrong = template_xlsx([question("Bad?", ["a"], 1)], header_row=20, first_column=2)
    _, problems = imported_topics(wrong)
    assert [problem.where for problem in problems] == ["row 21"]


def test_header_wordings_of_other_template_versions_and_no_number_column() -> None:
    header = (
        "Question - max 120 characters",
        "Answer 1 - max 75 characters",
        "Answer 2 - max 75 characters",
        "Answer 3 - max 75 characters (optional)",
        "Answer 4 - max 75 characters (optional)",
        "Time limit (sec) - 5, 10, 20, 30, 60, 90, 120, 240",
        "Correct answer(s) - 1, 2, 3, or 4",
    )
    data = template_xlsx(
        [question("Dash?", ["a", "b", "c"], 3)], header=header, header_row=1, numbered=False
    )
    [topic], problems = imported_topics(data)
    assert problems == []
    assert topic.questions[0].answer == "C"


def test_the_quiz_may_be_on_a_later_sheet() -> None:
    data = template_xlsx([question("Second sheet?", ["a", "b"], 1)], before=["Notes"])
    [topic], _ = imported_topics(data)
    assert topic.questions[0].prompt == "Second sheet?"


def test_a_second_quiz_sheet_is_reported_not_imported() -> None:
    data = template_xlsx(
        [question("First sheet?", ["a", "b"], 1)],
        after={"Notes": [], "Quiz 2": [question("Second sheet?", ["a", "b"], 2)]},
    )
    [topic], problems = imported_topics(data)
    assert [q.prompt for q in topic.questions] == ["First sheet?"]
    assert problems == [
        Problem(
            "sheet 'Quiz 2'", "a second quiz sheet is not imported; save it as a file of its own"
        )
    ]


def test_rows_past_a_stale_declared_size_are_read() -> None:
    data = template_xlsx([question(f"Q{n}?", ["a", "b"], 1) for n in range(1, 4)])
    stale = patched(
        data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace('ref="A2:H11"', 'ref="A1:B9"')
    )
    assert stale != data
    [topic], _ = imported_topics(stale)
    assert [q.prompt for q in topic.questions] == ["Q1?", "Q2?", "Q3?"]


def far_row(data: bytes, row: int) -> bytes:
    """The xlsx with one more cell, on a far row of the last column."""
    cell = f'<row r="{row}"><c r="XFD{row}" t="inlineStr"><is><t>far</t></is></c></row>'
    return patched(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace("</sheetData>", cell + "</sheetData>"),
    )


def test_rows_after_row_10000_are_reported_not_padded_one_by_one() -> None:
    data = template_xlsx([question("Near?", ["a", "b"], 1)])
    for row in (10_001, 1_048_576, 99_999_999):
        [topic], problems = imported_topics(far_row(data, row))
        assert [q.prompt for q in topic.questions] == ["Near?"]
        assert problems == [Problem("row 10001", "rows after row 10,000 are not read")]


def test_the_header_row_is_looked_for_in_the_first_100_rows() -> None:
    found = template_xlsx([question("Low?", ["a", "b"], 1)], header_row=100)
    [topic], _ = imported_topics(found)
    assert topic.questions[0].prompt == "Low?"
    too_low = template_xlsx([question("Lower?", ["a", "b"], 1)], header_row=101)
    assert refusal(too_low).startswith("the spreadsheet has no header row")


def test_a_formula_is_never_evaluated_the_saved_value_is_read() -> None:
    data = template_xlsx(
        [question("Saved?", ["a", "b", "c"], "=1+1"), question("Unsaved?", ["a", "b"], "=1+1")]
    )
    sheet = "xl/worksheets/sheet1.xml"
    saved = patched(
        data, sheet, lambda xml: xml.replace("<f>1+1</f><v />", "<f>1+1</f><v>3</v>", 1)
    )
    [topic], problems = imported_topics(saved)
    assert topic.questions[0].answer == "C"  # the saved 3, not 1+1
    assert problems == [Problem("row 10", "no correct answer is chosen")]


def test_sniff_knows_a_workbook_by_its_content() -> None:
    data = template_xlsx([question("Sniffed?", ["a", "b"], 1)])
    assert kahoot.sniff(Upload("upload.bin", data))
    assert guess_format(Upload("upload.bin", data)).name == "kahoot"
    assert not kahoot.sniff(Upload("quiz.xlsx", b"Question\tAnswer"))
    assert not kahoot.sniff(Upload("quiz.xlsx", b"PK\x03\x04 broken"))
    imported = import_upload(Upload("upload.bin", data))
    assert imported.question_count == 1


def zip_of(members: dict[str, bytes]) -> bytes:
    """A zip archive holding these members."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_a_file_that_is_not_a_zip_is_refused() -> None:
    message = refusal(b"Question,Answer 1\nWhat?,Yes\n")
    assert message == (
        "the file is not an Excel spreadsheet (.xlsx): it is not a zip archive that can be read"
    )


def test_an_old_xls_or_encrypted_workbook_is_refused_with_what_to_do() -> None:
    message = refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert "(.xls)" in message
    assert "save it as an Excel workbook (.xlsx) without a password" in message


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    message = refusal(zip_of({"notes.txt": b"hello"}))
    assert message.startswith("the file is a zip archive but not an Excel workbook (.xlsx)")


def test_a_workbook_without_the_header_row_is_refused() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Term", "Definition"])
    sheet.append(["cat", "a small animal"])
    out = io.BytesIO()
    workbook.save(out)
    message = refusal(out.getvalue())
    assert message.startswith("the spreadsheet has no header row of Kahoot's quiz template")


def test_broken_sheet_xml_is_refused() -> None:
    data = template_xlsx([question("Broken?", ["a", "b"], 1)])
    broken = patched(data, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2])
    assert refusal(broken).startswith("the file is a zip archive but not an Excel workbook")


def test_an_entity_bomb_in_the_sheet_is_refused_without_expanding_it() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in pairwise("abcdefghi"))
        + "]>"
    )
    data = template_xlsx([question("Laughs?", ["a", "b"], 1)])

    def inject(xml: str) -> str:
        return bomb + xml.replace("Laughs?", "&i;")

    message = refusal(patched(data, "xl/worksheets/sheet1.xml", inject))
    assert message.startswith("the file is a zip archive but not an Excel workbook")


SAFE = (ImportRefused, TooBig, NotText)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=8), st.integers(min_value=0, max_value=10**6))
def test_a_workbook_with_bytes_overwritten_is_refused_or_read(junk: bytes, at: int) -> None:
    data = bytearray(BASE)
    at = len(data) - 1 - at % 1200  # mostly the central directory and the last entries
    data[at : at + len(junk)] = junk
    try:
        bank = kahoot.read_kahoot(Upload("fuzz.xlsx", bytes(data)))
    except SAFE:
        return
    assert isinstance(bank, Bank)


CELLS = st.one_of(
    st.none(),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=30).filter(
        lambda text: not text.startswith("=")
    ),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.sampled_from(["True", "false", "1,2", "2", " 3 ", "0", "12345"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELLS, min_size=7, max_size=7), max_size=6))
def test_any_cells_in_the_template_import_or_are_reported(rows: list[list[Cell]]) -> None:
    imported = import_upload(Upload("fuzz.xlsx", template_xlsx(rows)))
    for topic in imported.topics:
        assert topic_yaml(topic)
    wheres = {problem.where for problem in imported.problems}
    assert all(where.startswith("row ") for where in wheres)


BASE = template_xlsx([question("Base?", ["a", "b"], 1)])
