"""Frozen content models: what a topic file may hold, and the limits that keep it renderable.

The limits are chosen so that every renderer fits Discord's limits (docs/discord-limits.md): a
title fits an autocomplete choice (100), a question with all its choices fits one embed
description (4096), and a question's reveal (prompt, choices, explanation) fits the 6000
characters of one message's embeds. The explainer has no practical limit: renderers page it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
LETTERS = "ABCDEFGHIJ"

MAX_ID = 64
MAX_TITLE = 100
MAX_LEVEL = 40
MAX_TAG = 50
MAX_TAGS = 20
MAX_PREREQUISITES = 25
MAX_CORE_IDEA = 1500
MAX_EXPLAINER = 100_000
MAX_PROMPT = 1000
MAX_CHOICE = 250
MAX_CHOICES = 10
MAX_ANSWER = 1500
MAX_EXPLANATION = 1500
MAX_HINT = 500
MAX_NOTE = 500
"""A note shown after an explanation or a core idea (see `with_note`). The text with its note must
still fit the text's own limit (MAX_EXPLANATION, MAX_CORE_IDEA), which the renderers are sized
for."""
MAX_THINK_SECONDS = 600
MAX_QUESTIONS = 100
MAX_REASON = 300
MAX_CHECK = 200
MAX_ACCEPTED = 20
"""Accepted answers of one short-answer question."""
MAX_ACCEPTED_ANSWER = 200
"""Characters of one accepted answer: the most a student may type (domain.typed_answers)."""
MAX_NUMBER_TEXT = 100
"""Characters of a number written as text (in a file or typed by a student)."""
MAX_EXPONENT = 30
"""Largest power of ten a number may carry (1e30): a bigger one is no answer to a question, and
Fraction of 1e999999 would be slow."""
MAX_SHOWN = 60
"""How much of an input value an error message echoes."""

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=MAX_ID)]
PACK_ID_DIGITS = 12
PACK_TOPIC_ID = re.compile(rf"p[0-9a-f]{{{PACK_ID_DIGITS}}}-")
"""How a server pack's topic ids begin (`domain/packs.py`): reserved, so a course topic's id
never meets one."""


def invalid(message: str, *at: str | int) -> PydanticCustomError:
    """A validation error that says which field inside the model is wrong (`at`, relative).

    Pydantic places a model validator's error on the whole model; the loader appends `at` to the
    location so the author is sent to the exact field and line.
    """
    return PydanticCustomError("content", "{message}", {"message": message, "at": at})


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """Text cut to `limit` characters with an ellipsis, for echoing input in an error message, a
    label or a one-line summary; never for teaching text, which is paged instead. The one clip of
    the project: the Discord renderers use it through `bot.limits`."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def shown(value: object) -> str:
    """An input value as an error message quotes it: the repr of at most MAX_SHOWN characters of
    it, so a hostile file cannot make a message as big as itself."""
    return repr(clip(value)) if isinstance(value, str) else clip(repr(value))


def _text(max_length: int) -> object:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


Title = Annotated[str, _text(MAX_TITLE)]
Tag = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=MAX_TAG)]


class WarningCode(StrEnum):
    """Lint warnings `tutorbot content check` can raise; a topic may silence one with a reason."""

    TRUE_FALSE_QUESTION = "true-false-question"
    DUPLICATE_TITLE = "duplicate-title"
    NO_QUESTIONS = "no-questions"
    ANSWER_LETTER_SKEW = "answer-letter-skew"
    HARD_WRAPPED_TEXT = "hard-wrapped-text"
    SAME_ACCEPTED_ANSWER = "same-accepted-answer"


class QuestionType(StrEnum):
    """A question's `type` in a topic file, which decides how it is answered and checked."""

    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    FREE_RESPONSE = "free_response"
    SHORT_ANSWER = "short_answer"
    NUMERIC = "numeric"


TYPED = frozenset({QuestionType.SHORT_ANSWER, QuestionType.NUMERIC})
"""The question types a student answers by typing (judged by domain.typed_answers)."""

