"""Exact fractions in an LMS's formats (GIFT, Moodle XML).

A numeric question whose one right number has no finite decimal (7/12, 1/3: `exact_fraction`)
cannot be a Moodle numerical question, which takes decimals within a tolerance: written as
0.5833333333333334 with tolerance 0 it accepts nothing a student would type, and not 7/12, which
its prompt asks for. So the exporters write it as a short answer accepting the fraction
(`{=7/12}`): a student who types 7/12 gets the credit, as in TutorBot. Reading back, a short
answer whose accepted answers are all fractions of one value (`fraction_of`: 7/12, 14/24) becomes
a numeric question with that answer, which judges a fraction as a number (14/24 right; 71/2 and
712 wrong, where a short answer's matching, which ignores the slash, would take them). So a
course goes out and comes back the same, and a fraction typed into Moodle's short answer is
judged as a number in TutorBot.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from tutorbot.content.models import Question, QuestionType, number_text, number_value

__all__ = ["exact_fraction", "fraction_of"]


def exact_fraction(question: Question) -> Fraction | None:
    """The one number a numeric question accepts when it has no finite decimal (no range, no
    tolerance, an answer such as 7/12); None for any other question."""
    if question.type is not QuestionType.NUMERIC or question.range is not None:
        return None
    value = question.number
    if value is None or question.tolerance or "/" not in number_text(value):
        return None
    return value


def fraction_of(accepted: Sequence[str]) -> Fraction | None:
    """The number a short answer's accepted answers state when every one is a fraction
    (`7/12`, `14 / 24`, a sign only in front) and all are equal; None otherwise."""
    values = {_fraction(text) for text in accepted}
    if len(values) != 1:
        return None
    (value,) = values
    return value


def _fraction(text: str) -> Fraction | None:
    """The value of a text written as a fraction n/d, or None (a decimal, a word, n/0)."""
    return number_value(text) if "/" in text else None
