"""A round's stored state, for store tests that need a round row and no round rules."""

from __future__ import annotations

from typing import Any


def round_state(topic_id: str, question_ids: list[str], settings: dict[str, Any]) -> dict[str, Any]:
    """The JSON a round row keeps: the domain's state less what the columns hold."""
    return {
        "topic_id": topic_id,
        "settings": settings,
        "question_ids": question_ids,
        "skipped": [],
        "asked": [],
        "ended_at": None,
    }
