"""A note kept beside a text that stays word for word: loaded, limited, linted, and shown after the
explanation or the core idea."""

from __future__ import annotations

import pytest

from tutorbot.content import models as m
from tutorbot.content.errors import ContentError
from tutorbot.content.lint import lint
from tutorbot.content.loader import load_library
from tutorbot.settings import BUNDLED_CONTENT_DIR

from .conftest import Pack

TOPIC = """\
id: noted-topic
title: Noted Topic
core_idea: {core_idea}
note: {topic_note}
questions:
- id: claim
  type: true_false
  prompt: Two and two make four.
  answer: true
  explanation: {explanation}
  note: {question_note}
"""


def _topic(
    core_idea: str = "An idea.",
    topic_note: str = "The idea is only half the story.",
    explanation: str = "Count them.",
    question_note: str = "The seed words this loosely.",
) -> str:
    return TOPIC.format(
        core_idea=core_idea,
        topic_note=topic_note,
        explanation=explanation,
        question_note=question_note,
    )


def test_notes_load_and_follow_their_text(pack: Pack) -> None:
    topic = load_library(pack({"t.yaml": _topic()})).topics["noted-topic"]
    question = topic.questions[0]
    assert question.note == "The seed words this loosely."
    assert question.explanation == "Count them."
    assert question.explained == "Count them.\n\n**Note:** The seed words this loosely."
    assert topic.core_idea == "An idea."
    assert topic.core_idea_shown == "An idea.\n\n**Note:** The idea is only half the story."


def test_without_a_note_the_text_shows_alone() -> None:
    question = m.Question(
        id="q", type=m.QuestionType.TRUE_FALSE, prompt="P.", answer=True, explanation="E."
    )
    topic = m.Topic(id="t", title="T", core_idea="C.", questions=(question,))
    assert question.note is None and question.explained == "E."
    assert topic.note is None and topic.core_idea_shown == "C."


def test_a_note_over_its_limit_is_refused(pack: Pack) -> None:
    with pytest.raises(ContentError) as caught:
        load_library(pack({"t.yaml": _topic(question_note="n" * (m.MAX_NOTE + 1))}))
    issue = str(caught.value.issues[0])
    assert issue.endswith(
        f"t.yaml:11: questions[0].note: is longer than {m.MAX_NOTE} characters (501 given)"
    )


@pytest.mark.parametrize(
    ("fields", "line", "where", "limit"),
    [
        ({"explanation": "e" * 1400, "question_note": "n" * 100}, 11, "questions[0].note", 1500),
        ({"core_idea": "c" * 1400, "topic_note": "n" * 100}, 4, "note", 1500),
    ],
)
def test_a_text_and_its_note_must_fit_the_texts_limit(
    pack: Pack, fields: dict[str, str], line: int, where: str, limit: int
) -> None:
    """The renderers are sized for an explanation (core idea) of its limit, note included."""
    with pytest.raises(ContentError) as caught:
        load_library(pack({"t.yaml": _topic(**fields)}))
    issue = str(caught.value.issues[0])
    assert f"t.yaml:{line}: {where}: " in issue
    assert f"come to 1512 characters as shown; at most {limit}" in issue


def test_a_note_that_just_fits_loads(pack: Pack) -> None:
    explanation = "e" * (m.MAX_EXPLANATION - m.MAX_NOTE - len("\n\n**Note:** "))
    library = load_library(
        pack({"t.yaml": _topic(explanation=explanation, question_note="n" * 500)})
    )
    assert len(library.topics["noted-topic"].questions[0].explained) == m.MAX_EXPLANATION


def test_a_hard_wrapped_note_is_linted(pack: Pack) -> None:
    text = _topic(question_note='"The seed words\\nthis loosely."')
    warnings = lint(load_library(pack({"t.yaml": text})))
    assert [w.code for w in warnings] == [m.WarningCode.HARD_WRAPPED_TEXT]
    assert "questions[0].note breaks a sentence across lines" in warnings[0].message


def test_the_readme_example_loads_and_shows_its_note(pack: Pack) -> None:
    readme = (BUNDLED_CONTENT_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Notes on texts kept word for word")[1]
    example = section.split("```yaml\n")[1].split("```")[0]
    root = pack(
        {"noted.yaml": "id: noted\ntitle: Noted\ncore_idea: An idea.\nquestions:\n" + example}
    )
    question = load_library(root).topics["noted"].questions[0]
    assert question.note is not None and question.note.startswith("This seed question is worded")
    assert question.explained.endswith("\n\n**Note:** " + question.note)
