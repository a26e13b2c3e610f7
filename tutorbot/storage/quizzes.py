"""Resumable private quiz sessions: which questions, where the student is, the message they use."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from tutorbot.storage._time import from_db, opt_from_db, opt_to_db, to_db
from tutorbot.storage._unset import UNSET, Unset
from tutorbot.storage.answers import insert_answer
from tutorbot.storage.backend import dialect_of
from tutorbot.storage.db import Database
from tutorbot.storage.memory import CardRow, PracticeStep, add_new_cards, record_practice
from tutorbot.storage.progress import replace_placed, upsert_topic_state
from tutorbot.storage.users import ensure_user

QuizRowStatus = Literal["active", "finished", "abandoned"]
SessionKind = Literal["quiz", "review", "placement"]
"""Every kind of session a row may be (the CHECK of migration 0010)."""


@dataclass(frozen=True)
class NewAnswer:
    """An answer to record with a quiz step (see `QuizStore.save_step`)."""

    question_id: str
    answer: str
    correct: bool
    seconds: float | None
    points: int = 0
    topic_id: str | None = None
    """The question's topic when it is not the session's (a review's questions each have one)."""
    practice: PracticeStep | None = None
    """The answer's review of its memory card, written in the same commit."""


@dataclass(frozen=True)
class QuizSession:
    """One student's private quiz on one topic, as stored: where it stands and its state."""

    id: int
    user_id: int
    guild_id: int | None
    channel_id: int
    message_id: int | None
    topic_id: str
    status: QuizRowStatus
    question_ids: tuple[str, ...]
    position: int
    state: dict[str, Any]
    """Per-question state; the domain owns its shape, storage keeps it as JSON."""
    reveal_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = 0
    """Bumped by every `save_step`; the compare-and-swap token of the next step."""
    kind: SessionKind = "quiz"
    """A quiz on one topic, a /review across topics, or a placement."""


def _session(row: Any) -> QuizSession:
    return QuizSession(
        id=row["id"],
        user_id=row["user_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        topic_id=row["topic_id"],
        status=row["status"],
        question_ids=tuple(json.loads(row["question_ids"])),
        position=row["position"],
        state=json.loads(row["live"] if row["live"] is not None else row["state"]),
        reveal_at=opt_from_db(row["reveal_at"]),
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        version=row["version"],
        kind=row["kind"],
    )


_SELECT_FROM = (
    "SELECT s.*, l.state AS live FROM quiz_sessions AS s "
    "LEFT JOIN quiz_live AS l ON l.session_id = s.id "
)
_SELECT = _SELECT_FROM + "WHERE s.id = ?"
_ENDED_STATE = {
    "sqlite": (
        "json_remove(?, '$.answers', '$.question_ids', '$.user_id', '$.topic_id', "
        "'$.started_at', '$.position', '$.shown_at', '$.reveal_at', '$.revealed', '$.finished_at')"
    ),
    "postgresql": (
        "(CAST(? AS jsonb) - ARRAY['answers', 'question_ids', 'user_id', 'topic_id', "
        "'started_at', 'position', 'shown_at', 'reveal_at', 'revealed', 'finished_at'])"
    ),
}
"""The state an ended quiz keeps, from the state it ended with (the JSON text bound to `?`):
only what no column or row holds. Nothing shows an ended quiz again; its answers are rows of
`answers`, its questions, status and times are columns. What a student wrote for a free
response stays (and anything a newer version added). Migration 0009 did the same to older
quizzes. (PostgreSQL writes the jsonb back as text, spaced and with its keys reordered: the
same JSON.)"""
_END = {
    name: f"UPDATE quiz_sessions SET state = {ended} WHERE id = ?"
    for name, ended in _ENDED_STATE.items()
}


def _keep_live(conn: sqlite3.Connection, session_id: int, user_id: int, state: str) -> None:
    """Inside a write: the running quiz's state, in `quiz_live` (see migration 0009)."""
    conn.execute(
        "INSERT INTO quiz_live (session_id, user_id, state) VALUES (?, ?, ?) "
        "ON CONFLICT (session_id) DO UPDATE SET state = excluded.state",
        (session_id, user_id, state),
    )


def _end(conn: sqlite3.Connection, session_id: int, state: str | None = None) -> None:
    """Inside a write: an ended quiz keeps its `_ENDED_STATE` in quiz_sessions (from `state`,
    or the last live one) and leaves quiz_live."""
    if state is None:
        live = conn.execute(
            "SELECT state FROM quiz_live WHERE session_id = ?", (session_id,)
        ).fetchone()
        state = live["state"] if live is not None else None
    if state is not None:
        conn.execute(_END[dialect_of(conn).name], (state, session_id))
    conn.execute("DELETE FROM quiz_live WHERE session_id = ?", (session_id,))


class QuizStore:
    """One active quiz per user (a partial unique index); starting another abandons the old one."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        *,
        user_id: int,
        guild_id: int | None,
        channel_id: int,
        topic_id: str,
        question_ids: Sequence[str],
        now: datetime,
        state: dict[str, Any] | None = None,
        message_id: int | None = None,
        reveal_at: datetime | None = None,
        kind: SessionKind = "quiz",
    ) -> QuizSession:
        """Start a session at position 0, abandoning the user's active one in the same commit."""

        def tx(conn: sqlite3.Connection) -> QuizSession:
            ensure_user(conn, user_id, now)
            stamp = to_db(now)
            for (old_id,) in conn.execute(
                "SELECT id FROM quiz_sessions WHERE user_id = ? AND status = 'active'", (user_id,)
            ).fetchall():
                conn.execute(
                    "UPDATE quiz_sessions SET status = 'abandoned', updated_at = ? WHERE id = ?",
                    (stamp, old_id),
                )
                _end(conn, old_id)
            inserted = conn.execute(
                "INSERT INTO quiz_sessions (user_id, guild_id, channel_id, message_id, topic_id, "
                "status, question_ids, position, state, reveal_at, created_at, updated_at, kind) "
                "VALUES (?, ?, ?, ?, ?, 'active', ?, 0, '{}', ?, ?, ?, ?) RETURNING id",
                (
                    user_id,
                    guild_id,
                    channel_id,
                    message_id,
                    topic_id,
                    json.dumps(list(question_ids)),
                    opt_to_db(reveal_at),
                    stamp,
                    stamp,
                    kind,
                ),
            ).fetchone()
            _keep_live(conn, inserted[0], user_id, json.dumps(state or {}))
            return _session(conn.execute(_SELECT, (inserted[0],)).fetchone())

        return await self._db.write(tx)

    async def get(self, session_id: int) -> QuizSession | None:
        """The session with this id, whatever its status; None if there is none."""
        row = await self._db.fetchone(_SELECT, (session_id,))
        return None if row is None else _session(row)

    async def active_for(self, user_id: int) -> QuizSession | None:
        """The user's quiz in progress, if any."""
        row = await self._db.fetchone(
            _SELECT_FROM + "WHERE s.user_id = ? AND s.status = 'active'", (user_id,)
        )
        return None if row is None else _session(row)

    async def latest_placement(self, user_id: int) -> QuizSession | None:
        """The user's latest finished placement (given up counts: it ended with a result), or
        None if they never finished one."""
        row = await self._db.fetchone(
            _SELECT_FROM + "WHERE s.user_id = ? AND s.kind = 'placement' "
            "AND s.status = 'finished' ORDER BY s.id DESC LIMIT 1",
            (user_id,),
        )
        return None if row is None else _session(row)

    async def update(
        self,
        session_id: int,
        *,
        now: datetime,
        expected_position: int | None = None,
        position: int | Unset = UNSET,
        state: dict[str, Any] | Unset = UNSET,
        message_id: int | Unset | None = UNSET,
        reveal_at: datetime | Unset | None = UNSET,
        status: QuizRowStatus | Unset = UNSET,
    ) -> QuizSession | None:
        """Change an active session; None if it is not active or not at `expected_position`.

        `expected_position` makes a double click (or a retried timer) a no-op instead of
        skipping a question.
        """
        sets: list[str] = ["updated_at = ?"]
        params: list[Any] = [to_db(now)]
        if not isinstance(position, Unset):
            sets.append("position = ?")
            params.append(position)
        new_state = None if isinstance(state, Unset) else json.dumps(state)
        if not isinstance(message_id, Unset):
            sets.append("message_id = ?")
            params.append(message_id)
        if not isinstance(reveal_at, Unset):
            sets.append("reveal_at = ?")
            params.append(opt_to_db(reveal_at))
        if not isinstance(status, Unset):
            sets.append("status = ?")
            params.append(status)
        where = "id = ? AND status = 'active'"
        params.append(session_id)
        if expected_position is not None:
            where += " AND position = ?"
            params.append(expected_position)
        sql = f"UPDATE quiz_sessions SET {', '.join(sets)} WHERE {where}"

        def tx(conn: sqlite3.Connection) -> QuizSession | None:
            changed = conn.execute(sql + " RETURNING user_id, status", params).fetchone()
            if changed is None:
                return None
            if changed["status"] != "active":
                _end(conn, session_id, new_state)
            elif new_state is not None:
                _keep_live(conn, session_id, changed["user_id"], new_state)
            return _session(conn.execute(_SELECT, (session_id,)).fetchone())

        return await self._db.write(tx)

    async def save_step(
        self,
        session: QuizSession,
        *,
        now: datetime,
        state: dict[str, Any],
        position: int,
        reveal_at: datetime | None,
        status: QuizRowStatus,
        answer: NewAnswer | None = None,
        mastered: bool = False,
        practice: PracticeStep | None = None,
        placed: Sequence[str] | None = None,
        new_cards: Sequence[CardRow] = (),
    ) -> QuizSession | None:
        """Apply one quiz step and record its answer in one commit, if the session is still at
        the version it was read at; None (and nothing written) when another step won the race.

        While the quiz runs its state is kept in `quiz_live`; the step that ends it keeps only
        the ended state (`_ENDED_STATE`). An answer the student was told about is therefore
        never lost, nor recorded twice; with
        `mastered`, the topic is marked mastered in the same commit as the quiz's last step.

        A placement's steps record no answer rows: `practice` is a review of a memory card
        without one; `placed` replaces the student's placement marks (`replace_placed`) and
        `new_cards` adds cards that no answer made (`add_new_cards`), in the step's commit.
        """

        def tx(conn: sqlite3.Connection) -> QuizSession | None:
            changed = conn.execute(
                "UPDATE quiz_sessions SET position = ?, reveal_at = ?, status = ?, "
                "updated_at = ?, version = version + 1 "
                "WHERE id = ? AND version = ? AND status = 'active'",
                (
                    position,
                    opt_to_db(reveal_at),
                    status,
                    to_db(now),
                    session.id,
                    session.version,
                ),
            ).rowcount
            if changed == 0:
                return None
            if status == "active":
                _keep_live(conn, session.id, session.user_id, json.dumps(state))
            else:
                _end(conn, session.id, json.dumps(state))
            if answer is not None:
                if session.kind == "placement":  # its answers are memory reviews only
                    raise ValueError("a placement step records no answers row")
                insert_answer(
                    conn,
                    user_id=session.user_id,
                    guild_id=session.guild_id,
                    topic_id=answer.topic_id or session.topic_id,
                    question_id=answer.question_id,
                    answer=answer.answer,
                    correct=answer.correct,
                    seconds=answer.seconds,
                    source=session.kind,
                    source_id=session.id,
                    points=answer.points,
                    now=now,
                    practice=answer.practice,
                )
            if practice is not None:
                record_practice(conn, session.user_id, practice)
            if mastered:
                upsert_topic_state(conn, "mastered_at", session.user_id, session.topic_id, now)
            if placed is not None:
                replace_placed(conn, session.user_id, placed, now)
            add_new_cards(conn, session.user_id, new_cards)
            return _session(conn.execute(_SELECT, (session.id,)).fetchone())

        return await self._db.write(tx)

    async def finish(
        self, session_id: int, now: datetime, status: QuizRowStatus = "finished"
    ) -> QuizSession | None:
        """End an active session (finished or abandoned); None if it was not active."""
        return await self.update(session_id, now=now, status=status)
