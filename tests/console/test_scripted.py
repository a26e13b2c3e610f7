"""Scripted console sessions through standard input: each command, what it prints and keeps."""

from __future__ import annotations

from pathlib import Path

from tutorbot.content.loader import load_library
from tutorbot.settings import BUNDLED_CONTENT_DIR

from .console_helpers import SEED, run_script

BENEATH_SEED = load_library(BUNDLED_CONTENT_DIR).graph.ancestor_count(SEED)
"""The seed topic's transitive prerequisites: known with it when it is marked known."""


def test_topic_card_explainer_pages_and_chain(db_path: Path) -> None:
    out = run_script(db_path, [f"/topic {SEED}", "explainer", "", "more", "chain", "more", "card"])
    assert "Self-Supervised Learning Theory  (self-supervised-learning-theory)" in out
    assert "Research · Depth 79 in the knowledge graph" in out
    assert "Unlocks 1 downstream topic" in out
    assert "Prerequisites (3)" in out and "Contrastive Learning (contrastive-learning)" in out
    assert "Leads To (1)" in out and "Foundation Models (foundation-models)" in out
    assert "Longest path: 80 steps" in out
    assert "Practice Questions: 4 questions" in out
    assert "Page 1 of 4" in out and "Page 2 of 4" in out and "Page 3 of 4" in out
    assert " 1. ▫️ Counting to 10" in out and "21. ▫️ Basic Division Facts" in out
    assert out.count("Research · Depth 79") == 2


def test_topic_completion_by_title_and_suggestions(db_path: Path) -> None:
    by_title = run_script(db_path, ["/topic self-supervised learning theory"])
    assert "Depth 79 in the knowledge graph" in by_title
    only_match = run_script(db_path, ["/topic self-supervised"])
    assert "Depth 79 in the knowledge graph" in only_match
    typo = run_script(db_path, ["/topic self-supervised-learning-theroy"])
    assert "Depth 79 in the knowledge graph" in typo
    out = run_script(db_path, ["/topic division equal", "/topic"])
    assert "No topic matches “division equal”. Did you mean: " in out
    assert "Division as Equal Sharing (" in out
    assert "Which topic?" in out


def test_known_goal_progress_and_stats(db_path: Path) -> None:
    out = run_script(
        db_path,
        [
            "/progress",
            f"/topic {SEED}",
            "known",
            "goal",
            "/progress",
            "/goal clear",
            "/goal clear",
            "/goal set foundation-models",
            "/stats",
        ],
    )
    assert "No goal set. Set one with /goal set TOPIC." in out
    assert "Marked Self-Supervised Learning Theory as known" in out
    assert "🎯 Goal set: Self-Supervised Learning Theory." in out
    full = f"{BENEATH_SEED} of {BENEATH_SEED} prerequisites known"
    assert f"████████████████████ 100% · {full}" in out
    assert "Goal cleared." in out and "You had no goal set." in out
    assert "🎯 Goal set: Foundation Models." in out
    assert "Stats for alice" in out and "Answered: 0" in out


def test_progress_persists_between_sessions_for_the_same_user_only(db_path: Path) -> None:
    run_script(db_path, [f"/topic {SEED}", "known", "/goal set foundation-models"])
    again = run_script(db_path, ["/progress", f"/topic {SEED}"])
    assert "🎯 Goal: Foundation Models (foundation-models)" in again
    assert "✅ You know this topic" in again
    assert f"Topics known: {BENEATH_SEED + 1}\n" in again
    other = run_script(db_path, ["/progress"], user="bob")
    assert "No goal set." in other and "Topics known: 0" in other


def test_help_unknown_commands_and_odd_lines_never_crash(db_path: Path) -> None:
    out = run_script(
        db_path,
        [
            "help",
            "/topik x",
            "frobnicate",
            "explainer",
            "more",
            "next",
            "reveal",
            "A",
            "/quiz",
            f"/quiz {SEED} 0",
            "/wait soon",
            "/goal",
            "\x00\x1b[A ☃",
            "/quit",
            "/topic never-reached",
        ],
    )
    assert "/wait DURATION" in out and "skip ahead: 30 (seconds), 10m, 12h, 1d, 2d12h" in out
    assert "Unknown command “/topik”. Did you mean /topic?" in out
    assert "Unknown command “frobnicate”" in out
    assert "Show a topic first with /topic TOPIC." in out
    assert "Nothing to page through." in out
    assert out.count("No quiz in progress. Start one with /quiz TOPIC.") == 3
    assert "Ask for 1 to 50 questions." in out
    assert "Type /wait and how long" in out and "Type /goal set TOPIC or /goal clear." in out
    assert "never-reached" not in out
