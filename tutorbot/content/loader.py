"""Load a folder of topic files into one `Library`, or report every problem and load nothing.

Each file is parsed with the C YAML loader (safe: plain data only) and validated into frozen
models; then the pack is checked as a whole (duplicate ids, unknown prerequisites, cycles). Line
numbers are looked up only for files with errors, so a valid pack pays for no position tracking.

Content is untrusted (it will come from uploads), so every step is bounded: a folder the bot
cannot read or a symbolic link out of the folder is an error, not a silent gap; a file's size is
checked before it is read; aliases and repeated keys are refused while parsing (see safe_yaml);
lists and mappings are measured before pydantic would report each of their items; and a
`ContentError` carries at most `MAX_SHOWN_ERRORS` issues.
"""

from __future__ import annotations

import difflib
import gc
import graphlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from rapidfuzz import fuzz, process

from tutorbot.content.answer_check import verify
from tutorbot.content.errors import MAX_SHOWN_ERRORS, ContentError, ContentIssue
from tutorbot.content.graph import KnowledgeGraph, find_cycles
from tutorbot.content.library import CLOSE, Library
from tutorbot.content.locate import LineFinder, Loc, data_loc, field_path
from tutorbot.content.models import (
    MAX_ACCEPTED,
    MAX_CHOICES,
    MAX_PREREQUISITES,
    MAX_QUESTIONS,
    MAX_TAGS,
    PACK_TOPIC_ID,
    Question,
    Topic,
    shown,
)
from tutorbot.content.safe_yaml import Refused, load_topic_yaml

SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 1024 * 1024
"""Largest topic file read. Every field of a topic at its limit in models.py (explainer 100,000
characters, 100 questions of prompt, 10 choices, answer, explanation, hint, check and note) comes
to about 880,000 characters; real topics are near 10 KB. 1 MiB holds any topic a student could
read, and parsing a hostile file of this size takes well under a second."""
MAX_KEYS = 50
"""Keys read in one mapping of a topic; a topic has 11 fields and a question 14."""
_LIST_LIMITS = {"tags": MAX_TAGS, "prerequisites": MAX_PREREQUISITES, "questions": MAX_QUESTIONS}
_PERMISSIONS = "permission {is_are} missing for the user running TutorBot"


@dataclass(slots=True)
class _Problem:
    file: Path
    loc: Loc
    message: str
    at_key: bool = False


def topic_files(root: Path) -> list[Path]:
    """The topic files under `root`, recursively, sorted; names starting with '.' or '_' (files or
    folders) are skipped. Raises ContentError when a folder cannot be read or a link leads out."""
    issues: list[ContentIssue] = []
    paths = _walk(Path(root), issues)
    if issues:
        raise ContentError(issues)
    return paths


def _walk(root: Path, issues: list[ContentIssue]) -> list[Path]:
    """Topic files under `root`, sorted by relative path; what cannot be walked goes to `issues`.

    Names starting with '.' or '_' are skipped without being opened. Symbolic links: one whose
    target resolves inside the content folder is followed like its target; one that leads
    outside the folder, or to nothing, is an error naming the link. Linked folders are walked
    after the folder's own tree, and no folder twice, so a link back to a parent does not loop
    and a file's path is its real one when it has one. A topic file reached through two links is
    a duplicate id.
    """
    top = root.resolve()
    entered: set[Path] = set()
    found: list[Path] = []
    pending: list[Path] = [root]
    linked: list[Path] = []
    while pending or linked:
        folder = pending.pop() if pending else linked.pop(0)
        real = folder.resolve()
        if real in entered:
            continue
        entered.add(real)
        for entry in _entries(folder, issues):
            if entry.name[:1] in "._":
                continue
            path = Path(entry.path)
            kind = _kind(entry, top, issues)
            if kind == "folder":
                (linked if entry.is_symlink() else pending).append(path)
            elif kind == "file" and path.suffix in SUFFIXES:
                found.append(path)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _entries(folder: Path, issues: list[ContentIssue]) -> list[os.DirEntry[str]]:
    """The entries of a folder; none, and an issue naming the missing permission, when the
    folder cannot be listed (r) or its files cannot be opened (x)."""
    missing = []
    entries: list[os.DirEntry[str]] = []
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except PermissionError:
        missing.append("read (r)")
    except OSError as exc:
        issues.append(ContentIssue(folder, "", None, f"cannot read this folder: {exc.strerror}"))
        return []
    try:
        os.stat(os.path.join(folder, "."))  # resolving a name inside needs search permission
    except PermissionError:
        missing.append("execute (x)")
    except OSError:
        pass
    if missing:
        is_are = "is" if len(missing) == 1 else "are"
        message = f"cannot read this folder: {' and '.join(missing)} " + _PERMISSIONS
        issues.append(ContentIssue(folder, "", None, message.format(is_are=is_are)))
        return []
    return entries


