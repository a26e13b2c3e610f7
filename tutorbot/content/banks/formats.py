"""The import formats: their names for `--format`, the module that reads each, and how a file's
format is guessed when none is given.

Each format's module has `read_<name>(upload) -> Bank` and `sniff(upload) -> bool` (a cheap look
at the content). A format is guessed from the file's suffix first, then its content: the first
format whose suffix matches and whose sniff agrees, else the first whose sniff agrees in the
order below (most particular first, Quizlet's bare tab-separated lines last), else the one format
the suffix names, if only one does, so that its reader says what is wrong with the file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from tutorbot.content.banks.draft import Bank, ImportRefused, Upload
from tutorbot.content.banks.limits import Archive
from tutorbot.content.models import Topic


@dataclass(frozen=True, slots=True)
class Format:
    """One import format: `name` for `--format`, `label` for people, its module (under
    `tutorbot.content.banks`) and the file suffixes it is usually saved with."""

    name: str
    label: str
    module: str
    suffixes: tuple[str, ...]

    def _function(self, prefix: str) -> Callable[[Upload], object]:
        module = importlib.import_module(f"tutorbot.content.banks.{self.module}")
        function: Callable[[Upload], object] = getattr(module, prefix)
        return function

    def read(self, upload: Upload) -> Bank:
        """The bank this format reads from the upload (or ImportRefused)."""
        bank = self._function(f"read_{self.module}")(upload)
        if not isinstance(bank, Bank):  # every reader returns a Bank
            raise TypeError(f"read_{self.module} returned {type(bank).__name__}")
        return bank

    def sniff(self, upload: Upload) -> bool:
        """Whether the upload's content looks like this format."""
        return bool(self._function("sniff")(upload))


FORMATS = (
    Format("anki", "Anki package", "anki", (".apkg", ".colpkg")),
    Format("kahoot", "Kahoot spreadsheet", "kahoot", (".xlsx",)),
    Format("moodle-xml", "Moodle XML", "moodle_xml", (".xml",)),
    Format("opentdb", "Open Trivia DB JSON", "opentdb", (".json",)),
    Format("topics", "TutorBot topic files", "topic_files", (".yaml", ".yml", ".zip")),
    Format("red-trivia", "Red-DiscordBot trivia list", "red_trivia", (".yaml", ".yml")),
    Format("anki-text", "Anki notes in plain text", "anki_text", (".txt", ".tsv", ".csv")),
    Format("gift", "Moodle GIFT", "gift", (".gift", ".txt")),
    Format("aiken", "Aiken", "aiken", (".txt", ".aiken")),
    Format("quizlet", "Quizlet export", "quizlet", (".txt", ".tsv")),
)
"""Every import format, in the order they are tried when guessing."""
FORMAT_NAMES = tuple(fmt.name for fmt in FORMATS)


EXPORT_FORMATS = {"gift": ".gift", "moodle-xml": ".xml"}
"""The formats topics can be written in, with the suffix of their files."""


def export_topics(topics: Sequence[Topic], format_name: str) -> str:
    """Topics written in an export format (a name of EXPORT_FORMATS)."""
    if format_name == "gift":
        from tutorbot.content.banks.gift import write_gift

        return write_gift(topics)
    if format_name == "moodle-xml":
        from tutorbot.content.banks.moodle_xml import write_moodle_xml

        return write_moodle_xml(topics)
    raise ValueError(f"unknown export format {format_name!r}")


def format_named(name: str) -> Format:
    """The format with this `--format` name, or ImportRefused listing the names."""
    for fmt in FORMATS:
        if fmt.name == name.strip().lower():
            return fmt
    raise ImportRefused(f"unknown format {name!r}; use one of: {', '.join(FORMAT_NAMES)}")


def guess_format(upload: Upload) -> Format:
    """The format of an upload, from its suffix and content; ImportRefused when none fits. A zip
    archive is checked against the caps first, so a zip bomb is refused naming the cap rather
    than as a file of no known format."""
    if upload.data.startswith(b"PK"):
        Archive(upload.data, upload.limits, "the file")
    suffix = PurePath(upload.name).suffix.lower()
    by_suffix = [fmt for fmt in FORMATS if suffix in fmt.suffixes]
    for fmt in by_suffix + [fmt for fmt in FORMATS if fmt not in by_suffix]:
        if fmt.sniff(upload):
            return fmt
    if len(by_suffix) == 1:  # .json, .xml, .yaml...: its reader says what is wrong with it
        return by_suffix[0]
    raise ImportRefused(
        "could not tell which format the file is in; name it with --format, one of: "
        + ", ".join(FORMAT_NAMES)
    )
