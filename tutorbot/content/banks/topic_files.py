"""TutorBot's own topic files, one (`.yaml`, `.yml`) or a `.zip` of them, as a bank whose topics
keep their ids, levels, core ideas, explainers, tags and prerequisites.

This is the one import format with prerequisites: a topic may name another topic of the same
upload or a topic of the bundled course (`counting-to-five`). They are kept as written here;
`PackService` maps the pack's own to the pack's ids, keeps the course's and drops the others with
a note.

Each file is parsed by the loader's safe YAML (`safe_yaml.load_topic_yaml`: aliases bounded, a
repeated key refused) and validated by the loader's own rules and messages (`loader.py`: sizes
measured before validation, pydantic's errors worded for authors, a `check` verified against the
answer key). A file with errors is skipped with a problem per error, naming the file, its line
and the field; the other files are imported. In a zip, any folders are walked; names starting
with '.' or '_' are skipped as the loader skips them (`__MACOSX/`, `.DS_Store`), any other file
that is not YAML is a problem, and a topic id met again in a later file is a problem there.
The archive is read only through `limits.Archive` (entries and unpacked size capped), and an
entry over the loader's `MAX_FILE_BYTES` is not parsed.

The loader's validation helpers are private (`_size_problems`, `_validation_problems`,
`_too_large`); they are imported here rather than copied, so an author reads the same message
from `tutorbot content check` and from an import.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from tutorbot.content.answer_check import verify
from tutorbot.content.banks.draft import Bank, Draft, DraftTopic, ImportRefused, Upload
from tutorbot.content.banks.limits import Archive
from tutorbot.content.errors import MAX_SHOWN_ERRORS
from tutorbot.content.loader import (
    MAX_FILE_BYTES,
    SUFFIXES,
    Unreadable,
    _Problem,
    _size_problems,
    _too_large,
    _validation_problems,
    parse_topic_text,
)
from tutorbot.content.locate import LineFinder, field_path
from tutorbot.content.models import Question, Topic, clip

FORMAT = "topics"
MAX_NAME = 200
"""Characters of an archive entry's name shown in a problem."""
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_KEY = re.compile(rb"^(id|title|core_idea|questions)[ \t]*:", re.MULTILINE)
"""A top-level key of a topic file, at the start of a line."""
_SNIFF_KEYS = {b"id", b"title"}


def read_topic_files(upload: Upload) -> Bank:
    """The topics of one topic file or of a zip of them; a file with errors is a problem per
    error and the others are imported. ImportRefused for a single file that is not a YAML
    mapping, a zip that cannot be read, or a zip without topic files."""
    bank = Bank(FORMAT)
    if _is_zip(upload):
        _read_archive(upload, bank)
        return bank
    data = parse_topic_text(upload.data)
    if isinstance(data, Unreadable):
        at = f"line {data.line}: " if data.line else ""
        raise ImportRefused(f"{at}{data.message}")
    _read_topic(bank, _shown_name(upload.name), upload.data, data, {})
    return bank


def _is_zip(upload: Upload) -> bool:
    return upload.data[:4] in _ZIP_MAGIC or PurePosixPath(upload.name).suffix.lower() == ".zip"


def _read_archive(upload: Upload, bank: Bank) -> None:
    """Every topic file of the archive into the bank, in the order of their paths."""
    try:
        archive = Archive(upload.data, upload.limits, "the archive")
    except zipfile.BadZipFile:
        raise ImportRefused("the file is not a zip archive that can be read") from None
    first_files: dict[str, str] = {}
    found = False
    for name in sorted(archive.names):
        if name.endswith("/") or _hidden(name):
            continue
        shown = _shown_name(name)
        if PurePosixPath(name).suffix.lower() not in SUFFIXES:
            bank.skip(shown, "not a topic file (.yaml or .yml); ignored")
            continue
        found = True
        try:
            text = archive.read(name)
        except zipfile.BadZipFile:
            bank.skip(shown, "cannot be read from the archive (damaged or encrypted); skipped")
            continue
        if len(text) > MAX_FILE_BYTES:
            bank.skip(shown, _too_large(len(text)) + "; skipped")
            continue
        data = parse_topic_text(text)
        if isinstance(data, Unreadable):
            bank.skip(_at(shown, data.line), data.message + "; the file is skipped")
            continue
        _read_topic(bank, shown, text, data, first_files)
    if not found:
        raise ImportRefused(
            "the archive holds no topic files (.yaml or .yml); zip the folder of your topic files"
        )


