"""The stores' SQL that SQLite and PostgreSQL spell or treat differently, run on both: an SQLite
file migrated by `migrate`, and a fresh PostgreSQL database migrated by `migrate_pg` through
`PgConn` (so the `?` placeholders are translated as the stores' are). Statements inside a store
method run through `open_storage` on both instead.

What differs, and is pinned here: a list of values bound as one parameter (`Dialect.member_of`,
`pairs_in`), new ids read by RETURNING, `IS [NOT] DISTINCT FROM` against NULL, upserts whose SET
reads the stored row (PostgreSQL finds a bare column ambiguous beside `excluded`), BIGINT sums
(NUMERIC on PostgreSQL), JSON taken apart in SQL, a broken constraint from either driver, and the
locks that keep two PostgreSQL writers from claiming a timer or a pack revision twice.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

from tutorbot.storage import Storage, open_storage
from tutorbot.storage._time import to_db
from tutorbot.storage.answers import insert_answer
from tutorbot.storage.backend import POSTGRESQL, SQLITE, PgConn, dialect_of, integrity_errors
from tutorbot.storage.data_rights import user_sections
from tutorbot.storage.db import connect
from tutorbot.storage.errors import RoundAlreadyRunningError
from tutorbot.storage.memory import CardRow, PracticeWrites, ReviewRow, record_practice
from tutorbot.storage.memory_seed import (
    SEEDED_THROUGH,
    SeededCard,
    SeedPlace,
    _existing_users,
    _still_at,
    _write_cards,
    _write_days,
)
from tutorbot.storage.migrations import migrate, migrate_pg
from tutorbot.storage.names import _REMEMBER, _some
from tutorbot.storage.packs import _bump
from tutorbot.storage.progress import _mastered_among, upsert_topic_state
from tutorbot.storage.quizzes import _end
from tutorbot.storage.rounds import _STILL_OPEN
from tutorbot.storage.timers import claim_sql
from tutorbot.storage.users import ensure_user

if TYPE_CHECKING:
    from pg_server import PgServer

BACKENDS = ["sqlite", "postgresql"]
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
STAMP = to_db(NOW)
BIG = 2**62 + 7
"""A Discord-sized id: beyond 32 bits."""


def pg_conn(pg_server: PgServer, url: str | None = None) -> sqlite3.Connection:
    """A PgConn on a fresh database migrated by `migrate_pg` (or on `url`), typed as the
    stores' write functions take their connection."""
    if url is not None:
        return cast(sqlite3.Connection, PgConn.connect(url))
    conn = PgConn.connect(pg_server.fresh_database())
    migrate_pg(conn)
    return cast(sqlite3.Connection, conn)


