"""Due actions (reveal, next question, round end) as rows, so deadlines survive restarts.

A timer is claimed before it fires (`claim`): one UPDATE marks due rows of the kinds a process
handles with its name and a lease, so another process sharing the database skips them until the
lease runs out. SQLite runs the UPDATE in one write transaction, which is what makes the claim
atomic; on PostgreSQL the same inner SELECT takes `FOR UPDATE SKIP LOCKED`. A lease is renewed
while its holder lives (`renew`), and a holder deletes or releases only rows it still holds.

Shards: a timer stores the server it is for (`guild_id`, None for none), and a sharded process
claims the timers of its shards (`TimerShards`): a server's timers belong to the shard Discord
gives that server, a timer of no server to shard 0. It also takes over other shards' timers that
are orphaned: claimable (due, and past any lease) for longer than `TimerShards.takeover`, which
a live process running their shard never lets happen, so a dead process's work is still done.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from tutorbot.storage._time import from_db, opt_from_db, opt_to_db, to_db
from tutorbot.storage.backend import Dialect, dialect_of
from tutorbot.storage.db import Database


@dataclass(frozen=True)
class Timer:
    """One due action: what to do (`kind` and `payload`) and when (`due_at`)."""

    id: int
    kind: str
    due_at: datetime
    payload: dict[str, Any]
    key: str | None
    user_id: int | None
    attempts: int
    created_at: datetime
    claimed_by: str | None = None
    """The process holding this timer while it fires; None while nobody does."""
    lease_until: datetime | None = None
    """When that hold lapses unless renewed."""
    guild_id: int | None = None
    """The server it is for, which decides its shard; None for none (shard 0)."""


TAKEOVER = timedelta(seconds=60)
"""How long another shard's timer waits claimable before a process takes it over: twice the
scheduler's 30 s lease, so a live owner always claims its own first."""

AVAILABLE_AT = "CASE WHEN lease_until > due_at THEN lease_until ELSE due_at END"
"""When a timer can next be claimed: its due time, or the end of a lease that runs past it."""


@dataclass(frozen=True)
class TimerShards:
    """The shards one process runs, of `count`: it claims these shards' timers, and any other
    shard's that has been claimable for `takeover` (its process is dead or gone)."""

    count: int
    ids: frozenset[int]
    takeover: timedelta = TAKEOVER

    def sql(self) -> tuple[str, list[int]]:
        """The condition that a timer is of these shards and its parameters: a timer's shard is
        `(guild_id >> 22) % count` (Discord's rule), 0 for a timer of no server."""
        marks = ", ".join("?" * len(self.ids))
        return (
            f"(CASE WHEN guild_id IS NULL THEN 0 ELSE (guild_id >> 22) % ? END) IN ({marks})",
            [self.count, *sorted(self.ids)],
        )


def _claim_filter(shards: TimerShards | None, now: datetime) -> tuple[str, list[Any]]:
    """`claim`'s shard condition (as `AND ...`) and its parameters: nothing for an unsharded
    process (every timer); else this process's shards', or any orphaned one (claimable since
    `now - takeover` or earlier)."""
    if shards is None:
        return "", []
    mine, params = shards.sql()
    return f" AND ({mine} OR {AVAILABLE_AT} <= ?)", [*params, to_db(now - shards.takeover)]


@dataclass(frozen=True)
class StepTimer:
    """A timer stored by a step in the step's own write (a round's `RoundStore.save_step`, a
    daily question's claim or close), so a kill never leaves the step done without what follows
    it."""

    kind: str
    due_at: datetime
    payload: dict[str, Any]
    key: str | None = None
    held_by: str | None = None
    """Stored already claimed by this process (a scheduler's owner), which does it itself; it
    goes to whoever claims it next only if this process dies (its lease runs out)."""
    lease_until: datetime | None = None
    created_at: datetime | None = None
    """Defaults to the step's time."""
    attempts: int = field(default=0)


