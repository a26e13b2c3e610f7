"""Anki packages (`.apkg`, `.colpkg`): decks become topics, cards become think-then-reveal
questions.

A package is a zip holding the collection, an SQLite database: `collection.anki21b` (zstd,
schema 18, with `notetypes`, `fields`, `templates` and `decks` tables) in current packages,
`collection.anki21` or `collection.anki2` (schema 11, note types and decks as JSON in `col`) in
legacy ones; the first of these present is read (a current package's `collection.anki2` is a
placeholder). The database is opened in memory, read-only, only from real tables, with a bound on
the work a query may do.

Each card is a question in its deck's topic (`Geo::Europe` becomes "Geo › Europe"): a card shows
its template's question fields as the prompt and its answer fields as the answer (a Basic card,
front then back; the reverse card of "Basic (and reversed card)", back then front); a "type in
the answer" card is a short answer; a Cloze card asks for its cloze (`[…]` or `[hint]`), the other
clozes shown, and reveals the deleted text. HTML becomes Markdown; sounds and pictures are left
out with a problem. Scheduling and review history are not imported.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import zstandard

from tutorbot.content.banks.build import slug
from tutorbot.content.banks.draft import Bank, Draft, ImportRefused, Upload
from tutorbot.content.banks.limits import Archive, unzstd
from tutorbot.content.banks.markup import PICTURE, has_picture, html_to_markdown, html_to_text
from tutorbot.content.models import MAX_ACCEPTED_ANSWER, MAX_PROMPT, QuestionType

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
"""The collection's names in a package, the one read first first."""
MAX_SQL_STEPS = 100_000_000
"""SQLite VM steps all queries of one import may take: a collection of 50,000 notes needs under
2 million; a crafted file that makes a query crawl is refused within seconds."""
MAX_CARDS_PER_NOTE = 100
"""Cards (clozes) of one note that are imported; Anki notes have a few."""
MAX_FIELD_CHARACTERS = 30 * MAX_PROMPT
"""A field longer than this (HTML included) cannot make a question and is not converted."""
_STEPS_PER_CHECK = 1000
_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
"""The real tables of a collection: not views, not virtual tables (whose module runs code)."""
_SQLITE_HEADER = b"SQLite format 3\x00"
_DECK_SEPARATOR = re.compile(r"\x1f|::")
_SOUND = re.compile(r"\[sound:[^\]]*\]")
_REFERENCE = re.compile(r"\{\{\s*([#^/]?)([^{}]*?)\s*\}\}")
_SPECIAL_FIELDS = frozenset(
    {"FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag", "CardID"}
)
_CLOZE_OPEN = re.compile(r"\{\{c(\d{1,4})::")
"""A cloze's opening (Anki numbers clozes from 1 to a few hundred; longer numbers are text)."""
_CLOZE_TOKEN = re.compile(r"\{\{c(\d{1,4})::|\}\}")
_WORDS_IN_NAME = 6


# The mapping, shared with the plain-text export (anki_text.py).


@dataclass(frozen=True, slots=True)
class Side:
    """What one card of a note type asks and reveals: field indices shown as the question and as
    the answer; `typed` when the student types the answer in; `cloze` when the asked field holds
    clozes (the card's number says which)."""

    ask: tuple[int, ...]
    show: tuple[int, ...]
    typed: bool = False
    cloze: bool = False
    label: str = ""


FORWARD = Side((0,), (1,))
"""A Basic card: the first field asked, the second revealed."""
REVERSE = Side((1,), (0,), label="reverse card")
"""The reverse card of "Basic (and reversed card)": the second field asked, the first revealed."""
CLOZE = Side((0,), (1,), cloze=True)
"""A Cloze card: clozes in the first field, the second ("Back Extra") shown with the answer."""


