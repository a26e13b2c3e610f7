"""Helpers for content tests: write small topic packs into a temp dir."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
Pack = Callable[[dict[str, str | bytes]], Path]
"""The `pack` fixture: write {relative path: text} under a fresh folder and return the folder."""


def topic_yaml(topic_id: str, prerequisites: list[str] | None = None, title: str = "") -> str:
    prereqs = "".join(f"\n- {p}" for p in prerequisites or [])
    return (
        f"id: {topic_id}\n"
        f"title: {title or topic_id.replace('-', ' ').title()}\n"
        f"prerequisites:{prereqs or ' []'}\n"
        "core_idea: An idea.\n"
    )


@pytest.fixture
def pack(tmp_path: Path) -> Pack:
    """Write {relative path: text} under a fresh folder and return the folder."""

    def write(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "pack"
        for name, text in files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                target.write_bytes(text)
            else:
                target.write_text(text, encoding="utf-8")
        root.mkdir(exist_ok=True)
        return root

    return write