@pytest.fixture(params=BACKENDS)
def conn(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """An autocommit connection to a database at the latest schema, on each backend."""
    if request.param == "sqlite":
        opened = connect(tmp_path / "portable.sqlite3")
        migrate(opened)
    else:
        opened = pg_conn(request.getfixturevalue("pg_server"))
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A fresh PostgreSQL database migrated by `migrate_pg`; its URL."""
    url = pg_server.fresh_database()
    conn = PgConn.connect(url)
    migrate_pg(conn)
    conn.close()
    return url


@pytest.fixture(params=BACKENDS)
async def both(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    """Storage opened on each backend, for statements that live inside a store method."""
    target: Path | str = tmp_path / "data" / "tutorbot.sqlite3"
    if request.param == "postgresql":
        target = request.getfixturevalue("pg_server").fresh_database()
    opened = await open_storage(target)
    try:
        yield opened
    finally:
        await opened.close()


def card(topic: str, question: str, due: datetime, *, last: datetime | None = None) -> CardRow:
    return CardRow(topic, question, due, 2, None, 3.5, 5.0, last, 1, 0, 0.0)


@dataclass
class Step:
    """A PracticeStep that writes what it was built with and keeps what storage read for it."""

    topic_id: str
    question_id: str
    writes: PracticeWrites
    credit_topics: Sequence[str] = ()
    credit_before: datetime = NOW
    lapse_topics: Sequence[str] = ()
    seen: list[Any] = field(default_factory=list)

    def decide(
        self,
        answered: CardRow | None,
        credited: list[CardRow],
        lapsed: list[CardRow],
        timezone: str | None,
    ) -> PracticeWrites:
        self.seen = [answered, credited, lapsed, timezone]
        return self.writes


def test_an_answer_reads_its_new_id_back_and_counters_add_up(conn: sqlite3.Connection) -> None:
    ensure_user(conn, BIG, NOW)

    def answer(correct: bool, points: int) -> int:
        return insert_answer(
            conn, user_id=BIG, guild_id=BIG, topic_id="t", question_id="q", answer="A",
            correct=correct, seconds=1.5, source="quiz", source_id=None, points=points, now=NOW,
        ).id  # fmt: skip

    first, second = answer(True, 100), answer(False, 0)
    ids = [r[0] for r in conn.execute("SELECT id FROM answers ORDER BY id").fetchall()]
    assert ids == [first, second] and first < second
    assert tuple(conn.execute("SELECT answered, correct, points FROM topic_scores").fetchone()) == (
        2,
        1,
        100,
    )
    assert tuple(conn.execute("SELECT answered, correct, points FROM guild_scores").fetchone()) == (
        2,
        1,
        100,
    )


def test_practice_reads_cards_of_listed_topics_and_counts_the_day(
    conn: sqlite3.Connection,
) -> None:
    ensure_user(conn, 1, NOW)
    early, late = NOW - timedelta(days=1), NOW + timedelta(days=1)
    start = PracticeWrites([card("a", "q1", early), card("b", "q2", late)], [], None)
    record_practice(conn, 1, Step("a", "q1", start))
    review = ReviewRow("a", "q1", 3, "quiz", 1.0, NOW)
    again = PracticeWrites([card("a", "q1", late)], [review], "2025-03-01")
    step = Step("a", "q1", again, credit_topics=["a", "b", "x"], lapse_topics=["b"])
    record_practice(conn, 1, step)
    record_practice(conn, 1, Step("a", "q1", again))
    answered, credited, lapsed, zone = step.seen
    assert answered.due == early
    assert [c.question_id for c in credited] == ["q1"]  # b's card is not due before NOW
    assert [c.question_id for c in lapsed] == ["q2"]
    assert zone is None
    assert tuple(conn.execute("SELECT day, reviews FROM review_days").fetchone()) == (
        "2025-03-01",
        2,
    )
    assert conn.execute("SELECT COUNT(*) FROM memory_reviews").fetchone()[0] == 2
    none = Step("a", "q1", PracticeWrites([], [], None), credit_topics=[], lapse_topics=[])
    record_practice(conn, 1, none)
    assert none.seen[1:3] == [[], []]


def test_the_replay_finds_users_and_replaces_only_its_own_cards(
    conn: sqlite3.Connection,
) -> None:
    for user in (1, BIG):
        ensure_user(conn, user, NOW)
    assert _existing_users(conn, {1, 2, BIG}) == {1, BIG}
    assert _existing_users(conn, set()) == set()
    first = card("a", "q", NOW)  # never reviewed: last_review is NULL
    made = _write_cards(conn, [SeededCard(1, first, None), SeededCard(BIG, first, None)])
    assert (made.created, made.kept) == (2, 0)
    again = _write_cards(conn, [SeededCard(1, first, None)])
    assert (again.created, again.kept) == (0, 1)
    later = card("a", "q", NOW + timedelta(days=3), last=NOW)
    _write_cards(conn, [SeededCard(1, later, first)])  # NULL matches NULL: replaced
    stranger = card("a", "q", NOW, last=NOW - timedelta(days=9))
    _write_cards(conn, [SeededCard(BIG, later, stranger)])  # a live answer's card: kept
    dues = conn.execute("SELECT user_id, due FROM memory_cards ORDER BY user_id").fetchall()
    assert [tuple(r) for r in dues] == [(1, to_db(later.due)), (BIG, to_db(first.due))]
    _write_days(conn, {(1, "2025-03-01"): 2})
    _write_days(conn, {(1, "2025-03-01"): 3})
    assert conn.execute("SELECT reviews FROM review_days").fetchone()[0] == 5


def test_names_are_rewritten_only_when_changed_and_read_by_list(
    conn: sqlite3.Connection,
) -> None:
    conn.executemany(_REMEMBER, [(BIG, 1, "Ana", "t1"), (BIG, 2, "Ben", "t1")])
    conn.executemany(_REMEMBER, [(BIG, 1, "Ana", "t2"), (BIG, 2, "Benjamin", "t2")])
    dialect = dialect_of(conn)
    rows = conn.execute(
        _some(dialect) + " ORDER BY user_id", (BIG, dialect.member_of([1, 2, 3])[1])
    ).fetchall()
    assert [tuple(r) for r in rows] == [(1, "Ana"), (2, "Benjamin")]
    seen = conn.execute("SELECT seen_at FROM member_names ORDER BY user_id").fetchall()
    assert [r[0] for r in seen] == ["t1", "t2"]
    assert conn.execute(_some(dialect), (BIG, dialect.member_of([])[1])).fetchall() == []


def test_a_topic_keeps_its_first_mastery_and_is_found_by_list(conn: sqlite3.Connection) -> None:
    first = upsert_topic_state(conn, "mastered_at", BIG, "t", NOW)
    again = upsert_topic_state(conn, "mastered_at", BIG, "t", NOW + timedelta(hours=1))
    assert again.mastered_at == first.mastered_at == NOW
    assert again.updated_at == NOW + timedelta(hours=1)
    upsert_topic_state(conn, "known_at", 5, "u", NOW)  # known, not mastered
    dialect = dialect_of(conn)
    rows = conn.execute(_mastered_among(dialect), (dialect.member_of([BIG, 5, 6])[1],))
    assert [tuple(r) for r in rows.fetchall()] == [(BIG, "t")]


def test_an_ended_quiz_keeps_only_what_no_column_holds(conn: sqlite3.Connection) -> None:
    ensure_user(conn, 1, NOW)
    session = conn.execute(
        "INSERT INTO quiz_sessions (user_id, channel_id, topic_id, status, question_ids, "
        "created_at, updated_at) VALUES (1, 2, 't', 'finished', '[]', ?, ?) RETURNING id",
        (STAMP, STAMP),
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO quiz_live (session_id, user_id, state) VALUES (?, 1, '{}')", (session,)
    )
    state = {"answers": [1], "position": 2, "free": {"q": "my words, café"}, "n": 1.25}
    _end(conn, session, json.dumps(state))
    kept = conn.execute("SELECT state FROM quiz_sessions WHERE id = ?", (session,)).fetchone()
    assert json.loads(kept[0]) == {"free": {"q": "my words, café"}, "n": 1.25}
    assert conn.execute("SELECT COUNT(*) FROM quiz_live").fetchone()[0] == 0


def test_a_second_running_round_in_a_channel_breaks_a_constraint(
    conn: sqlite3.Connection,
) -> None:
    insert = (
        "INSERT INTO rounds (guild_id, channel_id, host_id, status, created_at, updated_at) "
        "VALUES (?, ?, ?, 'running', ?, ?) RETURNING id"
    )
    conn.execute(insert, (BIG, BIG, 1, STAMP, STAMP)).fetchone()
    with pytest.raises(integrity_errors()):
        conn.execute(insert, (BIG, BIG, 1, STAMP, STAMP)).fetchone()


def test_hosted_rounds_show_the_topic_and_end_from_their_state(
    conn: sqlite3.Connection,
) -> None:
    state = {"topic_id": "algebra", "ended_at": STAMP, "other": [1, 2]}
    conn.execute(
        "INSERT INTO rounds (guild_id, channel_id, host_id, status, created_at, updated_at, "
        "state) VALUES (1, 2, ?, 'finished', ?, ?, ?)",
        (BIG, STAMP, STAMP, json.dumps(state)),
    )
    conn.execute(
        "INSERT INTO rounds (guild_id, channel_id, host_id, status, created_at, updated_at) "
        "VALUES (1, 3, ?, 'stopped', ?, ?)",
        (BIG, STAMP, STAMP),
    )
    sections = {name: list(rows) for name, rows in user_sections(conn, BIG)}
    hosted = [(r["topic_id"], r["ended_at"], r["status"]) for r in sections["rounds_hosted"]]
    assert hosted == [("algebra", STAMP, "finished"), (None, None, "stopped")]


def test_claims_of_timers_skip_rows_another_writer_holds(pg_server: PgServer, pg_url: str) -> None:
    first, second = pg_conn(pg_server, pg_url), pg_conn(pg_server, pg_url)
    try:
        for n in range(4):
            first.execute(
                "INSERT INTO timers (kind, due_at, payload, created_at) VALUES ('k', ?, '{}', ?)",
                (to_db(NOW - timedelta(minutes=n)), STAMP),
            )
        second.execute("SET lock_timeout = '5s'")  # waiting on a lock fails rather than hangs
        sql = claim_sql(POSTGRESQL, 1)
        params = (to_db(NOW + timedelta(minutes=1)), STAMP, "k", STAMP, 2)
        first.execute("BEGIN")
        mine = first.execute(sql, ("one", *params)).fetchall()
        theirs = second.execute(sql, ("two", *params)).fetchall()
        first.execute("COMMIT")
        again = second.execute(sql, ("two", *params)).fetchall()
    finally:
        first.close()
        second.close()
    assert len(mine) == len(theirs) == 2
    assert not {r["id"] for r in mine} & {r["id"] for r in theirs}
    assert again == []  # all four held now


def test_claim_sql_on_sqlite_is_the_plain_update() -> None:
    assert "FOR UPDATE" not in claim_sql(SQLITE, 3)
    assert claim_sql(SQLITE, 3).count("?") == 8


T = TypeVar("T")


def _waits_for_commit(
    first: sqlite3.Connection, second: sqlite3.Connection, read: Callable[[sqlite3.Connection], T]
) -> tuple[bool, list[T]]:
    """Run `read` in a transaction of `second` while `first`'s is open: whether it had to wait
    for `first`'s COMMIT (still running after half a second), and what it read."""
    got: list[T] = []

    def other() -> None:
        second.execute("BEGIN")
        got.append(read(second))
        second.execute("COMMIT")

    racer = threading.Thread(target=other)
    racer.start()
    racer.join(0.5)
    waited = racer.is_alive()
    first.execute("COMMIT")
    racer.join(10)
    return waited, got


def test_pack_revisions_are_numbered_in_commit_order_across_writers(
    pg_server: PgServer, pg_url: str
) -> None:
    first, second = pg_conn(pg_server, pg_url), pg_conn(pg_server, pg_url)
    try:
        first.execute("BEGIN")
        mine = _bump(first, 1)
        waited, got = _waits_for_commit(first, second, lambda conn: _bump(conn, 2))
    finally:
        first.close()
        second.close()
    assert waited
    assert (mine, got) == (1, [2])


async def test_store_methods_spell_their_sql_for_each_backend(both: Storage) -> None:
    await both.answers.record(
        user_id=BIG, guild_id=None, topic_id="t", question_id="q", answer="A", correct=True,
        seconds=1.0, source="quiz", now=NOW, points=3,
    )  # fmt: skip
    stats = await both.answers.user_stats(BIG)
    assert (stats.answered, stats.correct, stats.points) == (1, 1, 3)
    assert all(type(v) is int for v in (stats.answered, stats.correct, stats.points))

    quiz = await both.quizzes.create(
        user_id=BIG, guild_id=None, channel_id=BIG, topic_id="t", question_ids=["q"], now=NOW
    )
    newer = await both.quizzes.create(
        user_id=BIG, guild_id=None, channel_id=BIG, topic_id="t", question_ids=["q"], now=NOW
    )
    assert newer.id > quiz.id and (await both.quizzes.get(quiz.id)) is not None

    rnd = await both.rounds.start(guild_id=BIG, channel_id=BIG, host_id=BIG, now=NOW)
    with pytest.raises(RoundAlreadyRunningError):
        await both.rounds.start(guild_id=BIG, channel_id=BIG, host_id=BIG, now=NOW)
    assert rnd.id > 0 and await both.rounds.answer_cells(rnd.id) == []

    timer = await both.timers.add("k", NOW, {"a": 1}, NOW, user_id=BIG)
    later = await both.timers.add("k", NOW, {}, NOW)
    assert later.id > timer.id and timer.payload == {"a": 1} and timer.user_id == BIG


async def test_reads_of_a_list_of_values_on_each_backend(both: Storage) -> None:
    made = PracticeWrites([card("a", "q1", NOW), card("b", "q2", NOW)], [], None)

    def practise(conn: sqlite3.Connection) -> None:
        ensure_user(conn, 1, NOW)
        record_practice(conn, 1, Step("a", "q1", made))

    await both.db.write(practise)
    pairs = await both.memory.cards(1, [("a", "q1"), ("b", "q1"), ("b", "q2")])
    assert sorted(c.question_id for c in pairs) == ["q1", "q2"]
    assert await both.memory.cards(1, []) == []
    topics = await both.memory.cards_of_topics(1, ["b", "z"])
    assert [c.question_id for c in topics] == ["q2"]
    assert await both.memory.cards_of_topics(1, []) == []
    await both.names.remember({(BIG, 1): "Ana", (BIG, 2): "Ben"}, NOW)
    assert await both.names.in_guild(BIG, [2, 3]) == {2: "Ben"}
    await both.progress.mark_known(1, "a", NOW)
    assert await both.progress.mastered_among([1]) == {}


def test_two_writers_never_both_take_the_same_replay_batch(
    pg_server: PgServer, pg_url: str
) -> None:
    first, second = pg_conn(pg_server, pg_url), pg_conn(pg_server, pg_url)
    try:
        first.execute("BEGIN")
        assert _still_at(first, None)
        first.execute(
            "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?)",
            (SEEDED_THROUGH, SeedPlace(1, STAMP, 1).text(), STAMP),
        )
        waited, got = _waits_for_commit(first, second, lambda conn: _still_at(conn, None))
    finally:
        first.close()
        second.close()
    assert waited
    assert got == [False]  # the place moved on: the batch it started from is taken


def test_an_answer_racing_the_close_of_its_question_finds_it_closed(
    pg_server: PgServer, pg_url: str
) -> None:
    closer, answerer = pg_conn(pg_server, pg_url), pg_conn(pg_server, pg_url)
    try:
        round_id = closer.execute(
            "INSERT INTO rounds (guild_id, channel_id, host_id, status, current_index, deadline, "
            "created_at, updated_at) VALUES (1, 2, 3, 'running', 0, ?, ?, ?) RETURNING id",
            (STAMP, STAMP, STAMP),
        ).fetchone()[0]
        closer.execute("BEGIN")
        closer.execute("UPDATE rounds SET deadline = NULL WHERE id = ?", (round_id,))
        waited, got = _waits_for_commit(
            closer,
            answerer,
            lambda conn: conn.execute(_STILL_OPEN["postgresql"], (round_id, 0)).fetchone(),
        )
    finally:
        closer.close()
        answerer.close()
    assert waited
    assert got == [None]
