"""Library search (autocomplete), closest ids, immutability, and lint warnings."""

from __future__ import annotations

import pytest

from tutorbot.cli.content import run_check
from tutorbot.content.card import longest_path_text, unlocks_text
from tutorbot.content.library import Library
from tutorbot.content.lint import lint
from tutorbot.content.loader import load_library
from tutorbot.content.models import WarningCode
from tutorbot.settings import BUNDLED_CONTENT_DIR

from .conftest import Pack, topic_yaml


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(BUNDLED_CONTENT_DIR)


def test_search_ranks_exact_prefix_word_substring_fuzzy(library: Library) -> None:
    assert library.search("chain rule")[0].id == "chain-rule"
    ids = [t.id for t in library.search("division")]
    assert ids[0].startswith("division")
    assert [t.id for t in library.search("learning theory")] == [
        "deep-learning-theory",
        "self-supervised-learning-theory",
    ]
    kernel = [t.id for t in library.search("kernel")]
    assert kernel[:2] == ["kernel-methods-and-the-kernel-trick", "kernel-theory-and-rkhs"]
    assert [t.id for t in library.search("", limit=3)] == library.graph.learning_order()[:3]
    assert len(library.search("a", limit=25)) <= 25


def test_closest_ids(library: Library) -> None:
    assert library.closest_ids("chain-rul")[0] == "chain-rule"
    assert library.closest_ids("Self Supervised Learning Theory")[0] == (
        "self-supervised-learning-theory"
    )
    assert library.closest_ids("chain rle") == ["chain-rule"]
    assert library.closest_ids("division equal")[0] == "division-as-equal-sharing"


def test_closest_ids_respell_words_of_part_of_a_title(library: Library) -> None:
    assert library.closest_ids("Kernal methods")[0] == "kernel-methods-and-the-kernel-trick"
    assert set(library.closest_ids("derivitive")) <= {
        t.id for t in library.topics.values() if "derivative" in t.title.lower()
    }
    assert "equivalent-fractions" in library.closest_ids("fractons")


def test_closest_ids_suggest_nothing_far_off(library: Library) -> None:
    assert library.closest_ids("zzzz") == []
    assert library.closest_ids("topology") == []
    assert library.closest_ids("   ") == []
    assert library.closest_ids("chain rule", n=0) == []
    assert len(library.closest_ids("addition", n=2)) == 2


def test_library_is_immutable(library: Library) -> None:
    with pytest.raises(AttributeError):
        library.graph = library.graph
    with pytest.raises(TypeError):
        library.topics["x"] = library.topics["chain-rule"]  # type: ignore[index]


def test_card_texts() -> None:
    assert unlocks_text(1) == "Unlocks 1 downstream topic"
    assert unlocks_text(3) == "Unlocks 3 downstream topics"
    assert longest_path_text(80, 547) == "Longest path: 80 steps · 547 total prerequisite topics"


def test_lint_warnings_and_silencing(pack: Pack, capsys: pytest.CaptureFixture[str]) -> None:
    true_false = (
        "questions:\n- id: q\n  type: true_false\n  prompt: Is it?\n  answer: true\n"
        "  explanation: Yes.\n"
    )
    root = pack(
        {
            "a.yaml": topic_yaml("a-topic", title="Same") + true_false,
            "b.yaml": topic_yaml("b-topic", title="Same")
            + "allow_warnings:\n  duplicate-title: Two meanings.\n  no-questions: A stub.\n",
        }
    )
    warnings = lint(load_library(root))
    active = {(w.code, w.topic_id) for w in warnings if not w.silenced}
    assert active == {
        (WarningCode.TRUE_FALSE_QUESTION, "a-topic"),
        (WarningCode.DUPLICATE_TITLE, "a-topic"),
    }
    assert {(w.code, w.silenced_reason) for w in warnings if w.silenced} == {
        (WarningCode.DUPLICATE_TITLE, "Two meanings."),
        (WarningCode.NO_QUESTIONS, "A stub."),
    }
    assert run_check(root) == 0
    out = capsys.readouterr().out
    assert "2 topics, 1 question (0 multiple choice, 1 true/false, 0 free response)" in out
    assert "duplicate-title silenced: Two meanings." in out
    assert "Valid: 2 warnings, 2 silenced." in out


def test_answer_letter_skew(pack: Pack) -> None:
    questions = "questions:\n" + "".join(
        f"- id: q{i}\n  type: multiple_choice\n  prompt: Pick.\n  choices: [x, y]\n"
        f"  answer: A\n  explanation: Because.\n"
        for i in range(8)
    )
    root = pack({"maths/a.yaml": topic_yaml("a-topic") + questions})
    [warning] = lint(load_library(root))
    assert warning.code is WarningCode.ANSWER_LETTER_SKEW
    assert warning.file == root / "maths"
    assert "8 of 8 multiple-choice answers in this pack are A" in warning.message
