"""Moodle GIFT: questions as text, read into drafts and written from topics.

A GIFT file is questions separated by blank lines, `//` comment lines, and `$CATEGORY:` lines
that start a category. A question is `::title::` (its stable name), an optional text format
(`[html]`, `[moodle]`, `[plain]`, `[markdown]`), its text, and answers in `{ }`:

- `{=right ~wrong}` (or `~%100%right`) → multiple choice; several full-credit answers or only
  partial credit (a multiple-answer question) is skipped;
- `{T}`, `{TRUE}`, `{F}`, `{FALSE}` (with `#wrong feedback#right feedback`) → true/false;
- `{=a =b}` → short answer, every full-credit answer accepted (only fractions of one value,
  `{=7/12 =14/24}`, → numeric: see `fractions`);
- `{#3.5:0.1}`, `{#1..5}`, `{#=3.5:0.1 =%50%3:1}` → numeric (the full-credit answer);
- `{}` (an essay) → free response, whose model answer is, by TutorBot's convention, the first
  paragraph of the general feedback when it starts with `Model answer:`;
- answers in the middle of the text ("missing word") leave `_____` in their place;
- `####general feedback` → the explanation, with the answers' `#feedback` folded in after it.

Matching questions (`{=a -> b}`) and descriptions (text without `{ }`) are skipped with a reason.
Each category becomes a topic titled with its last part (`$course$/top/A/B` → "B"); questions
before any category go to a topic titled with the file's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from tutorbot.content.banks.categories import CategoryTopics, category_parts, export_paths
from tutorbot.content.banks.draft import Bank, Draft, ImportRefused, Upload
from tutorbot.content.banks.fractions import exact_fraction, fraction_of
from tutorbot.content.banks.limits import decode_text
from tutorbot.content.banks.markup import has_picture, html_to_markdown, html_to_text
from tutorbot.content.models import (
    MAX_CHOICES,
    Question,
    QuestionType,
    Topic,
    as_fraction,
    number_text,
    number_value,
)

FORMAT = "gift"
MODEL_ANSWER = "Model answer:"
"""How the general feedback of an essay starts when it carries the model answer."""
BLANK = "_____"
"""What replaces the answers of a "missing word" question in its text."""
SNIFF_CHARS = 65536
MAX_READ = 100
"""Answers of a short-answer or numeric question read at most (TutorBot accepts 20)."""

_ESCAPABLE = {":": ":", "#": "#", "=": "=", "{": "{", "}": "}", "~": "~", "n": "\n", "\\": "\\"}
_PLACEHOLDER = {char: chr(0xE000 + index) for index, char in enumerate(_ESCAPABLE)}
_UNPLACE = {chr(0xE000 + index): value for index, value in enumerate(_ESCAPABLE.values())}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_FORMAT = re.compile(r"\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d*)?)%")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_SNIFF = re.compile(
    r"^[ \t]*(?:\$CATEGORY:|::[^\n]*?::)|\{\s*(?:[=~#]|%-?\d|(?:T|F|TRUE|FALSE)\s*[#}])",
    re.MULTILINE,
)
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass(frozen=True, slots=True)
class _Block:
    """One question or category of the file: its text (comment lines dropped, escapes held
    as placeholders) and the line it starts on."""

    line: int
    text: str

    @property
    def where(self) -> str:
        return f"line {self.line}"


@dataclass(frozen=True, slots=True)
class _Answer:
    """One answer inside `{ }`: its text, its credit in percent, and its feedback."""

    text: str
    weight: float
    feedback: str


# Reading ---------------------------------------------------------------------------------------


def sniff(upload: Upload) -> bool:
    """Whether the upload looks like GIFT: a `$CATEGORY:` line, a `::title::`, or an answer
    block opening with `=`, `~`, `#`, a weight or T/F. Never raises."""
    try:
        text = upload.data[:SNIFF_CHARS].decode("utf-8", errors="ignore")
        return bool(_SNIFF.search(text))
    except Exception:  # a sniff says no to anything odd
        return False


def read_gift(upload: Upload) -> Bank:
    """The questions of a GIFT file, by category; ImportRefused for a file with no GIFT in it."""
    text = decode_text(upload.data)
    blocks = list(_blocks(text))
    if not blocks:
        raise ImportRefused("the file is empty: it holds no GIFT questions")
    if not any(_is_gift(block.text) for block in blocks):
        raise ImportRefused(
            "the file is not GIFT: no question has its answers in { } and there is no "
            "$CATEGORY line"
        )
    bank = Bank(FORMAT)
    categories = CategoryTopics(bank, upload.title("GIFT questions"))
    category: tuple[str, ...] = ()
    for block in blocks:
        if block.text.startswith("$CATEGORY:"):
            category = category_parts(block.text.removeprefix("$CATEGORY:"))
            categories.topic(category, block.where)
            continue
        draft = _question(block, bank)
        if draft is not None:
            categories.topic(category, block.where).questions.append(draft)
    return bank


def _is_gift(text: str) -> bool:
    return text.startswith("$CATEGORY:") or ("{" in text and "}" in text)


def _blocks(text: str) -> Iterator[_Block]:
    """The file's questions: runs of lines between blank lines, comment lines dropped, lines
    trimmed, escapes replaced by placeholders; a `$CATEGORY:` line is a block of its own."""
    lines: list[str] = []
    start = 0
    for number, raw in enumerate([*text.split("\n"), ""], start=1):
        line = raw.strip()
        if line.startswith("//"):
            continue
        if line.startswith("$CATEGORY:"):
            if lines:
                yield _Block(start, _hold_escapes("\n".join(lines)))
                lines = []
            yield _Block(number, line)
            continue
        if line:
            start = start if lines else number
            lines.append(line)
        elif lines:
            yield _Block(start, _hold_escapes("\n".join(lines)))
            lines = []


def _hold_escapes(text: str) -> str:
    r"""Text with GIFT's escapes (`\~ \= \# \{ \} \: \\ \n`) as placeholders, so that
    they are not read as markup; another backslash stays as it is."""
    return _ESCAPE.sub(
        lambda match: _PLACEHOLDER.get(match[1], match[0]),
        text,
    )


def _release(text: str) -> str:
    """Text with the placeholders back as the characters they stand for."""
    return "".join(_UNPLACE.get(char, char) for char in text)


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A question block taken apart: name, text format, text (with `_____` for missing word),
    answers (inside `{ }`, general feedback removed) and general feedback."""

    name: str | None
    format: str
    text: str
    answers: str
    feedback: str


