"""Load a folder of topic files into one `Library`, or report every problem and load nothing.

Each file is parsed with the C YAML loader (safe: plain data only) and validated into frozen
models; then the pack is checked as a whole (duplicate ids, unknown prerequisites, cycles). Line
numbers are looked up only for files with errors, so a valid pack pays for no position tracking.
"""

from __future__ import annotations

import difflib
import gc
import graphlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from tutorbot.content.answer_check import verify
from tutorbot.content.errors import ContentError, ContentIssue
from tutorbot.content.graph import KnowledgeGraph, find_cycles
from tutorbot.content.library import Library
from tutorbot.content.locate import LineFinder, Loc, SafeLoader, data_loc, field_path
from tutorbot.content.models import Question, Topic

SUFFIXES = (".yaml", ".yml")


@dataclass(slots=True)
class _Problem:
    file: Path
    loc: Loc
    message: str
    at_key: bool = False


def topic_files(root: Path) -> list[Path]:
    """The topic files under `root`, recursively, sorted; names starting with '.' or '_' (files or
    folders) are skipped."""
    found = [
        path
        for path in root.rglob("*")
        if path.suffix in SUFFIXES
        and not any(part[:1] in "._" for part in path.relative_to(root).parts)
        and path.is_file()
    ]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def load_library(path: Path) -> Library:
    """Load and validate every topic file under `path`; raise ContentError listing all problems."""
    path = Path(path)
    if not path.exists():
        raise ContentError([ContentIssue(path, "", None, "content folder not found")])
    if not path.is_dir():
        raise ContentError([ContentIssue(path, "", None, "not a folder")])
    paths = topic_files(path)
    if not paths:
        raise ContentError(
            [ContentIssue(path, "", None, "no topic files (*.yaml, *.yml) in this folder")]
        )

    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load(path, paths)
    finally:
        if collecting:
            gc.enable()


# Files parsed before validating them: alternating the YAML parser and the validator file by
# file runs measurably slower (each evicts the other from the CPU caches), and 16 files of raw
# data are a few megabytes.
_BATCH = 16


def _load(root: Path, paths: list[Path]) -> Library:
    """Parse and validate a few files at a time, so only their raw data is alive at once."""
    issues: list[ContentIssue] = []
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


def _parse(path: Path, issues: list[ContentIssue]) -> dict[str, Any] | None:
    try:
        text = path.read_bytes()
    except OSError as exc:
        issues.append(ContentIssue(path, "", None, f"cannot read the file: {exc.strerror}"))
        return None
    try:
        data = yaml.load(text, Loader=SafeLoader)
    except yaml.reader.ReaderError as exc:
        byte_line = text[: exc.position].count(b"\n") + 1
        issues.append(ContentIssue(path, "", byte_line, f"not valid UTF-8 text ({exc.reason})"))
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        issues.append(ContentIssue(path, "", line, f"YAML syntax error: {what}"))
        return None
    except yaml.YAMLError as exc:
        issues.append(ContentIssue(path, "", None, f"YAML error: {exc}"))
        return None
    except RecursionError:
        issues.append(ContentIssue(path, "", None, "YAML nested too deeply"))
        return None
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        issues.append(
            ContentIssue(path, "", 1, f"a topic file must be a mapping of fields, this is {kind}")
        )
        return None
    return data


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
        return f"unknown key {key!r}{hint}"
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx['max_length']} characters ({len(error['input'])} given)"
    if kind == "too_long":
        return f"has more than {ctx['max_length']} items"
    if kind == "string_pattern_mismatch":
        return "must be a lower-case slug like 'counting-to-10' (letters, digits, single hyphens)"
    if kind == "string_type":
        return f"must be text, not {error['input']!r}"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false"
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
    for file_path, topic in topics:
        for index, prerequisite in enumerate(topic.prerequisites):
            if prerequisite not in declared:
                close = difflib.get_close_matches(prerequisite, list(declared), n=3, cutoff=0.6)
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


def _resolve(problems: list[_Problem]) -> list[ContentIssue]:
    """Turn problems into issues with lines; each file with problems is read and composed once."""
    finders: dict[Path, LineFinder] = {}
    issues: list[ContentIssue] = []
    for problem in problems:
        finder = finders.get(problem.file)
        if finder is None:
            try:
                text = problem.file.read_bytes()
            except OSError:
                text = b""
            finder = finders[problem.file] = LineFinder(text)
        line = finder.line(problem.loc, at_key=problem.at_key)
        issues.append(ContentIssue(problem.file, field_path(problem.loc), line, problem.message))
    return issues
