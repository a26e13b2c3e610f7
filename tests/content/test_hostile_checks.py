"""Hostile `check:` expressions and answer keys: refused quickly with a short, clear reason.

An evaluation that a regression could turn into a hang runs in a forked child (`in_child`): a
thread cannot guard it, since one big-integer operation holds the GIL.
"""

from __future__ import annotations

import re
import subprocess
import sys
from fractions import Fraction

import pytest

from tutorbot.cli.content import run_check
from tutorbot.content.answer_check import CheckError, evaluate, numbers_in
from tutorbot.content.errors import ContentError
from tutorbot.content.loader import load_library

from .child import in_child
from .conftest import Pack, topic_yaml

LONGEST_LINE = 300

# Each hostile check, and what `content check` must say about it.
HOSTILE = {
    "round(1, 10**60)": "round's digits must be a whole number from -100 to 100",
    "round(1, -10**60)": "round's digits must be a whole number from -100 to 100",
    "((((9**64)**64)**64)**64)**64": "'(9**64)**64' is too big: up to 13056 bits",
    "(10**64)**64 - 1": "'(10**64)**64' is too big: up to 13696 bits",
    "9**64 * 9**64 * 9**64 * 9**64 * 9**64 * 9**64 * 9**64 * 9**64 * 9**64 * 9**64 * 9**64"
    " * 9**64 * 9**64 * 9**64 * 9**64 * 9**64 * 9**64 * 9**64 * 9**64 * 9**64 * 9**64": (
        "'9**64 * 9**64 * 9**64 * 9**64 * 9**64 * 9**64 * 9**64 * 9**…' is too big: up to 4264 bits"
    ),
    "divmod(10**60 ** 60, 7)": "powers must be whole numbers up to 64",
    "-" * 150 + "1": "nested more than 100 deep",
    "1e999": "'1e999' is not a finite number",
}

# Malformed checks that used to escape as TypeError, AttributeError or ValueError.
MALFORMED = {
    "(1, 2) * 3": "'(1, 2)' is a list of values, not a number",
    "(1, 2) + (3,)": "'(1, 2)' is a list of values, not a number",
    "abs((1, 2))": "'(1, 2)' is a list of values, not a number",
    "2 ** (1,)": "'(1,)' is a list of values, not a number",
    "1 < (1, 2)": "'(1, 2)' is a list of values, not a number",
    "(1 < 2) + 1": "'1 < 2' is a comparison, not a number",
    "min()": "min takes 1 or more numbers",
    "round()": "round takes 1 or 2 numbers",
    "round(1, 2, 3)": "round takes 1 or 2 numbers",
    "divmod(1)": "divmod takes 2 numbers",
    "round(1, 0.5)": "round's digits must be a whole number from -100 to 100",
}


def check_message(expression: str) -> str | None:
    """Why `evaluate` refuses the expression, or None when it gives a value."""
    try:
        evaluate(expression)
    except CheckError as exc:
        return str(exc)
    return None


def _topic_with_check(topic_id: str, check: str) -> str:
    return topic_yaml(topic_id) + (
        "questions:\n- id: q\n  type: multiple_choice\n  prompt: Pick.\n"
        '  choices: ["1", "2"]\n  answer: A\n  explanation: Because.\n'
        f"  check: {check!r}\n"
    )


@pytest.mark.parametrize("expression", sorted(HOSTILE))
def test_hostile_check_is_refused_at_once(expression: str) -> None:
    kind, message = in_child(check_message, expression)
    assert kind == "ok", message
    assert message is not None and HOSTILE[expression] in message
    assert len(message) < 200


@pytest.mark.parametrize("expression", sorted(MALFORMED))
def test_malformed_check_is_a_reason_not_a_crash(expression: str) -> None:
    kind, message = in_child(check_message, expression)
    assert kind == "ok", message
    assert message is not None and MALFORMED[expression] in message