def _question(block: _Block, bank: Bank) -> Draft | None:
    """The draft for a question block, or None with a problem recorded."""
    parsed = _parse(block, bank)
    if parsed is None:
        return None
    answers = parsed.answers
    if answers == "":
        return _essay(block, parsed, bank)
    if answers.startswith("#"):
        return _numeric(block, parsed, bank)
    if "~" in answers:
        return _multiple_choice(block, parsed, bank)
    if "=" in answers and "->" in answers:
        bank.skip(block.where, "matching questions ({=a -> b}) are not supported")
        return None
    if answers.split("#", 1)[0].strip() in _TRUE_FALSE:
        return _true_false(block, parsed, bank)
    return _short_answer(block, parsed, bank)


def _parse(block: _Block, bank: Bank) -> _Parsed | None:
    text = block.text
    name = None
    if text.startswith("::"):
        end = text.find("::", 2)
        if end != -1:
            name = _release(text[2:end]).strip() or None
            text = text[end + 2 :].strip()
    opening, closing = text.find("{"), text.find("}")
    if opening == -1 and closing == -1:
        bank.skip(
            block.where,
            "a description (text without answers in { }) is not a question, so it is not imported",
        )
        return None
    if closing == -1:
        bank.skip(block.where, "the { that opens the answers is not closed with }")
        return None
    if opening == -1 or closing < opening:
        bank.skip(block.where, "a } without the { that opens the answers")
        return None
    after = text[closing + 1 :]
    if "{" in after or "}" in after:
        bank.skip(
            block.where, "more than one set of answers in { }: embedded answers are not supported"
        )
        return None
    inside = text[opening + 1 : closing].strip()
    question_text = text[:opening] + ("" if not after.strip() else BLANK) + after
    answers, _, feedback = inside.rpartition("####") if "####" in inside else (inside, "", "")
    text_format, question_text = _text_format(question_text.strip())
    return _Parsed(name, text_format, question_text, answers.strip(), feedback.strip())


def _text_format(text: str) -> tuple[str, str]:
    """The text format a question's text starts with (`moodle` when none) and the text after."""
    match = _FORMAT.match(text)
    if match is None:
        return "moodle", text
    return match[1].lower(), text[match.end() :]


