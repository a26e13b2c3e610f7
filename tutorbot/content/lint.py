"""Lint a loaded library: things that are valid but probably not what the author meant.

A topic silences a warning with `allow_warnings: {code: reason}`; the warning is still returned,
marked silenced with that reason, so the checker can show what was accepted and why.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from tutorbot.content.library import Library
from tutorbot.content.models import Question, QuestionType, Topic, WarningCode, normalise
from tutorbot.content.textflow import soft_breaks

SKEW_MIN_QUESTIONS = 8
"""A pack needs this many multiple-choice questions before its answer letters are judged."""


@dataclass(frozen=True, slots=True)
class LintWarning:
    """One warning: which rule, where, what; `silenced_reason` is set when a topic accepted it."""

    code: WarningCode
    file: Path
    message: str
    topic_id: str | None = None
    silenced_reason: str | None = None

    @property
    def silenced(self) -> bool:
        """Whether the author silenced this warning in the file (with a reason)."""
        return self.silenced_reason is not None

    def __str__(self) -> str:
        return f"{self.file}: {self.message} [{self.code}]"


def lint(library: Library) -> list[LintWarning]:
    """Every warning for the library, silenced ones included, sorted by file."""
    warnings: list[LintWarning] = []
    by_title: defaultdict[str, list[Topic]] = defaultdict(list)
    for topic in library.topics.values():
        by_title[topic.title.casefold()].append(topic)
    for topic in library.topics.values():
        file = library.source(topic.id)
        found: list[tuple[WarningCode, str]] = []
        if not topic.questions:
            found.append((WarningCode.NO_QUESTIONS, f"topic {topic.id!r} has no questions"))
        for index, question in enumerate(topic.questions):
            if question.type is QuestionType.TRUE_FALSE and question.prompt.endswith("?"):
                found.append(
                    (
                        WarningCode.TRUE_FALSE_QUESTION,
                        f"questions[{index}] is true/false but its prompt asks a question; "
                        "state a claim to judge",
                    )
                )
        for index, question in enumerate(topic.questions):
            found.extend(_same_accepted(index, question))
        found.extend(_hard_wrapped(topic))
        twins = [t.id for t in by_title[topic.title.casefold()] if t.id != topic.id]
        if twins:
            found.append(
                (
                    WarningCode.DUPLICATE_TITLE,
                    f"title {topic.title!r} is also the title of {', '.join(twins)}",
                )
            )
        for code, message in found:
            reason = topic.allow_warnings.get(code)
            warnings.append(LintWarning(code, file, message, topic.id, reason))
    warnings.extend(_answer_skew(library))
    return sorted(warnings, key=lambda w: (str(w.file), w.code.value, w.message))


def _same_accepted(index: int, question: Question) -> list[tuple[WarningCode, str]]:
    """Accepted answers of one short-answer question that a student cannot tell apart: they
    normalise to the same text (case, accents, punctuation and spacing are ignored)."""
    first: dict[str, int] = {}
    found = []
    for position, accepted in enumerate(question.accepted):
        key = normalise(accepted)
        if key in first:
            found.append(
                (
                    WarningCode.SAME_ACCEPTED_ANSWER,
                    f"questions[{index}].answers[{position}] {accepted!r} is matched the same as "
                    f"answers[{first[key]}] (case, accents, punctuation and spacing are "
                    "ignored); remove it",
                )
            )
        else:
            first[key] = position
    return found


def _hard_wrapped(topic: Topic) -> list[tuple[WarningCode, str]]:
    """Text fields with a line break in the middle of a sentence (Discord shows every break)."""
    fields: list[tuple[str, str | None]] = [
        ("core_idea", topic.core_idea),
        ("explainer", topic.explainer),
        ("note", topic.note),
    ]
    for index, q in enumerate(topic.questions):
        answer = q.answer if isinstance(q.answer, str) else None
        fields += [
            (f"questions[{index}].prompt", q.prompt),
            (f"questions[{index}].answer", answer),
            (f"questions[{index}].explanation", q.explanation),
            (f"questions[{index}].hint", q.hint),
            (f"questions[{index}].note", q.note),
        ]
    found = []
    for name, text in fields:
        breaks = soft_breaks(text) if text else []
        if breaks:
            found.append(
                (
                    WarningCode.HARD_WRAPPED_TEXT,
                    f"{name} breaks a sentence across lines (line {breaks[0] + 1}); Discord shows "
                    "every line break, so write each paragraph on one line",
                )
            )
    return found


def _answer_skew(library: Library) -> list[LintWarning]:
    """Per pack (top-level folder), flag multiple-choice keys that are mostly one letter."""
    letters: defaultdict[Path, Counter[str]] = defaultdict(Counter)
    silenced: dict[Path, str] = {}
    for topic in library.topics.values():
        relative = library.source(topic.id).relative_to(library.root)
        pack = library.root / relative.parts[0] if len(relative.parts) > 1 else library.root
        for question in topic.questions:
            if question.type is QuestionType.MULTIPLE_CHOICE:
                letters[pack][str(question.answer)] += 1
        reason = topic.allow_warnings.get(WarningCode.ANSWER_LETTER_SKEW)
        if reason is not None:
            silenced.setdefault(pack, reason)
    warnings: list[LintWarning] = []
    for pack, counts in sorted(letters.items()):
        total = sum(counts.values())
        letter, top = counts.most_common(1)[0]
        if total >= SKEW_MIN_QUESTIONS and top * 2 > total:
            message = (
                f"{top} of {total} multiple-choice answers in this pack are {letter}; "
                "vary the position of the right choice"
            )
            warnings.append(
                LintWarning(WarningCode.ANSWER_LETTER_SKEW, pack, message, None, silenced.get(pack))
            )
    return warnings
