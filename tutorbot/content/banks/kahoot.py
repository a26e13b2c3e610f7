"""Kahoot's quiz spreadsheet template (.xlsx) into drafts.

The template has a title area, then a header row ("Question - max 120 characters", "Answer 1 -
max 75 characters" ... "Answer 4", "Time limit (sec)", "Correct answer(s) - choose at least
one"), then one question a row, numbered in column A. The header row is found by its text in
the first 100 rows of the first sheet that has one, so moved rows and columns are read too;
rows up to 10,000 are read; another quiz sheet is reported, not read. The whole file becomes
one topic, titled from the file's name (the template has no quiz title).

- One correct answer number: multiple choice; the choices are the answers filled in, in order,
  and the key is the letter of the right one. Two answers "True" and "False" (any case):
  true/false.
- Several correct answers, none, a number naming an empty answer, fewer than two answers, an
  empty question: the row is not imported, with the reason. The time limit is not used.

The archive is opened through `limits.Archive` (entries and inflated size capped, every member
inflated once within the budget) before openpyxl reads it; formulas are never evaluated (the
value the spreadsheet program saved is read, or nothing when it saved none).
"""

from __future__ import annotations

import datetime
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from io import BytesIO
from typing import Any, TypeVar

from openpyxl import Workbook, load_workbook

from tutorbot.content.banks.draft import Bank, Draft, DraftTopic, ImportRefused, Upload
from tutorbot.content.banks.limits import Archive, TooBig
from tutorbot.content.models import LETTERS, QuestionType, clip, number_text

WHAT = "the spreadsheet"
MAX_COLUMNS = 52
"""Columns of a sheet that are read (A to AZ): the template uses A to H. A sheet may declare
16,384 columns, and openpyxl pads every row to what it declares."""
TEMPLATE_HEADER = (
    "Question - max 120 characters",
    "Answer 1 - max 75 characters",
    "Answer 2 - max 75 characters",
    "Answer 3 - max 75 characters",
    "Answer 4 - max 75 characters",
    "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs",
    "Correct answer(s) - choose at least one",
)
"""The header row of Kahoot's quiz spreadsheet template, as Kahoot writes it (other wordings of
the same columns are recognised too)."""
HEADER_ROWS = 100
"""Rows of a sheet in which the header row is looked for (the template has it on row 8)."""
MAX_ROW = 10_000
"""The last row read: far more than a quiz has. openpyxl fills every missing row up to the
last one, so a tiny sheet whose one cell is on row 99,999,999 would take minutes."""
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ANSWER = re.compile(r"answer\s*(\d{1,2})\b")
_QUESTION_NUMBER = re.compile(r"question\s*(#|no\b|nr\b|number\b)")
_NUMBERS = re.compile(r"[\s,;/&]+|\band\b")

Row = tuple[Any, ...]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Columns:
    """Where the template's columns are in a sheet (0-based): the question, each answer
    (answer number to column), the correct answer(s)."""

    question: int
    answers: dict[int, int]
    correct: int


def sniff(upload: Upload) -> bool:
    """Whether the upload is an Excel workbook (a zip archive with `xl/workbook.xml`). A zip over
    the caps never gets here: `guess_format` refuses it first, naming the cap."""
    if not upload.data.startswith(b"PK"):
        return False
    try:
        return "xl/workbook.xml" in Archive(upload.data, upload.limits, WHAT)
    except Exception:  # sniff never raises: anything odd is not this format
        return False


def read_kahoot(upload: Upload) -> Bank:
    """The questions of a Kahoot quiz spreadsheet, as one topic titled from the file's name: the
    first sheet with the template's header row; another such sheet is a problem."""
    _check_archive(upload)
    bank = Bank("kahoot")
    with warnings.catch_warnings():
        # openpyxl warns of what it leaves out (styles, extensions); none of it is a question
        warnings.simplefilter("ignore", UserWarning)
        with _workbook(upload.data) as workbook:
            found = _read_sheets(workbook, upload.title("Kahoot quiz"), bank)
    if not found:
        raise ImportRefused(
            "the spreadsheet has no header row of Kahoot's quiz template (a row with “Question”, "
            "“Answer 1”, “Answer 2” and “Correct answer(s)” columns); is it a Kahoot quiz "
            "spreadsheet?"
        )
    return bank


def _read_sheets(workbook: Workbook, title: str, bank: Bank) -> bool:
    """Whether a sheet has the template's header row: the first one's questions go into `bank`
    as the topic `title`, any other one is a problem."""
    found = False
    for sheet in _guarded(iter(workbook.worksheets)):
        rows = _guarded(_numbered_rows(sheet))
        header = _find_header(rows)
        if header is None:
            continue
        if found:
            bank.skip(
                f"sheet {clip(str(sheet.title), 40)!r}",
                "a second quiz sheet is not imported; save it as a file of its own",
            )
            continue
        found = True
        number, columns = header
        _read_questions(rows, columns, bank.topic(title, f"row {number}"), bank)
    return found


def _check_archive(upload: Upload) -> None:
    """Refuse what is not a zip archive, and one over the caps: every member is inflated once
    here, within the budget, so openpyxl then reads nothing the caps have not seen."""
    if upload.data.startswith(_OLE_MAGIC):
        raise ImportRefused(
            "the file is an old Excel workbook (.xls) or a password-protected one; save it as "
            "an Excel workbook (.xlsx) without a password"
        )
    try:
        archive = Archive(upload.data, upload.limits, WHAT)
        for name in archive.names:
            archive.read(name)
    except TooBig:
        raise
    except Exception:  # zipfile raises BadZipFile, ValueError, NotImplementedError, zlib.error...
        raise ImportRefused(
            "the file is not an Excel spreadsheet (.xlsx): it is not a zip archive that can be read"
        ) from None


