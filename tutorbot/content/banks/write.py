"""Topics as topic YAML files, written all together or not at all.

Each topic is dumped in the field order of a hand-written topic (multi-line text as `|` blocks)
and read back through the loader's own YAML and models before anything is written: what is
written is exactly what `tutorbot content check` will load. The files go into a temporary
folder beside the target, which is renamed into place only when all are written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from tutorbot.content.models import Topic
from tutorbot.content.safe_yaml import load_topic_yaml


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper with multi-line text as literal blocks."""


def _text(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def topic_data(topic: Topic) -> dict[str, Any]:
    """A topic as the plain data of its file: unset and empty fields left out."""
    data = topic.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    data["id"], data["title"], data["core_idea"] = topic.id, topic.title, topic.core_idea
    order = ("id", "title", "level", "tags", "prerequisites", "core_idea", "explainer")
    ordered = {key: data[key] for key in order if key in data}
    ordered["questions"] = [
        question.model_dump(mode="json", exclude_none=True) for question in topic.questions
    ]
    return ordered


def topic_yaml(topic: Topic) -> str:
    """A topic's file text, checked to load back as the same topic."""
    text = yaml.dump(
        topic_data(topic), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )
    if Topic.model_validate(load_topic_yaml(text.encode())) != topic:
        raise ValueError(f"topic {topic.id!r} does not read back as written")  # a bug of ours
    return text


class OutExists(Exception):
    """The target folder exists and is not empty; nothing is written over it."""


def check_target(out: Path) -> None:
    """Refuse a target that exists and is not an empty folder (nothing is written over it)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise OutExists(f"{out} already exists and is not an empty folder")


def write_pack(topics: Sequence[Topic], out: Path) -> list[Path]:
    """Write each topic as `<id>.yaml` in a new folder `out` (which may exist only if empty);
    return the files' paths. Raises `OutExists`, or OSError with nothing left behind."""
    check_target(out)
    texts = {f"{topic.id}.yaml": topic_yaml(topic) for topic in topics}
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, text in texts.items():
            (staging / name).write_text(text, encoding="utf-8")
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out / name for name in texts]
