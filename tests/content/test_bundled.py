"""Every shipped topic file validates, and `content check` passes on the bundled pack."""

from __future__ import annotations

import pytest

from tutorbot.cli.content import run_check
from tutorbot.content.loader import load_library, topic_files
from tutorbot.settings import BUNDLED_CONTENT_DIR


def test_bundled_pack_loads_every_file() -> None:
    library = load_library(BUNDLED_CONTENT_DIR)
    assert len(library) == len(topic_files(BUNDLED_CONTENT_DIR))
    assert {library.source(t) for t in library.topics} == set(topic_files(BUNDLED_CONTENT_DIR))


def test_content_check_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(BUNDLED_CONTENT_DIR) == 0
    out = capsys.readouterr().out
    assert "Deepest topic:" in out
    assert "duplicate-title silenced: The seed chain has two topics" in out
    assert "\nValid: " in out