_NUMBER_TEXT = re.compile(
    r"(?P<sign>[-+\u2212])?\s*(?:(?P<num>\d+)\s*/\s*(?P<den>\d+)"
    r"|(?P<mantissa>\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE](?P<exp>[-+]?\d+))?)"
)


_THOUSANDS = re.compile(r"[1-9]\d{0,2},\d{3}")
"""`1,000`: one thousand to some readers, one to others (a decimal comma); refused as unclear.
`0,125` and `12,5` are decimal commas."""


def number_value(text: str) -> Fraction | None:
    """The exact number a text states, or None: `3.5`, `3,5` (a decimal comma), `7/2`, `-0.25`,
    `+2`, `1e3`, with space around. Refused: thousands separators (`1,000` is unclear), text over
    MAX_NUMBER_TEXT characters, exponents past MAX_EXPONENT, division by zero. The one rule for
    numbers written by an author (a numeric answer given as text) and typed by a student."""
    if len(text) > MAX_NUMBER_TEXT:
        return None
    match = _NUMBER_TEXT.fullmatch(text.strip())
    if match is None:
        return None
    if match["mantissa"] is not None and _THOUSANDS.fullmatch(match["mantissa"]):
        return None
    if match["num"] is not None:
        if int(match["den"]) == 0:
            return None
        value = Fraction(int(match["num"]), int(match["den"]))
    else:
        exponent = int(match["exp"] or 0)
        if abs(exponent) > MAX_EXPONENT:
            return None
        value = Fraction(match["mantissa"].replace(",", ".")) * Fraction(10) ** exponent
    return -value if match["sign"] in ("-", "\u2212") else value


_AS_SPACE = frozenset({"Pd", "Pc"})
"""Punctuation that separates words (dashes, underscores): read as a space, so that
"well-known" and "well known" agree. Every other punctuation mark is dropped ("don't", "dont")."""


