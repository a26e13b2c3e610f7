"""Anki imports: real packages made by Anki's own library in every layout it writes, its
plain-text notes export, hand-written text samples, and broken or hostile packages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from banks import anki_packages as made
from tutorbot.content.banks.anki import (
    CLOZE,
    card_drafts,
    parse_clozes,
    read_anki,
    read_collection,
)
from tutorbot.content.banks.anki_text import read_anki_text
from tutorbot.content.banks.anki_text import sniff as sniff_text
from tutorbot.content.banks.build import Imported
from tutorbot.content.banks.draft import Bank, ImportRefused, Upload
from tutorbot.content.banks.importing import import_upload
from tutorbot.content.banks.limits import ImportLimits, NotText, TooBig
from tutorbot.content.banks.write import topic_yaml
from tutorbot.content.models import Question, QuestionType

SAMPLES = Path(__file__).parent / "samples" / "anki"
FREE = QuestionType.FREE_RESPONSE
NO_EXPLANATION = "No explanation came with this question: compare your answer with the one above."

EUROPE = [
    (FREE, "**Capital** of *France*?", "Paris"),
    (FREE, "Capital of Italy", "Rome"),
    (FREE, "Rome", "Capital of Italy"),
    (FREE, "[picture]\nWhich tower is this?", "The Eiffel Tower"),
    (FREE, "Capital of Spain", "Madrid"),  # Basic (optional reversed card), reverse wanted
    (FREE, "Madrid", "Capital of Spain"),
]
GEOGRAPHY = [
    (FREE, "[capital] is the capital of France.", "Paris"),
    (FREE, "Paris is the capital of […].", "France"),
]
JAPANESE = [
    (FREE, "Say “hello” in Japanese", "こんにちは"),
    (FREE, "[…] is the capital of Japan and […] is its romaji.", "東京; Tokyo"),
    (FREE, "東京 is the capital of [country] and Tokyo is its romaji.", "Japan"),
]
CHEMISTRY = [(QuestionType.SHORT_ANSWER, "Chemical symbol of gold?", "Au")]
APPLE = (FREE, "la pomme", "the apple\n\nJe mange une pomme.")
"""The instructor's own note type: its first card asks the word, reveals meaning and example."""
FRENCH = [APPLE, (FREE, "the apple", "la pomme")]
PACKAGE_TOPICS = {
    "Geography › Europe": EUROPE,
    "Geography": GEOGRAPHY,
    "Langues › 日本語": JAPANESE,
    "Chemistry": CHEMISTRY,
    "Langues › Français": FRENCH,
}


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory) -> made.Packages:
    """The test collection exported in every layout (Anki is slow: made once)."""
    return made.build(tmp_path_factory.mktemp("anki"))


def _seen(question: Question) -> tuple[QuestionType, str, str]:
    answer = "; ".join(question.accepted) if question.answers else question.answer
    return (question.type, question.prompt, str(answer))


def _topics(imported: Imported) -> dict[str, list[tuple[QuestionType, str, str]]]:
    for topic in imported.topics:
        assert topic_yaml(topic)
    return {topic.title: [_seen(q) for q in topic.questions] for topic in imported.topics}


def _problems(imported: Imported) -> list[str]:
    return [str(problem) for problem in imported.problems]


def _refusal(data: bytes, name: str = "deck.apkg", limits: ImportLimits | None = None) -> str:
    upload = Upload(name, data, limits or ImportLimits())
    with pytest.raises(ImportRefused) as refused:
        import_upload(upload, "anki")
    return str(refused.value)


LAYOUTS = ["apkg", "apkg_legacy", "colpkg", "colpkg_legacy", "anki2_only"]


def _package(packages: made.Packages, layout: str) -> tuple[str, bytes]:
    if layout == "anki2_only":
        return "old.apkg", made.anki2_only(packages.apkg_legacy)
    suffix = ".colpkg" if layout.startswith("colpkg") else ".apkg"
    return f"{layout}{suffix}", getattr(packages, layout)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_gives_the_decks_as_topics_and_the_cards_as_questions(
    packages: made.Packages, layout: str
) -> None:
    name, data = _package(packages, layout)
    imported = import_upload(Upload(name, data))  # the format guessed
    assert imported.format == "anki"
    assert _topics(imported) == PACKAGE_TOPICS  # the empty Default deck is no topic
    assert _problems(imported) == [
        "note 4 in Geography › Europe: has a picture, which is not imported",
        "note 5 in Langues › 日本語: has a sound (hello.mp3), which is not imported",
        "note 6 in Geography: the front is empty, so there is no question",
    ]


def test_a_current_package_reads_the_anki21b_not_the_placeholder(
    packages: made.Packages,
) -> None:
    files = made.members(packages.apkg)
    assert {"collection.anki21b", "collection.anki2"} <= set(files)
    assert "Please update" not in str(_topics(import_upload(Upload("d.apkg", packages.apkg))))