def _as_markdown(text: str, text_format: str, where: str, bank: Bank) -> str:
    """Text for a prompt or an explanation, in the question's format, escapes released."""
    released = _release(text).strip()
    if text_format in ("html", "moodle"):
        if has_picture(released):
            bank.skip(where, "has a picture, which is not imported")
        return html_to_markdown(released)
    return released


def _as_plain(text: str, text_format: str) -> str:
    """Text for a choice or an accepted answer, compared with what a student types."""
    released = _release(text).strip()
    if text_format in ("html", "moodle"):
        return html_to_text(released)
    return released


def _draft(block: _Block, parsed: _Parsed, bank: Bank, kind: QuestionType) -> Draft:
    return Draft(
        where=block.where,
        type=kind,
        prompt=_as_markdown(parsed.text, parsed.format, block.where, bank),
        name=parsed.name,
    )


def _explanation(parsed: _Parsed, bank: Bank, where: str, *more: str) -> str | None:
    """The general feedback with the answers' feedback after it; None when there is none."""
    parts = [_as_markdown(parsed.feedback, parsed.format, where, bank), *more]
    kept = [part for part in parts if part]
    return "\n\n".join(kept) or None


def _split_answers(answers: str, separators: str) -> list[str]:
    """The answers of a block, each starting with its marker (`=` or `~`)."""
    pieces = re.split(f"(?=[{re.escape(separators)}])", answers)
    return [piece.strip() for piece in pieces if piece.strip()]


def _too_many(block: _Block, bank: Bank, items: list[str], limit: int, what: str) -> bool:
    """Whether a block has more answers than any question takes (recorded as a problem): read
    no further than that, so a hostile block of millions of `~` costs nothing."""
    if len(items) <= limit:
        return False
    bank.skip(block.where, f"{len(items)} answers in {{ }}: {what}")
    return True


def _answer(item: str, text_format: str) -> _Answer:
    """One answer without its marker: weight (`%50%`; `=` is 100, `~` is 0), text, feedback."""
    marker, rest = item[0], item[1:].strip()
    weight = 100.0 if marker == "=" else 0.0
    match = _WEIGHT.match(rest)
    if match is not None:
        weight = float(match[1])
        rest = rest[match.end() :]
    text, _, feedback = rest.partition("#")
    return _Answer(_as_plain(text, text_format), weight, _as_plain(feedback, text_format))


def _unknown_markers(answers: str, markers: str) -> bool:
    return answers[0] not in markers


def _refuse_markers(block: _Block, bank: Bank, answers: str) -> None:
    bank.skip(
        block.where,
        f"the answers {{{_release(answers)[:60]}}} do not start with = (a right answer), "
        "~ (a wrong answer), # (a number) or T/F",
    )


def _multiple_choice(block: _Block, parsed: _Parsed, bank: Bank) -> Draft | None:
    if _unknown_markers(parsed.answers, "=~"):
        _refuse_markers(block, bank, parsed.answers)
        return None
    items = _split_answers(parsed.answers, "=~")
    if _too_many(block, bank, items, MAX_CHOICES, f"a multiple choice has at most {MAX_CHOICES}"):
        return None
    answers = [_answer(item, parsed.format) for item in items]
    right = [index for index, answer in enumerate(answers) if answer.weight >= 100]
    if len(right) > 1:
        bank.skip(block.where, f"{len(right)} right answers: TutorBot's multiple choice has one")
        return None
    if not right:
        partial = any(answer.weight > 0 for answer in answers)
        bank.skip(
            block.where,
            "only partial credit (a multiple-answer question): TutorBot's multiple choice has "
            "one right answer"
            if partial
            else "no right answer: mark it with =",
        )
        return None
    draft = _draft(block, parsed, bank, QuestionType.MULTIPLE_CHOICE)
    draft.choices = [answer.text for answer in answers]
    draft.answer = _letter(right[0])
    draft.explanation = _explanation(parsed, bank, block.where, *_feedback_lines(answers, right))
    return draft


def _letter(index: int) -> str:
    """The letter of the choice at `index` (past J when a file has too many choices, which
    the models then report)."""
    return chr(ord("A") + index) if index < 26 else "Z"


def _feedback_lines(answers: list[_Answer], right: list[int]) -> list[str]:
    """The answers' feedback for an explanation: the right answer's as it is, then one line
    "answer: feedback" for each other answer that has some."""
    first = [answers[index].feedback for index in right if answers[index].feedback]
    others = [
        f"{answer.text}: {answer.feedback}"
        for index, answer in enumerate(answers)
        if answer.feedback and index not in right
    ]
    return [*first, "\n".join(others)]