def template_side(field_names: Sequence[str], qfmt: str, afmt: str, cloze: bool) -> Side | None:
    """The side a card template shows, from the fields its question and answer name (`{{Front}}`,
    `{{type:Back}}`, `{{cloze:Text}}`); None when the question names no field."""
    index = {name: number for number, name in enumerate(field_names)}
    asked, typed, clozed = _references(qfmt, index)
    if cloze and clozed:
        asked = clozed[:1]
    if not asked:
        return None
    answered, answer_typed, _ = _references(afmt, index)
    shown = [number for number in answered + answer_typed if number not in asked]
    return Side(tuple(asked), tuple(dict.fromkeys(shown)), typed=bool(typed), cloze=cloze)


def _references(template: str, index: dict[str, int]) -> tuple[list[int], list[int], list[int]]:
    """Fields a template shows: plain, typed in (`type:`) and clozed (`cloze:`)."""
    plain: list[int] = []
    typed: list[int] = []
    clozed: list[int] = []
    for section, reference in _REFERENCE.findall(template):
        if section:
            continue
        *filters, name = reference.split(":")
        if name in _SPECIAL_FIELDS or name not in index:
            continue
        target = typed if "type" in filters else clozed if "cloze" in filters else plain
        if index[name] not in target:
            target.append(index[name])
    return plain, typed, clozed


class Media:
    """Sounds and pictures in a note's fields, reported once per note (`field_text` takes the
    sounds out of the text; a picture stays as `[picture]`)."""

    def __init__(self, fields: Sequence[str]) -> None:
        joined = "\n".join(fields)
        self.sounds = _SOUND.findall(joined)
        self.picture = has_picture(joined)

    def report(self, bank: Bank, where: str) -> None:
        """Record that the note's sounds and pictures are not imported."""
        if self.sounds:
            named = ", ".join(sound[7:-1] for sound in self.sounds[:3])
            more = "…" if len(self.sounds) > 3 else ""
            bank.skip(where, f"has a sound ({named}{more}), which is not imported")
        if self.picture:
            bank.skip(where, "has a picture, which is not imported")


def field_text(value: str, html: bool) -> str:
    """A field as Markdown (plain text when the export had no HTML), its sounds taken out."""
    value = _SOUND.sub("", value)
    return html_to_markdown(value) if html else value.strip()


def _joined(fields: Sequence[str], numbers: Sequence[int], html: bool) -> str:
    parts = [field_text(fields[n], html) for n in numbers if n < len(fields)]
    return "\n\n".join(part for part in parts if part)


def _empty(text: str) -> bool:
    return not text.replace(PICTURE, "").strip()


def card_drafts(
    bank: Bank, fields: Sequence[str], side: Side, card: int, where: str, html: bool = True
) -> list[Draft]:
    """The question one card makes (a cloze card's number is `card` + 1), or none with the
    reason recorded in the bank."""
    longest = max((len(fields[n]) for n in side.ask + side.show if n < len(fields)), default=0)
    if longest > MAX_FIELD_CHARACTERS:
        bank.skip(
            where,
            f"a field of the card is {longest:,} characters long, far more than a question "
            f"shows ({MAX_PROMPT:,} characters), so it is not imported",
        )
        return []
    if side.cloze:
        return _cloze_drafts(bank, fields, side, card + 1, where, html)
    where = f"{where}, {side.label}" if side.label else where
    prompt = _joined(fields, side.ask, html)
    if _empty(prompt):
        raw = "".join(fields[n] for n in side.ask if n < len(fields))
        media = has_picture(raw) or _SOUND.search(raw)
        why = "only a picture or sound, which is not imported" if media else "empty"
        bank.skip(where, f"the front is {why}, so there is no question")
        return []
    answer = _joined(fields, side.show, html)
    if _empty(answer):
        bank.skip(where, "the back is empty, so there is no answer to reveal")
        return []
    accepted = html_to_text(answer) if html else " ".join(answer.split())
    if side.typed and len(accepted) <= MAX_ACCEPTED_ANSWER:
        return [Draft(where, QuestionType.SHORT_ANSWER, prompt, answers=[accepted])]
    return [Draft(where, QuestionType.FREE_RESPONSE, prompt, answer=answer)]


