"""Round options (migration 0015): a server's defaults for /round start's options, who plays for
which team in a round, and the channel a round in a thread was started from.

A player joins a team once: the team is chosen and inserted in one write (the writer's
transaction sees every earlier join), keyed by round and player, so two clicks of one player
join once and the teams stay balanced however many join at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tutorbot.storage._time import to_db
from tutorbot.storage._unset import UNSET, Unset
from tutorbot.storage.db import Database
from tutorbot.storage.users import ensure_user

DEFAULT_PODIUM = 3


@dataclass(frozen=True)
class RoundDefaults:
    """A server's defaults for new rounds' options (the bot's own where no admin set one)."""

    guild_id: int
    teams: int = 0
    """0: no teams."""
    streak: bool = False
    thread: bool = False
    podium: int = DEFAULT_PODIUM


def _defaults(guild_id: int, row: Any) -> RoundDefaults:
    if row is None:
        return RoundDefaults(guild_id)
    return RoundDefaults(
        guild_id,
        int(row["teams"] or 0),
        bool(row["streak"]),
        bool(row["thread"]),
        int(row["podium"]) if row["podium"] is not None else DEFAULT_PODIUM,
    )


_SELECT_DEFAULTS = "SELECT * FROM round_defaults WHERE guild_id = ?"
_DEFAULT_COLUMNS = ("teams", "streak", "thread", "podium")

Chooser = Callable[[Sequence[int]], int]
"""Picks a new player's team (0-based) from each team's size now."""


class RoundOptionStore:
    """Round options' rows: defaults per server, players' teams, rounds in threads."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- a server's defaults ----------------------------------------------------------------

    async def defaults(self, guild_id: int) -> RoundDefaults:
        """The server's defaults (the bot's own for a server no admin configured)."""
        return _defaults(guild_id, await self._db.fetchone(_SELECT_DEFAULTS, (guild_id,)))

    async def update_defaults(
        self,
        guild_id: int,
        *,
        now: datetime,
        teams: int | Unset = UNSET,
        streak: bool | Unset = UNSET,
        thread: bool | Unset = UNSET,
        podium: int | Unset = UNSET,
    ) -> RoundDefaults:
        """Change some defaults (the others keep theirs); checked by the caller."""
        changes = {
            name: int(value)
            for name, value in zip(_DEFAULT_COLUMNS, (teams, streak, thread, podium), strict=True)
            if not isinstance(value, Unset)
        }

        def tx(conn: sqlite3.Connection) -> RoundDefaults:
            conn.execute(
                "INSERT INTO round_defaults (guild_id, updated_at) VALUES (?, ?) "
                "ON CONFLICT (guild_id) DO UPDATE SET updated_at = excluded.updated_at",
                (guild_id, to_db(now)),
            )
            for column in _DEFAULT_COLUMNS:
                if column in changes:
                    conn.execute(
                        f"UPDATE round_defaults SET {column} = ? WHERE guild_id = ?",
                        (changes[column], guild_id),
                    )
            return _defaults(guild_id, conn.execute(_SELECT_DEFAULTS, (guild_id,)).fetchone())

        return await self._db.write(tx)

    # -- teams ------------------------------------------------------------------------------

    async def join(
        self, round_id: int, user_id: int, *, teams: int, choose: Chooser, now: datetime
    ) -> int:
        """The player's team in the round: the one they joined, else the one `choose` picks
        from the teams' sizes now (stored in the same write)."""

        def tx(conn: sqlite3.Connection) -> int:
            found = conn.execute(
                "SELECT team FROM round_players WHERE round_id = ? AND user_id = ?",
                (round_id, user_id),
            ).fetchone()
            if found is not None:
                return int(found["team"])
            sizes = [0] * teams
            for row in conn.execute(
                "SELECT team, COUNT(*) AS n FROM round_players WHERE round_id = ? GROUP BY team",
                (round_id,),
            ):
                if 0 <= int(row["team"]) < teams:
                    sizes[int(row["team"])] = int(row["n"])
            team = choose(sizes)
            ensure_user(conn, user_id, now)
            conn.execute(
                "INSERT INTO round_players (round_id, user_id, team, joined_at) "
                "VALUES (?, ?, ?, ?)",
                (round_id, user_id, team, to_db(now)),
            )
            return team

        return await self._db.write(tx)

    async def teams_of(self, round_id: int) -> dict[int, int]:
        """Each player's team in the round, by user id."""
        rows = await self._db.fetchall(
            "SELECT user_id, team FROM round_players WHERE round_id = ?", (round_id,)
        )
        return {int(row["user_id"]): int(row["team"]) for row in rows}

    async def team_of(self, round_id: int, user_id: int) -> int | None:
        """The player's team in the round, or None if they have not joined."""
        row = await self._db.fetchone(
            "SELECT team FROM round_players WHERE round_id = ? AND user_id = ?",
            (round_id, user_id),
        )
        return None if row is None else int(row["team"])

    # -- threads ----------------------------------------------------------------------------

    async def set_thread(self, round_id: int, parent_channel_id: int) -> None:
        """Record that the round runs in a thread of `parent_channel_id`."""

        def tx(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO round_threads (round_id, parent_channel_id) VALUES (?, ?) "
                "ON CONFLICT (round_id) DO NOTHING",
                (round_id, parent_channel_id),
            )

        await self._db.write(tx)

    async def parent_of(self, round_id: int) -> int | None:
        """The channel a round in a thread was started from; None for a round in a channel."""
        row = await self._db.fetchone(
            "SELECT parent_channel_id FROM round_threads WHERE round_id = ?", (round_id,)
        )
        return None if row is None else int(row["parent_channel_id"])

    async def running_threads(self, parent_channel_id: int) -> list[int]:
        """The thread channels of the rounds running in threads of this channel, oldest first."""
        rows = await self._db.fetchall(
            "SELECT rounds.channel_id FROM round_threads "
            "JOIN rounds ON rounds.id = round_threads.round_id "
            "WHERE round_threads.parent_channel_id = ? AND rounds.status = 'running' "
            "ORDER BY rounds.id",
            (parent_channel_id,),
        )
        return [int(row["channel_id"]) for row in rows]
