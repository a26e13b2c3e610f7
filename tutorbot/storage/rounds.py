"""Group rounds in a channel and their answers: one running round per channel, one answer each.

A round's state is the domain's JSON in `state`, stored once; the columns hold what SQL looks
rounds up by or checks in a write (status, current question, deadline, version, ...)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from typing import Any, Literal

from tutorbot.storage._time import from_db, opt_from_db, opt_to_db, to_db
from tutorbot.storage._unset import UNSET, Unset
from tutorbot.storage.answers import count_answer, insert_answer
from tutorbot.storage.backend import dialect_of, integrity_errors
from tutorbot.storage.db import Database
from tutorbot.storage.errors import RoundAlreadyRunningError
from tutorbot.storage.memory import PracticeStep, record_practice
from tutorbot.storage.timers import StepTimer, insert_step_timer

RoundRowStatus = Literal["running", "finished", "stopped"]


@dataclass(frozen=True)
class Round:
    """A group round's row: the columns SQL looks rounds up by, and the domain state as JSON."""

    id: int
    guild_id: int
    channel_id: int
    host_id: int | None
    status: RoundRowStatus
    current_index: int
    """The open (or last closed) question's place among the round's drawn questions."""
    message_id: int | None
    deadline: datetime | None
    created_at: datetime
    updated_at: datetime
    state: dict[str, Any] | None = None
    """The domain's round state (the domain owns the shape) without what the columns hold: its
    answers are rows of round_answers, its host `host_id`, its status and start these columns."""
    version: int = 0
    """Bumped by every `save_state`, which only applies at the version it was given."""


@dataclass(frozen=True)
class RoundAnswerRow:
    """One student's answer to one question of a round, as stored (one per student and question)."""

    id: int
    round_id: int
    question_index: int
    user_id: int
    answer: str
    correct: bool
    seconds: float
    points: int
    answered_at: datetime
    assessment: str | None = None
    """A free-response answer's self-assessment, once the student judged it."""


AnswerCells = tuple[int, int, str, datetime, float, str | None]
"""A round answer as a plain tuple: (question_index, user_id, answer, answered_at, seconds,
assessment), for reading a whole round of a big class (`RoundStore.answer_cells`)."""


@dataclass(frozen=True)
class RecordedRoundAnswer:
    """What recording a round answer did: stored it, or found the student's earlier one."""

    first: bool
    """False when the student had already answered this question (a double click)."""
    answer: RoundAnswerRow
    """The answer that counts: the new one, or the earlier one when `first` is False."""


_ROUND_GUILD = "(SELECT guild_id FROM rounds WHERE id = ?)"
"""A round's step timers are for its round's server (`insert_step_timer`)."""


def _round(row: Any) -> Round:
    return Round(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        host_id=row["host_id"],
        status=row["status"],
        current_index=row["current_index"],
        message_id=row["message_id"],
        deadline=opt_from_db(row["deadline"]),
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        state=json.loads(row["state"]) if row["state"] else None,
        version=row["version"],
    )


def _round_answer(row: Any) -> RoundAnswerRow:
    return RoundAnswerRow(
        id=row["id"],
        round_id=row["round_id"],
        question_index=row["question_index"],
        user_id=row["user_id"],
        answer=row["answer"],
        correct=bool(row["correct"]),
        seconds=row["seconds"],
        points=row["points"],
        answered_at=from_db(row["answered_at"]),
        assessment=row["assessment"],
    )


_SELECT = "SELECT * FROM rounds WHERE id = ?"
_OPEN = (
    "SELECT guild_id FROM rounds WHERE id = ? AND status = 'running' "
    "AND current_index = ? AND deadline IS NOT NULL"
)
_STILL_OPEN = {"sqlite": _OPEN, "postgresql": _OPEN + " FOR SHARE"}
_IF_OPEN = {name: f"EXISTS ({sql})" for name, sql in _STILL_OPEN.items()}
"""Whether a round's question is open for answers, held so until the answer's write commits.
SQLite has one writer at a time. On PostgreSQL another process may close the question at the
same moment: FOR SHARE makes that close wait for the answer's commit (the answer counts), or the
answer wait for the close's and then find the question closed."""