def _unreadable() -> ImportRefused:
    return ImportRefused(
        "the file is a zip archive but not an Excel workbook (.xlsx) that can be read; save it "
        "again from the spreadsheet program as .xlsx"
    )


@contextmanager
def _workbook(data: bytes) -> Iterator[Workbook]:
    """The workbook opened read-only, values as last saved (formulas never evaluated)."""
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises many kinds on a broken workbook (KeyError, ValueError...)
        raise _unreadable() from None
    try:
        yield workbook
    finally:
        workbook.close()


def _find_header(rows: Iterator[tuple[int, Row]]) -> tuple[int, Columns] | None:
    """The number and columns of the template's header row, looked for in the first
    `HEADER_ROWS` rows (which are consumed up to it), or None."""
    for number, row in rows:
        if number > HEADER_ROWS:
            return None
        columns = _header(row) if any(value is not None for value in row) else None
        if columns is not None:
            return number, columns
    return None


def _read_questions(
    rows: Iterator[tuple[int, Row]], columns: Columns, topic: DraftTopic, bank: Bank
) -> None:
    """The question rows below the header into `topic`, a problem for each not imported."""
    for number, row in rows:
        if number > MAX_ROW:
            bank.skip(f"row {number}", f"rows after row {MAX_ROW:,} are not read")
            return
        draft = _row_draft(number, row, columns, bank)
        if draft is not None:
            topic.questions.append(draft)


def _numbered_rows(sheet: Any) -> Iterator[tuple[int, Row]]:
    """The sheet's rows (values only, at most `MAX_COLUMNS` each) with their numbers, up to the
    row after `MAX_ROW` when there is one. The size a sheet declares is not trusted: it may be
    stale (rows past it would be lost) or huge (openpyxl pads every row to it)."""
    sheet.reset_dimensions()
    rows = sheet.iter_rows(max_row=MAX_ROW + 1, max_col=MAX_COLUMNS, values_only=True)
    yield from enumerate(rows, 1)


def _guarded(items: Iterator[T]) -> Iterator[T]:
    """The items, with whatever openpyxl raises while parsing a broken sheet refused."""
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except Exception:  # a broken sheet's XML, a forbidden entity, a bad cell reference...
            raise _unreadable() from None
        yield item


def _label(value: object) -> str:
    return " ".join(_text(value).split()).lower()


def _header(row: Row) -> Columns | None:
    """The template's columns, when this row is its header row."""
    labels = [_label(value) for value in row]
    questions = [
        i
        for i, label in enumerate(labels)
        if label.startswith("question") and not _QUESTION_NUMBER.match(label)
    ]
    answers: dict[int, int] = {}
    for i, label in enumerate(labels):
        match = _ANSWER.match(label)
        if match and int(match[1]) >= 1:
            answers.setdefault(int(match[1]), i)
    correct = [i for i, label in enumerate(labels) if label.startswith("correct answer")]
    if not questions or not correct or 1 not in answers or 2 not in answers:
        return None
    return Columns(questions[0], dict(sorted(answers.items())), correct[0])


def _cell(row: Row, column: int) -> object:
    return row[column] if column < len(row) else None


def _text(value: object) -> str:
    """A cell's value as text: numbers as written ("3", not "3.0"), dates as dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        try:
            return number_text(Fraction(repr(value)))
        except (ValueError, OverflowError):
            return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _row_draft(number: int, row: Row, columns: Columns, bank: Bank) -> Draft | None:
    """The question of one row, or None (with a problem when the row is not empty)."""
    where = f"row {number}"
    prompt = _text(_cell(row, columns.question))
    answers = {n: " ".join(_text(_cell(row, col)).split()) for n, col in columns.answers.items()}
    correct = _text(_cell(row, columns.correct))
    if not prompt and not correct and not any(answers.values()):
        return None
    why = _refusal(prompt, answers, correct)
    if why:
        bank.skip(where, why)
        return None
    filled = [n for n, text in answers.items() if text]
    right = filled.index(_numbers(correct)[0])
    choices = [answers[n] for n in filled]
    if sorted(choice.lower() for choice in choices) == ["false", "true"]:
        return Draft(
            where, QuestionType.TRUE_FALSE, prompt, answer=choices[right].lower() == "true"
        )
    return Draft(
        where, QuestionType.MULTIPLE_CHOICE, prompt, choices=choices, answer=LETTERS[right]
    )


def _numbers(text: str) -> list[int]:
    """The answer numbers in a correct-answer cell ("2", "1,3", "1 and 3"), in order, once each;
    [] when any part is not a number."""
    parts = [part for part in _NUMBERS.split(text) if part]
    if not all(part.isdecimal() and len(part) < 4 for part in parts):
        return []
    return list(dict.fromkeys(int(part) for part in parts))


def _refusal(prompt: str, answers: dict[int, str], correct: str) -> str | None:
    """Why a row is not imported, or None when it is a question TutorBot can ask."""
    if not prompt:
        return "the question is empty"
    filled = [n for n, text in answers.items() if text]
    if len(filled) < 2:
        return "fewer than two answers are filled in; a question needs at least two"
    if len(filled) > len(LETTERS):
        return f"more than {len(LETTERS)} answers are filled in"
    if not correct:
        return "no correct answer is chosen"
    numbers = _numbers(correct)
    if not numbers:
        return f"the correct answer {clip(correct, 40)!r} is not an answer number"
    if len(numbers) > 1:
        return "Kahoot accepts several right answers here; TutorBot's multiple choice has one"
    if numbers[0] not in filled:
        return f"the correct answer is {numbers[0]}, but answer {numbers[0]} is empty"
    return None
