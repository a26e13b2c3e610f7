"""Real Anki packages for the import tests, made by Anki's own library (`anki`, a test
dependency): a collection with nested decks, Basic, reversed, type-in and Cloze notes, HTML,
a picture, a sound, an empty front and unicode, exported in every layout Anki writes; and
broken packages built around them.
"""

from __future__ import annotations

import io
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path

import zstandard
from anki.collection import Collection, ExportAnkiPackageOptions

GEO_EUROPE = "Geography::Europe"
GEO = "Geography"
JAPANESE = "Langues::日本語"
CHEMISTRY = "Chemistry"
FRENCH = "Langues::Français"
PICTURE_FILE = "eiffel.jpg"
SOUND_FILE = "hello.mp3"


@dataclass(frozen=True, slots=True)
class Packages:
    """Every export of the test collection, by layout, as bytes."""

    apkg: bytes
    apkg_legacy: bytes
    colpkg: bytes
    colpkg_legacy: bytes
    notes_text: bytes
    notes_text_bare: bytes


def _add(col: Collection, notetype: str, deck: str, tags: list[str], **fields: str) -> None:
    model = col.models.by_name(notetype)
    assert model is not None
    note = col.new_note(model)
    for name, value in fields.items():
        note[name.replace("_", " ")] = value
    note.tags = tags
    deck_id = col.decks.id(deck)
    assert deck_id is not None
    col.add_note(note, deck_id)


def fill(col: Collection) -> None:
    """The test notes, in this order (note 1 to note 10)."""
    col.media.write_data(PICTURE_FILE, b"\xff\xd8\xff\xe0 not really a jpeg")
    col.media.write_data(SOUND_FILE, b"ID3 not really an mp3")
    _add(col, "Basic", GEO_EUROPE, ["capitals"], Front="<b>Capital</b> of <i>France</i>?",
         Back="Paris")  # fmt: skip
    _add(col, "Basic (and reversed card)", GEO_EUROPE, [], Front="Capital of Italy",
         Back="Rome")  # fmt: skip
    _add(col, "Cloze", GEO, ["cloze"],
         Text="{{c1::Paris::capital}} is the capital of {{c2::France}}.",
         Back_Extra="Since <u>987</u>.")  # fmt: skip
    _add(col, "Basic", GEO_EUROPE, [], Front=f'<img src="{PICTURE_FILE}"><br>Which tower is this?',
         Back="The Eiffel Tower")  # fmt: skip
    _add(col, "Basic", JAPANESE, ["日本"], Front="Say “hello” in Japanese",
         Back=f"こんにちは [sound:{SOUND_FILE}]")  # fmt: skip
    _add(col, "Basic", GEO, [], Front="Will be emptied", Back="An orphan back")
    _add(col, "Basic (type in the answer)", CHEMISTRY, [], Front="Chemical symbol of gold?",
         Back="Au")  # fmt: skip
    _add(col, "Cloze", JAPANESE, [], Text="{{c1::東京}} is the capital of {{c2::Japan::country}}"
         " and {{c1::Tokyo}} is its romaji.")  # fmt: skip
    _add(col, "Basic (optional reversed card)", GEO_EUROPE, [], Front="Capital of Spain",
         Back="Madrid", Add_Reverse="y")  # fmt: skip
    _vocabulary(col)
    _add(col, "Vocabulary", FRENCH, [], Word="la pomme", Picture="", Meaning="the apple",
         Example="Je mange une pomme.")  # fmt: skip
    emptied = col.get_note(col.find_notes("Will")[0])
    emptied["Front"] = "&nbsp;"  # cards stay: Anki keeps them when a field is edited
    col.update_note(emptied)


def _vocabulary(col: Collection) -> None:
    """A note type of the instructor's own: two cards, fields in an order Basic does not use."""
    models = col.models
    vocabulary = models.new("Vocabulary")
    for name in ("Word", "Picture", "Meaning", "Example"):
        models.add_field(vocabulary, models.new_field(name))
    for name, front, back in (
        ("Recognise", "{{Word}}<br>{{Picture}}", "{{Meaning}}<br><i>{{Example}}</i>"),
        ("Recall", "{{Meaning}}", "{{Word}}"),
    ):
        template = models.new_template(name)
        template["qfmt"] = front
        template["afmt"] = "{{FrontSide}}<hr id=answer>" + back
        models.add_template(vocabulary, template)
    models.add(vocabulary)


