"""Quizlet's text export (one card a line, term and definition apart) as typed questions.

Quizlet exports a set as lines of `term<separator>definition`, a tab by default or the separator
chosen when exporting (given as `Upload.separator`: ",", " - ", any text); a line is split at
its first separator only, so a definition may contain it. Each card becomes a `short_answer`
question that shows the definition and accepts the term typed back (judged automatically, so it
works in group rounds too). A term longer than an accepted answer may be (200 characters) is no
answer anyone types: that card becomes a `free_response` question showing the term with the
definition as its model answer. The file becomes one topic titled from its name. Blank lines are
skipped; a line without the separator or with an empty side is a problem naming its line.
"""

from __future__ import annotations

from tutorbot.content.banks.draft import Bank, Draft, ImportRefused, Upload
from tutorbot.content.banks.limits import decode_text
from tutorbot.content.models import MAX_ACCEPTED_ANSWER, QuestionType

FORMAT = "quizlet"
TAB = "\t"
SNIFF_BYTES = 64 * 1024
"""How much of a file `sniff` looks at."""
_OTHER_FORMATS = ("ANSWER:", "::", "$CATEGORY", "#separator:", "#html:", "#columns:")
"""Line starts that mark another format (Aiken, GIFT, Anki's notes export)."""


def read_quizlet(upload: Upload) -> Bank:
    """The cards of a Quizlet export, as one topic named after the file."""
    separator = TAB if upload.separator is None else upload.separator
    if separator in ("", "\n"):
        raise ImportRefused("the separator between term and definition cannot be empty")
    lines = decode_text(upload.data).split("\n")
    if not any(separator in line for line in lines):
        raise ImportRefused(
            f"no line holds the separator between term and definition ({_named(separator)}); "
            "name the separator the set was exported with"
        )
    bank = Bank(FORMAT)
    topic = bank.topic(upload.title("Quizlet set"), "line 1")
    for number, line in enumerate(lines, start=1):
        if line.strip():
            draft = _card(bank, line, separator, f"line {number}")
            if draft is not None:
                topic.questions.append(draft)
    return bank


def _named(separator: str) -> str:
    """A separator as a message names it: "a tab", or the text quoted."""
    return "a tab" if separator == TAB else repr(separator)


def _card(bank: Bank, line: str, separator: str, where: str) -> Draft | None:
    """The question for one card's line, or None with a problem recorded."""
    if separator not in line:
        bank.skip(where, f"no separator ({_named(separator)}) between term and definition")
        return None
    term, definition = (part.strip() for part in line.split(separator, 1))
    if not term or not definition:
        side = "term" if not term else "definition"
        bank.skip(where, f"the {side} is empty")
        return None
    return card_question(term, definition, where)


def card_question(term: str, definition: str, where: str) -> Draft:
    """The question for a card: the definition asked, the term typed back; or, for a term too
    long to be typed as an answer, the term asked with the definition as the model answer."""
    if len(term) > MAX_ACCEPTED_ANSWER:
        return Draft(where, QuestionType.FREE_RESPONSE, prompt=term, answer=definition)
    return Draft(where, QuestionType.SHORT_ANSWER, prompt=definition, answers=[term])


def sniff(upload: Upload) -> bool:
    """Whether the file looks like a Quizlet export: most of its lines hold a tab (or the
    upload's separator, when one is given), and none starts like another format's line."""
    try:
        separator = upload.separator or TAB
        text = upload.data[:SNIFF_BYTES].decode("utf-8", errors="ignore")
        lines = [line for line in text.replace("\r", "\n").split("\n") if line.strip()]
        if not lines or text.lstrip()[:1] in ("{", "[", "<"):
            return False
        if any(line.lstrip().startswith(_OTHER_FORMATS) for line in lines):
            return False
        return sum(separator in line for line in lines) * 2 > len(lines)
    except Exception:  # a sniff never raises
        return False
