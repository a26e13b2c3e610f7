"""What the loader reports: one `ContentIssue` per problem, all of a run in one `ContentError`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ContentIssue:
    """One problem in one file: where it is (file, field path, line) and what is wrong."""

    file: Path
    field: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = str(self.file) if self.line is None else f"{self.file}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )

    def sort_key(self) -> tuple[str, int, str]:
        """Errors read best by file, then top to bottom."""
        return (str(self.file), self.line or 0, self.field)


class ContentError(Exception):
    """A content folder failed to load; `issues` holds every problem, sorted by file and line."""

    def __init__(self, issues: list[ContentIssue]) -> None:
        self.issues = sorted(issues, key=ContentIssue.sort_key)
        count = len(self.issues)
        lines = "\n".join(str(issue) for issue in self.issues)
        super().__init__(f"{count} content error{'' if count == 1 else 's'}:\n{lines}")
