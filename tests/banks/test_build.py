"""Drafts into topics and topic files: ids, explanations, parts, refusals, files written whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutorbot.cli.content import run_check
from tutorbot.content.banks.build import build_topics, slug, unique
from tutorbot.content.banks.draft import Bank, Draft
from tutorbot.content.banks.write import OutExists, topic_yaml, write_pack
from tutorbot.content.loader import load_library
from tutorbot.content.models import QuestionType

T = QuestionType


def _bank(*drafts: Draft, title: str = "Capitals of Europe") -> Bank:
    bank = Bank("test")
    bank.topic(title, "line 1").questions.extend(drafts)
    return bank


def test_slug_folds_accents_and_cuts_at_a_hyphen() -> None:
    assert slug("Capitals of Europe: Éire & Ísland!") == "capitals-of-europe-eire-island"
    assert slug("日本") == ""
    made = slug("word " * 40)
    assert len(made) <= 64 and not made.endswith("-")


def test_unique_numbers_repeats() -> None:
    taken: set[str] = {"capitals"}
    assert unique("capitals", taken) == "capitals-2"
    assert unique("capitals", taken) == "capitals-3"
    assert unique("a" * 64, taken) == "a" * 64
    assert unique("a" * 64, taken) == "a" * 62 + "-2"


def test_every_type_becomes_a_question_with_an_explanation() -> None:
    imported = build_topics(
        _bank(
            Draft("line 2", T.MULTIPLE_CHOICE, "Capital of France?", ["Paris", "Lyon"], "A"),
            Draft("line 3", T.TRUE_FALSE, "Rome is in Italy.", answer=True),
            Draft("line 4", T.SHORT_ANSWER, "Capital of Spain?", answers=["Madrid", "Madriz"]),
            Draft("line 5", T.NUMERIC, "Pi to two places?", answer="3,14", tolerance=0.005),
            Draft("line 6", T.FREE_RESPONSE, "Why is Paris the capital?", answer="History."),
            Draft(
                "line 7", T.SHORT_ANSWER, "Capital of Italy?", answers=["Rome"], explanation="Roma."
            ),
        ),
        "caps.gift",
    )
    (topic,) = imported.topics
    assert topic.id == "capitals-of-europe"
    assert topic.core_idea == "6 questions imported from caps.gift."
    assert [q.explanation for q in topic.questions] == [
        "The answer is A. Paris.",
        "This is true.",
        "Accepted answers: Madrid; Madriz.",
        "The answer is 3.14 (± 0.005).",
        "No explanation came with this question: compare your answer with the one above.",
        "Roma.",
    ]
    assert imported.problems == []


def test_question_ids_come_from_names_or_prompts_and_are_unique() -> None:
    imported = build_topics(
        _bank(
            Draft("line 2", T.TRUE_FALSE, "Rome is in Italy.", answer=True, name="Q1: Rome"),
            Draft("line 3", T.TRUE_FALSE, "Rome is in Italy.", answer=True),
            Draft("line 4", T.TRUE_FALSE, "Rome is in Italy.", answer=False),
            Draft("line 5", T.TRUE_FALSE, "¿¡!?", answer=False),
        ),
        "x",
    )
    ids = [q.id for q in imported.topics[0].questions]
    assert ids == ["q1-rome", "rome-is-in-italy", "rome-is-in-italy-2", "question"]


def test_a_draft_the_models_refuse_is_a_problem_where_it_was() -> None:
    imported = build_topics(
        _bank(
            Draft("line 2", T.MULTIPLE_CHOICE, "Pick", ["a", "b" * 251], "A"),
            Draft("line 3", T.FREE_RESPONSE, "p" * 1001, answer="x"),
            Draft("line 4", T.MULTIPLE_CHOICE, "Pick", [str(n) for n in range(11)], "A"),
            Draft("line 5", T.NUMERIC, "How many?", answer="many"),
            Draft("line 6", T.TRUE_FALSE, "Fine.", answer=True),
        ),
        "x",
    )
    assert [str(p) for p in imported.problems] == [
        "line 2: a choice is longer than 250 characters",
        "line 3: the prompt is longer than 1000 characters",
        "line 4: a multiple-choice question needs 2 to 10 choices",
        "line 5: answer 'many' must be a number such as 3.5, -0.25 or 7/2",
    ]
    assert [q.prompt for q in imported.topics[0].questions] == ["Fine."]


def test_a_topic_none_of_whose_questions_can_be_imported_is_left_out_with_a_problem() -> None:
    imported = build_topics(_bank(Draft("line 2", T.FREE_RESPONSE, "", answer="x")), "x")
    assert imported.topics == []
    assert [str(p) for p in imported.problems][-1] == (
        "line 1: no question of 'Capitals of Europe' could be imported, so it is left out"
    )


def test_more_than_a_hundred_questions_are_split_into_parts() -> None:
    drafts = [Draft(f"line {n}", T.TRUE_FALSE, f"Fact {n}.", answer=True) for n in range(250)]
    imported = build_topics(_bank(*drafts, title="Facts"), "x", taken={"facts-part-1"})
    assert [(t.id, t.title, len(t.questions)) for t in imported.topics] == [
        ("facts-part-1-2", "Facts (part 1)", 100),
        ("facts-part-2", "Facts (part 2)", 100),
        ("facts-part-3", "Facts (part 3)", 50),
    ]


def test_topic_files_load_back_and_check_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported = build_topics(
        _bank(
            Draft("2", T.MULTIPLE_CHOICE, "Capital of\n**France**?", ["Paris: yes", "#Lyon"], "A"),
            Draft("3", T.SHORT_ANSWER, "Spain?", answers=["Madrid", "123", "true", "null"]),
            Draft("4", T.NUMERIC, "Range?", range=(1.5, 2.5), explanation="a: b\n\n- list"),
            Draft("5", T.FREE_RESPONSE, "Why?", answer="Because:\n  indented\ttab", hint="x"),
        ),
        "x",
    )
    out = tmp_path / "pack"
    written = write_pack(imported.topics, out)
    assert [p.name for p in written] == ["capitals-of-europe.yaml"]
    assert load_library(out).get("capitals-of-europe") == imported.topics[0]
    assert run_check(out) == 0
    assert "Valid:" in capsys.readouterr().out
    assert "answers:\n  - Madrid\n  - '123'" in topic_yaml(imported.topics[0])


def test_write_pack_never_writes_over_a_folder_and_leaves_nothing_behind(tmp_path: Path) -> None:
    imported = build_topics(_bank(Draft("2", T.TRUE_FALSE, "Fine.", answer=True)), "x")
    out = tmp_path / "pack"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    with pytest.raises(OutExists):
        write_pack(imported.topics, out)
    assert [p.name for p in tmp_path.iterdir()] == ["pack"]
    assert [p.name for p in out.iterdir()] == ["mine.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    write_pack(imported.topics, empty)
    assert [p.name for p in empty.iterdir()] == ["capitals-of-europe.yaml"]


def test_own_ids_are_kept_and_prerequisites_follow_a_renamed_one() -> None:
    bank = Bank("topics")
    base = bank.topic("Fractions", "a.yaml")
    base.id = "fractions"
    base.questions.append(Draft("a.yaml", T.TRUE_FALSE, "Halves are equal.", answer=True))
    later = bank.topic("Adding fractions", "b.yaml")
    later.id, later.prerequisites = "adding-fractions", ["fractions", "counting-to-five"]
    imported = build_topics(bank, "x.zip", taken={"fractions"})
    assert [(t.id, t.prerequisites) for t in imported.topics] == [
        ("fractions-2", ()),
        ("adding-fractions", ("fractions-2", "counting-to-five")),
    ]
