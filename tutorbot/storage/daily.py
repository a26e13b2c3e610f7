"""The question of the day (migrations 0014, 0016): each server's settings, posts, answers.

A day's post is claimed by inserting its row, keyed by server and local day, before anything is
sent: a timer firing twice, or two processes racing, post once. The timers that finish the day
(its post, held by the claiming process, and its reveal) are stored in the same write, so a kill
never leaves a day claimed with nothing left to post it. An answer is one insert keyed by server,
day and person: the database decides that the first answer is final.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tutorbot.storage._time import from_db, opt_from_db, to_db
from tutorbot.storage.db import Database
from tutorbot.storage.timers import StepTimer, insert_step_timer
from tutorbot.storage.users import ensure_user

STREAK_DAYS = 400
"""Posts a leaderboard reads, newest first (a streak longer than this shows as this)."""


@dataclass(frozen=True)
class DailySettings:
    """A server's daily question as set up (also once turned off: `active` False)."""

    guild_id: int
    channel_id: int
    post_at: str
    """'HH:MM' on the server's clock."""
    timezone: str
    scope_kind: str
    """'all', 'topic' or 'pack'."""
    scope: str | None
    reveal_hours: int | None
    """None: the answer is revealed with the next day's question."""
    active: bool
    stopped_reason: str | None = None
    """Why it turned itself off, until someone running /daily set or /daily status is told."""
    stopped_at: datetime | None = None


@dataclass(frozen=True)
class DailyPost:
    """One server's question of one local day."""

    guild_id: int
    day: str
    channel_id: int
    cycle: int
    topic_id: str
    question_id: str
    question: str
    """The question as asked (JSON of the content model)."""
    message_id: int | None
    posted_at: datetime
    reveal_at: datetime | None
    revealed_at: datetime | None
    reveal_message_id: int | None = None
    """The reveal's message once Discord returned it (migration 0016): a retry edits it."""


@dataclass(frozen=True)
class DailyAnswer:
    """One person's answer to one day's question."""

    user_id: int
    answer: str
    correct: bool
    answered_at: datetime


def _settings(row: Any) -> DailySettings:
    return DailySettings(
        int(row["guild_id"]),
        int(row["channel_id"]),
        row["post_at"],
        row["timezone"],
        row["scope_kind"],
        row["scope"],
        None if row["reveal_hours"] is None else int(row["reveal_hours"]),
        bool(row["active"]),
        row["stopped_reason"],
        opt_from_db(row["stopped_at"]),
    )


def _post(row: Any) -> DailyPost:
    return DailyPost(
        int(row["guild_id"]),
        row["day"],
        int(row["channel_id"]),
        int(row["cycle"]),
        row["topic_id"],
        row["question_id"],
        row["question"],
        None if row["message_id"] is None else int(row["message_id"]),
        from_db(row["posted_at"]),
        opt_from_db(row["reveal_at"]),
        opt_from_db(row["revealed_at"]),
        None if row["reveal_message_id"] is None else int(row["reveal_message_id"]),
    )


_SETTINGS = "SELECT * FROM daily_settings WHERE guild_id = ?"
_POST = "SELECT * FROM daily_posts WHERE guild_id = ? AND day = ?"


