"""Drafts into topics: stable ids, an explanation where the file had none, at most 100 questions
a topic, every question validated by the same models as a topic file.

A draft that the models refuse (a prompt over 1,000 characters, a choice over 250) is not
imported and becomes a `Problem` that says where it was and why; nothing is cut short, so what
is imported says what the file said.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from tutorbot.content.banks.draft import Bank, Draft, DraftTopic, Problem
from tutorbot.content.models import (
    MAX_CORE_IDEA,
    MAX_EXPLANATION,
    MAX_ID,
    MAX_PREREQUISITES,
    MAX_QUESTIONS,
    MAX_TAG,
    MAX_TAGS,
    MAX_TITLE,
    Question,
    QuestionType,
    Topic,
    clip,
)

ID_WORDS = 8
"""Words of a prompt kept in a question id made from it."""
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, limit: int = MAX_ID) -> str:
    """A lower-case slug of text for an id: accents dropped, anything but letters and digits a
    hyphen, cut at a hyphen to at most `limit` characters; "" when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    made = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(made) > limit:
        made = made[:limit]
        cut = made.rfind("-")
        made = made[:cut] if cut > limit // 2 else made
    return made.strip("-")


def unique(base: str, taken: set[str], limit: int = MAX_ID) -> str:
    """`base`, or `base-2`, `base-3`... the first not in `taken`, which it is added to."""
    made, number = base, 1
    while made in taken:
        number += 1
        suffix = f"-{number}"
        made = base[: limit - len(suffix)].rstrip("-") + suffix
    taken.add(made)
    return made


@dataclass(slots=True)
class Imported:
    """What an import made: validated topics, and every item that was not imported."""

    format: str
    topics: list[Topic] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def question_count(self) -> int:
        """Questions imported, in all topics."""
        return sum(len(topic.questions) for topic in self.topics)


def build_topics(bank: Bank, source: str, taken: Collection[str] = ()) -> Imported:
    """Topics for a bank's drafts. `source` names the file in generated text ("capitals.gift");
    `taken` holds topic ids already in use (the library an import goes beside), which the new
    ids avoid. A topic with more than 100 questions is split into parts; a topic none of whose
    questions could be imported is left out, with a problem saying so."""
    imported = Imported(bank.format, problems=list(bank.problems))
    used = set(taken)
    renamed: dict[str, str] = {}
    for draft_topic in bank.topics:
        questions = _questions(draft_topic, imported.problems)
        if not questions and (draft_topic.id is None or draft_topic.questions):
            if draft_topic.questions:
                imported.problems.append(
                    Problem(
                        draft_topic.where,
                        f"no question of {clip(draft_topic.title)!r} could be imported, so "
                        "it is left out",
                    )
                )
            continue
        parts = [questions[i : i + MAX_QUESTIONS] for i in range(0, len(questions), MAX_QUESTIONS)]
        for number, part in enumerate(parts or [[]], start=1):
            title = draft_topic.title if len(parts) <= 1 else _part_title(draft_topic, number)
            topic = _topic(draft_topic, title, part, source, used)
            if draft_topic.id is not None and number == 1:
                renamed[draft_topic.id] = topic.id
            imported.topics.append(topic)
    imported.topics = [_point_at_renamed(topic, renamed) for topic in imported.topics]
    return imported


def _point_at_renamed(topic: Topic, renamed: dict[str, str]) -> Topic:
    """The topic with its prerequisites that name a topic of the same file by its own id
    pointed at the id that topic was given (one already taken gets `-2`): the file's own topic
    comes before a course topic of that id."""
    pointed = tuple(renamed.get(p, p) for p in topic.prerequisites)
    if pointed == topic.prerequisites:
        return topic
    return topic.model_copy(update={"prerequisites": pointed})


def _part_title(topic: DraftTopic, number: int) -> str:
    suffix = f" (part {number})"
    return clip(topic.title, MAX_TITLE - len(suffix)) + suffix


def _topic(
    draft: DraftTopic, title: str, questions: list[Question], source: str, used: set[str]
) -> Topic:
    core_idea = draft.core_idea or (
        f"{len(questions)} question{'s' if len(questions) != 1 else ''} imported from "
        f"{clip(source, 200)}."
    )
    tags = [tag for tag in dict.fromkeys(slug(tag, MAX_TAG) for tag in draft.tags) if tag]
    own = slug(draft.id) if draft.id and title == draft.title else ""
    return Topic(
        id=unique(own or slug(title) or "imported", used),
        title=clip(title.strip(), MAX_TITLE) or "Imported questions",
        level=draft.level,
        core_idea=clip(core_idea, MAX_CORE_IDEA),
        explainer=draft.explainer,
        tags=tuple(tags[:MAX_TAGS]),
        prerequisites=tuple(dict.fromkeys(draft.prerequisites))[:MAX_PREREQUISITES],
        questions=tuple(questions),
    )


def _questions(topic: DraftTopic, problems: list[Problem]) -> list[Question]:
    made: list[Question] = []
    ids: set[str] = set()
    for draft in topic.questions:
        question = _question(draft, problems)
        if question is None:
            continue
        base = slug(draft.name or "") or _prompt_id(draft.prompt)
        made.append(question.model_copy(update={"id": unique(base, ids)}))
    return made


def _prompt_id(prompt: str) -> str:
    words = slug(prompt).split("-")[:ID_WORDS]
    return slug("-".join(words)) or "question"


def _question(draft: Draft, problems: list[Problem]) -> Question | None:
    data: dict[str, Any] = {
        "id": "q",
        "type": draft.type,
        "prompt": draft.prompt,
        "explanation": draft.explanation or "-",
    }
    for key in (
        "choices",
        "answer",
        "answers",
        "tolerance",
        "range",
        "hint",
        "think_seconds",
        "check",
    ):
        value = getattr(draft, key)
        if value is not None:
            data[key] = value
    try:
        question = Question.model_validate(data)
    except ValidationError as exc:
        problems.append(Problem(draft.where, _reason(exc)))
        return None
    if draft.explanation:
        return question
    return question.model_copy(update={"explanation": default_explanation(question)})


def default_explanation(question: Question) -> str:
    """What a question without feedback in its file explains with: its answer, restated."""
    if question.type is QuestionType.FREE_RESPONSE:
        return "No explanation came with this question: compare your answer with the one above."
    if question.type is QuestionType.TRUE_FALSE:
        return "This is true." if question.answer else "This is false."
    if question.type is QuestionType.SHORT_ANSWER and len(question.accepted) > 1:
        text = "Accepted answers: " + "; ".join(question.accepted) + "."
    else:
        text = f"The answer is {question.answer_text()}."
    return clip(text, MAX_EXPLANATION)


_FIELD_NAMES = {"choices": "a choice", "answers": "an accepted answer"}


def _reason(exc: ValidationError) -> str:
    """The first reason the models give, worded for the instructor who wrote the file."""
    error = exc.errors()[0]
    loc = [part for part in error["loc"] if isinstance(part, str)]
    name = _FIELD_NAMES.get(loc[0], f"the {loc[0]}") if loc else "the question"
    context = error.get("ctx") or {}
    if error["type"] == "string_too_long":
        return f"{name} is longer than {context.get('max_length')} characters"
    if error["type"] == "string_too_short":
        return f"{name} is empty"
    if error["type"] == "too_long" and loc:
        return f"{name.removeprefix('the ')}: more than {context.get('max_length')} given"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{name}: {message}" if loc and loc[0] not in message else message