def test_content_check_of_hostile_checks_returns_and_loads_nothing(pack: Pack) -> None:
    """What the author sees, as a black box: `tutorbot content check` returns, one short line
    per hostile check, and nothing loads. A regression fails on the timeout instead of hanging."""
    root = pack(
        {
            f"t{i}.yaml": _topic_with_check(f"t{i}", expression)
            for i, expression in enumerate(sorted(HOSTILE))
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "tutorbot", "content", "check", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{len(HOSTILE)} errors; nothing was loaded." in result.stdout
    for i, expression in enumerate(sorted(HOSTILE)):
        assert re.search(
            rf"t{i}\.yaml:\d+: questions\[0\]\.check: .*{re.escape(HOSTILE[expression])}",
            result.stdout,
        ), expression
    assert max(map(len, result.stdout.splitlines())) < LONGEST_LINE
    assert "Traceback" not in result.stdout + result.stderr


def test_checks_near_the_bound_still_evaluate() -> None:
    kind, value = in_child(evaluate, "(2**64)**60")
    assert (kind, value) == ("ok", 2**3840)
    two_thirds = evaluate("2 / 3")
    assert isinstance(two_thirds, Fraction)
    assert evaluate("round(2 / 3, 100)") == round(two_thirds, 100)
    assert evaluate("round(1234, -2)") == 1200
    assert evaluate("min(3)") == 3
    assert evaluate("divmod(14, 3)") == (4, 2)


def test_a_check_over_its_time_budget_is_refused() -> None:
    with pytest.raises(CheckError, match=r"took longer than 0 s"):
        evaluate("1 + 2 + 3", seconds=0)
    assert evaluate("1 + 2 + 3") == 6


def test_echoed_check_is_clipped(pack: Pack, capsys: pytest.CaptureFixture[str]) -> None:
    long_name = "x" * 190
    message = check_message(long_name)
    assert message is not None and "is not plain arithmetic" in message
    assert "x" * 61 not in message
    root = pack({"t.yaml": _topic_with_check("t", "1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1")})
    assert run_check(root) == 1
    out = capsys.readouterr().out
    assert "check '1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1' gives 12" in out
    root = pack({"t.yaml": _topic_with_check("t", " + ".join(["1"] * 50))})
    assert run_check(root) == 1
    out = capsys.readouterr().out
    assert "check '1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 +…' gives 50" in out


def test_numbers_in_long_numerals_neither_crash_nor_stall() -> None:
    digits = "1" * 5000
    assert in_child(numbers_in, f"{digits} and 7") == ("ok", [7])
    assert in_child(numbers_in, f"0.{'0' * 5000}1 and 8") == ("ok", [8])
    assert in_child(numbers_in, f"1 {digits}/3, {digits}/7 and 9") == ("ok", [9])
    kind, found = in_child(numbers_in, "1,234 5 1.5 -" * 20_000 + "1" * 1_000_000)
    assert kind == "ok", found
    assert len(found) == 60_000


@pytest.mark.parametrize("answer", ["", "ab", "BC", "ABC"])
def test_multiple_choice_answer_is_exactly_one_letter(
    pack: Pack,
    answer: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    question = (
        "questions:\n- id: q\n  type: multiple_choice\n  prompt: Pick.\n"
        f'  choices: ["x", "y", "z"]\n  answer: "{answer}"\n  explanation: Because.\n'
    )
    root = pack({"t.yaml": topic_yaml("t") + question})
    with pytest.raises(ContentError):
        load_library(root)
    assert run_check(root) == 1
    out = capsys.readouterr().out
    shown = repr(answer.upper())
    assert f"questions[0].answer: answer {shown} is not one of the choice letters A, B, C" in out
    assert "1 error; nothing was loaded." in out


def test_a_huge_answer_key_is_clipped(pack: Pack, capsys: pytest.CaptureFixture[str]) -> None:
    question = (
        "questions:\n- id: q\n  type: multiple_choice\n  prompt: Pick.\n"
        f'  choices: ["x", "y"]\n  answer: "{"A" * 100_000}"\n  explanation: Because.\n'
        "- id: r\n  type: true_false\n  prompt: Is it?\n"
        f'  answer: "{"maybe " * 20_000}"\n  explanation: Because.\n'
    )
    root = pack({"t.yaml": topic_yaml("t") + question})
    assert run_check(root) == 1
    out = capsys.readouterr().out
    assert "is not one of the choice letters A, B" in out
    assert max(map(len, out.splitlines())) < LONGEST_LINE
