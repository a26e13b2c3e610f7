"""What an importer reads from a file, before it becomes topics: drafts, problems, refusals.

A reader turns an `Upload` into a `Bank`: the topics it found (`DraftTopic`, each with its
`Draft` questions) and a `Problem` for each item it did not take, with where it is (a line, an
item, a row, a note) and why. A file that cannot be read at all (not the format, over a cap,
broken) raises `ImportRefused`, whose message is shown as it is and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath

from tutorbot.content.banks.limits import ImportLimits
from tutorbot.content.models import QuestionType


class ImportRefused(Exception):
    """A file that cannot be imported at all; the message says why, for the person importing."""


@dataclass(frozen=True, slots=True)
class Upload:
    """A file to import: its name (only for its suffix and messages), its bytes, the caps, and
    the separator between term and definition for formats that take one (Quizlet)."""

    name: str
    data: bytes
    limits: ImportLimits = field(default_factory=ImportLimits)
    separator: str | None = None

    def title(self, fallback: str) -> str:
        """A topic title from the file's name, for formats without one of their own: the stem
        with underscores and hyphens as spaces, the first letter upper case
        ("world_capitals.txt" gives "World capitals"); `fallback` when nothing is left."""
        words = " ".join(PurePath(self.name).stem.replace("_", " ").replace("-", " ").split())
        return words[:1].upper() + words[1:] or fallback


@dataclass(frozen=True, slots=True)
class Problem:
    """An item that was not imported: where it is ("line 12", "question 4", "row 9", "note
    1503") and why, worded for the instructor who wrote the file."""

    where: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.why}"


@dataclass(slots=True)
class Draft:
    """One question as the file states it, in TutorBot's terms but not yet validated.

    `answer` is a choice letter, true/false, a model answer or a number (as text or a number);
    `answers` a short answer's accepted answers; `name` the file's own name or id for the
    question (GIFT's `::title::`, Moodle's `<name>`, Anki's note guid), from which a stable
    question id is made; `where` says where it is, for a problem found when it is validated.
    """

    where: str
    type: QuestionType
    prompt: str
    choices: list[str] | None = None
    answer: str | bool | int | float | None = None
    answers: list[str] | None = None
    tolerance: float | None = None
    range: tuple[float, float] | None = None
    explanation: str | None = None
    hint: str | None = None
    name: str | None = None
    think_seconds: int | None = None
    check: str | None = None


@dataclass(slots=True)
class DraftTopic:
    """A group of questions that becomes one topic (a category, a deck, a file).

    `explainer` carries what should travel with the questions, such as a licence's attribution;
    `core_idea` is made from the source when not given.
    """

    title: str
    where: str
    questions: list[Draft] = field(default_factory=list)
    core_idea: str | None = None
    explainer: str = ""
    tags: list[str] = field(default_factory=list)
    id: str | None = None
    """The topic's own id, from a format that has one (TutorBot's topic files)."""
    level: str | None = None
    prerequisites: list[str] = field(default_factory=list)
    """Ids of the topics this one builds on, from a format that has them."""


@dataclass(slots=True)
class Bank:
    """Everything a reader took from a file, and what it did not."""

    format: str
    topics: list[DraftTopic] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def skip(self, where: str, why: str) -> None:
        """Record an item that is not imported."""
        self.problems.append(Problem(where, why))

    def topic(self, title: str, where: str) -> DraftTopic:
        """The topic with this title, made (at `where`) the first time it is asked for: a
        category or deck met again later adds to the same topic."""
        for topic in self.topics:
            if topic.title == title:
                return topic
        made = DraftTopic(title, where)
        self.topics.append(made)
        return made
