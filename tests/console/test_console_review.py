"""/review in the console: a quiz's questions come back after `/wait 3d`, a miss names what to
look at, nothing due says when and what to learn instead, the daily limit and time zone settings,
`/wait` durations, and /remind being Discord's only."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from tutorbot.console.clock import duration_text, parse_duration
from tutorbot.console.completion import ConsoleCompleter
from tutorbot.console.identity import console_user_id
from tutorbot.content.loader import load_library
from tutorbot.settings import BUNDLED_CONTENT_DIR

from .console_helpers import (
    answer_on_screen,
    answers,
    master_seed,
    piped,
    run_script,
    seed_questions,
)

REMEMBERED = (
    r"  • Self-Supervised Learning Theory \(self-supervised-learning-theory\)"
    r" · (\d+)% remembered today"
)


def _sessions(db_path: Path, user: str = "alice") -> list[tuple[str, str]]:
    """(kind, status) of the user's quiz sessions, oldest first."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT kind, status FROM quiz_sessions WHERE user_id = ? ORDER BY id",
            (console_user_id(user),),
        ).fetchall()
    return [(str(k), str(s)) for k, s in rows]


def test_a_quiz_comes_back_as_a_review_three_days_later_and_a_miss_names_what_to_look_at(
    db_path: Path,
) -> None:
    console = piped(db_path)
    master_seed(console)
    console.sendline("/review")
    console.expect("Nothing due right now. Next review in 2 days.\n")
    console.expect("Learn next meanwhile\n  • Foundation Models \\(foundation-models\\)")
    console.sendline("/progress")
    console.expect(REMEMBERED)
    assert console.match.group(1) == "100"
    console.sendline("/wait 3d")
    console.expect(re.escape("Skipped ahead 3 days (this console's clock only)."))
    console.sendline("/progress")
    console.expect("🧠 4 reviews due today — /review")
    console.expect(REMEMBERED)
    assert 50 < int(console.match.group(1)) < 100
    console.sendline("/review")
    console.expect("🧠 4 due, about 2 minutes.\n")
    console.expect("Review · Self-Supervised Learning Theory · Question 1 of 4\n")
    by_prompt = seed_questions()
    missed = None
    for number in range(1, 5):
        if number > 1:
            console.expect(f"Review · Self-Supervised Learning Theory · Question {number} of 4\n")
        first_choice = missed is None and number < 4
        question = answer_on_screen(console, by_prompt, right=not first_choice)
        if first_choice and question.type.value == "free_response":
            console.expect("You said: Missed it")
        elif first_choice:
            console.expect("❌ Not quite")
        if first_choice:
            missed = question
            console.expect(
                "Look again at \\(now due for review\\)\n"
                "  • Contrastive Learning \\(contrastive-learning\\)\n"
            )
    console.expect("Review complete\n3 of 4 remembered\n")
    console.expect("Look again at\n  • Contrastive Learning \\(contrastive-learning\\)")
    console.sendline("/quit")
    console.expect("Bye")
    assert console.wait() == 0
    assert missed is not None
    given = answers(db_path)
    assert len(given) == 8
    assert [c for q, _, c in given[4:] if q == missed.id] == [0]
    assert _sessions(db_path) == [("quiz", "finished"), ("review", "finished")]


def test_the_daily_limit_caps_a_review_and_then_says_it_is_reached(db_path: Path) -> None:
    console = piped(db_path)
    master_seed(console)
    console.sendline("/review settings limit 0")
    console.expect("The daily limit is a number of reviews from 1 to 200.")
    console.sendline("/review settings limit lots")
    console.expect("Type /review settings limit N: how many reviews a day at most")
    console.sendline("/review settings limit 2")
    console.expect("Daily limit set to 2 reviews a day.\nDaily limit: 2 reviews · Time zone: UTC")
    console.sendline("/wait 3d")
    console.sendline("/review")
    console.expect("🧠 4 due, 2 today, about \\d minutes?\\.\n")
    console.expect("Review · Self-Supervised Learning Theory · Question 1 of 2\n")
    by_prompt = seed_questions()
    answer_on_screen(console, by_prompt, right=True)
    console.expect("Question 2 of 2\n")
    answer_on_screen(console, by_prompt, right=True)
    console.expect("Review complete\n2 of 2 remembered\n")
    console.expect("2 more due, past your daily limit: they keep until tomorrow")
    console.sendline("/review")
    console.expect(
        "You have done 2 reviews today: that is your daily limit of 2. "
        "2 more due; they keep until tomorrow."
    )
    console.expect(re.escape("To do more each day: /review settings limit N (1 to 200)."))
    console.sendline("/review settings limit 3")
    console.sendline("/review")
    console.expect("🧠 2 due, 1 today, about \\d minutes?\\.\n")
    console.expect("Question 1 of 1\n")
    console.sendline("/quit")
    console.expect("Bye")
    assert console.wait() == 0
    assert len(answers(db_path)) == 6


