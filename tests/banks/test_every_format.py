"""What every format promises: garbage gives a bank or a refusal, never a traceback; the guess
finds each format's own samples; a zip is held to the caps before any format looks at it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banks.helpers import SAMPLES
from tutorbot.content.banks.build import Imported
from tutorbot.content.banks.draft import Bank, ImportRefused, Upload
from tutorbot.content.banks.formats import FORMATS, Format, guess_format
from tutorbot.content.banks.importing import import_upload
from tutorbot.content.banks.limits import ImportLimits, NotText, TooBig

SAFE = (ImportRefused, TooBig, NotText)
"""What a reader may raise: each is shown to the instructor as a one-line refusal."""
SMALL = ImportLimits(max_file_bytes=64 * 1024, max_unpacked_bytes=64 * 1024, max_entries=20)
garbage = st.binary(max_size=400) | st.text(max_size=300).map(str.encode)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda fmt: fmt.name)
@given(data=garbage)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_garbage_gives_a_bank_or_a_refusal(fmt: Format, data: bytes) -> None:
    upload = Upload(f"fuzz{fmt.suffixes[0]}", data, SMALL)
    assert isinstance(fmt.sniff(upload), bool)
    try:
        bank = fmt.read(upload)
    except SAFE:
        return
    assert isinstance(bank, Bank)


@given(data=garbage, name=st.sampled_from(["x.txt", "x", "x.json", "x.apkg", "x.xlsx", "x.xml"]))
@settings(max_examples=300, deadline=None)
def test_garbage_imported_with_its_format_guessed_is_imported_or_refused(
    data: bytes, name: str
) -> None:
    try:
        imported = import_upload(Upload(name, data, SMALL))
    except ImportRefused:
        return
    assert isinstance(imported, Imported)


GUESSES = {
    "aiken": ["world_capitals.txt"],
    "gift": ["capitals.gift"],
    "moodle_xml": ["everything.xml"],
    "opentdb": ["default.json", "base64.json", "url3986.json", "bare_list.json"],
    "quizlet": ["french_words.txt"],
    "red_trivia": ["world_capitals.yaml"],
    "anki": ["semicolon.txt", "pipe.txt"],
}
EXPECTED = {"moodle_xml": "moodle-xml", "red_trivia": "red-trivia", "anki": "anki-text"}


@pytest.mark.parametrize(
    ("folder", "name"), [(folder, name) for folder, names in GUESSES.items() for name in names]
)
def test_the_guess_finds_each_sample_s_format(folder: str, name: str) -> None:
    path = SAMPLES / folder / name
    fmt = guess_format(Upload(path.name, path.read_bytes()))
    assert fmt.name == EXPECTED.get(folder, folder)
