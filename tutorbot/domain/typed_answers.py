"""Judging typed answers (short answer, numeric): pure rules every front end shares.

A short answer is right when, once both are normalised (`normalise`: case, accents, punctuation
and spacing ignored), it equals one of the question's accepted answers, or is one small typo away
from an accepted answer long enough for a typo to be told from another word: one edit (insert,
delete, replace a character) for 6 characters or more, two for 12 or more. A numeric answer is
right when the number typed (`parse_number`: `3.5`, `3,5`, `7/2`, `-0.25`, `+2`, `1e3`) lies in
the question's closed interval (`Question.bounds`: the answer plus or minus its tolerance, or its
range). Text that is not a number is refused politely (`NotANumber`), not judged wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from rapidfuzz.distance import Levenshtein

from tutorbot.content.models import (
    MAX_ACCEPTED_ANSWER,
    Question,
    QuestionType,
    normalise,
    number_value,
)
from tutorbot.domain.refusals import Refusal

__all__ = [
    "MAX_TYPED_ANSWER",
    "NotANumber",
    "TypedJudgement",
    "clean",
    "judge",
    "judge_numeric",
    "judge_short",
    "normalise",
    "parse_number",
    "typos_allowed",
]

MAX_TYPED_ANSWER = MAX_ACCEPTED_ANSWER
"""Characters of one typed answer (the modal's limit); longer text is judged on its first
MAX_TYPED_ANSWER characters (`clean`)."""
ONE_TYPO_FROM = 6
"""Normalised length of an accepted answer from which one typo is forgiven."""
TWO_TYPOS_FROM = 12
"""Normalised length of an accepted answer from which two typos are forgiven."""


@dataclass(frozen=True, slots=True)
class TypedJudgement:
    """How a typed answer was judged: right or wrong, the accepted answer it matched (a short
    answer judged right; None otherwise) and the expected answer as shown to the student."""

    correct: bool
    accepted: str | None
    expected: str


@dataclass(frozen=True)
class NotANumber(Refusal):
    """Text typed for a numeric question that does not read as a number."""

    default = "That is not a number: type something like 3.5, 3,5, 7/2 or -0.25."


def clean(text: str) -> str:
    """A typed answer as it is judged and shown: surrounding space trimmed, at most
    MAX_TYPED_ANSWER characters."""
    return text.strip()[:MAX_TYPED_ANSWER].strip()


def typos_allowed(accepted: str) -> int:
    """How many edits a normalised accepted answer forgives: 0 below ONE_TYPO_FROM characters,
    1 below TWO_TYPOS_FROM, then 2."""
    if len(accepted) >= TWO_TYPOS_FROM:
        return 2
    return 1 if len(accepted) >= ONE_TYPO_FROM else 0


def _key(text: str) -> str:
    """The normalised form, or the folded text itself when normalising leaves nothing (an
    accepted answer made of punctuation, such as "?!")."""
    return normalise(text) or " ".join(text.casefold().split())


def judge_short(question: Question, text: str) -> TypedJudgement:
    """Judge a short answer: an exact match (normalised) with any accepted answer first, else the
    closest accepted answer within its typo allowance (the first of equally close ones)."""
    expected = question.answer_text()
    typed = _key(clean(text))
    if not typed:
        return TypedJudgement(False, None, expected)
    keys = [(accepted, _key(accepted)) for accepted in question.accepted]
    for accepted, key in keys:
        if key == typed:
            return TypedJudgement(True, accepted, expected)
    best: tuple[int, str] | None = None
    for accepted, key in keys:
        allowed = typos_allowed(key)
        if not allowed:
            continue
        distance = Levenshtein.distance(key, typed, score_cutoff=allowed)
        if distance <= allowed and (best is None or distance < best[0]):
            best = (distance, accepted)
    if best is None:
        return TypedJudgement(False, None, expected)
    return TypedJudgement(True, best[1], expected)


def parse_number(text: str) -> Fraction | NotANumber:
    """The exact number typed: `3.5`, `3,5` (decimal comma), `7/2`, `-0.25`, `+2`, `1e3`, with
    spaces around; refused: words, nothing, thousands separators (`1,000.5`), `1/0`, exponents
    past 1e30 and text over 100 characters (see `content.models.number_value`)."""
    value = number_value(text)
    return NotANumber() if value is None else value


def judge_numeric(question: Question, text: str) -> TypedJudgement | NotANumber:
    """Judge a numeric answer: right when the number lies within the question's bounds (edges
    included); NotANumber when the text is not a number."""
    value = parse_number(clean(text))
    if isinstance(value, NotANumber):
        return value
    low, high = question.bounds
    return TypedJudgement(low <= value <= high, None, question.answer_text())


def judge(question: Question, text: str) -> TypedJudgement | NotANumber:
    """Judge a typed answer to a short-answer or numeric question (raises ValueError for any
    other kind, which is not answered by typing)."""
    if question.type is QuestionType.SHORT_ANSWER:
        return judge_short(question, text)
    if question.type is QuestionType.NUMERIC:
        return judge_numeric(question, text)
    raise ValueError(f"question {question.id!r} is {question.type}, not answered by typing")