def normalise(text: str) -> str:
    """Text as typed answers are compared: accents dropped (NFKD, combining marks removed), case
    folded, invisible format characters (a zero-width space) dropped, punctuation dropped (dashes
    and underscores read as spaces), spaces collapsed. The one rule for judging
    (domain.typed_answers) and linting accepted answers."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    kept: list[str] = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category in ("Mn", "Cf"):
            continue
        if category in _AS_SPACE:
            kept.append(" ")
        elif not category.startswith("P"):
            kept.append(char)
    return " ".join("".join(kept).split())


NOTE_LABEL = "**Note:**"


def with_note(text: str, note: str | None) -> str:
    """A text followed by its note as a paragraph of its own ("**Note:** ..."), or the text
    alone: the one way an explanation or a core idea shows its note."""
    return f"{text}\n\n{NOTE_LABEL} {note}" if note else text


def _check_note_fits(text: str, note: str | None, limit: int, name: str) -> None:
    """A text shown with its note must fit the text's own limit: the renderers are sized for it."""
    shown_length = len(with_note(text, note))
    if shown_length > limit:
        raise invalid(
            f"the {name} and its note come to {shown_length} characters as shown; at most "
            f"{limit}: shorten one of them",
            "note",
        )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_fraction(value: int | float | str) -> Fraction | None:
    """A number from a topic file (an int, a finite float as written, or text number_value
    reads) as an exact Fraction; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value)) if math.isfinite(value) else None
    return number_value(value)


def number_text(value: Fraction) -> str:
    """A number as a person reads it: `3`, `3.5`, `-0.25`; a fraction without an exact short
    decimal as `7/3`."""
    if value.denominator == 1:
        return str(value.numerator)
    denominator = value.denominator
    for factor in (2, 5):
        while denominator % factor == 0:
            denominator //= factor
    if denominator != 1:
        return str(value)
    places = 0
    while (value * 10**places).denominator != 1:
        places += 1
    digits = str(abs(value.numerator) * 10**places // value.denominator).rjust(places + 1, "0")
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


class Question(_Frozen):
    """One practice question. `id` is stable: scores and reviews refer to it."""

    id: Slug
    type: QuestionType
    prompt: Annotated[str, _text(MAX_PROMPT)]
    choices: tuple[Annotated[str, _text(MAX_CHOICE)], ...] | None = None
    answer: Annotated[str, StringConstraints(strip_whitespace=True)] | bool | int | float | None = (
        None
    )
    """The key: a choice letter, true/false, a model answer, or a numeric question's number."""
    answers: tuple[Annotated[str, _text(MAX_ACCEPTED_ANSWER)], ...] | None = None
    """A short-answer question's accepted answers; the first is the one shown as expected."""
    tolerance: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    """How far a numeric answer may be from `answer` and still be right."""
    range: tuple[float, float] | None = None
    """A numeric question's accepted interval [low, high], instead of answer and tolerance."""
    explanation: Annotated[str, _text(MAX_EXPLANATION)]
    think_seconds: Annotated[int, Field(ge=0, le=MAX_THINK_SECONDS)] | None = None
    hint: Annotated[str, _text(MAX_HINT)] | None = None
    check: Annotated[str, _text(MAX_CHECK)] | None = None
    """Arithmetic that recomputes the answer (see answer_check); required where numbers decide."""
    note: Annotated[str, _text(MAX_NOTE)] | None = None
    """Shown after the explanation: where a text kept word for word (a seed question) is wrong or
    unclear, the note says so instead of the text being changed."""

    @model_validator(mode="before")
    @classmethod
    def _upper_letter(cls, data: Any) -> Any:
        """Accept " b " for a letter (the field strips it), before the fields are checked. The
        input is copied only when it changes: this runs for every question of a pack."""
        if isinstance(data, dict) and data.get("type") == QuestionType.MULTIPLE_CHOICE.value:
            answer = data.get("answer")
            if isinstance(answer, str) and not answer.isupper():
                data = {**data, "answer": answer.upper()}
        return data

    @model_validator(mode="before")
    @classmethod
    def _numbers_as_text(cls, data: Any) -> Any:
        """Accept numbers among a short answer's accepted answers (`answers: [56, fifty-six]`)
        as the text YAML read them from."""
        answers = data.get("answers") if isinstance(data, dict) else None
        if isinstance(answers, list) and any(_is_number(item) for item in answers):
            texts = [repr(item) if _is_number(item) else item for item in answers]
            data = {**data, "answers": texts}
        return data

    @model_validator(mode="after")
    def _check_answer(self) -> Question:
        if self.type is not QuestionType.MULTIPLE_CHOICE and self.choices is not None:
            raise invalid(f"a {self._kind} question takes no choices", "choices")
        for field in ("answers", "tolerance", "range"):
            if getattr(self, field) is not None and field not in _FIELDS_OF.get(self.type, ()):
                raise invalid(f"a {self._kind} question takes no {field}", field)
        _CHECKS[self.type](self)
        _check_note_fits(self.explanation, self.note, MAX_EXPLANATION, "explanation")
        return self

    @property
    def _kind(self) -> str:
        return _KIND_NAMES[self.type]

    @property
    def explained(self) -> str:
        """The explanation as a student sees it, wherever explanations are shown: followed by the
        note when there is one."""
        return with_note(self.explanation, self.note)

    @property
    def number(self) -> Fraction | None:
        """A numeric question's `answer` as an exact number (None when only a range is given)."""
        if self.type is not QuestionType.NUMERIC or self.answer is None:
            return None
        return as_fraction(self.answer)  # validated as a number

    @property
    def bounds(self) -> tuple[Fraction, Fraction]:
        """The closed interval of right values of a numeric question: the range, or the answer
        plus or minus the tolerance (0 when none is given)."""
        if self.range is not None:
            low, high = self.range
            return Fraction(repr(float(low))), Fraction(repr(float(high)))
        value = self.number
        if value is None:  # validation rules this out
            raise ValueError(f"question {self.id!r} is not a numeric question")
        spread = Fraction(repr(float(self.tolerance))) if self.tolerance else Fraction(0)
        return value - spread, value + spread

    @property
    def accepted(self) -> tuple[str, ...]:
        """A short-answer question's accepted answers (empty for other kinds)."""
        return self.answers or ()

    @property
    def letters(self) -> str:
        """The letters of a multiple choice question's options ("ABCD"); "" for other kinds."""
        return LETTERS[: len(self.choices)] if self.choices else ""

    @property
    def correct_index(self) -> int | None:
        """Index of the right choice for multiple choice, else None."""
        if self.type is QuestionType.MULTIPLE_CHOICE and isinstance(self.answer, str):
            return LETTERS.index(self.answer)
        return None

    def answer_text(self) -> str:
        """The right answer as a person reads it: "B. option text", "True", the model answer, a
        short answer's first accepted answer ("Paris"), "3.5 (± 0.1)" or "between 3 and 4"."""
        if self.type is QuestionType.MULTIPLE_CHOICE:
            if self.choices is None or self.correct_index is None:  # validation rules this out
                raise ValueError(f"multiple choice question {self.id!r} without choices")
            return f"{self.answer}. {self.choices[self.correct_index]}"
        if self.type is QuestionType.TRUE_FALSE:
            return "True" if self.answer else "False"
        if self.type is QuestionType.SHORT_ANSWER:
            return self.accepted[0]
        if self.type is QuestionType.NUMERIC:
            return self._number_answer_text()
        return str(self.answer)

    def _number_answer_text(self) -> str:
        low, high = self.bounds
        if self.range is not None:
            return f"between {number_text(low)} and {number_text(high)}"
        value = self.number
        if value is None:  # validation rules this out
            raise ValueError(f"numeric question {self.id!r} without a number")
        if high == value:
            return number_text(value)
        return f"{number_text(value)} (± {number_text(high - value)})"