# Clozes: {{c1::text}} or {{c1::text::hint}}, possibly nested.


@dataclass(slots=True)
class _Cloze:
    number: int
    parts: list[str | _Cloze] = field(default_factory=list)
    hint: str | None = None


def parse_clozes(text: str) -> list[str | _Cloze]:
    """A cloze field as text and clozes (nested clozes kept inside their parent); an unclosed
    `{{c1::` stays text."""
    root: list[str | _Cloze] = []
    stack: list[_Cloze] = []
    position = 0
    for token in _CLOZE_TOKEN.finditer(text):
        target = stack[-1].parts if stack else root
        if token.group(1) is not None:
            target.append(text[position : token.start()])
            opened = _Cloze(int(token.group(1)))
            target.append(opened)
            stack.append(opened)
        elif stack:
            target.append(text[position : token.start()])
            closed = stack.pop()
            closed.hint = _take_hint(closed)
        else:
            target.append(text[position : token.end()])
        position = token.end()
    (stack[-1].parts if stack else root).append(text[position:])
    while stack:  # unclosed: its opening back as text
        unclosed = stack.pop()
        target = stack[-1].parts if stack else root
        at = target.index(unclosed)
        target[at : at + 1] = [f"{{{{c{unclosed.number}::", *unclosed.parts]
    return root


def _take_hint(cloze: _Cloze) -> str | None:
    """The hint after the last `::` of a cloze's own text, taken out of it."""
    last = cloze.parts[-1] if cloze.parts else ""
    if isinstance(last, str) and "::" in last:
        text, hint = last.rsplit("::", 1)
        cloze.parts[-1] = text
        return hint
    return None


def _render(parts: Sequence[str | _Cloze], number: int, deleted: list[str]) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part.number == number:
            deleted.append(_render(part.parts, 0, []))
            out.append(f"[{part.hint.strip()}]" if part.hint and part.hint.strip() else "[…]")
        else:
            out.append(_render(part.parts, number, deleted))
    return "".join(out)


def cloze_numbers(text: str) -> list[int]:
    """The cloze numbers a field uses, in order."""
    return sorted({int(number) for number in _CLOZE_OPEN.findall(text)})


def _cloze_drafts(
    bank: Bank, fields: Sequence[str], side: Side, number: int, where: str, html: bool
) -> list[Draft]:
    where = f"{where}, cloze {number}"
    text = fields[side.ask[0]] if side.ask[0] < len(fields) else ""
    if "image-occlusion:" in text:
        bank.skip(where, "image occlusion notes are not supported")
        return []
    deleted: list[str] = []
    prompt = field_text(_render(parse_clozes(text), number, deleted), html)
    answers = [field_text(part, html) for part in deleted]
    answer = "; ".join(part for part in answers if part)
    if not deleted:
        bank.skip(where, f"the text has no cloze c{number}, so there is no question")
        return []
    if _empty(prompt.replace("[…]", "")) or _empty(answer):
        bank.skip(where, "the cloze is empty or only a picture or sound, so there is no question")
        return []
    extra = _joined(fields, side.show, html) or None
    revealed = field_text(_render(parse_clozes(text), 0, []), html)
    name = " ".join(slug(html_to_text(revealed)).split("-")[:_WORDS_IN_NAME]) + f" c{number}"
    return [
        Draft(
            where, QuestionType.FREE_RESPONSE, prompt, answer=answer, explanation=extra, name=name
        )
    ]


def report_extra_cards(bank: Bank, where: str, cards: int) -> None:
    """Record that a note's cards past MAX_CARDS_PER_NOTE are not imported."""
    if cards > MAX_CARDS_PER_NOTE:
        bank.skip(
            where,
            f"the note has {cards:,} cards; the first {MAX_CARDS_PER_NOTE} are imported, not "
            "the rest",
        )


def deck_title(name: str) -> str:
    """A deck's name as a topic title: `A::B` (schema 18 separates with a unit separator) as
    "A › B"."""
    parts = [part.strip() for part in _DECK_SEPARATOR.split(name)]
    return " › ".join(part for part in parts if part) or "Default"


