"""The plain builder of topic files gives exactly what PyYAML's constructor gives, or the same
error: on the bundled content, on a generated course, and on every kind of node it leaves to the
constructor."""

from __future__ import annotations

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
