"""The plain builder of topic files gives exactly what PyYAML's constructor gives, or the same
error: on the bundled content, on a generated course, and on every kind of node it leaves to the
constructor."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import yaml

from tutorbot.content.loader import topic_files
from tutorbot.content.safe_yaml import Refused, TopicLoader, load_topic_yaml
from tutorbot.settings import BUNDLED_CONTENT_DIR


class ConstructorOnly(TopicLoader):
    """TopicLoader with every document built by PyYAML's constructor."""

    builds_plainly = False


def _outcome(text: bytes, loader: type[TopicLoader] | None) -> tuple[str, Any]:
    try:
        if loader is None:
            return "ok", load_topic_yaml(text)
        return "ok", yaml.load(text, Loader=loader)  # noqa: S506 (a SafeLoader subclass)
    except Refused as exc:
        return "refused", (exc.line, exc.message)
    except (yaml.YAMLError, ValueError) as exc:
        return type(exc).__name__, str(exc)


def _same(text: bytes) -> None:
    plain, constructed = _outcome(text, None), _outcome(text, ConstructorOnly)
    if plain[0] == "ok" and constructed[0] == "ok":
        assert repr(plain[1]) == repr(constructed[1])  # repr: nan keys, types of equal values
    else:
        assert plain == constructed


def test_the_bundled_content_builds_as_the_constructor_builds_it() -> None:
    for path in topic_files(BUNDLED_CONTENT_DIR):
        _same(path.read_bytes())


SNIPPETS = [
    "id: a\ntitle: A\nquestions:\n- id: q\n  answer: true\n  think_seconds: 20\n",
    "a: 1\nb: 1.5\nc: .nan\nd: null\ne: ~\nf: 2024-01-02\ng: 2024-01-02 03:04:05\nh: yes\n",
    "a: !!str 5\nb: !!int '7'\nc: !!float '1'\nd: !!binary aGVsbG8=\n",
    "a: !!set {x, y}\n",
    "a: !!omap [x: 1, y: 2]\n",
    "a: !!pairs [x: 1, x: 2]\n",
    "a: !!python/name:os.system\n",
    "a: !custom 1\n",
    "<<: {a: 1}\nb: 2\n",
    "a: 1\n=: 2\n",
    "a: 1\na: 2\n",
    "q:\n- {x: 1, x: 2}\n",
    "1: a\ntrue: b\n",
    ".nan: a\n.nan: b\n",
    "? [a, b]\n: c\n",
    "? {a: 1}\n: c\n",
    "a: 2024-02-30\n",
    "a: " + "9" * 5000 + "\n",
    "a: [" * 60 + "]" * 60 + "\n",
    "- a\n- b: [1, 2, {c: d}]\n",
    "just text\n",
    "",
    "a: 1\n---\nb: 2\n",
    "a: [1, 2\n",
    "a: *nothing\n",
]


@pytest.mark.parametrize("text", SNIPPETS, ids=range(len(SNIPPETS)))
def test_every_kind_of_node_gives_what_the_constructor_gives(text: str) -> None:
    _same(text.encode())


DEEP = {
    "flow": "b'[' * 400_000 + b']' * 400_000",
    "block sequences": "b'a:\\n' + b'- ' * 300_000 + b'x'",
    "flow mappings": "b'{a: ' * 100_000 + b'1' + b'}' * 100_000",
}


@pytest.mark.parametrize("kind", sorted(DEEP))
def test_deep_nesting_is_refused_not_a_crash(kind: str) -> None:
    """libyaml's composer recurses on the C stack: a file nested 25,000 deep used to kill the
    process (exit 139) instead of raising. Run in a child so a regression fails, not crashes."""
    code = (
        "from tutorbot.content.safe_yaml import Refused, load_topic_yaml\n"
        f"try:\n    load_topic_yaml({DEEP[kind]})\n"
        "except Refused as exc:\n    print(exc.line, exc.message)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "nested more than 32 deep here; refused" in result.stdout


def test_nesting_a_topic_needs_loads_and_thirty_three_levels_do_not() -> None:
    assert load_topic_yaml(b"a: " + b"[" * 32 + b"]" * 32) == {"a": _nested(31)}
    indicators = b"- " * 5001
    with pytest.raises(Refused, match="nested more than 32 deep"):
        load_topic_yaml(b"a: " + b"[" * 33 + b"]" * 33 + b"\nb: '" + indicators + b"'")


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value
