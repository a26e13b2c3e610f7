"""The shipped course keeps the promises of issue 9: every topic of the seed's chain has a short
core idea, a real explainer with a worked example, varied practice with explanations, and answer
keys that the arithmetic in their `check` recomputes."""

from __future__ import annotations

import ast
import re
from collections import Counter
from itertools import pairwise

import pytest

from tutorbot.cli.content import run_check
from tutorbot.content.answer_check import verify
from tutorbot.content.library import Library
from tutorbot.content.lint import lint
from tutorbot.content.loader import load_library
from tutorbot.content.models import TYPED, Question, QuestionType, Topic
from tutorbot.settings import BUNDLED_CONTENT_DIR

SEED_ID = "self-supervised-learning-theory"
ROOT_ID = "counting-to-10"
CHAIN_LENGTH = 80
NUMERIC_LEVELS = {"Early Years", "Primary", "Middle School"}
MIN_EXPLANATION_WORDS = 12

NO_CHECK_NEEDED: dict[tuple[str, str], str] = {
    # (topic id, question id): why a numbered prompt has no `check`. None is needed today; a
    # question like "Which is prime: 51, 53, 57?" would belong here, because no arithmetic the
    # evaluator knows states primality.
}
BARE_CHECK_ALLOWED: dict[tuple[str, str], str] = {
    # (topic id, question id): why a `check` may be a bare number. None is needed today: every
    # check states the question's arithmetic rather than its answer.
}

_ABBREVIATIONS = re.compile(r"\b(?:e\.g\.|i\.e\.|et al\.|vs\.|cf\.)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=[\"”’)\]]*(?:\s|$))")


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(BUNDLED_CONTENT_DIR)


def _course(library: Library) -> list[Topic]:
    return [t for t in library.topics.values() if t.id != SEED_ID]


def _questions(library: Library) -> list[tuple[Topic, Question]]:
    return [(t, q) for t in library.topics.values() for q in t.questions]


def states_arithmetic(check: str) -> bool:
    """Whether a check computes something (an operation, comparison or function call) rather
    than writing down a literal, such as "53" or "(7, 3)"."""
    tree = ast.parse(check.strip(), mode="eval")
    return any(isinstance(node, ast.BinOp | ast.Compare | ast.Call) for node in ast.walk(tree))


def sentence_count(text: str) -> int:
    """Sentences in a text: a full stop, ! or ? followed by a space or the end. Decimals (0.5)
    and abbreviations (e.g., i.e., et al.) do not end a sentence."""
    return len(_SENTENCE_END.findall(_ABBREVIATIONS.sub("", text)))


def test_sentence_count_ignores_decimals_and_abbreviations() -> None:
    assert sentence_count("Half is 0.5, e.g. one of two. Fine, i.e. good!") == 2
    assert sentence_count('It reads "three and seven hundredths". Then more.') == 2
    assert sentence_count("Smith et al. proved it in 2019.") == 1


def test_a_bare_literal_is_not_arithmetic() -> None:
    assert not states_arithmetic("-3")
    assert not states_arithmetic("(7, 3)")
    assert states_arithmetic("(7, 10 - 7)")
    assert states_arithmetic("divmod(14, 3)")


def test_core_ideas_have_two_to_four_sentences(library: Library) -> None:
    wrong = {t.id: sentence_count(t.core_idea) for t in _course(library)}
    assert {k: v for k, v in wrong.items() if not 2 <= v <= 4} == {}


def test_explainers_are_300_to_900_words_with_a_worked_example(library: Library) -> None:
    for topic in _course(library):
        words = len(topic.explainer.split())
        assert 300 <= words <= 900, f"{topic.id}: explainer has {words} words"
        assert re.search(r"\b(?:Worked example|Example)\b", topic.explainer), topic.id


def test_every_topic_has_five_questions_of_every_type(library: Library) -> None:
    for topic in _course(library):
        assert len(topic.questions) >= 5, topic.id
        assert set(QuestionType) - TYPED <= {q.type for q in topic.questions}, topic.id


def test_every_explanation_teaches(library: Library) -> None:
    short = [
        f"{t.id}/{q.id}"
        for t, q in _questions(library)
        if len(q.explanation.split()) < MIN_EXPLANATION_WORDS
    ]
    assert short == []


def test_seed_keeps_its_four_questions_and_fills_its_two_lists(library: Library) -> None:
    seed = library.topics[SEED_ID]
    assert len(seed.questions) == 4
    for heading in ("Prominent SSL approaches:", "Limitations:"):
        after = seed.explainer.split(heading, 1)[1].lstrip("\n")
        items = re.findall(r"^- \S", after.split("\n\n", 1)[0], re.MULTILINE)
        assert len(items) >= 3, f"no list after {heading!r}"


def test_chain_climbs_from_counting_to_the_seed(library: Library) -> None:
    chain = library.graph.longest_chain(SEED_ID)
    assert chain[0] == ROOT_ID
    assert len(chain) == CHAIN_LENGTH
    for before, after in pairwise(chain):
        assert before in library.topics[after].prerequisites, f"{before} -> {after}"


def test_numbered_prompts_at_school_levels_have_a_check(library: Library) -> None:
    missing = [
        (t.id, q.id)
        for t, q in _questions(library)
        if t.level in NUMERIC_LEVELS
        and re.search(r"\d", q.prompt)
        and q.check is None
        and (t.id, q.id) not in NO_CHECK_NEEDED
    ]
    assert missing == []


def test_every_check_recomputes_its_answer_key(library: Library) -> None:
    disagreements = {
        f"{t.id}/{q.id}": reason for t, q in _questions(library) if (reason := verify(q))
    }
    assert disagreements == {}


def test_checks_state_arithmetic_not_the_bare_answer(library: Library) -> None:
    bare = [
        (t.id, q.id)
        for t, q in _questions(library)
        if q.check is not None
        and not states_arithmetic(q.check)
        and (t.id, q.id) not in BARE_CHECK_ALLOWED
    ]
    assert bare == []


def test_multiple_choice_answers_are_spread_over_the_letters(library: Library) -> None:
    letters = Counter(
        str(q.answer) for _, q in _questions(library) if q.type is QuestionType.MULTIPLE_CHOICE
    )
    total = sum(letters.values())
    assert max(letters.values()) <= 0.35 * total, letters
    for letter in "ABCD":
        assert letters[letter] >= 0.15 * total, letters


def test_true_false_answers_are_mixed(library: Library) -> None:
    answers = Counter(q.answer for _, q in _questions(library) if q.type is QuestionType.TRUE_FALSE)
    total = sum(answers.values())
    assert answers[True] >= 0.3 * total and answers[False] >= 0.3 * total, answers


def test_no_unexplained_warnings(library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    warnings = lint(library)
    assert [str(w) for w in warnings if not w.silenced] == []
    for warning in warnings:
        assert warning.silenced_reason is not None
        assert len(warning.silenced_reason.split()) >= 5, warning
    assert run_check(BUNDLED_CONTENT_DIR) == 0
    assert "Valid: 0 warnings" in capsys.readouterr().out


def test_readme_is_not_loaded_as_a_topic(library: Library) -> None:
    readme = BUNDLED_CONTENT_DIR / "README.md"
    assert all(library.source(t) != readme for t in library.topics)
