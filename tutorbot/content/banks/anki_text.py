"""Anki's "Notes in Plain Text" export: one note a record, mapped as a package's notes are.

The export starts with header lines (`#separator:tab`, `#html:true`, `#guid column:1`,
`#notetype column:2`, `#deck column:3`, `#tags column:6`; also `#deck:` and `#notetype:` for the
whole file) and has CSV quoting. The deck column gives each note's topic ("A::B" as "A › B"),
else the file's name is the one topic. The remaining columns are the note's fields: a Basic note
asks its first and reveals its second, "Basic (and reversed card)" also the other way round, a
Cloze note (or any note whose first field has `{{c1::…}}`) one question per cloze, a "type in
the answer" note is a short answer. Where is "line N" of the file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from tutorbot.content.banks.anki import (
    CLOZE,
    FORWARD,
    MAX_CARDS_PER_NOTE,
    REVERSE,
    Media,
    Side,
    card_drafts,
    cloze_numbers,
    deck_title,
    report_extra_cards,
)
from tutorbot.content.banks.draft import Bank, ImportRefused, Upload
from tutorbot.content.banks.limits import decode_text

SEPARATORS = {
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "pipe": "|",
    "space": " ",
    "colon": ":",
}
"""Anki's names for the separators its `#separator:` header takes (or the character itself)."""
HEADERS = frozenset(
    {"separator", "html", "tags column", "deck column", "notetype column", "guid column"}
    | {"deck", "notetype", "tags", "columns", "if matches"}
)
"""The header lines Anki writes and reads; the first other line starts the notes."""
_SNIFF_HEADERS = ("#separator:", "#html:", "#notetype column:")
_SNIFF_BYTES = 4096
_COLUMNS = {
    "tags column": "tags",
    "deck column": "deck",
    "notetype column": "notetype",
    "guid column": "guid",
}


@dataclass(slots=True)
class Header:
    """What the export's header lines say: the separator, whether fields are HTML, the
    1-based columns that are not fields, and a deck or note type for the whole file."""

    separator: str = "\t"
    html: bool = True
    columns: dict[str, int] = field(default_factory=dict)
    deck: str | None = None
    notetype: str | None = None
    lines: int = 0


def sniff(upload: Upload) -> bool:
    """Whether the file starts with Anki's export header lines."""
    try:
        head = upload.data[:_SNIFF_BYTES].decode("utf-8-sig", "ignore").lstrip("\ufeff")
        first = head.splitlines()[:1]
        return bool(first) and first[0].lower().startswith(_SNIFF_HEADERS)
    except Exception:  # a sniff never raises
        return False


def read_anki_text(upload: Upload) -> Bank:
    """The notes of an Anki plain-text export, as topics and questions."""
    text = decode_text(upload.data)
    header = read_header(text)
    bank = Bank("anki-text")
    stem = upload.title("Anki notes")
    parts = text.split("\n", header.lines)
    body = parts[-1] if len(parts) > header.lines else ""
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=header.separator)
    line = header.lines + 1
    try:
        for record in reader:
            if any(value.strip() for value in record):
                _record(bank, header, record, f"line {line}", stem)
            line = header.lines + reader.line_num + 1
    except csv.Error as exc:
        raise ImportRefused(f"line {line}: the notes cannot be read ({exc})") from None
    if not bank.topics and not bank.problems:
        raise ImportRefused("the Anki export holds no notes")
    return bank


def read_header(text: str) -> Header:
    """The header lines at the top of an export, and how many lines they take."""
    header = Header()
    for line in text.split("\n"):
        key, _, value = line[1:].partition(":")
        if not line.startswith("#") or key.strip().lower() not in HEADERS:
            break
        header.lines += 1
        _header_line(header, key.strip().lower(), value.strip())
    if header.lines == 0:
        raise ImportRefused(
            "the file does not start with Anki's header lines (#separator:, #html:): export it "
            "from Anki as Notes in Plain Text"
        )
    return header


def _header_line(header: Header, key: str, value: str) -> None:
    if key == "separator":
        separator = SEPARATORS.get(value.lower(), value)
        if len(separator) != 1:
            raise ImportRefused(f"the separator {value!r} is not one Anki writes")
        header.separator = separator
    elif key == "html":
        header.html = value.lower() == "true"
    elif key in _COLUMNS:
        if not value.isdigit() or int(value) < 1:
            raise ImportRefused(f"#{key}:{value} does not name a column")
        header.columns[_COLUMNS[key]] = int(value)
    elif key == "deck":
        header.deck = value
    elif key == "notetype":
        header.notetype = value


def _record(bank: Bank, header: Header, record: list[str], where: str, stem: str) -> None:
    """One note's questions into its deck's topic."""
    special = {number - 1: name for name, number in header.columns.items()}
    values = {name: record[n] if n < len(record) else "" for n, name in special.items()}
    fields = [value for n, value in enumerate(record) if n not in special]
    notetype = values.get("notetype") or header.notetype or ""
    deck = values.get("deck") or header.deck
    title = deck_title(deck) if deck else stem
    Media(fields).report(bank, where)
    cards = _cards(notetype, fields)
    report_extra_cards(bank, where, len(cards))
    drafts = [
        draft
        for side, card in cards[:MAX_CARDS_PER_NOTE]
        for draft in card_drafts(bank, fields, side, card, where, header.html)
    ]
    if drafts:
        topic = bank.topic(title, where)
        topic.questions.extend(drafts)
        topic.tags.extend(tag for tag in values.get("tags", "").split() if tag not in topic.tags)


def _cards(notetype: str, fields: list[str]) -> list[tuple[Side, int]]:
    """The cards a note makes, by its note type's name (or clozes in its first field): Basic
    asks the first field and reveals the second; a note type TutorBot does not know (or none
    named) reveals all the fields after the first."""
    name = notetype.lower()
    numbers = cloze_numbers(fields[0]) if fields else []
    if "cloze" in name or (numbers and not name):
        return [(CLOZE, number - 1) for number in numbers] or [(CLOZE, 0)]
    if "type in" in name:
        return [(Side((0,), (1,), typed=True), 0)]
    if not name.startswith("basic"):  # the export has no templates: the rest is the answer
        return [(Side((0,), tuple(range(1, len(fields)))), 0)]
    cards = [(FORWARD, 0)]
    optional = "optional reversed" in name
    if ("reverse" in name and not optional) or (optional and len(fields) > 2 and fields[2].strip()):
        cards.append((REVERSE, 1))
    return cards