def _record_if_open(
    conn: sqlite3.Connection,
    *,
    round_id: int,
    question_index: int,
    question_id: str,
    topic_id: str,
    user_id: int,
    answer: str,
    correct: bool,
    seconds: float,
    points: int,
    now: datetime,
    practice: PracticeStep | None,
) -> RecordedRoundAnswer | None:
    """Inside a write: record a student's answer once if the round's question is still open
    (the body of `RoundStore.record_open_answer`); None once it closed.

    The user row and the answer are inserted only while the question is open, each INSERT
    checking it itself (`_IF_OPEN`), and the answer's row (with its round's server) comes back
    from its INSERT: on PostgreSQL's pipelined batch a first answer waits for one reply before
    its practice, not three. Only an answer that was not inserted (the question closed, or a
    double click) reads further."""
    if_open = _IF_OPEN[dialect_of(conn).name]
    stamp = to_db(now)
    is_open = (round_id, question_index)
    conn.execute(
        f"INSERT INTO users (id, created_at, last_seen_at) SELECT ?, ?, ? WHERE {if_open} "
        "ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
        (user_id, stamp, stamp, *is_open),
    )
    row = conn.execute(
        "INSERT INTO round_answers (round_id, question_index, user_id, answer, correct, "
        f"seconds, points, answered_at) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE {if_open} "
        "ON CONFLICT (round_id, question_index, user_id) DO NOTHING "
        "RETURNING *, (SELECT guild_id FROM rounds WHERE rounds.id = round_answers.round_id) "
        "AS guild_id",
        (round_id, question_index, user_id, answer, int(correct), seconds, points, stamp, *is_open),
    ).fetchone()
    if row is None:
        return _not_inserted(conn, round_id, question_index, user_id)
    insert_answer(
        conn,
        user_id=user_id,
        guild_id=row["guild_id"],
        topic_id=topic_id,
        question_id=question_id,
        answer=answer,
        correct=correct,
        seconds=seconds,
        source="round",
        source_id=round_id,
        points=points,
        now=now,
        stamp=stamp,
        user_ensured=True,
        practice=practice,
    )
    return RecordedRoundAnswer(True, _round_answer(row))


def _not_inserted(
    conn: sqlite3.Connection, round_id: int, question_index: int, user_id: int
) -> RecordedRoundAnswer | None:
    """Why an answer was not inserted: None for a question that closed, else a double click,
    whose first answer stands."""
    if conn.execute(_STILL_OPEN[dialect_of(conn).name], (round_id, question_index)).fetchone():
        row = conn.execute(
            "SELECT * FROM round_answers WHERE round_id = ? AND question_index = ? AND user_id = ?",
            (round_id, question_index, user_id),
        ).fetchone()
        return RecordedRoundAnswer(False, _round_answer(row))
    return None