def test_clozes_have_their_extra_as_explanation_and_distinct_ids(packages: made.Packages) -> None:
    imported = import_upload(Upload("deck.apkg", packages.apkg))
    geography = next(topic for topic in imported.topics if topic.title == "Geography")
    assert [q.id for q in geography.questions] == [
        "paris-is-the-capital-of-france-c1",
        "paris-is-the-capital-of-france-c2",
    ]
    assert [q.explanation for q in geography.questions] == ["Since 987."] * 2
    europe = imported.topics[0]
    assert europe.questions[0].explanation == NO_EXPLANATION
    assert europe.tags == ("capitals",)
    assert [q.id for q in europe.questions][:3] == ["capital-of-france", "capital-of-italy", "rome"]


def test_the_notes_text_export_maps_as_the_package(packages: made.Packages) -> None:
    imported = import_upload(Upload("notes.txt", packages.notes_text))
    assert imported.format == "anki-text"
    assert _topics(imported) == PACKAGE_TOPICS | {"Langues › Français": [APPLE]}  # no templates
    assert _problems(imported) == [
        "line 10: has a picture, which is not imported",
        "line 11: has a sound (hello.mp3), which is not imported",
        "line 12: the front is empty, so there is no question",
    ]


def test_a_text_export_without_deck_and_note_type_is_one_topic_of_basic_and_cloze_notes(
    packages: made.Packages,
) -> None:
    imported = import_upload(Upload("capitals.txt", packages.notes_text_bare))
    topics = _topics(imported)
    assert list(topics) == ["Capitals"]
    assert (
        topics["Capitals"]
        == [
            *EUROPE[:2],  # no note type column: the reverse card is not known
            *GEOGRAPHY,
            EUROPE[3],
            *JAPANESE[:1],
            (FREE, "Chemical symbol of gold?", "Au"),  # nor the typed answer
            *JAPANESE[1:],
            (FREE, "Capital of Spain", "Madrid\n\ny"),  # the fields after the first
            APPLE,
        ]
    )
    assert _problems(imported)[-1] == "line 8: the front is empty, so there is no question"


def test_a_hand_written_semicolon_export_with_a_deck_header() -> None:
    imported = import_upload(Upload("verbs.txt", (SAMPLES / "semicolon.txt").read_bytes()))
    assert _topics(imported) == {
        "Spanish › Verbs": [
            (FREE, "to eat", "comer"),
            (FREE, "to live; to reside", "vivir"),
            (FREE, "vivir", "to live; to reside"),
            (FREE, "a front\non two lines", "a back; with a semicolon"),
            (FREE, "Yo [hablar] español y vivo aquí.", "hablo"),
            (FREE, "Yo hablo español y […] aquí.", "vivo"),
            (QuestionType.SHORT_ANSWER, "to drink", "beber"),
        ]
    }
    assert imported.topics[0].tags == ("food", "verbs")
    assert _problems(imported) == ["line 12: the front is empty, so there is no question"]


def test_a_pipe_export_with_html_a_picture_and_a_sound_front() -> None:
    imported = import_upload(Upload("pipe.txt", (SAMPLES / "pipe.txt").read_bytes()))
    assert _topics(imported) == {
        "Pipe": [
            (FREE, "**Ñandú**?", "A bird [picture]"),
            (FREE, "[…] is in Peru", "Lima"),
            (FREE, "Lima is in [country]", "Peru"),
        ]
    }
    assert _problems(imported) == [
        "line 3: has a picture, which is not imported",
        "line 5: has a sound (q.mp3), which is not imported",
        "line 5: the front is only a picture or sound, which is not imported, so there is no "
        "question",
    ]


def test_text_that_is_not_an_anki_export_is_refused() -> None:
    with pytest.raises(ImportRefused, match="separator 'two'"):
        import_upload(Upload("b.txt", (SAMPLES / "bad_separator.txt").read_bytes()), "anki-text")
    with pytest.raises(ImportRefused, match="Anki's header lines"):
        import_upload(Upload("q.txt", b"front\tback\n"), "anki-text")
    assert not sniff_text(Upload("q.txt", b"front\tback\n#separator:tab\n"))
    assert sniff_text(Upload("q.txt", (SAMPLES / "pipe.txt").read_bytes()))


def test_nested_and_unclosed_clozes_are_read_without_losing_text() -> None:
    assert parse_clozes("a {{c1::b") == ["a ", "{{c1::", "b"]
    long_number = "{{c" + "9" * 5000 + "::x}}"  # text, not a cloze (nor a crash)
    assert "".join(map(str, parse_clozes(long_number))) == long_number
    bank = Bank("anki")
    nested = ["{{c1::The {{c2::Seine}} river::a river}} flows}} here", ""]
    first, second = (card_drafts(bank, nested, CLOZE, n, "note 1")[0] for n in (0, 1))
    assert (first.prompt, first.answer) == ("[a river] flows}} here", "The Seine river")
    assert (second.prompt, second.answer) == ("The […] river flows}} here", "Seine")
    assert card_drafts(bank, nested, CLOZE, 2, "note 1") == []
    assert [str(p) for p in bank.problems] == [
        "note 1, cloze 3: the text has no cloze c3, so there is no question"
    ]