# The package.


@dataclass(slots=True)
class NoteType:
    """A note type: its fields' names, whether it is a cloze type, and each card's side."""

    name: str
    fields: list[str]
    cloze: bool
    sides: dict[int, Side]

    def side(self, card: int) -> Side:
        """What the card with this ordinal shows (a cloze card, or Basic's forward and reverse
        when its template cannot be read)."""
        if self.cloze:
            return self.sides.get(0, CLOZE)
        return self.sides.get(card) or (REVERSE if card == 1 else FORWARD)


@dataclass(slots=True)
class Note:
    """A note as the file stores it, numbered in the file's order."""

    number: int
    notetype: int
    fields: list[str]
    tags: list[str]
    cards: list[tuple[int, int]] = field(default_factory=list)
    """(deck id, card ordinal) of each card, by ordinal."""


def sniff(upload: Upload) -> bool:
    """Whether the upload is a zip holding an Anki collection."""
    try:
        if not upload.data.startswith(b"PK"):
            return False
        archive = Archive(upload.data, upload.limits, "the package")
        return any(name in archive for name in COLLECTIONS)
    except Exception:  # a sniff never raises: anything odd is not this format
        return False


def read_anki(upload: Upload) -> Bank:
    """The decks and cards of an Anki package, as topics and questions."""
    notetypes, decks, notes = read_collection(_collection_bytes(upload))
    bank = Bank("anki")
    several = len({deck for note in notes for deck, _ in note.cards}) > 1
    for note in notes:
        _note(bank, note, notetypes, decks, several)
    if not bank.topics and not bank.problems:
        raise ImportRefused("the Anki package holds no notes")
    return bank


def read_collection(
    data: bytes, max_steps: int = MAX_SQL_STEPS
) -> tuple[dict[int, NoteType], dict[int, str], list[Note]]:
    """A collection database's note types, deck titles and notes; ImportRefused for a damaged
    database or one that makes the reading take more than `max_steps` SQLite steps."""
    try:
        collection = Collection(data, max_steps)
        try:
            return collection.read()
        finally:
            collection.close()
    except (sqlite3.Error, UnicodeDecodeError):
        raise ImportRefused("the Anki collection in the package is damaged") from None


_ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    OSError,
    ValueError,
)


def _collection_bytes(upload: Upload) -> bytes:
    """The collection database's bytes, from the first collection name the package holds."""
    try:
        archive = Archive(upload.data, upload.limits, "the Anki package")
        name = next((name for name in COLLECTIONS if name in archive), None)
        if name is None:
            raise ImportRefused(
                "the file is a zip archive but not an Anki package: it holds no collection "
                f"({', '.join(COLLECTIONS)})"
            )
        data = archive.read(name)
        if name.endswith("b"):
            data = unzstd(data, upload.limits, "the Anki collection")
    except zstandard.ZstdError:
        raise ImportRefused("the Anki collection in the package is damaged") from None
    except _ARCHIVE_ERRORS:
        raise ImportRefused(
            "the file is not an Anki package that can be read (a damaged or incomplete zip archive)"
        ) from None
    if not data.startswith(_SQLITE_HEADER) or len(data) < 512:
        raise ImportRefused(f"the package's {name} is not an Anki collection (not a database)")
    return data