@cache
class RoundStore:
    """Round rows change only through conditional updates, so retries and races are no-ops."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def start(
        self,
        *,
        guild_id: int,
        channel_id: int,
        host_id: int,
        now: datetime,
        deadline: datetime | None = None,
        message_id: int | None = None,
        state: dict[str, Any] | None = None,
        current_index: int = 0,
        then: Callable[[Round], Sequence[StepTimer]] | None = None,
    ) -> Round:
        """Create a running round; raises `RoundAlreadyRunningError` if the channel has one.
        `then` gives, for the new round, the timers to store in the same write (its first
        question's close), so a kill never leaves a round with no step pending."""
        started, _ = await self.start_with(
            guild_id=guild_id,
            channel_id=channel_id,
            host_id=host_id,
            now=now,
            deadline=deadline,
            message_id=message_id,
            state=state,
            current_index=current_index,
            then=then,
        )
        return started

    async def start_with(
        self,
        *,
        guild_id: int,
        channel_id: int,
        host_id: int,
        now: datetime,
        deadline: datetime | None = None,
        message_id: int | None = None,
        state: dict[str, Any] | None = None,
        current_index: int = 0,
        then: Callable[[Round], Sequence[StepTimer]] | None = None,
    ) -> tuple[Round, list[int]]:
        """`start`, returning the new round and the ids of the timers `then` gave, in order."""

        def tx(conn: sqlite3.Connection) -> tuple[Round, list[int]]:
            stamp = to_db(now)
            try:
                row = conn.execute(
                    "INSERT INTO rounds (guild_id, channel_id, host_id, status, current_index, "
                    "message_id, deadline, created_at, updated_at, state) "
                    "VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?) RETURNING *",
                    (
                        guild_id,
                        channel_id,
                        host_id,
                        current_index,
                        message_id,
                        opt_to_db(deadline),
                        stamp,
                        stamp,
                        None if state is None else json.dumps(state),
                    ),
                ).fetchone()
            except integrity_errors() as exc:
                raise RoundAlreadyRunningError(channel_id) from exc
            started = _round(row)
            timers = then(started) if then is not None else ()
            ids = [insert_step_timer(conn, t, stamp, _ROUND_GUILD, started.id) for t in timers]
            return started, ids

        return await self._db.write(tx)

    async def get(self, round_id: int) -> Round | None:
        """The round with this id, whatever its status; None if there is none."""
        row = await self._db.fetchone(_SELECT, (round_id,))
        return None if row is None else _round(row)

    async def running_in(self, channel_id: int) -> Round | None:
        """The channel's running round, if any."""
        row = await self._db.fetchone(
            "SELECT * FROM rounds WHERE channel_id = ? AND status = 'running'", (channel_id,)
        )
        return None if row is None else _round(row)

    async def running(self) -> list[Round]:
        """Every running round (what a restarted bot picks up again)."""
        rows = await self._db.fetchall("SELECT * FROM rounds WHERE status = 'running' ORDER BY id")
        return [_round(r) for r in rows]

    async def recent_in_guild(self, guild_id: int, limit: int = 10) -> list[Round]:
        """A server's latest rounds, newest first (for `/round results`)."""
        rows = await self._db.fetchall(
            "SELECT * FROM rounds WHERE guild_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [_round(r) for r in rows]

    async def set_message_id(
        self,
        round_id: int,
        *,
        now: datetime,
        expected_index: int,
        message_id: int | None,
    ) -> Round | None:
        """Store the message of a running round's question; None if the round is no longer
        running at `expected_index` (it moved on while the message was posted)."""

        def tx(conn: sqlite3.Connection) -> Round | None:
            changed = conn.execute(
                "UPDATE rounds SET updated_at = ?, message_id = ? "
                "WHERE id = ? AND status = 'running' AND current_index = ?",
                (to_db(now), message_id, round_id, expected_index),
            ).rowcount
            if changed == 0:
                return None
            return _round(conn.execute(_SELECT, (round_id,)).fetchone())

        return await self._db.write(tx)

    async def answers(
        self, round_id: int, question_index: int | None = None
    ) -> list[RoundAnswerRow]:
        """A round's answers (one question's, if given), in the order they came."""
        sql, params = "SELECT * FROM round_answers WHERE round_id = ?", [round_id]
        if question_index is not None:
            sql += " AND question_index = ?"
            params.append(question_index)
        rows = await self._db.fetchall(sql + " ORDER BY answered_at, id", params)
        return [_round_answer(r) for r in rows]

    async def answer_cells(
        self, round_id: int, question_index: int | None = None
    ) -> list[AnswerCells]:
        """A round's answers (one question's, if given), in the order they came, as plain
        tuples: read on a snapshot connection in a worker thread, so a class of thousands
        (50,000 answers) costs tens of milliseconds and never stalls the event loop."""
        sql = (
            "SELECT question_index, user_id, answer, answered_at, seconds, assessment "
            "FROM round_answers WHERE round_id = ?"
        )
        params: list[Any] = [round_id]
        if question_index is not None:
            sql += " AND question_index = ?"
            params.append(question_index)
        sql += " ORDER BY answered_at, id"

        def read(conn: sqlite3.Connection) -> list[AnswerCells]:
            return [  # rows unpack by position on both backends
                (index, user, answer, from_db(at), seconds, assessment)
                for index, user, answer, at, seconds, assessment in conn.execute(sql, params)
            ]

        return await self._db.read_snapshot(read)

    async def save_state(
        self,
        round_id: int,
        *,
        now: datetime,
        expected_version: int,
        state: dict[str, Any],
        current_index: int,
        deadline: datetime | None,
        message_id: int | Unset | None = UNSET,
        status: RoundRowStatus = "running",
    ) -> Round | None:
        """One step of a running round (close, next question, end) as a compare-and-swap.

        Applies only if the round is running at `expected_version`, and bumps the version;
        None when another step got there first. `deadline` is set while a question is open
        and None once it closed, which is what `record_open_answer` checks.
        """
        saved = await self.save_step(
            round_id,
            now=now,
            expected_version=expected_version,
            state=state,
            current_index=current_index,
            deadline=deadline,
            message_id=message_id,
            status=status,
        )
        return None if saved is None else saved[0]

    async def save_step(
        self,
        round_id: int,
        *,
        now: datetime,
        expected_version: int,
        state: dict[str, Any],
        current_index: int,
        deadline: datetime | None,
        message_id: int | Unset | None = UNSET,
        status: RoundRowStatus = "running",
        timers: Sequence[StepTimer] = (),
    ) -> tuple[Round, list[int]] | None:
        """`save_state` and the step's `timers` (what follows it: the next step, the reveal) in
        one transaction: both are stored or neither, whenever the process dies. Returns the
        round and the timers' ids, in order; None (nothing stored) when another step got there
        first."""
        sets = [
            "updated_at = ?",
            "state = ?",
            "current_index = ?",
            "deadline = ?",
            "status = ?",
            "version = version + 1",
        ]
        stamp = to_db(now)
        params: list[Any] = [stamp, json.dumps(state), current_index, opt_to_db(deadline), status]
        if not isinstance(message_id, Unset):
            sets.append("message_id = ?")
            params.append(message_id)
        sql = (
            f"UPDATE rounds SET {', '.join(sets)} "
            "WHERE id = ? AND status = 'running' AND version = ? RETURNING *"
        )
        params += [round_id, expected_version]

        def tx(conn: sqlite3.Connection) -> tuple[Round, list[int]] | None:
            row = conn.execute(sql, params).fetchone()
            if row is None:
                return None
            saved = _round(row)
            ids = [insert_step_timer(conn, t, stamp, _ROUND_GUILD, round_id) for t in timers]
            return saved, ids

        return await self._db.write(tx)

    async def record_open_answer(
        self,
        *,
        round_id: int,
        question_index: int,
        question_id: str,
        topic_id: str,
        user_id: int,
        answer: str,
        correct: bool,
        seconds: float,
        points: int,
        now: datetime,
        practice: PracticeStep | None = None,
    ) -> RecordedRoundAnswer | None:
        """Record a student's answer to the round's question, once, while that question is open
        (the round running, at that question, with a deadline); None once it closed, even in
        another bot process.

        The first answer also goes into the answers history (source 'round') and the server's
        points, with its `practice` (the review of its memory card), in the same commit. A second
        click returns the first answer, changing nothing.
        """
        # A partial, not a closure: a burst keeps thousands of these pending (see answers.py).
        return await self._db.write(
            partial(
                _record_if_open,
                round_id=round_id,
                question_index=question_index,
                question_id=question_id,
                topic_id=topic_id,
                user_id=user_id,
                answer=answer,
                correct=correct,
                seconds=seconds,
                points=points,
                now=now,
                practice=practice,
            )
        )

    async def answer_of(
        self, round_id: int, question_index: int, user_id: int
    ) -> RoundAnswerRow | None:
        """One student's answer to one question of a round, if they gave one."""
        row = await self._db.fetchone(
            "SELECT * FROM round_answers WHERE round_id = ? AND question_index = ? AND user_id = ?",
            (round_id, question_index, user_id),
        )
        return None if row is None else _round_answer(row)

    async def answer_count(self, round_id: int, question_index: int) -> int:
        """How many students answered one question (the live counter)."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM round_answers WHERE round_id = ? AND question_index = ?",
            (round_id, question_index),
        )
        return int(row["n"]) if row is not None else 0

    async def assess_answer(
        self,
        *,
        round_id: int,
        question_index: int,
        question_id: str,
        user_id: int,
        assessment: str,
        correct: bool,
        points: int,
        practice: PracticeStep | None = None,
    ) -> RoundAnswerRow | None:
        """Record a student's judgement of their typed answer, once; its points go into the
        answers history and the server's totals, and its `practice` into the student's memory,
        in the same commit. None if there is no answer or it was already judged."""

        def tx(conn: sqlite3.Connection) -> RoundAnswerRow | None:
            row = conn.execute(
                "UPDATE round_answers SET assessment = ?, correct = ?, points = ? "
                "WHERE round_id = ? AND question_index = ? AND user_id = ? "
                "AND assessment IS NULL RETURNING *",
                (assessment, int(correct), points, round_id, question_index, user_id),
            ).fetchone()
            if row is None:
                return None
            # The answer's copy in the history was written with the same time stamp: found
            # through the (user_id, answered_at) index, however long the student's history.
            history = conn.execute(
                "UPDATE answers SET correct = ?, points = ? WHERE user_id = ? "
                "AND answered_at = ? AND source = 'round' AND source_id = ? AND question_id = ? "
                "RETURNING guild_id, topic_id",
                (int(correct), points, user_id, row["answered_at"], round_id, question_id),
            ).fetchone()
            if history is not None:  # typed answers count nothing until judged
                count_answer(
                    conn,
                    user_id,
                    history["guild_id"],
                    history["topic_id"],
                    answered=0,
                    correct=int(correct),
                    points=points,
                )
            if practice is not None:
                record_practice(conn, user_id, practice)
            return _round_answer(row)

        return await self._db.write(tx)