class DailyStore:
    """Daily questions: one settings row per server, one post per server per local day."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- settings ---------------------------------------------------------------------------------

    async def settings(self, guild_id: int) -> DailySettings | None:
        """The server's daily question as last set, or None if it never was."""
        row = await self._db.fetchone(_SETTINGS, (guild_id,))
        return None if row is None else _settings(row)

    async def put_settings(self, settings: DailySettings, now: datetime) -> None:
        """Store the server's daily question as set (on, with no notice pending)."""
        values = (
            settings.guild_id,
            settings.channel_id,
            settings.post_at,
            settings.timezone,
            settings.scope_kind,
            settings.scope,
            settings.reveal_hours,
            1 if settings.active else 0,
            to_db(now),
        )

        def tx(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO daily_settings (guild_id, channel_id, post_at, timezone, scope_kind, "
                "scope, reveal_hours, active, stopped_reason, stopped_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?) ON CONFLICT (guild_id) DO UPDATE "
                "SET channel_id = excluded.channel_id, post_at = excluded.post_at, "
                "timezone = excluded.timezone, scope_kind = excluded.scope_kind, "
                "scope = excluded.scope, reveal_hours = excluded.reveal_hours, "
                "active = excluded.active, stopped_reason = NULL, stopped_at = NULL, "
                "updated_at = excluded.updated_at",
                values,
            )

        await self._db.write(tx)

    async def turn_off(self, guild_id: int, now: datetime, reason: str | None = None) -> bool:
        """Turn the server's daily question off (`reason`: it turned itself off, kept until
        someone is told); False if it was not on."""
        stamp = to_db(now)

        def tx(conn: sqlite3.Connection) -> bool:
            return (
                conn.execute(
                    "UPDATE daily_settings SET active = 0, stopped_reason = ?, stopped_at = ?, "
                    "updated_at = ? WHERE guild_id = ? AND active = 1",
                    (reason, stamp if reason else None, stamp, guild_id),
                ).rowcount
                == 1
            )

        return await self._db.write(tx)

    async def clear_notice(self, guild_id: int) -> None:
        """Forget why the daily question turned itself off (someone has been told)."""

        def tx(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE daily_settings SET stopped_reason = NULL, stopped_at = NULL "
                "WHERE guild_id = ? AND stopped_reason IS NOT NULL",
                (guild_id,),
            )

        await self._db.write(tx)

    # -- posts ------------------------------------------------------------------------------------

    async def cycle(self, guild_id: int) -> tuple[int, list[tuple[str, str]]]:
        """The server's current cycle and the questions (topic, question) posted in it."""
        row = await self._db.fetchone(
            "SELECT MAX(cycle) AS cycle FROM daily_posts WHERE guild_id = ?", (guild_id,)
        )
        if row is None or row["cycle"] is None:
            return 0, []
        cycle = int(row["cycle"])
        rows = await self._db.fetchall(
            "SELECT topic_id, question_id FROM daily_posts WHERE guild_id = ? AND cycle = ?",
            (guild_id, cycle),
        )
        return cycle, [(r["topic_id"], r["question_id"]) for r in rows]

    async def due_counts(self, guild_id: int, now: datetime) -> dict[tuple[str, str], int]:
        """Per question, how many of the server's students (the members it has seen) have its
        review due at `now`."""
        rows = await self._db.fetchall(
            "SELECT c.topic_id, c.question_id, COUNT(*) AS n FROM member_names m "
            "JOIN memory_cards c ON c.user_id = m.user_id "
            "WHERE m.guild_id = ? AND c.due <= ? GROUP BY c.topic_id, c.question_id",
            (guild_id, to_db(now)),
        )
        return {(r["topic_id"], r["question_id"]): int(r["n"]) for r in rows}

    async def claim_post(
        self, post: DailyPost, timers: Sequence[StepTimer] = ()
    ) -> list[int] | None:
        """Store the day's post before it is sent, with the `timers` that finish it (its post,
        its reveal) in the same write: their ids if this call claimed the day, None (and no
        timer stored) if the server already has a question that day."""
        values = (
            post.guild_id,
            post.day,
            post.channel_id,
            post.cycle,
            post.topic_id,
            post.question_id,
            post.question,
            to_db(post.posted_at),
            None if post.reveal_at is None else to_db(post.reveal_at),
        )

        def tx(conn: sqlite3.Connection) -> list[int] | None:
            claimed = conn.execute(
                "INSERT INTO daily_posts (guild_id, day, channel_id, cycle, topic_id, "
                "question_id, question, posted_at, reveal_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, day) DO NOTHING",
                values,
            ).rowcount
            if claimed != 1:
                return None
            stamp = to_db(post.posted_at)
            return [insert_step_timer(conn, t, stamp, "?", post.guild_id) for t in timers]

        return await self._db.write(tx)

    async def forget_unsent(self, guild_id: int, day: str) -> bool:
        """Delete a day's post that was claimed but never shown (no message stored, nobody
        answered): the day had no question after all. True if it was deleted."""

        def tx(conn: sqlite3.Connection) -> bool:
            return (
                conn.execute(
                    "DELETE FROM daily_posts WHERE guild_id = ? AND day = ? "
                    "AND message_id IS NULL AND NOT EXISTS (SELECT 1 FROM daily_answers a "
                    "WHERE a.guild_id = daily_posts.guild_id AND a.day = daily_posts.day)",
                    (guild_id, day),
                ).rowcount
                == 1
            )

        return await self._db.write(tx)

    async def post(self, guild_id: int, day: str) -> DailyPost | None:
        """The server's question of that day, if one was posted."""
        row = await self._db.fetchone(_POST, (guild_id, day))
        return None if row is None else _post(row)

    async def latest(self, guild_id: int) -> DailyPost | None:
        """The server's newest daily question."""
        row = await self._db.fetchone(
            "SELECT * FROM daily_posts WHERE guild_id = ? ORDER BY day DESC LIMIT 1", (guild_id,)
        )
        return None if row is None else _post(row)

    async def set_message(self, guild_id: int, day: str, message_id: int) -> None:
        """Note the message the day's question was posted as."""

        def tx(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE daily_posts SET message_id = ? WHERE guild_id = ? AND day = ?",
                (message_id, guild_id, day),
            )

        await self._db.write(tx)

    async def set_reveal_message(self, guild_id: int, day: str, message_id: int) -> None:
        """Note the message the day's reveal was posted as (a retry edits it, never posts
        another)."""

        def tx(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE daily_posts SET reveal_message_id = ? WHERE guild_id = ? AND day = ?",
                (message_id, guild_id, day),
            )

        await self._db.write(tx)

    async def unrevealed_before(self, guild_id: int, day: str) -> list[DailyPost]:
        """The server's questions before `day` still waiting for their reveal, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM daily_posts WHERE guild_id = ? AND day < ? AND revealed_at IS NULL "
            "ORDER BY day",
            (guild_id, day),
        )
        return [_post(r) for r in rows]

    async def close(self, guild_id: int, day: str, now: datetime, then: StepTimer) -> int | None:
        """Close the day's question (a reveal happens once) and store `then`, the timer that
        shows its reveal, in the same write: its id if this call closed the question."""

        def tx(conn: sqlite3.Connection) -> int | None:
            closed = conn.execute(
                "UPDATE daily_posts SET revealed_at = ? "
                "WHERE guild_id = ? AND day = ? AND revealed_at IS NULL",
                (to_db(now), guild_id, day),
            ).rowcount
            return insert_step_timer(conn, then, to_db(now), "?", guild_id) if closed == 1 else None

        return await self._db.write(tx)

    # -- answers ----------------------------------------------------------------------------------

    async def add_answer(self, guild_id: int, day: str, answer: DailyAnswer) -> bool:
        """Record a person's answer to the day's question, unless the question is closed or they
        answered already: True if this one was stored."""
        stamp = to_db(answer.answered_at)
        values = (guild_id, day, answer.user_id, answer.answer, int(answer.correct), stamp)

        def tx(conn: sqlite3.Connection) -> bool:
            ensure_user(conn, answer.user_id, stamp)
            return (
                conn.execute(
                    "INSERT INTO daily_answers (guild_id, day, user_id, answer, correct, "
                    "answered_at) SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM daily_posts "
                    "WHERE guild_id = ? AND day = ? AND revealed_at IS NULL) "
                    "ON CONFLICT (guild_id, day, user_id) DO NOTHING",
                    (*values, guild_id, day),
                ).rowcount
                == 1
            )

        return await self._db.write(tx)

    async def answer_of(self, guild_id: int, day: str, user_id: int) -> DailyAnswer | None:
        """A person's answer to the day's question, if they gave one."""
        row = await self._db.fetchone(
            "SELECT * FROM daily_answers WHERE guild_id = ? AND day = ? AND user_id = ?",
            (guild_id, day, user_id),
        )
        if row is None:
            return None
        return DailyAnswer(
            int(row["user_id"]), row["answer"], bool(row["correct"]), from_db(row["answered_at"])
        )

    async def answers(self, guild_id: int, day: str) -> list[tuple[str, bool]]:
        """Every answer to the day's question: (answer, right)."""
        rows = await self._db.fetchall(
            "SELECT answer, correct FROM daily_answers WHERE guild_id = ? AND day = ?",
            (guild_id, day),
        )
        return [(r["answer"], bool(r["correct"])) for r in rows]

    async def answer_count(self, guild_id: int, day: str) -> int:
        """How many answered the day's question."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM daily_answers WHERE guild_id = ? AND day = ?",
            (guild_id, day),
        )
        return 0 if row is None else int(row["n"])

    async def recent_days(self, guild_id: int) -> list[str]:
        """The server's posted days, newest first (at most `STREAK_DAYS`)."""
        rows = await self._db.fetchall(
            "SELECT day FROM daily_posts WHERE guild_id = ? ORDER BY day DESC LIMIT ?",
            (guild_id, STREAK_DAYS),
        )
        return [r["day"] for r in rows]

    async def totals(self, guild_id: int) -> dict[int, tuple[int, int]]:
        """Everyone who answered the server's daily questions: person -> (answers, right)."""
        rows = await self._db.fetchall(
            "SELECT user_id, COUNT(*) AS n, SUM(correct) AS right_answers FROM daily_answers "
            "WHERE guild_id = ? GROUP BY user_id",
            (guild_id,),
        )
        return {int(r["user_id"]): (int(r["n"]), int(r["right_answers"])) for r in rows}

    async def answers_since(self, guild_id: int, day: str) -> dict[int, dict[str, bool]]:
        """Everyone's answers to the server's questions from `day` on: person -> day -> right."""
        rows = await self._db.fetchall(
            "SELECT user_id, day, correct FROM daily_answers WHERE guild_id = ? AND day >= ?",
            (guild_id, day),
        )
        found: dict[int, dict[str, bool]] = {}
        for r in rows:
            found.setdefault(int(r["user_id"]), {})[r["day"]] = bool(r["correct"])
        return found