_KIND_NAMES = {
    QuestionType.MULTIPLE_CHOICE: "multiple-choice",
    QuestionType.TRUE_FALSE: "true/false",
    QuestionType.FREE_RESPONSE: "free-response",
    QuestionType.SHORT_ANSWER: "short-answer",
    QuestionType.NUMERIC: "numeric",
}
_FIELDS_OF = {
    QuestionType.SHORT_ANSWER: ("answers",),
    QuestionType.NUMERIC: ("tolerance", "range"),
}


def _needs_answer(question: Question) -> None:
    if question.answer is None:
        raise invalid("required field is missing", "answer")


def _check_multiple_choice(question: Question) -> None:
    if question.choices is None or not 2 <= len(question.choices) <= MAX_CHOICES:
        raise invalid(f"a multiple-choice question needs 2 to {MAX_CHOICES} choices", "choices")
    _needs_answer(question)
    letters = tuple(LETTERS[: len(question.choices)])
    if question.answer not in letters:
        raise invalid(
            f"answer {shown(question.answer)} is not one of the choice letters "
            + ", ".join(letters),
            "answer",
        )


def _check_true_false(question: Question) -> None:
    _needs_answer(question)
    if not isinstance(question.answer, bool):
        raise invalid(f"answer {shown(question.answer)} must be true or false", "answer")


def _check_free_response(question: Question) -> None:
    _needs_answer(question)
    if not isinstance(question.answer, str) or not question.answer:
        raise invalid("a free-response question needs the model answer as text", "answer")
    if len(question.answer) > MAX_ANSWER:
        raise invalid(f"the model answer is longer than {MAX_ANSWER} characters", "answer")


def _check_short_answer(question: Question) -> None:
    if question.answer is not None:
        raise invalid(
            "a short-answer question takes no answer: list the accepted answers under answers",
            "answer",
        )
    if question.answers is None:
        raise invalid("a short-answer question needs answers: the accepted answers", "answers")
    if not 1 <= len(question.answers) <= MAX_ACCEPTED:
        raise invalid(
            f"a short-answer question needs 1 to {MAX_ACCEPTED} accepted answers", "answers"
        )