def insert_step_timer(
    conn: sqlite3.Connection, timer: StepTimer, stamp: str, guild_sql: str, guild_param: int
) -> int:
    """Inside a write: store one of a step's timers, for the server `guild_sql` names (an SQL
    value with one parameter, `guild_param`: "?" for the server's id itself, or a subquery); its
    id."""
    row = conn.execute(
        "INSERT INTO timers (kind, due_at, payload, key, user_id, attempts, created_at, "
        f"claimed_by, lease_until, guild_id) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, {guild_sql}) "
        "RETURNING id",
        (
            timer.kind,
            to_db(timer.due_at),
            json.dumps(timer.payload),
            timer.key,
            timer.attempts,
            stamp if timer.created_at is None else to_db(timer.created_at),
            timer.held_by,
            opt_to_db(timer.lease_until),
            guild_param,
        ),
    ).fetchone()
    return int(row[0])


def _timer(row: Any) -> Timer:
    return Timer(
        id=row["id"],
        kind=row["kind"],
        due_at=from_db(row["due_at"]),
        payload=json.loads(row["payload"]),
        key=row["key"],
        user_id=row["user_id"],
        attempts=row["attempts"],
        created_at=from_db(row["created_at"]),
        claimed_by=row["claimed_by"],
        lease_until=opt_from_db(row["lease_until"]),
        guild_id=row["guild_id"],
    )


def _kinds(kinds: Collection[str]) -> tuple[str, list[str]]:
    """The `IN (...)` placeholders and parameters for a set of kinds."""
    ordered = sorted(kinds)
    return ", ".join("?" * len(ordered)), ordered


_SKIP_LOCKED = {"sqlite": "", "postgresql": " FOR UPDATE SKIP LOCKED"}
"""How `claim`'s inner SELECT locks the rows it picks. SQLite's write transaction holds the
whole database; on PostgreSQL another process's claim may run at the same time, and skips the
rows this one locked (else both would pick them, and the second would take them over once the
first committed)."""


@cache
def claim_sql(dialect: Dialect, kinds: int, shards: str = "") -> str:
    """`TimerStore.claim`'s UPDATE for `kinds` kinds and the shard condition `shards`
    (`TimerShards.sql`), its parameters: the owner, the lease's end, now, each kind, now again,
    the shard condition's, and the limit."""
    marks = ", ".join("?" * kinds)
    return (
        "UPDATE timers SET claimed_by = ?, lease_until = ? WHERE id IN ("
        "SELECT id FROM timers WHERE due_at <= ? "
        f"AND kind IN ({marks}) AND (lease_until IS NULL OR lease_until < ?){shards} "
        f"ORDER BY due_at, id LIMIT ?{_SKIP_LOCKED[dialect.name]}) RETURNING *"
    )