def build(folder: Path) -> Packages:
    """The test collection in `folder`, exported as .apkg and .colpkg, each in the current and
    the legacy layout, and as notes in plain text (with and without the extra columns)."""
    path = folder / "collection.anki2"
    col = Collection(str(path))
    fill(col)
    outputs: dict[str, bytes] = {}
    for legacy in (False, True):
        out = folder / f"deck{'-legacy' if legacy else ''}.apkg"
        col.export_anki_package(
            out_path=str(out),
            options=ExportAnkiPackageOptions(
                with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy
            ),
            limit=None,
        )
        outputs[out.name] = out.read_bytes()
    for extra in (True, False):
        out = folder / f"notes{'' if extra else '-bare'}.txt"
        col.export_note_csv(
            out_path=str(out), limit=None, with_html=True, with_tags=extra, with_deck=extra,
            with_notetype=extra, with_guid=extra,
        )  # fmt: skip
        outputs[out.name] = out.read_bytes()
    for legacy in (False, True):
        out = folder / f"all{'-legacy' if legacy else ''}.colpkg"
        col.export_collection_package(out_path=str(out), include_media=True, legacy=legacy)
        outputs[out.name] = out.read_bytes()
        col = Collection(str(path))  # exporting a collection package closes it
    col.close()
    return Packages(
        apkg=outputs["deck.apkg"],
        apkg_legacy=outputs["deck-legacy.apkg"],
        colpkg=outputs["all.colpkg"],
        colpkg_legacy=outputs["all-legacy.colpkg"],
        notes_text=outputs["notes.txt"],
        notes_text_bare=outputs["notes-bare.txt"],
    )


def members(package: bytes) -> dict[str, bytes]:
    """A package's members by name."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(files: dict[str, bytes]) -> bytes:
    """A zip archive of these members."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def anki2_only(legacy_package: bytes) -> bytes:
    """A package as Anki 2.0 wrote it: the schema 11 collection named collection.anki2."""
    files = members(legacy_package)
    files["collection.anki2"] = files.pop("collection.anki21")
    return zipped(files)


def current_collection(package: bytes) -> bytes:
    """The SQLite bytes of a current package's collection.anki21b."""
    return (
        zstandard.ZstdDecompressor()
        .decompressobj()
        .decompress(members(package)["collection.anki21b"])
    )


def with_collection(package: bytes, database: bytes) -> bytes:
    """A current package whose collection.anki21b is this database."""
    files = members(package)
    files["collection.anki21b"] = zstandard.ZstdCompressor().compress(database)
    return zipped(files)


def notes_as_view(database: bytes) -> bytes:
    """The database with its `notes` table replaced by a view over a query that would run for
    ages (a recursive count to a trillion)."""
    db = _open(database)
    db.executescript(
        """
        ALTER TABLE notes RENAME TO kept_notes;
        CREATE VIEW notes AS
          WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000000)
          SELECT kept_notes.* FROM kept_notes, n;
        """
    )
    made = db.serialize()
    db.close()
    return made


def many_notes(database: bytes, count: int) -> bytes:
    """The database with `count` more notes, copies of its first (each with its card)."""
    db = _open(database)
    db.executescript(
        f"""
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
        INSERT INTO notes
          SELECT id + 1000000000 + i, guid || i, mid, mod, usn, tags, flds, sfld, csum, flags,
          data FROM n, (SELECT * FROM notes ORDER BY id LIMIT 1);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
        INSERT INTO cards
          SELECT id + 1000000000 + i, nid + 1000000000 + i, did, ord, mod, usn, type, queue,
          due, ivl, factor, reps, lapses, left, odue, odid, flags, data
          FROM n, (SELECT * FROM cards ORDER BY nid LIMIT 1);
        """
    )
    made = db.serialize()
    db.close()
    return made


def without_notes(database: bytes) -> bytes:
    """The database with its notes and cards deleted (an empty collection)."""
    db = _open(database)
    db.executescript("DELETE FROM notes; DELETE FROM cards;")
    made = db.serialize()
    db.close()
    return made


def _open(database: bytes) -> sqlite3.Connection:
    """A writable copy of an Anki database in memory, with Anki's `unicase` collation."""
    db = sqlite3.connect(":memory:")
    db.deserialize(_rollback_journal(database))
    db.create_collation("unicase", lambda a, b: (a.lower() > b.lower()) - (a.lower() < b.lower()))
    return db


def _rollback_journal(database: bytes) -> bytes:
    """Anki's WAL database marked for the rollback journal (only that can be deserialized)."""
    data = bytearray(database)
    data[18:20] = b"\x01\x01"
    return bytes(data)


def zstd_bomb(size: int) -> bytes:
    """A current package whose collection.anki21b is small but inflates to `size` bytes."""
    stream = zstandard.ZstdCompressor(level=19).compress(b"SQLite format 3\x00" + bytes(size))
    return zipped({"collection.anki21b": stream, "meta": b"\x08\x03", "media": b""})
