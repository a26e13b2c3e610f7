"""A content folder summed up for an admin: topic and question counts, the deepest topic.

`tutorbot content check` (in `tutorbot.cli.content`) prints it with the lint warnings.
"""

from __future__ import annotations

from collections import Counter

from tutorbot.content.card import plural
from tutorbot.content.library import Library
from tutorbot.content.models import TYPED, QuestionType

TYPE_NAMES = {
    QuestionType.MULTIPLE_CHOICE: "multiple choice",
    QuestionType.TRUE_FALSE: "true/false",
    QuestionType.FREE_RESPONSE: "free response",
    QuestionType.SHORT_ANSWER: "short answer",
    QuestionType.NUMERIC: "numeric",
}
"""Each question type as counts of it read ("3 multiple choice, 1 numeric"): the content check's
summary, the import report and the pack preview."""


def summary(library: Library) -> list[str]:
    """Topic and question counts and the deepest topic, one line each. The typed kinds (short
    answer, numeric) are counted only when the library has some."""
    types = Counter(q.type for t in library.topics.values() for q in t.questions)
    total = sum(types.values())
    by_type = ", ".join(
        f"{types[kind]} {name}"
        for kind, name in TYPE_NAMES.items()
        if kind not in TYPED or types[kind]
    )
    lines = [f"{plural(len(library), 'topic')}, {plural(total, 'question')} ({by_type})"]
    if len(library):
        graph = library.graph
        deepest = max(library.topics, key=graph.depth)
        lines.append(
            f"Deepest topic: {library.topics[deepest].title} ({deepest}), "
            f"depth {graph.depth(deepest)}"
        )
    return lines