def _true_false(block: _Block, parsed: _Parsed, bank: Bank) -> Draft:
    value, _, feedback = parsed.answers.partition("#")
    wrong, _, right = feedback.partition("#")
    answer = _TRUE_FALSE[value.strip()]
    draft = _draft(block, parsed, bank, QuestionType.TRUE_FALSE)
    draft.answer = answer
    wrong_text = _as_markdown(wrong, parsed.format, block.where, bank)
    draft.explanation = _explanation(
        parsed,
        bank,
        block.where,
        _as_markdown(right, parsed.format, block.where, bank),
        f"{'False' if answer else 'True'}: {wrong_text}" if wrong_text else "",
    )
    return draft


def _short_answer(block: _Block, parsed: _Parsed, bank: Bank) -> Draft | None:
    if _unknown_markers(parsed.answers, "=%"):
        _refuse_markers(block, bank, parsed.answers)
        return None
    items = _split_answers(parsed.answers, "=")
    if _too_many(block, bank, items, MAX_READ, f"at most {MAX_READ} are read"):
        return None
    answers = [_answer(item if item[0] == "=" else "=" + item, parsed.format) for item in items]
    accepted = [answer for answer in answers if answer.weight >= 100]
    partial = [answer.text for answer in answers if answer.weight < 100]
    if not accepted:
        bank.skip(block.where, "no answer with full credit: TutorBot has no partial credit")
        return None
    if partial:
        bank.skip(
            block.where,
            "answers with partial credit are not accepted (TutorBot has no partial credit): "
            + "; ".join(partial),
        )
    draft = _draft(block, parsed, bank, QuestionType.SHORT_ANSWER)
    _set_accepted(draft, [answer.text for answer in accepted])
    lines = [f"{answer.text}: {answer.feedback}" for answer in answers if answer.feedback]
    draft.explanation = _explanation(parsed, bank, block.where, "\n".join(lines))
    return draft


def _set_accepted(draft: Draft, accepted: list[str]) -> None:
    """Set a short answer's accepted answers; fractions of one value (`=7/12 =14/24`) make it a
    numeric question with that answer instead (see `fractions`)."""
    value = fraction_of(accepted)
    if value is None:
        draft.answers = accepted
        return
    draft.type = QuestionType.NUMERIC
    draft.answer = number_text(value)


def _essay(block: _Block, parsed: _Parsed, bank: Bank) -> Draft | None:
    feedback = _as_markdown(parsed.feedback, parsed.format, block.where, bank)
    if not feedback.startswith(MODEL_ANSWER):
        bank.skip(
            block.where,
            "an essay question without a model answer: add `####Model answer: ...` before its }",
        )
        return None
    first, *rest = _PARAGRAPH.split(feedback[len(MODEL_ANSWER) :], maxsplit=1)
    draft = _draft(block, parsed, bank, QuestionType.FREE_RESPONSE)
    draft.answer = first.strip()
    draft.explanation = "".join(rest).strip() or None
    return draft


def _numeric(block: _Block, parsed: _Parsed, bank: Bank) -> Draft | None:
    body, _, wrong_feedback = parsed.answers[1:].partition("~")
    items = _split_answers(body.strip(), "=")
    if _too_many(block, bank, items, MAX_READ, f"at most {MAX_READ} are read"):
        return None
    answers = [_answer(item if item[0] == "=" else "=" + item, "plain") for item in items]
    right = [answer for answer in answers if answer.weight >= 100]
    if len(right) != 1:
        bank.skip(
            block.where,
            "a numeric question without a number"
            if not answers
            else f"{len(right)} answers with full credit: a numeric question takes one",
        )
        return None
    draft = _draft(block, parsed, bank, QuestionType.NUMERIC)
    if not _set_number(draft, right[0].text):
        bank.skip(block.where, f"{right[0].text[:60]!r} is not a number, such as 3.5 or 1..5")
        return None
    partial = [answer.text for answer in answers if answer.weight < 100]
    if partial:
        bank.skip(
            block.where,
            "answers with partial credit are not accepted (TutorBot has no partial credit): "
            + "; ".join(partial),
        )
    lines = [answer.feedback for answer in right if answer.feedback]
    wrong = _as_markdown(wrong_feedback, parsed.format, block.where, bank)
    draft.explanation = _explanation(
        parsed, bank, block.where, *lines, f"Other answers: {wrong}" if wrong else ""
    )
    return draft