def _hidden(name: str) -> bool:
    """Whether a path has a part the loader skips (starting with '.' or '_')."""
    return any(part[:1] in "._" for part in PurePosixPath(name).parts)


def _shown_name(name: str) -> str:
    """An entry's name for a problem: clipped, anything unprintable a '?'."""
    return clip("".join(c if c.isprintable() else "?" for c in name[: MAX_NAME + 1]), MAX_NAME)


def _at(name: str, line: int | None) -> str:
    return f"{name}, line {line}" if line else name


def _read_topic(
    bank: Bank, name: str, text: bytes, data: dict[str, Any], first_files: dict[str, str]
) -> None:
    """One parsed file into the bank as a topic, or a problem per error in it. `first_files`
    maps each topic id read so far to the file it came from."""
    topic, problems = _validated(name, data)
    if topic is not None and topic.id in first_files:
        message = f"duplicate topic id {topic.id!r}: also the id in {first_files[topic.id]}"
        topic, problems = None, [_Problem(Path(name), ("id",), message)]
    if topic is None:
        _report(bank, name, text, problems)
        return
    first_files[topic.id] = name
    bank.topics.append(_draft_topic(name, topic))


def _report(bank: Bank, name: str, text: bytes, problems: list[_Problem]) -> None:
    """A skipped file's problems, each with its field and line, and one saying it is skipped.
    Lines are looked up (the file composed again) only while fewer than MAX_SHOWN_ERRORS
    problems are recorded, as the loader does, so a zip of thousands of broken files is
    reported at once."""
    finder = LineFinder(text) if len(bank.problems) < MAX_SHOWN_ERRORS else None
    for problem in problems:
        line = finder.line(problem.loc, at_key=problem.at_key) if finder else None
        path = field_path(problem.loc)
        bank.skip(_at(name, line), f"{path}: {problem.message}" if path else problem.message)
    bank.skip(name, f"not imported: fix the {_count(len(problems))} above and import it again")


def _count(number: int) -> str:
    return "problem" if number == 1 else f"{number} problems"


def _validated(name: str, data: dict[str, Any]) -> tuple[Topic | None, list[_Problem]]:
    """The file's topic and no problems, or None and the problems the loader would report."""
    path = Path(name)
    if too_big := _size_problems(path, data):
        return None, too_big
    try:
        topic = Topic.model_validate(data)
    except ValidationError as exc:
        return None, _validation_problems(path, data, exc.errors(include_url=False))
    problems = [
        _Problem(path, ("questions", index, "check"), reason)
        for index, question in enumerate(topic.questions)
        if question.check is not None and (reason := verify(question)) is not None
    ]
    return (None, problems) if problems else (topic, [])


def _draft_topic(name: str, topic: Topic) -> DraftTopic:
    return DraftTopic(
        title=topic.title,
        where=name,
        questions=[_draft(name, index, q) for index, q in enumerate(topic.questions)],
        core_idea=topic.core_idea,
        explainer=topic.explainer,
        tags=list(topic.tags),
        id=topic.id,
        level=topic.level,
        prerequisites=list(topic.prerequisites),
    )


def _draft(name: str, index: int, question: Question) -> Draft:
    return Draft(
        where=f"{name}, questions[{index}] ({question.id})",
        type=question.type,
        prompt=question.prompt,
        choices=list(question.choices) if question.choices is not None else None,
        answer=question.answer,
        answers=list(question.answers) if question.answers is not None else None,
        tolerance=question.tolerance,
        range=question.range,
        explanation=question.explanation,
        hint=question.hint,
        name=question.id,
        think_seconds=question.think_seconds,
        check=question.check,
    )


def sniff(upload: Upload) -> bool:
    """Whether the upload looks like topic files: a YAML file with top-level `id` and `title`
    keys and a `core_idea` or `questions` key, or a zip holding a `.yaml` or `.yml` file."""
    try:
        if upload.data[:4] in _ZIP_MAGIC:
            names = Archive(upload.data, upload.limits, "the archive").names
            return any(
                PurePosixPath(name).suffix.lower() in SUFFIXES and not _hidden(name)
                for name in names
            )
        keys = set(_KEY.findall(upload.data[: upload.limits.max_file_bytes]))
        return keys >= _SNIFF_KEYS and bool(keys - _SNIFF_KEYS)
    except Exception:  # a sniff never raises
        return False