class TimerStore:
    """The rows behind `tutorbot.scheduler.Scheduler`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any],
        now: datetime,
        *,
        key: str | None = None,
        user_id: int | None = None,
        guild_id: int | None = None,
    ) -> Timer:
        """Store a due action; `key` allows cancelling by meaning, `user_id` ties it to a user,
        `guild_id` to a server (and so to that server's shard). A round's step (a `round.*` kind
        whose payload names a `round_id`) is for its round's server unless `guild_id` says."""
        round_id = payload.get("round_id") if kind.startswith("round.") else None

        def tx(conn: sqlite3.Connection) -> Timer:
            row = conn.execute(
                "INSERT INTO timers (kind, due_at, payload, key, user_id, created_at, guild_id) "
                "VALUES (?, ?, ?, ?, ?, ?, "
                "COALESCE(?, (SELECT guild_id FROM rounds WHERE id = ?))) RETURNING *",
                (
                    kind,
                    to_db(due_at),
                    json.dumps(payload),
                    key,
                    user_id,
                    to_db(now),
                    guild_id,
                    round_id,
                ),
            ).fetchone()
            return _timer(row)

        return await self._db.write(tx)

    async def next_due(
        self, kinds: Collection[str], shards: TimerShards | None = None
    ) -> datetime | None:
        """When one of these kinds can next be claimed by a process of these shards (or of all):
        the earliest due time, or for a timer held by someone, the end of its lease if that is
        later; another shard's timer only `takeover` after that. None if there is none."""
        if not kinds:
            return None
        marks, params = _kinds(kinds)
        if shards is None:
            return await self._earliest(f"kind IN ({marks})", params)
        mine, shard_params = shards.sql()
        own = await self._earliest(f"kind IN ({marks}) AND {mine}", [*params, *shard_params])
        other = await self._earliest(
            f"kind IN ({marks}) AND NOT ({mine})", [*params, *shard_params]
        )
        orphaned = None if other is None else other + shards.takeover
        return min((t for t in (own, orphaned) if t is not None), default=None)

    async def _earliest(self, where: str, params: list[Any]) -> datetime | None:
        """When the first timer matching `where` can be claimed; None if none matches."""
        row = await self._db.fetchone(
            f"SELECT MIN({AVAILABLE_AT}) FROM timers WHERE {where}", params
        )
        return None if row is None or row[0] is None else from_db(row[0])

    async def claim(
        self,
        owner: str,
        kinds: Collection[str],
        now: datetime,
        lease_until: datetime,
        limit: int = 20,
        shards: TimerShards | None = None,
    ) -> list[Timer]:
        """Take up to `limit` timers of these kinds that are due at `now` and held by nobody
        (or whose lease ran out), earliest first, for `owner` until `lease_until`.

        Kinds not listed are never touched: they belong to a handler this process lacks. With
        `shards`, another shard's timer is taken only once orphaned, claimable for the
        shards' `takeover` (None: every shard's at once).
        """
        if not kinds:
            return []
        ordered = sorted(kinds)
        stamp = to_db(now)
        on_shards, shard_params = _claim_filter(shards, now)

        def tx(conn: sqlite3.Connection) -> list[Timer]:
            rows = conn.execute(
                claim_sql(dialect_of(conn), len(ordered), on_shards),
                (owner, to_db(lease_until), stamp, *ordered, stamp, *shard_params, limit),
            ).fetchall()
            return sorted((_timer(r) for r in rows), key=lambda t: (t.due_at, t.id))

        return await self._db.write(tx)

    async def renew(self, owner: str, lease_until: datetime) -> int:
        """Extend every lease `owner` holds to `lease_until`; returns how many it holds."""

        def tx(conn: sqlite3.Connection) -> int:
            return conn.execute(
                "UPDATE timers SET lease_until = ? WHERE claimed_by = ?",
                (to_db(lease_until), owner),
            ).rowcount

        return await self._db.write(tx)

    async def release(self, owner: str, timer_id: int | None = None) -> int:
        """Give back one timer `owner` holds (or all of them) unfired, for anyone to take now."""
        where = "claimed_by = ?"
        params: list[Any] = [owner]
        if timer_id is not None:
            where += " AND id = ?"
            params.append(timer_id)

        def tx(conn: sqlite3.Connection) -> int:
            return conn.execute(
                f"UPDATE timers SET claimed_by = NULL, lease_until = NULL WHERE {where}", params
            ).rowcount

        return await self._db.write(tx)

    async def finish(self, timer_id: int, owner: str) -> bool:
        """Delete a fired timer if `owner` still holds it; False if someone else took it over
        (its lease ran out) or it was cancelled meanwhile."""

        def tx(conn: sqlite3.Connection) -> bool:
            deleted = conn.execute(
                "DELETE FROM timers WHERE id = ? AND claimed_by = ?", (timer_id, owner)
            )
            return deleted.rowcount > 0

        return await self._db.write(tx)

    async def all(self) -> list[Timer]:
        """Every stored timer, earliest first."""
        rows = await self._db.fetchall("SELECT * FROM timers ORDER BY due_at, id")
        return [_timer(r) for r in rows]

    async def delete(self, timer_id: int) -> bool:
        """Remove a timer (fired or cancelled); False if it was already gone."""

        def tx(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM timers WHERE id = ?", (timer_id,)).rowcount > 0

        return await self._db.write(tx)

    async def delete_key(self, key: str) -> int:
        """Remove every timer with this key; returns how many."""

        def tx(conn: sqlite3.Connection) -> int:
            return conn.execute("DELETE FROM timers WHERE key = ?", (key,)).rowcount

        return await self._db.write(tx)

    async def retry_later(self, timer_id: int, owner: str, due_at: datetime) -> Timer | None:
        """Count a failed attempt, push the timer to `due_at` and release it, if `owner` still
        holds it; None otherwise."""

        def tx(conn: sqlite3.Connection) -> Timer | None:
            row = conn.execute(
                "UPDATE timers SET attempts = attempts + 1, due_at = ?, claimed_by = NULL, "
                "lease_until = NULL WHERE id = ? AND claimed_by = ? RETURNING *",
                (to_db(due_at), timer_id, owner),
            ).fetchone()
            return None if row is None else _timer(row)

        return await self._db.write(tx)
