"""The round options' store on both backends: a server's defaults, players joining teams once
and balanced, rounds in threads found from their channel, and /forgetme."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from tutorbot.domain.round_options import assign_team
from tutorbot.storage import Storage
from tutorbot.storage.round_options import RoundDefaults, RoundOptionStore

from .conftest import rows

GUILD, CHANNEL, THREAD, OTHER_THREAD = 1001, 2001, 3001, 3002
HOST = 7


def _smallest(sizes: Sequence[int]) -> int:
    return assign_team(sizes)


async def _round(storage: Storage, now: datetime, channel: int = CHANNEL) -> int:
    rnd = await storage.rounds.start(guild_id=GUILD, channel_id=channel, host_id=HOST, now=now)
    return rnd.id


async def test_defaults_are_the_bots_until_changed_and_each_change_keeps_the_others(
    storage: Storage, now: datetime
) -> None:
    store = RoundOptionStore(storage.db)
    assert await store.defaults(GUILD) == RoundDefaults(GUILD)
    changed = await store.update_defaults(GUILD, now=now, teams=4, podium=5)
    assert changed == RoundDefaults(GUILD, teams=4, podium=5)
    changed = await store.update_defaults(GUILD, now=now, streak=True, thread=True)
    assert changed == RoundDefaults(GUILD, 4, True, True, 5)
    assert await store.update_defaults(GUILD, now=now, teams=0) == RoundDefaults(
        GUILD, 0, True, True, 5
    )
    assert await store.defaults(GUILD + 1) == RoundDefaults(GUILD + 1)


async def test_players_join_once_and_the_teams_stay_balanced_when_many_join_at_once(
    storage: Storage, now: datetime
) -> None:
    store = RoundOptionStore(storage.db)
    round_id = await _round(storage, now)
    joined = await asyncio.gather(
        *(store.join(round_id, user, teams=3, choose=_smallest, now=now) for user in range(1, 11))
    )
    assert sorted(joined.count(t) for t in range(3)) == [3, 3, 4]
    again = await store.join(round_id, 1, teams=3, choose=lambda sizes: 2, now=now)
    assert again == joined[0]
    assert await store.teams_of(round_id) == dict(zip(range(1, 11), joined, strict=True))
    assert await store.team_of(round_id, 1) == joined[0]
    assert await store.team_of(round_id, 99) is None


async def test_a_round_in_a_thread_is_found_from_its_channel_while_it_runs(
    storage: Storage, now: datetime
) -> None:
    store = RoundOptionStore(storage.db)
    first = await _round(storage, now, THREAD)
    second = await _round(storage, now, OTHER_THREAD)
    plain = await _round(storage, now, CHANNEL)
    await store.set_thread(first, CHANNEL)
    await store.set_thread(first, CHANNEL)  # twice is once
    await store.set_thread(second, CHANNEL)
    assert await store.running_threads(CHANNEL) == [THREAD, OTHER_THREAD]
    assert await store.parent_of(first) == CHANNEL
    assert await store.parent_of(plain) is None
    rnd = await storage.rounds.get(first)
    assert rnd is not None
    await storage.rounds.save_state(
        first,
        now=now,
        expected_version=rnd.version,
        state={},
        current_index=0,
        deadline=None,
        status="finished",
    )
    assert await store.running_threads(CHANNEL) == [OTHER_THREAD]


async def test_forgetme_removes_a_players_teams(storage: Storage, now: datetime) -> None:
    store = RoundOptionStore(storage.db)
    round_id = await _round(storage, now)
    await store.join(round_id, 21, teams=2, choose=_smallest, now=now)
    await store.join(round_id, 22, teams=2, choose=_smallest, now=now)
    exported = await storage.data_rights.export_user(21)
    assert [r["team"] for r in exported["round_players"]] == [0]
    await storage.data_rights.delete_user(21)
    assert await rows(storage, "SELECT user_id, team FROM round_players") == [(22, 1)]