def test_time_zone_settings_and_nothing_to_review_yet(db_path: Path) -> None:
    out = run_script(
        db_path,
        [
            "/review",
            "/review settings",
            "/review settings timezone Mars/Base",
            "/review settings timezone",
            "/review settings timezone europe/paris",
            "/review settings colour blue",
            "/review now please",
        ],
    )
    assert "Nothing to review yet. Questions you answer in a quiz come back here" in out
    assert "Daily limit: 20 reviews · Time zone: UTC" in out
    assert "“Mars/Base” is not a time zone I know." in out
    assert "Type /review settings timezone NAME, e.g. Europe/Paris" in out
    assert "Time zone set to Europe/Paris: your day starts at midnight there." in out
    assert "Daily limit: 20 reviews · Time zone: Europe/Paris" in out
    assert "Type /review settings limit N or /review settings timezone NAME" in out
    assert "Type /review for today's review, or /review settings." in out
    again = run_script(db_path, ["/review settings"])
    assert "Time zone: Europe/Paris" in again


def test_an_unfinished_review_is_picked_up_in_the_next_session(db_path: Path) -> None:
    console = piped(db_path)
    master_seed(console)
    console.sendline("/wait 3d")
    console.sendline("/review")
    console.expect("Review · Self-Supervised Learning Theory · Question 1 of 4\n")
    console.sendline("/quit")
    console.expect("Bye")
    assert console.wait() == 0
    resumed = run_script(db_path, ["/review", "stop"])
    assert resumed.count("Picking up your review where you left it.") == 2
    assert "Review · Self-Supervised Learning Theory · Question 1 of 4" in resumed
    assert "Review stopped\nYou stopped before answering anything." in resumed
    assert _sessions(db_path) == [("quiz", "finished"), ("review", "finished")]


def test_wait_takes_durations_and_refuses_bad_ones_and_remind_is_for_discord(
    db_path: Path,
) -> None:
    out = run_script(
        db_path,
        [
            "/wait 90s",
            "/wait 10m",
            "/wait 2d12h",
            "/wait 1.5",
            "/wait 365d",
            "/wait soon",
            "/wait -5",
            "/wait 0",
            "/wait 366d",
            "/wait 1d1d",
            "/wait 12x",
            "/remind on 07:30",
            "help",
        ],
    )
    for said in ("1 minute 30 seconds", "10 minutes", "2 days 12 hours", "1.5 s", "365 days"):
        assert f"Skipped ahead {said} (this console's clock only)." in out
    assert out.count("Type /wait and how long, e.g. /wait 30 (seconds), /wait 10m") == 4
    assert out.count("/wait only moves the clock forward, by at most 365 days: e.g. /wait 3d.") == 2
    assert "/remind works in Discord only. Here, type /review to see what is due." in out
    assert "/review settings limit N" in out and "/wait DURATION" in out


def test_durations_read_and_written() -> None:
    assert parse_duration("45") == 45
    assert parse_duration(" 2d 12h ") == 2.5 * 86400
    assert parse_duration("1H30M") == 5400
    assert parse_duration("12h1d") == 36 * 3600
    for bad in ("", "d", "1.5h", "1d1d", "1w", "-1", "9" * 50, "1e3"):
        assert parse_duration(bad) is None, bad
    assert duration_text(30) == "30 s"
    assert duration_text(86400 + 60) == "1 day 1 minute"


def test_review_settings_complete_their_words_and_time_zone_names() -> None:
    library = load_library(BUNDLED_CONTENT_DIR)
    completer = ConsoleCompleter(lambda: library)

    def offered(text: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]

    assert offered("/rev") == [
        "/review",
        "/review settings",
        "/review settings limit",
        "/review settings timezone",
    ]
    assert offered("/review settings l") == ["/review settings limit"]
    assert offered("/review settings timezone paris") == ["Europe/Paris"]
    assert offered("/review settings timezone new york") == ["America/New_York"]
    assert offered("/review settings timezone kiri")[0] == "Pacific/Kiritimati"
