"""`tutorbot content check`, `show`, `import` and `export`: what an admin reads in a terminal.

Each returns an exit code and never let a traceback reach the user: content errors are the normal
output of `check`, and anything unexpected is reported in one line.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tutorbot.content.banks.build import Imported, slug
from tutorbot.content.banks.draft import ImportRefused, Upload
from tutorbot.content.banks.formats import export_topics, format_named
from tutorbot.content.banks.importing import import_upload
from tutorbot.content.banks.limits import ImportLimits, TooBig, read_file
from tutorbot.content.banks.write import OutExists, check_target, write_pack
from tutorbot.content.card import plural, topic_page
from tutorbot.content.errors import ContentError, more_errors
from tutorbot.content.lint import lint
from tutorbot.content.loader import load_library
from tutorbot.content.report import TYPE_NAMES, summary
from tutorbot.settings import Settings


def _guarded(action: Callable[[], int]) -> int:
    try:
        return action()
    except ContentError as exc:
        for issue in exc.issues:
            print(issue)
        if exc.more:
            print(more_errors(exc.more))
        print(f"{plural(exc.count, 'error')}; nothing was loaded.")
        return 1
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug must still not show a traceback to an admin
        print(f"tutorbot: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


def run_check(path: Path) -> int:
    """Validate and lint a content folder; print a summary. Exit 0 when valid, 1 when not."""
    return _guarded(lambda: _check(Path(path)))


def run_show(topic_id: str, content_dir: Path) -> int:
    """Print one topic as its page shows it; exit 1 with the closest ids when there is none."""
    return _guarded(lambda: _show(topic_id, Path(content_dir)))


def _check(path: Path) -> int:
    library = load_library(path)
    print(f"Content in {path}")
    for line in summary(library):
        print(line)
    warnings = lint(library)
    active = [w for w in warnings if not w.silenced]
    silenced = [w for w in warnings if w.silenced]
    if active:
        print(f"\nWarnings ({len(active)}):")
        for warning in active:
            print(f"  {warning}")
    if silenced:
        print(f"\nSilenced ({len(silenced)}):")
        for warning in silenced:
            print(f"  {warning.file}: {warning.code} silenced: {warning.silenced_reason}")
    print(f"\nValid: {plural(len(active), 'warning')}, {len(silenced)} silenced.")
    return 0


def _show(topic_id: str, path: Path) -> int:
    library = load_library(path)
    if library.get(topic_id) is None:
        close = library.closest_ids(topic_id)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        print(f"No topic with id {topic_id!r}.{hint}")
        return 1
    print(topic_page(library, topic_id))
    return 0


def run_import(
    file: Path,
    settings: Settings,
    *,
    format_name: str | None = None,
    out: Path | None = None,
    separator: str | None = None,
) -> int:
    """Import a question bank into a new folder of topic files; print what was imported and
    every item that was not. Exit 0 when files were written, 1 when nothing was."""
    return _guarded(lambda: _import(Path(file), settings, format_name, out, separator))


def _import(
    file: Path, settings: Settings, format_name: str | None, out: Path | None, sep: str | None
) -> int:
    limits = ImportLimits.of(settings)
    try:
        upload = Upload(file.name, read_file(file, limits), limits, _separator(sep))
        target = out or Path(slug(file.stem) or "imported")
        check_target(target)  # before importing: a taken folder costs no import
        imported = import_upload(upload, format_name, taken=_ids_in(settings.content_dir))
    except (ImportRefused, TooBig, OutExists) as exc:
        print(f"Cannot import {file}: {exc}. Nothing was written.")
        return 1
    except OSError as exc:
        print(f"Cannot read {file}: {exc.strerror or exc}. Nothing was written.")
        return 1
    for line in import_report(imported, file.name):
        print(line)
    if not imported.topics:
        print("Nothing was written.")
        return 1
    try:
        written = write_pack(imported.topics, target)
    except (OutExists, OSError) as exc:
        print(f"Cannot write {target}: {exc}. Nothing was written.")
        return 1
    print(
        f"\nWrote {plural(len(written), 'topic file')} to {target}{os.sep}. "
        f"Check with: tutorbot content check {target}"
    )
    return 0


SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " "}
"""Separator names `--separator` takes besides the separator itself."""


def _separator(given: str | None) -> str | None:
    if given is None:
        return None
    return SEPARATORS.get(given.lower(), given.replace("\\t", "\t"))


def _ids_in(content_dir: Path) -> set[str]:
    """Topic ids of the configured content, which imported ids avoid; none when it does not
    load (an import does not depend on it)."""
    try:
        return set(load_library(content_dir).topics)
    except (ContentError, OSError):
        return set()


def import_report(imported: Imported, name: str) -> list[str]:
    """What an import made, topic by topic, then every item not imported with where it is."""
    label = format_named(imported.format).label
    lines = [
        f"Imported {name} ({label}): {plural(len(imported.topics), 'topic')}, "
        f"{plural(imported.question_count, 'question')}."
    ]
    for topic in imported.topics:
        kinds = Counter(TYPE_NAMES[question.type] for question in topic.questions)
        counts = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
        lines.append(f"  {topic.id}: {topic.title} ({counts})")
    if imported.problems:
        lines.append(f"\nNot imported ({len(imported.problems)}):")
        lines.extend(f"  {problem}" for problem in imported.problems)
    return lines


def run_export(topic_ids: list[str], format_name: str, content_dir: Path, out: Path | None) -> int:
    """Write topics in an LMS's format to a file, or to standard output without `out`. Exit 1
    naming the closest ids when a topic is unknown (nothing written)."""
    return _guarded(lambda: _export(topic_ids, format_name, Path(content_dir), out))


def _export(topic_ids: list[str], format_name: str, content_dir: Path, out: Path | None) -> int:
    library = load_library(content_dir)
    topics = []
    for topic_id in dict.fromkeys(topic_ids):
        topic = library.get(topic_id)
        if topic is None:
            close = library.closest_ids(topic_id)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            print(f"No topic with id {topic_id!r}.{hint} Nothing was written.")
            return 1
        topics.append(topic)
    text = export_topics(topics, format_name)
    if out is None:
        sys.stdout.write(text)
        return 0
    staging = out.with_name(f".{out.name}.tmp")
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, out)
    print(
        f"Wrote {plural(len(topics), 'topic')}, "
        f"{plural(sum(len(t.questions) for t in topics), 'question')} to {out}."
    )
    return 0