class Collection:
    """An Anki collection opened in memory: read-only, only real tables queried, every query's
    work bounded (a crafted file is refused, not waited for)."""

    def __init__(self, data: bytes, max_steps: int = MAX_SQL_STEPS) -> None:
        writable = bytearray(data)
        writable[18:20] = b"\x01\x01"  # a WAL database cannot be deserialized: read as rollback
        self._steps = max_steps // _STEPS_PER_CHECK
        self._db = sqlite3.connect(":memory:")
        try:
            self._db.deserialize(bytes(writable))
            self._db.text_factory = bytes  # text that is not UTF-8 is decoded by _text
            self._db.execute("PRAGMA trusted_schema=OFF")
            self._db.execute("PRAGMA query_only=ON")
            self._db.execute("PRAGMA cell_size_check=ON")
            self._db.set_progress_handler(self._progress, _STEPS_PER_CHECK)
            self._tables = {_text(row[0]) for row in self._query(_TABLES)}
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        """Free the database."""
        self._db.close()

    def _progress(self) -> int:
        self._steps -= 1
        return 1 if self._steps < 0 else 0

    def _query(self, sql: str) -> Iterator[tuple[Any, ...]]:
        try:
            yield from self._db.execute(sql)
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise ImportRefused(
                    "reading the Anki collection takes far too long; the file may have been "
                    "made to do that, so it is not imported"
                ) from None
            raise ImportRefused(f"the Anki collection cannot be read ({exc})") from None
        except (sqlite3.DatabaseError, UnicodeDecodeError):  # a damaged schema's message
            raise ImportRefused("the Anki collection in the package is damaged") from None

    def rows(self, table: str, columns: str, order: str = "") -> Iterator[tuple[Any, ...]]:
        """The rows of a table, which must be a real table (not a view) of the collection."""
        if table not in self._tables:
            raise ImportRefused(f"the Anki collection has no {table} table, so it is not imported")
        return self._query(f"SELECT {columns} FROM {table} {order}")  # noqa: S608 (fixed names)

    def read(self) -> tuple[dict[int, NoteType], dict[int, str], list[Note]]:
        """The collection's note types, deck titles and notes with their cards."""
        if "notetypes" in self._tables:
            notetypes, decks = self._schema18()
        else:
            notetypes, decks = self._schema11()
        notes = self._notes()
        return notetypes, decks, notes

    def _notes(self) -> list[Note]:
        notes: dict[int, Note] = {}
        for number, (nid, mid, flds, tags) in enumerate(
            self.rows("notes", "id, mid, flds, tags", "ORDER BY id"), start=1
        ):
            notes[_int(nid)] = Note(number, _int(mid), _text(flds).split("\x1f"), _tags(tags))
        for nid, did, ord_ in self.rows("cards", "nid, did, ord", "ORDER BY nid, ord, id"):
            note = notes.get(_int(nid))
            if note is not None:
                note.cards.append((_int(did), _int(ord_)))
        return list(notes.values())

    def _schema18(self) -> tuple[dict[int, NoteType], dict[int, str]]:
        fields: dict[int, dict[int, str]] = {}
        for ntid, ord_, name in self.rows("fields", "ntid, ord, name"):
            fields.setdefault(_int(ntid), {})[_int(ord_)] = _text(name)
        templates: dict[int, dict[int, tuple[str, str]]] = {}
        for ntid, ord_, config in self.rows("templates", "ntid, ord, config"):
            strings = _proto_fields(config)
            formats = (_text(strings.get(1, b"")), _text(strings.get(2, b"")))
            templates.setdefault(_int(ntid), {})[_int(ord_)] = formats
        notetypes: dict[int, NoteType] = {}
        for ntid, name, config in self.rows("notetypes", "id, name, config"):
            names = [n for _, n in sorted(fields.get(_int(ntid), {}).items())]
            cloze = _proto_fields(config).get(1) == 1
            tmpls = templates.get(_int(ntid), {})
            notetypes[_int(ntid)] = _notetype(_text(name), names, cloze, tmpls)
        decks = {_int(did): deck_title(_text(name)) for did, name in self.rows("decks", "id, name")}
        return notetypes, decks

    def _schema11(self) -> tuple[dict[int, NoteType], dict[int, str]]:
        row = next(self.rows("col", "models, decks", "LIMIT 1"), None)
        if row is None:
            raise ImportRefused("the Anki collection is empty (its col table has no row)")
        models, decks = _json_object(row[0], "note types"), _json_object(row[1], "decks")
        notetypes: dict[int, NoteType] = {}
        for key, model in models.items():
            if isinstance(model, dict):
                notetypes[_int(key)] = _legacy_notetype(model)
        titles = {
            _int(key): deck_title(str(deck.get("name", "")))
            for key, deck in decks.items()
            if isinstance(deck, dict)
        }
        return notetypes, titles