def _kind(entry: os.DirEntry[str], top: Path, issues: list[ContentIssue]) -> str | None:
    """'folder', 'file' or None (anything else, or a refused link, reported to `issues`)."""
    path = Path(entry.path)
    try:
        if not entry.is_symlink():
            if entry.is_dir(follow_symlinks=False):
                return "folder"
            return "file" if entry.is_file(follow_symlinks=False) else None
        target = path.resolve(strict=True)
        kind = "folder" if target.is_dir() else "file" if target.is_file() else None
    except FileNotFoundError:
        if path.suffix in SUFFIXES or not path.suffix:
            issues.append(
                ContentIssue(
                    path, "", None, "a symbolic link to nothing (its target does not exist)"
                )
            )
        return None
    except (OSError, RuntimeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "a loop of links"
        issues.append(ContentIssue(path, "", None, f"cannot follow this symbolic link: {reason}"))
        return None
    if not target.is_relative_to(top):
        if kind == "folder" or path.suffix in SUFFIXES:
            message = "a symbolic link to outside the content folder; refused"
            issues.append(ContentIssue(path, "", None, message))
        return None
    return kind


def load_library(path: Path) -> Library:
    """Load and validate every topic file under `path`; raise ContentError listing the problems
    (the first `MAX_SHOWN_ERRORS` of them, and how many more)."""
    path = Path(path)
    if (issue := _root_issue(path)) is not None:
        raise ContentError([issue])
    issues: list[ContentIssue] = []
    paths = _walk(path, issues)
    if not paths and not issues:
        raise ContentError(
            [ContentIssue(path, "", None, "no topic files (*.yaml, *.yml) in this folder")]
        )

    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load(path, paths, issues)
    finally:
        if collecting:
            gc.enable()


def _root_issue(path: Path) -> ContentIssue | None:
    """Why the content folder itself cannot be walked, if it cannot."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return ContentIssue(path, "", None, "content folder not found")
    except PermissionError:
        message = (
            "cannot reach this folder: a folder above it lacks execute (x) permission "
            "for the user running TutorBot"
        )
        return ContentIssue(path, "", None, message)
    except OSError as exc:
        return ContentIssue(path, "", None, f"cannot read this folder: {exc.strerror}")
    if not stat.S_ISDIR(mode):
        return ContentIssue(path, "", None, "not a folder")
    return None


# Files parsed before validating them: alternating the YAML parser and the validator file by
# file runs measurably slower (each evicts the other from the CPU caches), and 16 files of raw
# data are a few megabytes.
_BATCH = 16


def _load(root: Path, paths: list[Path], issues: list[ContentIssue]) -> Library:
    """Parse and validate a few files at a time, so only their raw data is alive at once."""
    problems: list[_Problem] = []
    declared: set[str] = set()
    topics: list[tuple[Path, Topic]] = []
    for start in range(0, len(paths), _BATCH):
        batch = [(path, _parse(path, issues)) for path in paths[start : start + _BATCH]]
        for file_path, data in batch:
            if data is None:
                continue
            if isinstance(data_id := data.get("id"), str):
                declared.add(data_id)
            if too_big := _size_problems(file_path, data):
                problems.extend(too_big)
                continue
            try:
                topic = Topic.model_validate(data)
            except ValidationError as exc:
                errors = exc.errors(include_url=False)
                problems.extend(_validation_problems(file_path, data, errors))
                continue
            topics.append((file_path, topic))
        del batch
    for file_path, topic in topics:
        for index, question in enumerate(topic.questions):
            if question.check is not None and (reason := verify(question)) is not None:
                problems.append(_Problem(file_path, ("questions", index, "check"), reason))

    pack_problems, graph = _pack_problems(declared, topics)
    problems.extend(pack_problems)
    if problems or issues:
        issues.extend(_resolve(problems))
        raise ContentError(issues)
    return Library(
        root,
        {topic.id: topic for _, topic in topics},
        {topic.id: file_path for file_path, topic in topics},
        graph,
    )


def _read(path: Path) -> bytes | str:
    """A topic file's bytes, or why it cannot be read. Its size is checked before reading, and
    it is opened without blocking, in case it was swapped for a pipe since the walk."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except PermissionError:
        return "cannot read the file: read (r) " + _PERMISSIONS.format(is_are="is")
    except OSError as exc:
        return f"cannot read the file: {exc.strerror}"
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        if info.st_size > MAX_FILE_BYTES:
            return _too_large(info.st_size)
        try:
            text = file.read(info.st_size + 1)
            if len(text) > info.st_size:  # it grew since fstat
                text += file.read(MAX_FILE_BYTES + 1 - len(text))
        except OSError as exc:
            return f"cannot read the file: {exc.strerror}"
    return text if len(text) <= MAX_FILE_BYTES else _too_large(len(text))


def _too_large(size: int) -> str:
    return (
        f"the file is {size:,} bytes, more than the {MAX_FILE_BYTES:,} bytes "
        f"({MAX_FILE_BYTES // 2**20} MiB) a topic file may have"
    )


def _parse(path: Path, issues: list[ContentIssue]) -> dict[str, Any] | None:
    text = _read(path)
    if isinstance(text, str):
        issues.append(ContentIssue(path, "", None, text))
        return None
    parsed = parse_topic_text(text)
    if isinstance(parsed, Unreadable):
        issues.append(ContentIssue(path, "", parsed.line, parsed.message))
        return None
    return parsed


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Why a topic file's text is not a YAML mapping, and on which line if known."""

    line: int | None
    message: str


def parse_topic_text(text: bytes) -> dict[str, Any] | Unreadable:
    """A topic file's data from its bytes, or why it cannot be read as a mapping of fields (the
    one wording for a folder's files and an uploaded pack's)."""
    try:
        data = load_topic_yaml(text)
    except Refused as exc:
        return Unreadable(exc.line, exc.message)
    except yaml.reader.ReaderError as exc:
        byte_line = text[: exc.position].count(b"\n") + 1
        return Unreadable(byte_line, f"not valid UTF-8 text ({exc.reason})")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        return Unreadable(mark.line + 1 if mark is not None else None, f"YAML syntax error: {what}")
    except yaml.YAMLError as exc:
        return Unreadable(None, f"YAML error: {exc}")
    except ValueError as exc:
        # a value YAML cannot build: a number of 5,000 digits, the date 2024-02-30
        reason = str(exc).split(";")[0]  # drop Python's advice to raise its digit limit
        return Unreadable(None, f"YAML value error: {reason}")
    except RecursionError:
        return Unreadable(None, "YAML nested too deeply")
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        return Unreadable(1, f"a topic file must be a mapping of fields, this is {kind}")
    return data


def _size_problems(path: Path, data: dict[str, Any]) -> list[_Problem]:
    """Lists and mappings longer than a topic may have, measured before validation: pydantic
    checks a list's length only after reporting each of its items."""
    problems = _too_long(path, (), data, MAX_KEYS)
    for field, limit in _LIST_LIMITS.items():
        problems += _too_long(path, (field,), data.get(field), limit)
    problems += _too_long(path, ("allow_warnings",), data.get("allow_warnings"), MAX_KEYS)
    questions = data.get("questions")
    if isinstance(questions, list) and len(questions) <= MAX_QUESTIONS:
        for index, question in enumerate(questions):
            if not isinstance(question, dict):
                continue
            problems += _too_long(path, ("questions", index), question, MAX_KEYS)
            for field, limit in (("choices", MAX_CHOICES), ("answers", MAX_ACCEPTED)):
                if isinstance(items := question.get(field), list | dict):
                    problems += _too_long(path, ("questions", index, field), items, limit)
    return problems


def _too_long(path: Path, loc: Loc, value: object, limit: int) -> list[_Problem]:
    if not isinstance(value, list | dict) or len(value) <= limit:
        return []
    unit = "items" if isinstance(value, list) else "keys"
    return [_Problem(path, loc, f"has more than {limit} {unit} ({len(value):,} given)")]


def _validation_problems(
    path: Path, data: dict[str, Any], errors: Iterable[ErrorDetails]
) -> list[_Problem]:
    merged: dict[Loc, _Problem] = {}
    for error in errors:
        kind = error["type"]
        loc = data_loc(data, error["loc"], keep_missing_last=kind == "missing")
        ctx = error.get("ctx") or {}
        if kind == "content":
            loc = (*loc, *ctx.get("at", ()))
        message = _message(error, loc)
        if loc in merged:
            if message not in merged[loc].message:
                merged[loc].message += f" or {message}"
            continue
        merged[loc] = _Problem(path, loc, message, at_key=kind == "extra_forbidden")
    return list(merged.values())


def _message(error: ErrorDetails, loc: Loc) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "content":
        return str(ctx["message"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        model = Question if "questions" in loc[:-1] else Topic
        close = difflib.get_close_matches(key, list(model.model_fields), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown key {shown(key)}{hint}"
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx['max_length']} characters ({len(error['input'])} given)"
    if kind == "too_long":
        return f"has more than {ctx['max_length']} items"
    if kind == "string_pattern_mismatch":
        return "must be a lower-case slug like 'counting-to-10' (letters, digits, single hyphens)"
    if kind == "string_type":
        return f"must be text, not {shown(error['input'])}"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false"
    if kind in ("int_type", "int_parsing", "float_type", "float_parsing", "finite_number"):
        return "must be a number"
    if kind == "greater_than_equal":
        return f"must be {ctx['ge']:g} or more"
    if kind in ("tuple_type", "list_type"):
        return "must be a list"
    msg = error["msg"]
    return msg[:1].lower() + msg[1:]


def _pack_problems(
    declared: set[str], topics: list[tuple[Path, Topic]]
) -> tuple[list[_Problem], KnowledgeGraph | None]:
    """Problems of the pack as a whole, and its graph when it has no cycle (built once here, as
    the acyclicity check, and handed to the Library)."""
    problems: list[_Problem] = []
    first: dict[str, Path] = {}
    for file_path, topic in topics:
        if PACK_TOPIC_ID.match(topic.id):
            problems.append(
                _Problem(
                    file_path,
                    ("id",),
                    f"topic id {topic.id!r} looks like a server pack's (p, 12 hex digits, a "
                    "hyphen): such ids are reserved for packs; choose another",
                )
            )
        if topic.id in first:
            problems.append(
                _Problem(
                    file_path,
                    ("id",),
                    f"duplicate topic id {topic.id!r}: also the id in {first[topic.id]}",
                )
            )
        else:
            first[topic.id] = file_path
    unique = {topic.id: topic for file_path, topic in topics if first[topic.id] is file_path}
    ids = sorted(declared)
    for file_path, topic in topics:
        for index, prerequisite in enumerate(topic.prerequisites):
            if prerequisite not in declared:
                close = _close_ids(prerequisite, ids)
                hint = (
                    "did you mean " + ", ".join(close) + "?" if close else "no topic has a close id"
                )
                problems.append(
                    _Problem(
                        file_path,
                        ("prerequisites", index),
                        f"unknown prerequisite {prerequisite!r}; {hint}",
                    )
                )
    prerequisites = {tid: t.prerequisites for tid, t in unique.items()}
    try:
        return problems, KnowledgeGraph(prerequisites)
    except graphlib.CycleError:
        pass
    for cycle in find_cycles(prerequisites):
        before, node = cycle[0], cycle[1]
        index = unique[node].prerequisites.index(before)
        problems.append(
            _Problem(
                first[node],
                ("prerequisites", index),
                "prerequisite cycle: "
                + " -> ".join(cycle)
                + " (each is a prerequisite of the next)",
            )
        )
    return problems, None


def _close_ids(unknown: str, ids: list[str]) -> list[str]:
    """Up to three of `ids` (sorted) most like an unknown prerequisite, best first, ties in
    order: rapidfuzz's ratio of at least CLOSE, in C, so a pack of 10,000 topics with many
    mistyped prerequisites is still reported at once."""
    matches = process.extract(
        unknown, ids, scorer=fuzz.ratio, processor=None, limit=3, score_cutoff=CLOSE
    )
    return [match for match, _, _ in matches]


def _resolve(problems: list[_Problem]) -> list[ContentIssue]:
    """Turn problems into issues with lines; each file with problems is read and composed once.

    Only files that can hold one of the first `MAX_SHOWN_ERRORS` issues (issues sort by file
    first) are composed; problems in later files are counted without a line.
    """
    by_file: dict[Path, list[_Problem]] = {}
    for problem in problems:
        by_file.setdefault(problem.file, []).append(problem)
    issues: list[ContentIssue] = []
    for file in sorted(by_file, key=str):
        finder = LineFinder(_text_or_nothing(file)) if len(issues) < MAX_SHOWN_ERRORS else None
        for problem in by_file[file]:
            line = finder.line(problem.loc, at_key=problem.at_key) if finder else None
            issues.append(ContentIssue(file, field_path(problem.loc), line, problem.message))
    return issues


def _text_or_nothing(file: Path) -> bytes:
    text = _read(file)
    return text if isinstance(text, bytes) else b""
