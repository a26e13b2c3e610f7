"""A fresh file and every earlier schema version migrate to the latest; a newer one is refused."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tutorbot.storage import SchemaTooNewError, open_storage
from tutorbot.storage.db import Database, connect
from tutorbot.storage.errors import MigrationError
from tutorbot.storage.migrations import current_version, latest_version, load_migrations, migrate


def _schema(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    return dict(rows)


def _pragma(path: Path, name: str) -> object:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]


async def test_fresh_file_gets_the_latest_schema_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "new" / "nested" / "bot.sqlite3"
    storage = await open_storage(path)
    await storage.close()
    assert path.exists()
    with sqlite3.connect(path) as conn:
        assert current_version(conn) == latest_version() >= 1
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert versions == list(range(1, latest_version() + 1))
    assert _pragma(path, "journal_mode") == "wal"
    assert {"users", "answers", "rounds", "round_answers", "timers", "meta"} <= set(_schema(path))


@pytest.mark.parametrize("start", range(latest_version()))
async def test_every_earlier_version_migrates_to_the_latest(tmp_path: Path, start: int) -> None:
    fresh = tmp_path / "fresh.sqlite3"
    await (await Database.open(fresh)).close()

    old = tmp_path / "old.sqlite3"
    conn = connect(old)
    migrate(conn, target=start)
    assert current_version(conn) == start
    conn.close()

    await (await Database.open(old)).close()
    with sqlite3.connect(old) as check:
        assert current_version(check) == latest_version()
    assert _schema(old) == _schema(fresh)


async def test_reopen_keeps_rows(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    path = tmp_path / "bot.sqlite3"
    storage = await open_storage(path)
    await storage.progress.set_goal(7, "calculus", datetime(2025, 1, 1, tzinfo=UTC))
    await storage.close()
    storage = await open_storage(path)
    goal = await storage.progress.get_goal(7)
    await storage.close()
    assert goal is not None and goal.topic_id == "calculus"


async def test_database_from_newer_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await (await Database.open(path)).close()
    future = latest_version() + 1
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?, 'from_the_future', '2099-01-01')", (future,)
        )
    with pytest.raises(SchemaTooNewError, match=rf"version {future}.*upgrade TutorBot"):
        await Database.open(path)


async def test_later_migrations_apply_in_order_on_top_of_data(tmp_path: Path) -> None:
    migrations_dir = tmp_path / "migrations"
    migrations_dir.mkdir()
    for m in load_migrations():
        (migrations_dir / f"{m.version:04d}_{m.name}.sql").write_text(m.sql)
    n = latest_version()
    (migrations_dir / f"{n + 2:04d}_backfill.sql").write_text(
        "UPDATE meta SET value = value || '+backfilled';"
    )
    (migrations_dir / f"{n + 1:04d}_add_column.sql").write_text(
        "ALTER TABLE meta ADD COLUMN note TEXT; INSERT INTO meta VALUES ('k', 'v', 't', 'n');"
    )
    path = tmp_path / "bot.sqlite3"
    await (await Database.open(path)).close()
    await (await Database.open(path, load_migrations(migrations_dir))).close()
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT value, note FROM meta WHERE key = 'k'").fetchall()
        assert rows == [("v+backfilled", "n")]
        assert current_version(conn) == n + 2


async def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    migrations_dir = tmp_path / "migrations"
    migrations_dir.mkdir()
    for m in load_migrations():
        (migrations_dir / f"{m.version:04d}_{m.name}.sql").write_text(m.sql)
    n = latest_version()
    (migrations_dir / f"{n + 1:04d}_broken.sql").write_text(
        "CREATE TABLE half (x); INSERT INTO no_such_table VALUES (1);"
    )
    path = tmp_path / "bot.sqlite3"
    with pytest.raises(MigrationError, match="broken"):
        await Database.open(path, load_migrations(migrations_dir))
    with sqlite3.connect(path) as conn:
        assert current_version(conn) == n
        assert "half" not in _schema(path)


def test_a_gap_in_numbering_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    (tmp_path / "0003_c.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="expected 0002"):
        load_migrations(tmp_path)


async def test_round_rows_of_the_version_before_keep_their_state_stored_once(
    tmp_path: Path,
) -> None:
    """The round-state migration: the JSON becomes the one home of a round's state (topic,
    settings, the questions drawn, and those a reload skipped), the columns that repeated it are
    gone, and a round whose state was never written gets one, so it can be stopped."""
    path = tmp_path / "old.sqlite3"
    conn = connect(path)
    migrate(conn, target=6)  # the version before 0007
    stamp = "2026-01-01T00:00:00.000000+00:00"
    settings = '{"questions": 3, "seconds": 20, "scoring": "speed"}'
    shrunk = (
        '{"topic_id": "t", "instructor_id": 5, "settings": ' + settings + ', "question_ids": '
        '["a", "c"], "asked": [], "status": "finished", "started_at": "' + stamp + '", '
        '"ended_at": null, "added_later": 1}'
    )
    rows = [
        (1, 1, "running", None, None),
        (2, 2, "finished", stamp, shrunk),
        (3, 3, "stopped", None, "{}"),
    ]
    for round_id, channel, status, ended_at, state in rows:
        conn.execute(
            "INSERT INTO rounds (id, guild_id, channel_id, host_id, topic_id, settings, status, "
            "question_ids, current_index, created_at, updated_at, ended_at, state) "
            'VALUES (?, 1, ?, 5, \'t\', ?, ?, \'["a", "b", "c"]\', 0, ?, ?, ?, ?)',
            (round_id, channel, settings, status, stamp, stamp, ended_at, state),
        )
    conn.commit()
    conn.close()

    storage = await open_storage(path)
    try:
        never, shrunk_row, empty = [await storage.rounds.get(i) for i in (1, 2, 3)]
    finally:
        await storage.close()
    assert (
        never is not None
        and never.status == "running"
        and never.state
        == {
            "topic_id": "t",
            "settings": {"questions": 3, "seconds": 20, "scoring": "speed"},
            "question_ids": ["a", "b", "c"],
            "asked": [],
            "skipped": [],
            "ended_at": None,
        }
    )
    assert shrunk_row is not None and shrunk_row.state is not None
    assert shrunk_row.state["question_ids"] == ["a", "b", "c"]
    assert shrunk_row.state["skipped"] == ["b"] and shrunk_row.state["ended_at"] == stamp
    assert shrunk_row.state["added_later"] == 1
    assert not {"status", "started_at", "instructor_id"} & set(shrunk_row.state)
    assert empty is not None and empty.state is not None and empty.state["topic_id"] == "t"
    columns = set(_schema(path)["rounds"].split("(", 1)[1].replace("\n", " ").split(","))
    assert not any(c.split()[0] in {"topic_id", "settings", "question_ids", "ended_at"}
                   for c in columns if c.strip())  # fmt: skip


async def test_0008_and_0009_count_earlier_answers_and_keep_quiz_states_small(
    tmp_path: Path,
) -> None:
    """Stats read counters from 0008 on: they start from every answer given before. An ended
    quiz's state loses what columns and rows hold; a running one moves whole to quiz_live."""
    path = tmp_path / "old.sqlite3"
    conn = connect(path)
    migrate(conn, target=7)
    stamp = "2026-01-01T00:00:00.000000+00:00"
    conn.execute("INSERT INTO users VALUES (1, ?, ?), (2, ?, ?)", (stamp,) * 4)
    answers = [  # user, guild, topic, correct, points
        (1, 7, "a", 1, 100), (1, 7, "a", 0, 0), (1, None, "a", 1, 10),
        (1, 8, "b", 1, 50), (2, 7, "a", 0, 0),
    ]  # fmt: skip
    for user, guild, topic, correct, points in answers:
        conn.execute(
            "INSERT INTO answers (user_id, guild_id, topic_id, question_id, answer, correct, "
            "seconds, source, points, answered_at) VALUES (?, ?, ?, 'q', 'A', ?, 1, 'quiz', ?, ?)",
            (user, guild, topic, correct, points, stamp),
        )
    state = json.dumps(
        {"question_ids": ["q"], "answers": [{"question_id": "q"}], "written": {}, "position": 1}
    )
    for user, status in ((1, "finished"), (1, "abandoned"), (2, "active")):
        conn.execute(
            "INSERT INTO quiz_sessions (user_id, channel_id, topic_id, status, question_ids, "
            "state, created_at, updated_at) VALUES (?, 1, 'a', ?, '[\"q\"]', ?, ?, ?)",
            (user, status, state, stamp, stamp),
        )
    conn.close()

    storage = await open_storage(path)
    try:
        overall = await storage.answers.user_stats(1)
        here = await storage.answers.user_stats(1, guild_id=7)
        other = await storage.answers.user_stats(2, guild_id=7)
        running = await storage.quizzes.active_for(2)
    finally:
        await storage.close()
    assert (overall.answered, overall.correct, overall.points, overall.topics_practised) == (
        4, 3, 160, 2,
    )  # fmt: skip
    assert (here.answered, here.correct, here.points, here.topics_practised) == (2, 1, 100, 1)
    assert (other.answered, other.correct) == (1, 0)
    with sqlite3.connect(path) as check:
        states = dict(check.execute("SELECT status, state FROM quiz_sessions").fetchall())
        indexes = {r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert json.loads(states["finished"]) == {"written": {}}
    assert json.loads(states["abandoned"]) == {"written": {}}
    assert json.loads(states["active"]) == {}  # its state is in quiz_live while it runs
    assert running is not None and running.state == json.loads(state)
    assert "guild_scores_user" in indexes and "answers_user_topic" not in indexes


async def test_0010_keeps_earlier_quizzes_as_quizzes_and_marks_where_memory_replay_stops(
    tmp_path: Path,
) -> None:
    """Spaced review: sessions from before are quizzes (a review is a session of its own kind),
    memory starts empty, and the answers given so far are marked for replay up to the last."""
    path = tmp_path / "old.sqlite3"
    conn = connect(path)
    migrate(conn, target=9)
    stamp = "2026-01-01T00:00:00.000000+00:00"
    conn.execute("INSERT INTO users VALUES (1, ?, ?)", (stamp, stamp))
    for question in ("q1", "q2", "q3"):
        conn.execute(
            "INSERT INTO answers (user_id, guild_id, topic_id, question_id, answer, correct, "
            "seconds, source, points, answered_at) "
            "VALUES (1, NULL, 'a', ?, 'A', 1, 1, 'quiz', 0, ?)",
            (question, stamp),
        )
    for status in ("finished", "active"):
        conn.execute(
            "INSERT INTO quiz_sessions (user_id, channel_id, topic_id, status, question_ids, "
            "state, created_at, updated_at) VALUES (1, 1, 'a', ?, '[\"q1\"]', '{}', ?, ?)",
            (status, stamp, stamp),
        )
    last = conn.execute("SELECT MAX(id) FROM answers").fetchone()[0]
    conn.commit()
    conn.close()

    storage = await open_storage(path)
    try:
        running = await storage.quizzes.active_for(1)
        finished = await storage.quizzes.get(1)
    finally:
        await storage.close()
    assert running is not None and running.kind == "quiz"
    assert finished is not None and finished.kind == "quiz" and finished.status == "finished"
    with sqlite3.connect(path) as check:
        kinds = check.execute("SELECT DISTINCT kind FROM quiz_sessions").fetchall()
        seed = check.execute("SELECT value FROM meta WHERE key = 'memory_seed_until'").fetchall()
        memory = [
            check.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("memory_cards", "memory_reviews", "review_days", "review_settings")
        ]
        with pytest.raises(sqlite3.IntegrityError):
            check.execute("UPDATE quiz_sessions SET kind = 'exam'")
    assert kinds == [("quiz",)]
    assert seed == [(str(last),)]
    assert memory == [0, 0, 0, 0]


async def test_0011_keeps_earlier_marks_unplaced_and_memory_takes_placement_reviews(
    tmp_path: Path,
) -> None:
    """Placement: marks made before keep their stamps and are placed by nothing; a placement
    answer is a review of source 'placement'."""
    path = tmp_path / "old.sqlite3"
    conn = connect(path)
    migrate(conn, target=10)
    stamp = "2026-01-01T00:00:00.000000+00:00"
    conn.execute("INSERT INTO users VALUES (1, ?, ?)", (stamp, stamp))
    conn.execute(
        "INSERT INTO topic_state (user_id, topic_id, known_at, mastered_at, updated_at) "
        "VALUES (1, 'a', ?, NULL, ?), (1, 'b', NULL, ?, ?)",
        (stamp, stamp, stamp, stamp),
    )
    conn.commit()
    conn.close()

    storage = await open_storage(path)
    try:
        states = await storage.progress.all_for(1)
    finally:
        await storage.close()
    marks = [(s.topic_id, s.known_at is not None, s.mastered_at is not None) for s in states]
    assert marks == [("a", True, False), ("b", False, True)]
    assert all(s.placed_at is None for s in states)
    with sqlite3.connect(path) as check:
        check.execute(
            "INSERT INTO memory_reviews (user_id, topic_id, question_id, rating, source, "
            "reviewed_at) VALUES (1, 'a', 'q', 3, 'placement', ?)",
            (stamp,),
        )
        with pytest.raises(sqlite3.IntegrityError):
            check.execute(
                "INSERT INTO memory_reviews (user_id, topic_id, question_id, rating, source, "
                "reviewed_at) VALUES (1, 'a', 'q', 3, 'exam', ?)",
                (stamp,),
            )