def _legacy_notetype(model: dict[str, Any]) -> NoteType:
    fields = _ordered(model.get("flds"))
    templates = {
        number: (str(tmpl.get("qfmt", "")), str(tmpl.get("afmt", "")))
        for number, tmpl in enumerate(_ordered(model.get("tmpls")))
    }
    names = [str(fld.get("name", "")) for fld in fields]
    return _notetype(str(model.get("name", "")), names, model.get("type") == 1, templates)


def _ordered(items: object) -> list[dict[str, Any]]:
    """A legacy model's fields or templates, in their `ord` order."""
    if not isinstance(items, list):
        return []
    found = [item for item in items if isinstance(item, dict)]
    return sorted(found, key=lambda item: _int(item.get("ord", 0)))


def _notetype(
    name: str, fields: list[str], cloze: bool, templates: dict[int, tuple[str, str]]
) -> NoteType:
    sides: dict[int, Side] = {}
    for number, (qfmt, afmt) in templates.items():
        side = template_side(fields, qfmt, afmt, cloze)
        if side is not None:
            sides[number] = Side(side.ask, side.show, side.typed, side.cloze, _label(number, side))
    return NoteType(name, fields, cloze, sides)


def _label(number: int, side: Side) -> str:
    """How a card other than the first is named in a problem."""
    if number == 0:
        return ""
    return "reverse card" if side.ask == (1,) else f"card {number + 1}"


def _note(
    bank: Bank, note: Note, notetypes: dict[int, NoteType], decks: dict[int, str], several: bool
) -> None:
    where = f"note {note.number}"
    if several and note.cards:
        where = f"{where} in {decks.get(note.cards[0][0], 'Default')}"
    notetype = notetypes.get(note.notetype)
    if notetype is None:
        bank.skip(where, "its note type is missing from the file, so it is not imported")
        return
    if not note.cards:
        bank.skip(where, "the note has no cards, so it is not imported")
        return
    Media(note.fields).report(bank, where)
    report_extra_cards(bank, where, len(note.cards))
    for deck, card in note.cards[:MAX_CARDS_PER_NOTE]:
        title = decks.get(deck, "Default")
        at = f"note {note.number} in {title}" if several else where
        drafts = card_drafts(bank, note.fields, notetype.side(card), card, at)
        if drafts:
            topic = bank.topic(title, at)
            topic.questions.extend(drafts)
            topic.tags.extend(tag for tag in note.tags if tag not in topic.tags)


# Reading values a hostile file may have typed oddly.


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return -1


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _tags(value: object) -> list[str]:
    return _text(value).split()


def _json_object(value: object, what: str) -> dict[str, Any]:
    try:
        loaded = json.loads(_text(value))
    except (ValueError, RecursionError):
        loaded = None
    if not isinstance(loaded, dict):
        raise ImportRefused(f"the Anki collection's {what} cannot be read")
    return loaded


def _proto_fields(blob: object) -> dict[int, bytes | int]:
    """The top-level fields of a protobuf message (varints and length-delimited bytes; the last
    value of a repeated field); what cannot be read ends the reading."""
    data = blob if isinstance(blob, bytes) else b""
    found: dict[int, bytes | int] = {}
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire = key >> 3, key & 7
        if wire == 0:
            found[number], position = _varint(data, position)
        elif wire == 2:
            size, position = _varint(data, position)
            found[number] = data[position : position + size]
            position += size
        elif wire in (1, 5):
            position += 8 if wire == 1 else 4
        else:
            break
    return found


def _varint(data: bytes, position: int) -> tuple[int, int]:
    """A varint at `position` and the position after it; (0, -1) when it cannot be read."""
    value = shift = 0
    while position < len(data) and shift < 64:
        byte = data[position]
        value |= (byte & 0x7F) << shift
        position += 1
        if not byte & 0x80:
            return value, position
        shift += 7
    return 0, len(data) + 1
