"""Stats and leaderboards read counters and a page of the ranking, never the whole history or
the whole server: what they show must still be exactly what the full computation gives."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime

from tutorbot.domain.standings import leaderboard, rank_after
from tutorbot.storage import Storage
from tutorbot.storage.answers import ScoreRow

from .conftest import rows

GUILDS = (7, 8, 9)


async def _random_history(storage: Storage, now: datetime, seed: int) -> None:
    """About 600 answers from 40 students in three servers and in direct messages, with points
    from a small set so that many students tie."""
    rng = random.Random(seed)

    async def one() -> None:
        await storage.answers.record(
            user_id=rng.randint(1, 40),
            guild_id=rng.choice((*GUILDS, None)),
            topic_id=rng.choice(("a", "b", "c", "d")),
            question_id="q",
            answer="A",
            correct=rng.random() < 0.6,
            seconds=1.0,
            source=rng.choice(("quiz", "round")),
            points=rng.choice((0, 100, 200)),
            now=now,
        )

    await asyncio.gather(*(one() for _ in range(600)))


async def test_stats_from_counters_equal_the_sums_over_every_answer(
    storage: Storage, now: datetime
) -> None:
    await _random_history(storage, now, seed=1)
    for user in range(1, 41):
        for guild in (None, *GUILDS):
            where, params = "user_id = ?", [user]
            if guild is not None:
                where, params = where + " AND guild_id = ?", [user, guild]
            (expected,) = await rows(
                storage,
                "SELECT COUNT(*), COALESCE(SUM(correct), 0), COALESCE(SUM(points), 0), "
                f"COUNT(DISTINCT topic_id) FROM answers WHERE {where}",
                *params,
            )
            got = await storage.answers.user_stats(user, guild)
            figures = (got.answered, got.correct, got.points, got.topics_practised)
            assert figures == expected, (user, guild)


async def test_a_page_of_the_leaderboard_and_one_line_rank_as_the_whole_board(
    storage: Storage, now: datetime
) -> None:
    for seed in (2, 3):
        await _random_history(storage, now, seed)
    for guild in GUILDS:
        scores = await rows(
            storage,
            "SELECT user_id, points, answered, correct FROM guild_scores WHERE guild_id = ?",
            guild,
        )
        whole = leaderboard(ScoreRow(*r) for r in scores)
        assert len({(e.points, e.correct) for e in whole}) < len(whole)  # there are ties
        for size in (1, 3, 10, 100):
            assert leaderboard(await storage.answers.top_scores(guild, size)) == whole[:size]
        for entry in whole:
            found = await storage.answers.score_of(guild, entry.user_id)
            assert found is not None
            row, ahead = found
            assert (rank_after(ahead), row.user_id, row.points) == (
                entry.rank,
                entry.user_id,
                entry.points,
            )
