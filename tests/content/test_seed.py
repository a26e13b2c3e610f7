"""The seed topic loads word for word as the seed page and its questions show it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tutorbot.cli.content import run_show
from tutorbot.content.library import Library
from tutorbot.content.loader import load_library
from tutorbot.content.models import QuestionType
from tutorbot.settings import BUNDLED_CONTENT_DIR

SEEDS = Path("/work/shared/seeds")
PAGE = SEEDS / "001_edf0c970bd22b9f7.txt"
QUESTIONS = SEEDS / "000_5b8255c6000881ec.txt"
SEED_ID = "self-supervised-learning-theory"

pytestmark = pytest.mark.skipif(not PAGE.exists(), reason="seed files not present")


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(BUNDLED_CONTENT_DIR)


def _between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0].strip()


def test_topic_header_core_idea_and_explainer(library: Library) -> None:
    page = PAGE.read_text(encoding="utf-8")
    topic = library.topics[SEED_ID]
    assert page.startswith(topic.title + "\n")
    assert f"{topic.level} Depth 79 in the knowledge graph" in page
    assert " ".join(topic.tags) in page.splitlines()
    assert topic.core_idea == _between(page, "Core Idea\n", "\nExplainer\n")
    explainer = _between(page, "\nExplainer\n", "\nPractice Questions")
    for paragraph in explainer.split("\n\n"):
        assert paragraph.strip() in topic.explainer


def test_questions_word_for_word(library: Library) -> None:
    text = QUESTIONS.read_text(encoding="utf-8")
    q1, q2, q3, q4 = library.topics[SEED_ID].questions
    first = text.split("\nQuestion 2 ", 1)[0].splitlines()
    assert q1.type is QuestionType.FREE_RESPONSE
    assert first[0] == q1.prompt
    assert first[2] == f"Model answer: {q1.answer}"
    assert first[3] == q1.explanation
    for question, letter, number in ((q2, "B", 2), (q3, "A", 3)):
        block = _between(text, f"Question {number} Multiple Choice\n", f"Question {number + 1} ")
        lines = block.splitlines()
        assert question.type is QuestionType.MULTIPLE_CHOICE
        assert question.answer == letter
        assert lines[0] == question.prompt
        assert question.choices is not None
        assert lines[1:5] == [f"{'ABCD'[i]}{c}" for i, c in enumerate(question.choices)]
        assert lines[5] == question.explanation
    tf_lines = text.split("Question 4 True / False\n", 1)[1].splitlines()
    assert q4.type is QuestionType.TRUE_FALSE and q4.answer is True
    assert tf_lines[0] == q4.prompt
    assert tf_lines[3] == "Answer: True"
    assert tf_lines[4] == q4.explanation


def test_chain_matches_the_seed(library: Library) -> None:
    page = PAGE.read_text(encoding="utf-8")
    seed_chain = _between(page, "Prerequisite Chain\n", "\nLongest path:")
    chain = library.graph.longest_chain(SEED_ID)
    titles = [library.topics[t].title for t in chain]
    assert "".join(titles) == seed_chain
    assert len(chain) == 80 and chain[0] == "counting-to-10"
    assert library.graph.depth(SEED_ID) == 79
    assert library.graph.prerequisites(SEED_ID) == (
        "information-bottleneck-theory",
        "contrastive-learning",
        "metric-learning",
    )
    assert library.graph.leads_to(SEED_ID) == ("foundation-models",)


def test_content_show_prints_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_show(SEED_ID, BUNDLED_CONTENT_DIR) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[:4] == [
        "Self-Supervised Learning Theory",
        "Research · Depth 79 in the knowledge graph",
        "self-supervised-learning representation-learning unlabeled-data pretraining",
        "Unlocks 1 downstream topic",
    ]
    assert "Practice Questions: 4 questions" in lines
    prereqs = lines.index("Prerequisites (3)")
    assert lines[prereqs + 1] == "- Information Bottleneck Theory (information-bottleneck-theory)"
    assert lines[lines.index("Leads To (1)") + 1] == "- Foundation Models (foundation-models)"
    assert re.search(r"^Longest path: 80 steps · \d+ total prerequisite topics$", out, re.M)
    assert " 1. Counting to 10" in lines and "80. Self-Supervised Learning Theory" in lines


def test_content_show_unknown_id_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_show("self-supervised-learning-theroy", BUNDLED_CONTENT_DIR) == 1
    out = capsys.readouterr().out
    assert out.startswith("No topic with id 'self-supervised-learning-theroy'. Did you mean: ")
    assert "self-supervised-learning-theory" in out


def test_notes_say_where_the_seed_is_wrong_and_keep_its_words(library: Library) -> None:
    """The seed's texts stay word for word (above); where they are wrong, a note says so."""
    topic = library.topics[SEED_ID]
    assert topic.note is not None and "autoregressive" in topic.note
    assert topic.core_idea_shown.startswith(topic.core_idea)
    notes = {q.id: q.note for q in topic.questions}
    assert notes["effective-ssl-task"] is None
    assert "linear probing" in str(notes["few-label-fine-tuning"])
    assert "not a settled one" in str(notes["information-theoretic-principle"])
    assert "worded as a question" in str(notes["contrastive-vs-masked"])
    for question in topic.questions:
        assert question.explained.startswith(question.explanation)