# Broken and hostile packages.


def test_a_zip_without_a_collection_is_refused() -> None:
    data = made.zipped({"media": b"{}", "notes.txt": b"hello"})
    assert "not an Anki package: it holds no collection" in _refusal(data)


def test_a_collection_that_is_not_a_database_is_refused() -> None:
    data = made.zipped({"collection.anki21": b"hello, I am no database " * 100})
    assert _refusal(data) == (
        "the package's collection.anki21 is not an Anki collection (not a database)"
    )


def test_a_damaged_database_is_refused(packages: made.Packages) -> None:
    database = bytearray(made.current_collection(packages.apkg))
    database[100:4096] = b"\xee" * (4096 - 100)  # the schema page overwritten
    data = made.with_collection(packages.apkg, bytes(database))
    assert _refusal(data) == "the Anki collection in the package is damaged"


def test_a_zstd_bomb_is_refused_before_it_is_inflated_in_full() -> None:
    data = made.zstd_bomb(20 * 1024 * 1024)
    assert len(data) < 10_000
    limits = ImportLimits(max_unpacked_bytes=1024 * 1024)
    assert "unpacks to more than 1 MB" in _refusal(data, limits=limits)


def test_a_package_whose_notes_are_a_view_is_refused(packages: made.Packages) -> None:
    database = made.notes_as_view(made.current_collection(packages.apkg))
    data = made.with_collection(packages.apkg, database)
    assert "has no notes table" in _refusal(data)


def test_a_collection_that_takes_too_long_to_read_is_refused(packages: made.Packages) -> None:
    database = made.many_notes(made.current_collection(packages.apkg), 5000)
    assert len(read_collection(database)[2]) == 5010  # read in full within the real bound
    with pytest.raises(ImportRefused, match="takes far too long"):
        read_collection(database, max_steps=50_000)


def test_a_truncated_package_is_refused(packages: made.Packages) -> None:
    for cut in (packages.apkg[: len(packages.apkg) // 2], packages.apkg[:-30]):
        assert "not an Anki package that can be read" in _refusal(cut)


def test_a_package_without_notes_is_refused(packages: made.Packages) -> None:
    database = made.without_notes(made.current_collection(packages.colpkg))
    assert _refusal(made.with_collection(packages.colpkg, database)) == (
        "the Anki package holds no notes"
    )


def test_an_empty_zip_archive_is_refused() -> None:
    assert "holds no collection" in _refusal(made.zipped({}))


def _reads_or_refuses(read: object, upload: Upload) -> None:
    try:
        bank = read(upload)  # type: ignore[operator]
    except (ImportRefused, TooBig, NotText):
        return
    assert isinstance(bank, Bank)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_are_refused_or_read(data: bytes) -> None:
    _reads_or_refuses(read_anki, Upload("x.apkg", data))
    _reads_or_refuses(read_anki, Upload("x.apkg", b"PK\x03\x04" + data))
    _reads_or_refuses(read_anki_text, Upload("x.txt", b"#separator:tab\n" + data))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=500))
def test_random_text_exports_are_refused_or_read(text: str) -> None:
    _reads_or_refuses(read_anki_text, Upload("x.txt", ("#html:true\n" + text).encode()))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_damaged_collections_are_refused_or_read(
    packages: made.Packages, data: st.DataObject
) -> None:
    database = bytearray(made.current_collection(packages.apkg))
    for _ in range(data.draw(st.integers(1, 20))):
        at = data.draw(st.integers(0, len(database) - 1))
        database[at] = data.draw(st.integers(0, 255))
    upload = Upload("x.apkg", made.with_collection(packages.apkg, bytes(database)))
    _reads_or_refuses(read_anki, upload)


def test_anki_is_imported_only_by_the_tests() -> None:
    source = Path(__file__).parents[2] / "tutorbot"
    importing = re.compile(r"^\s*(import anki\b|from anki\b)", re.MULTILINE)
    assert not [path for path in source.rglob("*.py") if importing.search(path.read_text("utf-8"))]


def test_a_note_with_too_many_clozes_or_a_huge_field_is_bounded() -> None:
    clozes = " ".join(f"{{{{c{n}::w{n}}}}}" for n in range(1, 151))
    huge = "<b>x</b>" * 5000
    data = f"#separator:tab\n#html:true\n{clozes}\t\n{huge}\tback\nfront\t{huge}\n".encode()
    imported = import_upload(Upload("many.txt", data))
    [topic] = imported.topics
    assert len(topic.questions) == 100
    assert topic.questions[99].answer == "w100"
    assert _problems(imported) == [
        "line 3: the note has 150 cards; the first 100 are imported, not the rest",
        "line 4: a field of the card is 40,000 characters long, far more than a question shows "
        "(1,000 characters), so it is not imported",
        "line 5: a field of the card is 40,000 characters long, far more than a question shows "
        "(1,000 characters), so it is not imported",
    ]
