"""Fixtures of the console tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database file in a fresh temp dir, created by the first console session."""
    return tmp_path / "tutorbot.sqlite3"
