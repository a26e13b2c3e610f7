"""`tutorbot content check` and `tutorbot content show`: what an admin reads in a terminal.

Both return an exit code and never let a traceback reach the user: content errors are the normal
output of `check`, and anything unexpected is reported in one line.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from tutorbot.content.card import plural, topic_page
from tutorbot.content.errors import ContentError, more_errors
from tutorbot.content.lint import lint
from tutorbot.content.loader import load_library
from tutorbot.content.report import summary


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
