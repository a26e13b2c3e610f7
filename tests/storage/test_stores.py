"""Each store against a real file: what goes in comes back, and the schema's rules hold."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tutorbot.domain.standings import leaderboard
from tutorbot.storage import RoundAlreadyRunningError, Storage
from tutorbot.storage._time import from_db
from tutorbot.storage.admin import read_heartbeat
from tutorbot.storage.meta import HEARTBEAT
from tutorbot.storage.progress import upsert_topic_state
from tutorbot.storage.quizzes import NewAnswer

from ._round_rows import round_state
from .conftest import rows


async def test_users_are_created_by_any_write_and_touched(storage: Storage, now: datetime) -> None:
    assert (await storage.data_rights.export_user(1))["users"] == []
    await storage.progress.mark_known(1, "algebra", now)
    await storage.progress.set_goal(1, "calculus", now + timedelta(days=1))
    (user,) = (await storage.data_rights.export_user(1))["users"]
    assert from_db(user["created_at"]) == now
    assert from_db(user["last_seen_at"]) == now + timedelta(days=1)


async def test_topic_state_keeps_first_times(storage: Storage, now: datetime) -> None:
    await storage.progress.mark_known(1, "algebra", now)
    again = await storage.progress.mark_known(1, "algebra", now + timedelta(hours=1))
    assert again.known_at == now and again.mastered_at is None
    for hours in (2, 3):  # what a finished quiz writes, twice: the first time stays
        stamp = now + timedelta(hours=hours)
        mastered = await storage.db.write(
            partial(
                upsert_topic_state, column="mastered_at", user_id=1, topic_id="geometry", now=stamp
            )
        )
    assert mastered.known_at is None and mastered.mastered_at == now + timedelta(hours=2)
    assert [s.topic_id for s in await storage.progress.all_for(1)] == ["algebra", "geometry"]
    unmarked = await storage.progress.unmark_known(1, "algebra", now)
    assert unmarked is not None and unmarked.known_at is None
    await storage.db.write(lambda conn: upsert_topic_state(conn, "mastered_at", 1, "algebra", now))
    await storage.progress.unmark_known(1, "algebra", now)
    kept = await storage.progress.get(1, "algebra")
    assert kept is not None and kept.mastered_at == now  # mastery stays: it was earned


async def test_goal_set_replace_clear(storage: Storage, now: datetime) -> None:
    assert await storage.progress.get_goal(1) is None
    await storage.progress.set_goal(1, "algebra", now)
    await storage.progress.set_goal(1, "calculus", now)
    goal = await storage.progress.get_goal(1)
    assert goal is not None and goal.topic_id == "calculus"
    assert await storage.progress.clear_goal(1) is True
    assert await storage.progress.clear_goal(1) is False
    assert await storage.progress.get_goal(1) is None


async def test_answers_stats_and_leaderboard(storage: Storage, now: datetime) -> None:
    async def answer(user: int, guild: int | None, correct: bool, points: int) -> None:
        await storage.answers.record(
            user_id=user,
            guild_id=guild,
            topic_id="algebra",
            question_id="q1",
            answer="A",
            correct=correct,
            seconds=3.5,
            source="quiz",
            source_id=9,
            points=points,
            now=now,
        )

    await answer(1, 100, True, 10)
    await answer(1, 100, False, 0)
    await answer(2, 100, True, 10)
    await answer(2, 100, True, 5)
    await answer(3, 100, True, 10)
    await answer(1, None, True, 0)  # a DM answer: in the user's stats, on no leaderboard
    await answer(4, 200, True, 50)  # another server

    stats = await storage.answers.user_stats(1)
    assert (stats.answered, stats.correct, stats.points) == (3, 2, 10)
    assert stats.accuracy == pytest.approx(2 / 3)
    assert (await storage.answers.user_stats(1, guild_id=100)).answered == 2

    board = leaderboard(await storage.answers.top_scores(100, 10))
    assert [(e.rank, e.user_id, e.points) for e in board] == [(1, 2, 15), (2, 1, 10), (2, 3, 10)]
    assert board[1].user_id == 1 and board[1].accuracy == 0.5
    assert 4 not in {e.user_id for e in board}
    assert [e.user_id for e in leaderboard(await storage.answers.top_scores(100, 2))] == [2, 1]
    third = await storage.answers.score_of(100, 3)
    assert third is not None and third[0].points == 10 and third[1] == 1  # one ahead: user 2
    assert await storage.answers.score_of(100, 4) is None
    recent = await storage.answers.recent(1)
    assert len(recent) == 3 and recent[0].answered_at == now and recent[0].source_id == 9


async def test_quiz_session_resumes_and_one_is_active(storage: Storage, now: datetime) -> None:
    first = await storage.quizzes.create(
        user_id=1,
        guild_id=None,
        channel_id=50,
        topic_id="algebra",
        question_ids=["q1", "q2", "q3"],
        state={"q1": {"revealed": False}},
        now=now,
    )
    assert first.status == "active" and first.position == 0 and first.question_ids[1] == "q2"
    moved = await storage.quizzes.update(
        first.id,
        now=now,
        expected_position=0,
        position=1,
        state={"q1": {"answer": "B"}},
        message_id=777,
        reveal_at=now + timedelta(seconds=30),
    )
    assert moved is not None and moved.position == 1 and moved.message_id == 777
    # The same click delivered twice does nothing the second time.
    assert await storage.quizzes.update(first.id, now=now, expected_position=0, position=1) is None
    resumed = await storage.quizzes.active_for(1)
    assert resumed == moved and resumed.state == {"q1": {"answer": "B"}}
    assert resumed.reveal_at == now + timedelta(seconds=30)

    second = await storage.quizzes.create(
        user_id=1, guild_id=5, channel_id=51, topic_id="geometry", question_ids=["g1"], now=now
    )
    old = await storage.quizzes.get(first.id)
    assert old is not None and old.status == "abandoned"
    assert (await storage.quizzes.active_for(1)) == second
    finished = await storage.quizzes.finish(second.id, now)
    assert finished is not None and finished.status == "finished"
    assert await storage.quizzes.active_for(1) is None


async def test_one_running_round_per_channel(storage: Storage, now: datetime) -> None:
    kwargs: dict[str, Any] = {"guild_id": 1, "channel_id": 10, "host_id": 99}
    state = round_state("t", ["a", "b"], {"seconds": 20})
    rnd = await storage.rounds.start(state=state, now=now, **kwargs)
    with pytest.raises(RoundAlreadyRunningError):
        await storage.rounds.start(state=state, now=now, **kwargs)
    other_channel = await storage.rounds.start(
        guild_id=1,
        channel_id=11,
        host_id=99,
        now=now,
        state=round_state("t", ["a"], {}),
    )
    assert other_channel.id != rnd.id
    assert await storage.rounds.running_in(10) == rnd
    stopped = await storage.rounds.save_state(
        rnd.id,
        now=now,
        expected_version=rnd.version,
        state=state,
        current_index=0,
        deadline=None,
        status="stopped",
    )
    assert stopped is not None and stopped.status == "stopped" and stopped.deadline is None
    again = await storage.rounds.start(state=state, now=now, **kwargs)
    assert again.status == "running"
    assert {r.id for r in await storage.rounds.running()} == {again.id, other_channel.id}


async def test_round_advances_only_from_the_expected_version(
    storage: Storage, now: datetime
) -> None:
    state = round_state("t", ["a", "b", "c"], {"seconds": 20})
    rnd = await storage.rounds.start(
        guild_id=1,
        channel_id=10,
        host_id=99,
        now=now,
        state=state,
        deadline=now + timedelta(seconds=20),
    )
    assert rnd.state is not None and rnd.state["settings"] == {"seconds": 20}
    assert rnd.deadline == now + timedelta(seconds=20)
    step = partial(
        storage.rounds.save_state,
        rnd.id,
        now=now,
        expected_version=rnd.version,
        state=state,
        current_index=1,
        deadline=now + timedelta(seconds=40),
    )
    nxt = await step()
    assert nxt is not None and nxt.current_index == 1 and nxt.version == rnd.version + 1
    assert await step() is None  # the same step again (a timer firing twice) applies once
    shown = await storage.rounds.set_message_id(rnd.id, now=now, expected_index=1, message_id=555)
    assert shown is not None and shown.message_id == 555
    stale = await storage.rounds.set_message_id(rnd.id, now=now, expected_index=0, message_id=7)
    assert stale is None


async def test_round_answer_is_recorded_once(storage: Storage, now: datetime) -> None:
    rnd = await storage.rounds.start(
        guild_id=1,
        channel_id=10,
        host_id=99,
        now=now,
        state=round_state("t", ["a", "b"], {}),
        current_index=1,
        deadline=now + timedelta(seconds=20),
    )
    first = await storage.rounds.record_open_answer(
        round_id=rnd.id,
        question_index=1,
        question_id="b",
        topic_id="t",
        user_id=5,
        answer="B",
        correct=True,
        seconds=2.0,
        points=80,
        now=now,
    )
    double = await storage.rounds.record_open_answer(
        round_id=rnd.id,
        question_index=1,
        question_id="b",
        topic_id="t",
        user_id=5,
        answer="C",
        correct=False,
        seconds=3.0,
        points=0,
        now=now + timedelta(seconds=1),
    )
    assert first is not None and double is not None
    assert first.first and not double.first
    assert double.answer == first.answer and double.answer.answer == "B"
    assert len(await storage.rounds.answers(rnd.id)) == 1
    history = await storage.answers.recent(5)
    assert [(a.source, a.source_id, a.question_id, a.points) for a in history] == [
        ("round", rnd.id, "b", 80)
    ]
    board = await storage.answers.top_scores(1, 10)
    assert [(e.user_id, e.points) for e in board] == [(5, 80)]


async def test_guild_settings_default_and_update(storage: Storage, now: datetime) -> None:
    defaults = await storage.settings.get(1)
    assert defaults.instructor_role_id is None and defaults.round_questions > 0
    changed = await storage.settings.update(1, now=now, instructor_role_id=42, round_seconds=15)
    assert changed.instructor_role_id == 42 and changed.round_seconds == 15
    assert changed.round_questions == defaults.round_questions
    reset = await storage.settings.update(1, now=now, round_seconds=None)
    assert reset.round_seconds == defaults.round_seconds and reset.instructor_role_id == 42
    assert await storage.settings.get(2) == type(defaults)(2)


async def test_meta_values_and_heartbeat(storage: Storage, now: datetime) -> None:
    assert await storage.meta.get("command_tree_hash") is None
    await storage.meta.set("command_tree_hash", "abc")
    await storage.meta.set("command_tree_hash", "def", now)
    assert await storage.meta.get("command_tree_hash") == "def"
    await storage.meta.heartbeat(now)
    [(stored,)] = await rows(storage, "SELECT value FROM meta WHERE key = ?", HEARTBEAT)
    assert from_db(stored) == now


@pytest.mark.sqlite_only("the health check reads the heartbeat from the SQLite file")
async def test_the_health_check_reads_the_heartbeat(
    storage: Storage, now: datetime, db_path: Path
) -> None:
    assert read_heartbeat(db_path) is None
    await storage.meta.heartbeat(now)
    assert read_heartbeat(db_path) == now


async def test_naive_times_are_refused(storage: Storage) -> None:
    with pytest.raises(ValueError, match="naive"):
        await storage.progress.mark_known(1, "t", datetime(2025, 1, 1))  # noqa: DTZ001 (naive on purpose)


async def test_an_ended_quiz_keeps_no_copy_of_its_answers_or_questions(
    storage: Storage, now: datetime
) -> None:
    """Finished (by its last step) or abandoned (by a new quiz): the state keeps only what no
    column or row holds (what the student wrote), and the running state leaves quiz_live."""
    state = {"question_ids": ["q1"], "answers": [], "written": {"q1": "typed"}, "position": 0}
    first = await storage.quizzes.create(
        user_id=1, guild_id=None, channel_id=5, topic_id="t", question_ids=["q1"], now=now,
        state=state,
    )  # fmt: skip
    answered = {**state, "answers": [{"question_id": "q1", "given": "A"}]}
    done = await storage.quizzes.save_step(
        first,
        now=now,
        state=answered,
        position=1,
        reveal_at=None,
        status="finished",
        answer=NewAnswer("q1", "A", True, 2.0),
    )
    assert done is not None and done.state == {"written": {"q1": "typed"}}
    assert done.question_ids == ("q1",)
    assert (await storage.answers.user_stats(1)).answered == 1

    second = await storage.quizzes.create(
        user_id=1, guild_id=None, channel_id=5, topic_id="t", question_ids=["q1"], now=now,
        state=answered,
    )  # fmt: skip
    assert second.state == answered  # an active quiz keeps everything
    await storage.quizzes.create(
        user_id=1, guild_id=None, channel_id=5, topic_id="t", question_ids=["q1"], now=now
    )
    abandoned = await storage.quizzes.get(second.id)
    assert abandoned is not None and abandoned.status == "abandoned"
    assert abandoned.state == {"written": {"q1": "typed"}}
    running = await storage.quizzes.active_for(1)
    live = await storage.db.fetchall("SELECT session_id FROM quiz_live")
    assert running is not None and [r["session_id"] for r in live] == [running.id]