def _check_numeric(question: Question) -> None:
    if question.answer is not None and as_fraction(question.answer) is None:
        raise invalid(
            f"answer {shown(question.answer)} must be a number such as 3.5, -0.25 or 7/2",
            "answer",
        )
    if question.range is None:
        if question.answer is None:
            raise invalid("a numeric question needs answer (a number) or range", "answer")
    else:
        _check_range(question)
    shown_as = question.answer_text()
    if len(shown_as) > MAX_ACCEPTED_ANSWER:
        raise invalid(
            f"the expected answer would show as {len(shown_as)} characters "
            f"({clip(shown_as)!r}); at most {MAX_ACCEPTED_ANSWER}: use fewer digits",
            "range" if question.range is not None else "answer",
        )


def _check_range(question: Question) -> None:
    if question.range is None:  # the caller rules this out
        return
    if question.tolerance is not None:
        raise invalid("give tolerance or range, not both", "range")
    low, high = question.range
    if not (math.isfinite(low) and math.isfinite(high)):
        raise invalid("range must be two finite numbers", "range")
    if low > high:
        raise invalid(f"range [{low:g}, {high:g}] must be [low, high] with low <= high", "range")
    value = question.number
    if value is not None and not question.bounds[0] <= value <= question.bounds[1]:
        raise invalid(
            f"answer {shown(question.answer)} is outside the range "
            f"[{number_text(question.bounds[0])}, {number_text(question.bounds[1])}]",
            "answer",
        )


_CHECKS = {
    QuestionType.MULTIPLE_CHOICE: _check_multiple_choice,
    QuestionType.TRUE_FALSE: _check_true_false,
    QuestionType.FREE_RESPONSE: _check_free_response,
    QuestionType.SHORT_ANSWER: _check_short_answer,
    QuestionType.NUMERIC: _check_numeric,
}


class Topic(_Frozen):
    """One topic of the knowledge graph, as written in one YAML file."""

    id: Slug
    title: Title
    level: Annotated[str, _text(MAX_LEVEL)] | None = None
    tags: Annotated[tuple[Tag, ...], Field(max_length=MAX_TAGS)] = ()
    prerequisites: Annotated[tuple[Slug, ...], Field(max_length=MAX_PREREQUISITES)] = ()
    core_idea: Annotated[str, _text(MAX_CORE_IDEA)]
    explainer: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=MAX_EXPLAINER)
    ] = ""
    questions: Annotated[tuple[Question, ...], Field(max_length=MAX_QUESTIONS)] = ()
    note: Annotated[str, _text(MAX_NOTE)] | None = None
    """Shown with the core idea on the topic card: where a core idea kept word for word (the
    seed's) is wrong, the note says so instead of the text being changed."""
    allow_warnings: dict[WarningCode, Annotated[str, _text(MAX_REASON)]] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _check_note(self) -> Topic:
        _check_note_fits(self.core_idea, self.note, MAX_CORE_IDEA, "core idea")
        return self

    @model_validator(mode="after")
    def _check_unique(self) -> Topic:
        seen: set[str] = set()
        for index, q in enumerate(self.questions):
            if q.id in seen:
                raise invalid(
                    f"question id {q.id!r} appears more than once in this topic",
                    "questions",
                    index,
                    "id",
                )
            seen.add(q.id)
        listed: set[str] = set()
        for index, prerequisite in enumerate(self.prerequisites):
            if prerequisite == self.id:
                raise invalid("a topic cannot be its own prerequisite", "prerequisites", index)
            if prerequisite in listed:
                raise invalid(
                    f"prerequisite {prerequisite!r} is listed twice", "prerequisites", index
                )
            listed.add(prerequisite)
        return self

    @property
    def core_idea_shown(self) -> str:
        """The core idea as the topic card shows it: followed by the note when there is one."""
        return with_note(self.core_idea, self.note)

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None when the topic no longer has it."""
        return next((q for q in self.questions if q.id == question_id), None)
