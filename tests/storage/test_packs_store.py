"""The packs table and its revision sequence (migration 0012)."""

from __future__ import annotations

from datetime import datetime

from tutorbot.storage import Storage
from tutorbot.storage.packs import PackSummary


def _summary(guild_id: int, name: str, now: datetime, questions: int = 3) -> PackSummary:
    return PackSummary(guild_id, name, f"{name}.gift", "gift", 1, questions, now)


async def test_a_pack_is_stored_replaced_and_removed_with_a_revision_each_time(
    storage: Storage, now: datetime
) -> None:
    packs = storage.packs
    assert await packs.revision() == 0
    first = await packs.save(_summary(1, "capitals", now), "[]")
    second = await packs.save(_summary(2, "rivers", now), "[]")
    third = await packs.save(_summary(1, "capitals", now, questions=5), '[{"x": 1}]')
    assert (first, second, third) == (1, 2, 3)
    assert [s.question_count for s in await packs.summaries(1)] == [5]
    stored = await packs.get(1, "capitals")
    assert stored is not None and stored.topics == '[{"x": 1}]'
    assert await packs.changed_since(1) == [(2, 2), (1, 3)]
    assert await packs.changed_since(3) == []
    assert sorted(await packs.guilds()) == [1, 2]
    assert await packs.remove(1, "capitals") == 4
    assert await packs.remove(1, "capitals") is None
    assert await packs.summaries(1) == []
    assert await packs.of_guild(2) != []
    assert await packs.changed_since(3) == [(1, 4)]
