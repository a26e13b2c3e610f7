"""Frozen content models: what a topic file may hold, and the limits that keep it renderable.

The limits are chosen so that every renderer fits Discord's limits (docs/discord-limits.md): a
title fits an autocomplete choice (100), a question with all its choices fits one embed
description (4096), and a question's reveal (prompt, choices, explanation) fits the 6000
characters of one message's embeds. The explainer has no practical limit: renderers page it.
"""

from __future__ import annotations

from enum import StrEnum
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
MAX_THINK_SECONDS = 600
MAX_QUESTIONS = 100
MAX_REASON = 300
MAX_CHECK = 200
MAX_SHOWN = 60
"""How much of an input value an error message echoes."""

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=MAX_ID)]


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


class QuestionType(StrEnum):
    """A question's `type` in a topic file, which decides how it is answered and checked."""

    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    FREE_RESPONSE = "free_response"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


class Question(_Frozen):
    """One practice question. `id` is stable: scores and reviews refer to it."""

    id: Slug
    type: QuestionType
    prompt: Annotated[str, _text(MAX_PROMPT)]
    choices: tuple[Annotated[str, _text(MAX_CHOICE)], ...] | None = None
    answer: Annotated[str, StringConstraints(strip_whitespace=True)] | bool
    explanation: Annotated[str, _text(MAX_EXPLANATION)]
    think_seconds: Annotated[int, Field(ge=0, le=MAX_THINK_SECONDS)] | None = None
    hint: Annotated[str, _text(MAX_HINT)] | None = None
    check: Annotated[str, _text(MAX_CHECK)] | None = None
    """Arithmetic that recomputes the answer (see answer_check); required where numbers decide."""

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

    @model_validator(mode="after")
    def _check_answer(self) -> Question:
        if self.type is QuestionType.MULTIPLE_CHOICE:
            if self.choices is None or not 2 <= len(self.choices) <= MAX_CHOICES:
                raise invalid(
                    f"a multiple-choice question needs 2 to {MAX_CHOICES} choices", "choices"
                )
            letters = tuple(LETTERS[: len(self.choices)])
            if self.answer not in letters:
                raise invalid(
                    f"answer {shown(self.answer)} is not one of the choice letters "
                    + ", ".join(letters),
                    "answer",
                )
        elif self.type is QuestionType.TRUE_FALSE:
            if self.choices is not None:
                raise invalid("a true/false question takes no choices", "choices")
            if not isinstance(self.answer, bool):
                raise invalid(f"answer {shown(self.answer)} must be true or false", "answer")
        else:
            if self.choices is not None:
                raise invalid("a free-response question takes no choices", "choices")
            if not isinstance(self.answer, str) or not self.answer:
                raise invalid("a free-response question needs the model answer as text", "answer")
            if len(self.answer) > MAX_ANSWER:
                raise invalid(f"the model answer is longer than {MAX_ANSWER} characters", "answer")
        return self

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
        """The right answer as a person reads it: "B. option text", "True", or the model answer."""
        if self.type is QuestionType.MULTIPLE_CHOICE:
            if self.choices is None or self.correct_index is None:  # validation rules this out
                raise ValueError(f"multiple choice question {self.id!r} without choices")
            return f"{self.answer}. {self.choices[self.correct_index]}"
        if self.type is QuestionType.TRUE_FALSE:
            return "True" if self.answer else "False"
        return str(self.answer)


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
    allow_warnings: dict[WarningCode, Annotated[str, _text(MAX_REASON)]] = Field(
        default_factory=dict
    )

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

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None when the topic no longer has it."""
        return next((q for q in self.questions if q.id == question_id), None)