def _set_number(draft: Draft, text: str) -> bool:
    """Set a numeric draft's answer and tolerance (`3.5:0.1`, `3.5`) or range (`1..5`); False
    when the text is not that."""
    if ".." in text:
        low, _, high = text.partition("..")
        bounds = _number(low), _number(high)
        if bounds[0] is None or bounds[1] is None:
            return False
        draft.range = (float(bounds[0]), float(bounds[1]))
        return True
    value_text, colon, tolerance_text = text.partition(":")
    value = _number(value_text)
    tolerance = _number(tolerance_text) if colon else None
    if value is None or (colon and tolerance is None):
        return False
    draft.answer = value.numerator if value.denominator == 1 else float(value)
    draft.tolerance = abs(float(tolerance)) if tolerance is not None else None
    return True


def _number(text: str) -> Fraction | None:
    return number_value(text.strip()) if text.strip() else None


# Writing ---------------------------------------------------------------------------------------


def write_gift(topics: Sequence[Topic]) -> str:
    r"""GIFT text for topics, which Moodle and `read_gift` import.

    A `$CATEGORY:` per topic (its title, `/` written `//`), then its questions, each titled
    `::<question id>::` and written as `[markdown]` text:

    - multiple choice `{=right ~wrong}`, true/false `{T}` / `{F}`, short answer `{=a =b}`;
    - numeric `{#3.5:0.1}`, `{#3.5}` or, for a range, `{#1..5}`; one exact number without a
      finite decimal as a short answer taking the fraction, `{=7/12}` (see `fractions`);
    - free response as an essay `{####Model answer: ...}`, the explanation after a blank line;
    - the explanation as the general feedback `####...`.

    A hint cannot be written: GIFT has no place for one, so it is left out. Newlines are
    written `\n` and GIFT's special characters escaped, so every question is one block.
    """
    parts: list[str] = []
    for topic, path in export_paths(topics):
        parts.append(f"$CATEGORY: {path}")
        parts.extend(_write_question(question) for question in topic.questions)
    return "\n\n".join(parts) + "\n"


def escape(text: str) -> str:
    r"""Text with GIFT's special characters escaped (`~ = # { } :` and the backslash) and
    newlines written `\n`, so that it reads back as it is."""
    escaped = "".join(f"\\{char}" if char in "\\~=#{}:" else char for char in text)
    return escaped.replace("\n", "\\n")


def _write_question(question: Question) -> str:
    head = f"::{escape(question.id)}::[markdown]{escape(question.prompt)}"
    lines = _ANSWER_WRITERS[question.type](question)
    if question.type is not QuestionType.FREE_RESPONSE:
        lines.append("####" + escape(question.explanation))
    return head + "{\n" + "\n".join(lines) + "\n}"


def _write_choices(question: Question) -> list[str]:
    choices = question.choices or ()
    right = question.correct_index
    return [("=" if index == right else "~") + escape(c) for index, c in enumerate(choices)]


def _write_true_false(question: Question) -> list[str]:
    return ["T" if question.answer else "F"]


def _write_short_answer(question: Question) -> list[str]:
    return ["=" + escape(answer) for answer in question.accepted]


def _write_free_response(question: Question) -> list[str]:
    text = f"{MODEL_ANSWER} {question.answer}\n\n{question.explanation}"
    return ["####" + escape(text)]


def _write_numeric(question: Question) -> list[str]:
    fraction = exact_fraction(question)
    if fraction is not None:
        return ["=" + escape(number_text(fraction))]
    if question.range is not None:
        low, high = question.bounds
        return [f"#{_number_text(low)}..{_number_text(high)}"]
    value = question.number
    if value is None:  # validation rules this out
        raise ValueError(f"numeric question {question.id!r} without a number")
    if question.tolerance is None:
        return [f"#{_number_text(value)}"]
    tolerance = as_fraction(question.tolerance) or Fraction(0)
    return [f"#{_number_text(value)}:{_number_text(tolerance)}"]


def _number_text(value: Fraction) -> str:
    """A number as GIFT reads it: a decimal (a fraction such as 7/3 to 17 digits)."""
    text = number_text(value)
    return repr(float(value)) if "/" in text else text


_ANSWER_WRITERS = {
    QuestionType.MULTIPLE_CHOICE: _write_choices,
    QuestionType.TRUE_FALSE: _write_true_false,
    QuestionType.SHORT_ANSWER: _write_short_answer,
    QuestionType.NUMERIC: _write_numeric,
    QuestionType.FREE_RESPONSE: _write_free_response,
}
