"""Hypothesis strategies for valid questions and topics, used by both exporters' round-trip tests
(GIFT in `test_gift.py`, Moodle XML in its own tests): write topics, import the text, get the
same questions back.

The text is what the exporters must escape: GIFT's `~ = # { } : \\`, XML's `< > & " '`,
newlines inside prompts, explanations and model answers, and unicode. Every text is free of
leading and trailing space (the models strip it), of runs of spaces and of stray blank lines, so
that what comes back is comparable. Choices and accepted answers are one line each, since the
readers compare them as plain text with spaces collapsed; accepted answers are distinct after
`normalise` and never hold `->` (which GIFT reads as a matching pair); a free response's model
answer holds no blank line (GIFT carries it as the first paragraph of the general feedback).
Numbers are finite decimals of at most seven significant digits.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from tutorbot.content.banks.fractions import fraction_of
from tutorbot.content.models import (
    LETTERS,
    MAX_CHOICES,
    Question,
    QuestionType,
    Topic,
    normalise,
)

SPECIAL = "~=#{}:\\<>&\"'"
"""Characters GIFT or XML must escape."""
ALPHABET = "abcxyzABZ019-.,?!/()" + SPECIAL + "éüñßπ中😀"
"""What words are made of: letters, digits, punctuation, the special characters, unicode."""

words = st.text(alphabet=ALPHABET, min_size=1, max_size=12)
"""One word: no space in it."""


def phrases(max_words: int = 6) -> st.SearchStrategy[str]:
    """One line of words separated by single spaces."""
    return st.lists(words, min_size=1, max_size=max_words).map(" ".join)


def paragraphs(max_lines: int = 3) -> st.SearchStrategy[str]:
    """Lines joined by single newlines: no blank line inside."""
    return st.lists(phrases(), min_size=1, max_size=max_lines).map("\n".join)


def texts(max_paragraphs: int = 3) -> st.SearchStrategy[str]:
    """Paragraphs separated by one blank line: a prompt's or an explanation's text."""
    return st.lists(paragraphs(), min_size=1, max_size=max_paragraphs).map("\n\n".join)


def _has_text(value: str) -> bool:
    return bool(normalise(value))


numbers = st.builds(
    lambda digits, places: Fraction(digits, 10**places),
    st.integers(min_value=-9_999_999, max_value=9_999_999),
    st.integers(min_value=0, max_value=4),
)
"""Exact decimals such as 3.5, -0.0125 or 120: what a numeric question's numbers are."""


def _as_number(value: Fraction) -> int | float:
    return value.numerator if value.denominator == 1 else float(value)


@st.composite
def _multiple_choice(draw: st.DrawFn) -> dict[str, Any]:
    choices = draw(
        st.lists(phrases(4), min_size=2, max_size=MAX_CHOICES, unique_by=lambda c: c.casefold())
    )
    right = draw(st.integers(min_value=0, max_value=len(choices) - 1))
    return {"choices": tuple(choices), "answer": LETTERS[right]}


@st.composite
def _short_answer(draw: st.DrawFn) -> dict[str, Any]:
    accepted = st.lists(
        phrases(3).filter(lambda a: "->" not in a and _has_text(a)),
        min_size=1,
        max_size=5,
        unique_by=normalise,
    ).filter(lambda answers: fraction_of(answers) is None)
    # Fractions of one value (7/12, 14/24) are read back as a numeric question: test_fractions.
    return {"answers": tuple(draw(accepted))}


@st.composite
def _numeric(draw: st.DrawFn) -> dict[str, Any]:
    shape = draw(st.sampled_from(["tolerance", "answer", "range"]))
    if shape == "range":
        low, high = sorted((draw(numbers), draw(numbers)))
        return {"range": (float(low), float(high))}
    data: dict[str, Any] = {"answer": _as_number(draw(numbers))}
    if shape == "tolerance":
        data["tolerance"] = float(abs(draw(numbers)))
    return data


_KEYS = {
    QuestionType.MULTIPLE_CHOICE: _multiple_choice(),
    QuestionType.TRUE_FALSE: st.booleans().map(lambda value: {"answer": value}),
    QuestionType.FREE_RESPONSE: paragraphs().map(lambda text: {"answer": text}),
    QuestionType.SHORT_ANSWER: _short_answer(),
    QuestionType.NUMERIC: _numeric(),
}

question_ids = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)
"""Question ids: slugs."""


@st.composite
def questions(
    draw: st.DrawFn, question_id: str | None = None, kind: QuestionType | None = None
) -> Question:
    """A valid question of any type (or `kind`), with an id, an explanation and maybe a hint."""
    kind = kind or draw(st.sampled_from(list(QuestionType)))
    data: dict[str, Any] = {
        "id": question_id or draw(question_ids),
        "type": kind,
        "prompt": draw(texts()),
        "explanation": draw(texts()),
        **draw(_KEYS[kind]),
    }
    hint = draw(st.none() | phrases())
    if hint is not None:
        data["hint"] = hint
    return Question.model_validate(data)


titles = phrases(5).filter(lambda title: len(title) <= 100)
"""Topic titles: one line."""


@st.composite
def topics(draw: st.DrawFn, title: str | None = None, topic_id: str = "imported") -> Topic:
    """A valid topic (title `title` or any) with 1 to 8 questions of unique ids."""
    ids = draw(st.lists(question_ids, min_size=1, max_size=8, unique=True))
    return Topic(
        id=topic_id,
        title=title or draw(titles),
        core_idea="Questions for a round trip.",
        questions=tuple(draw(questions(question_id=qid)) for qid in ids),
    )


@st.composite
def topic_lists(draw: st.DrawFn, max_topics: int = 3) -> list[Topic]:
    """One to `max_topics` topics with distinct titles (a file's categories)."""
    names = draw(st.lists(titles, min_size=1, max_size=max_topics, unique=True))
    return [
        draw(topics(title=name, topic_id=f"topic-{number}"))
        for number, name in enumerate(names, start=1)
    ]
