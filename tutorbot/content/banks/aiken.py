"""Aiken files (Moodle's plain-text multiple choice) as multiple-choice questions.

A question is its text (one line or several), then its options `A.` or `A)` in letter order (2
to 10 of them), then `ANSWER: B`; blank lines between questions are optional, since the ANSWER
line ends a question. Each question becomes a `multiple_choice` question with the options as
choices and the ANSWER letter as its key; the whole file becomes one topic titled from the file's
name. A question without its ANSWER line, with an answer that is not one of its options, with
options out of order or with fewer than two options is not imported: a problem names its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tutorbot.content.banks.draft import Bank, Draft, ImportRefused, Upload
from tutorbot.content.banks.limits import decode_text
from tutorbot.content.models import LETTERS, MAX_CHOICES, QuestionType, clip

FORMAT = "aiken"
SNIFF_BYTES = 64 * 1024
"""How much of a file `sniff` looks at."""
_OPTION = re.compile(r"([A-Z])[.)](?:[ \t]+(.*)|[ \t]*)$")
_ANSWER = re.compile(r"ANSWER[ \t]*:[ \t]*(.*)$|(?i:answer)[ \t]*:[ \t]*([A-Za-z])[ \t]*$")
"""Moodle's `ANSWER: B`; `answer: b` (a single letter) is taken too."""


@dataclass(slots=True)
class _Question:
    """A question being read: the line it starts on, its text lines, its options."""

    line: int
    text: list[str] = field(default_factory=list)
    options: list[tuple[str, str, int]] = field(default_factory=list)
    """Each option's letter, text and line."""


def read_aiken(upload: Upload) -> Bank:
    """The questions of an Aiken file, as one topic named after the file."""
    lines = decode_text(upload.data).split("\n")
    if not any(_ANSWER.match(line.strip()) for line in lines):
        raise ImportRefused("this is not an Aiken file: no line says 'ANSWER: <letter>'")
    bank = Bank(FORMAT)
    topic = bank.topic(upload.title("Aiken questions"), "line 1")
    current: _Question | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        answer = _ANSWER.match(line)
        option = _OPTION.match(line)
        if answer:
            letter = answer.group(1) if answer.group(1) is not None else answer.group(2)
            draft = _finish(bank, current, letter.strip(), number)
            if draft is not None:
                topic.questions.append(draft)
            current = None
        elif option and current is not None and current.text:
            current.options.append((option.group(1), (option.group(2) or "").strip(), number))
        elif line:
            if current is not None and current.options:
                _no_answer(bank, current)
                current = None
            current = current or _Question(number)
            current.text.append(line)
        elif current is not None and current.text and not current.options:
            current.text.append("")
    if current is not None:
        _no_answer(bank, current)
    return bank


def _no_answer(bank: Bank, question: _Question) -> None:
    """Record a question that ends without its ANSWER line."""
    bank.skip(
        f"line {question.line}",
        f"question {_shown(question)} has no 'ANSWER: <letter>' line after its options",
    )


def _shown(question: _Question) -> str:
    return repr(clip(" ".join(" ".join(question.text).split())))


def _finish(bank: Bank, question: _Question | None, letter: str, line: int) -> Draft | None:
    """The draft for a question whose ANSWER line is `line`, or None with a problem recorded."""
    if question is None:
        bank.skip(f"line {line}", "an ANSWER line with no question and options before it")
        return None
    why = _options_problem(question) or _answer_problem(question, letter)
    if why is not None:
        where = line if why.startswith("ANSWER") else question.line
        bank.skip(f"line {where}", why)
        return None
    return Draft(
        where=f"line {question.line}",
        type=QuestionType.MULTIPLE_CHOICE,
        prompt="\n".join(question.text).strip(),
        choices=[text for _, text, _ in question.options],
        answer=letter.upper(),
    )


def _options_problem(question: _Question) -> str | None:
    """Why a question's options cannot be its choices, or None when they can."""
    count = len(question.options)
    if count < 2:
        got = "no options" if count == 0 else "only one option"
        return (
            f"question {_shown(question)} has {got}; a multiple-choice question needs 2 to "
            f"{MAX_CHOICES}, each on its own line as 'A. text' or 'A) text'"
        )
    if count > MAX_CHOICES:
        return (
            f"question {_shown(question)} has {count} options; TutorBot's multiple choice has "
            f"at most {MAX_CHOICES}"
        )
    for index, (letter, _, line) in enumerate(question.options):
        if letter != LETTERS[index]:
            return (
                f"question {_shown(question)}: the option on line {line} is {letter} where "
                f"{LETTERS[index]} was expected; options must go A, B, C... in order"
            )
    return None


def _answer_problem(question: _Question, letter: str) -> str | None:
    """Why an ANSWER value is not one of the question's option letters, or None."""
    letters = LETTERS[: len(question.options)]
    if len(letter) == 1 and letter.upper() in letters:
        return None
    if re.fullmatch(r"[A-Za-z](?:\s*[,;&]\s*[A-Za-z])+|[A-Za-z]{2,}", letter) and all(
        char.upper() in letters for char in letter if char.isalpha()
    ):
        return (
            f"ANSWER {letter!r} names more than one option: TutorBot's multiple choice has one "
            "right answer"
        )
    return (
        f"ANSWER {clip(letter)!r} is not one of the options of question {_shown(question)} "
        f"({letters[0]} to {letters[-1]})"
    )


def sniff(upload: Upload) -> bool:
    """Whether the file looks like Aiken: an 'ANSWER: X' line after lines like 'A. text'."""
    try:
        text = upload.data[:SNIFF_BYTES].decode("utf-8", errors="ignore")
        lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
        answers = [line for line in lines if re.fullmatch(r"ANSWER[ \t]*:[ \t]*[A-Za-z]", line)]
        options = [line for line in lines if _OPTION.match(line)]
        return bool(answers) and len(options) >= len(answers)
    except Exception:  # a sniff never raises
        return False
