"""What the loader reports: one `ContentIssue` per problem, all of a run in one `ContentError`.

A message that echoes a piece of content quotes it with `models.shown`; an issue's field and
message are clipped again here, and a `ContentError` keeps at most `MAX_SHOWN_ERRORS` issues (plus
how many more there were), so no consumer (the terminal, the startup log, a Discord reply) can be
made to print a file's worth of text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tutorbot.content.models import clip

MAX_SHOWN_ERRORS = 100
"""Errors one report shows; the rest are counted ("… and N more errors")."""
MAX_MESSAGE = 400
"""Characters of one issue's message, a bound on messages built anywhere."""


@dataclass(frozen=True, slots=True)
class ContentIssue:
    """One problem in one file: where it is (file, field path, line) and what is wrong."""

    file: Path
    field: str
    line: int | None
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "field", clip(self.field))
        object.__setattr__(self, "message", clip(self.message, MAX_MESSAGE))

    def __str__(self) -> str:
        where = str(self.file) if self.line is None else f"{self.file}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )

    def sort_key(self) -> tuple[str, int, str]:
        """Errors read best by file, then top to bottom."""
        return (str(self.file), self.line or 0, self.field)


class ContentError(Exception):
    """A content folder failed to load.

    `issues` holds the first `MAX_SHOWN_ERRORS` problems, sorted by file and line; `count` is how
    many there were in all and `more` how many are not in `issues`.
    """

    def __init__(self, issues: list[ContentIssue]) -> None:
        ordered = sorted(issues, key=ContentIssue.sort_key)
        self.issues = ordered[:MAX_SHOWN_ERRORS]
        self.count = len(ordered)
        self.more = self.count - len(self.issues)
        lines = [str(issue) for issue in self.issues]
        if self.more:
            lines.append(more_errors(self.more))
        count = self.count
        super().__init__(f"{count} content error{'' if count == 1 else 's'}:\n" + "\n".join(lines))


def more_errors(count: int) -> str:
    """The line that stands for errors not shown."""
    return f"… and {count} more error{'' if count == 1 else 's'}"
