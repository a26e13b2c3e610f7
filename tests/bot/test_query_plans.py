"""No action reads a growing table from end to end (issue 14).

A bot with a history (many students, servers and answers, statistics gathered) goes through a
day of use through the fake Discord: a quiz, a round with a class, three days later a /review and
a /placement (then a quiz, which reads the placement's questions),
/stats, /leaderboard, /progress, /mydata, /round results and report, /forgetme. Every statement
its connections run is then put through `EXPLAIN QUERY PLAN`: none may scan a table that grows
with users, answers, rounds or servers. And every foreign key has an index leading with all its
columns in order, so deleting a user or a round never scans the table that points at it
(SQLite's plans do not show those).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot
from tutorbot.domain.memory import rating_for_choice
from tutorbot.services.rounds import CLOSE_GRACE, NEXT_PAUSE
from tutorbot.storage.db import analyze

from .bot_harness import BotFactory, FakeClock
from .helpers import buttons, enabled, exported
from .rounds_helpers import BASE, TOPIC, channel_messages, is_revealed, kind_of, tick, write_course

GROWING = frozenset(
    {
        "answers",
        "goals",
        "guild_scores",
        "member_names",
        "memory_cards",
        "memory_reviews",
        "quiz_sessions",
        "round_answers",
        "review_days",
        "review_settings",
        "rounds",
        "timers",
        "topic_scores",
        "topic_state",
        "users",
    }
)
"""Tables whose rows grow with students, answers, rounds or servers."""
SECONDS = 20
_SCAN = re.compile(r"^SCAN (\w+)")
_STATEMENT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)


async def _history(bot: TutorBot, guilds: list[int], students: int, each: int) -> None:
    """Answers from `students` students in every one of `guilds`, and in direct messages."""
    answers = bot.services.storage.answers
    now = bot.services.clock()

    async def one(user: int, guild: int | None, n: int) -> None:
        topic, question, correct = (BASE, TOPIC)[n % 2], ("mc", "tf", "fr")[n % 3], n % 4 != 0
        await answers.record(
            user_id=user,
            guild_id=guild,
            topic_id=topic,
            question_id=question,
            answer="B",
            correct=correct,
            seconds=3.0,
            source="quiz",
            points=n % 7 * 100,
            now=now,
            practice=bot.services.memory.step(
                topic, question, rating_for_choice(correct), "quiz", now
            ),
        )

    places: list[int | None] = [*guilds, None]
    await asyncio.gather(
        *(
            one(10_000 + u, place, n)
            for u in range(students)
            for place in places
            for n in range(each)
        )
    )
    for number, guild in enumerate(guilds[1:] * 5):
        await _past_round(bot, guild, 5_000 + number, students)
    quizzes = bot.services.storage.quizzes
    for u in range(students):  # past quizzes, reviews and placements, as a day leaves them
        for kind in ("quiz", "review", "placement", "quiz"):
            session = await quizzes.create(
                user_id=10_000 + u,
                guild_id=guilds[0],
                channel_id=7,
                topic_id=TOPIC,
                question_ids=["mc", "tf"],
                now=now,
                kind=kind,
            )
            await quizzes.finish(session.id, now)
    await bot.services.storage.db.write(analyze)


async def _past_round(bot: TutorBot, guild: int, channel: int, students: int) -> None:
    """A finished one-question round in which every student answered."""
    rounds, now = bot.services.storage.rounds, bot.services.clock()
    state = {"topic_id": TOPIC, "settings": {"questions": 1, "seconds": SECONDS,
             "scoring": "speed"}, "question_ids": ["tf"], "asked": []}  # fmt: skip
    rnd = await rounds.start(
        guild_id=guild, channel_id=channel, host_id=1, now=now, deadline=now, state=state
    )
    await asyncio.gather(
        *(
            rounds.record_open_answer(
                round_id=rnd.id,
                question_index=0,
                question_id="tf",
                topic_id=TOPIC,
                user_id=10_000 + u,
                answer="True",
                correct=True,
                seconds=2.0,
                points=900,
                now=now,
            )
            for u in range(students)
        )
    )
    await rounds.save_state(
        rnd.id,
        now=now,
        expected_version=rnd.version,
        state=state,
        current_index=0,
        deadline=None,
        status="finished",
    )


async def _quiz(
    fake: FakeDiscord, bot: TutorBot, user: Any, command: str = "quiz", options: Any = None
) -> None:
    """A whole private quiz (or review), every question answered."""
    started = await fake.slash(command, {"topic": TOPIC} if options is None else options, user)
    await fake.wait_response(started)
    for _ in range(10):
        labels = enabled(fake.original(started).components)
        for label in ("B", "True", "Reveal", "Got it", "Next", "See results"):
            if label in labels:
                if label == "Reveal":
                    bot.clock.advance(120)  # type: ignore[attr-defined]
                await fake.wait_response(
                    await fake.click(fake.original(started), labels[label], user)
                )
                break
        else:
            return


async def _round(fake: FakeDiscord, bot: TutorBot, clock: FakeClock, class_: list[Any]) -> None:
    """A three-question round: the class clicks, every question closes, the podium comes."""
    started = await fake.slash(
        "round start", {"topic": TOPIC, "questions": 3, "seconds": SECONDS}, fake.admin
    )
    await fake.wait_response(started)
    for number in range(1, 4):
        await fake.wait_until(lambda n=number: len(channel_messages(fake)) == n)
        message = channel_messages(fake)[-1]
        kind = kind_of(message)
        for student in class_:
            current = fake.messages[message.id]
            label = {"mc": "B", "tf": "True"}.get(kind, "Write my answer")
            clicked = await fake.click(current, buttons(current.components)[label], student)
            shown = await fake.wait_response(clicked)
            if kind == "fr":
                typed = {"answer": "Scattering."}
                await fake.wait_response(
                    await fake.modal_submit(shown.data["custom_id"], typed, student)
                )
        await tick(bot, clock, SECONDS + CLOSE_GRACE.total_seconds() + 0.5)
        await fake.wait_until(lambda m=message: is_revealed(fake, m))
        if kind == "fr":
            current = fake.messages[message.id]
            judged = await fake.click(current, buttons(current.components)["Got it"], class_[1])
            await fake.wait_response(judged)
        await tick(bot, clock, NEXT_PAUSE.total_seconds())
    await fake.wait_until(lambda: len(channel_messages(fake)) == 4)


async def _a_day_of_use(
    fake: FakeDiscord, bot: TutorBot, clock: FakeClock, class_: list[Any]
) -> None:
    await _quiz(fake, bot, fake.student)
    await _round(fake, bot, clock, class_)
    clock.advance(3 * 24 * 3600)  # the quiz's and the round's questions come due
    await fake.wait_response(
        await fake.slash("review", {"limit": 30, "timezone": "Asia/Tokyo"}, fake.student)
    )
    await _quiz(fake, bot, fake.student, "review", {})
    placed = await fake.slash("placement", {}, class_[1])
    await fake.wait_response(placed)
    for label in ("I don't know", "Stop"):
        labels = enabled(fake.original(placed).components)
        if label in labels:
            await fake.wait_response(
                await fake.click(fake.original(placed), labels[label], class_[1])
            )
    await fake.wait_response(await fake.slash("quiz", {"topic": TOPIC}, class_[1]))
    for command, options, user in (
        ("stats", {}, fake.student),
        ("leaderboard", {}, fake.student),
        ("progress", {}, fake.student),
        ("topic", {"topic": TOPIC}, fake.student),
        ("round results", {}, fake.admin),
    ):
        await fake.wait_response(await fake.slash(command, options, user))
    await exported(fake, await fake.slash("mydata", {}, fake.student))
    asked = await fake.slash("forgetme", {}, class_[0])
    ids = buttons((await fake.wait_response(asked)).components)
    await fake.wait_response(
        await fake.click(fake.original(asked), ids["Delete my data"], class_[0])
    )


def _scans(db: Path, statements: list[str]) -> dict[str, set[str]]:
    """Growing table -> the statements whose plan scans it whole."""
    found: dict[str, set[str]] = {}
    with sqlite3.connect(db) as conn:
        for sql in set(statements):
            if not _STATEMENT.match(sql):
                continue
            for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"):
                scanned = _SCAN.match(row[3])
                if scanned and scanned.group(1) in GROWING:
                    found.setdefault(scanned.group(1), set()).add(sql)
    return found


@pytest.mark.sqlite_only("reads SQLite's query plans (EXPLAIN QUERY PLAN)")
async def test_no_action_scans_a_growing_table(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    fake = fake_discord
    class_ = [fake.add_member(fake.guild, name) for name in ("ana", "ben", "cy", "dee")]
    statements: list[str] = []
    async with start_bot(content_dir=write_course(tmp_path / "content")) as bot:
        await _history(bot, [fake.guild.id, 901, 902, 903], students=40, each=6)
        db = bot.services.storage.db
        await db.trace(statements.append)
        await _a_day_of_use(fake, bot, clock, class_)
        await db.trace(None)
        path = db.path
    kinds = {m.group(1).upper() for s in statements if (m := _STATEMENT.match(s))}
    assert {"SELECT", "INSERT", "UPDATE", "DELETE"} <= kinds, kinds
    assert len(statements) > 100  # the day of use really ran through the database
    assert any(
        "FROM memory_cards WHERE user_id = " in s and "ORDER BY due" in s for s in statements
    )
    assert _scans(path, statements) == {}
    assert fake.rejections == []


def test_every_foreign_key_has_an_index_leading_with_it(tmp_path: Path) -> None:
    from tutorbot.storage.db import connect
    from tutorbot.storage.migrations import migrate

    conn = connect(tmp_path / "schema.sqlite3")
    migrate(conn)
    missing = _unindexed_foreign_keys(conn)
    conn.close()
    assert missing == []


def test_the_foreign_key_rule_needs_all_of_a_keys_columns_leading_in_order() -> None:
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        """
        CREATE TABLE parent (a INTEGER, b INTEGER, PRIMARY KEY (a, b));
        CREATE TABLE covered (a INTEGER, b INTEGER, c INTEGER, PRIMARY KEY (a, b, c),
            FOREIGN KEY (a, b) REFERENCES parent (a, b));
        CREATE TABLE half (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER,
            FOREIGN KEY (a, b) REFERENCES parent (a, b));
        CREATE INDEX half_a ON half (a);
        CREATE TABLE swapped (a INTEGER, b INTEGER, FOREIGN KEY (a, b) REFERENCES parent (a, b));
        CREATE INDEX swapped_b_a ON swapped (b, a);
        CREATE TABLE child (id INTEGER PRIMARY KEY REFERENCES half (id), x INTEGER);
        CREATE TABLE loose (x INTEGER, parent INTEGER REFERENCES half (id));
        """
    )
    assert _unindexed_foreign_keys(conn) == [
        "half.(a, b) -> parent",
        "loose.(parent) -> half",
        "swapped.(a, b) -> parent",
    ]
    conn.close()


def _unindexed_foreign_keys(conn: Any) -> list[str]:
    """Every foreign key, as "table.(columns) -> parent", that no index (nor the primary key or
    rowid) leads with: its columns, all of them, first and in the key's order."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    missing = []
    for table in tables:
        indexed = _index_columns(conn, table)
        for columns, parent in _foreign_keys(conn, table):
            if not any(index[: len(columns)] == columns for index in indexed):
                missing.append(f"{table}.({', '.join(columns)}) -> {parent}")
    return missing


def _index_columns(conn: Any, table: str) -> list[tuple[str, ...]]:
    """The columns of each index of `table`, in index order (a composite primary key's index
    included), plus an INTEGER PRIMARY KEY: the rowid itself."""
    indexes = [
        tuple(c[2] for c in sorted(conn.execute(f"PRAGMA index_info('{index[1]}')"), key=_first))
        for index in conn.execute(f"PRAGMA index_list('{table}')")
    ]
    primary = [c for c in conn.execute(f"PRAGMA table_info('{table}')") if c[5] > 0]
    if len(primary) == 1 and primary[0][2].upper() == "INTEGER":
        indexes.append((primary[0][1],))
    return indexes


def _first(row: Any) -> int:
    """A PRAGMA row's first field (index_info's seqno)."""
    return int(row[0])


def _foreign_keys(conn: Any, table: str) -> list[tuple[tuple[str, ...], str]]:
    """Each foreign key of `table` (its columns in order, the table it points at), a composite
    key grouped by PRAGMA foreign_key_list's id and ordered by its seq."""
    keys: dict[int, list[tuple[int, str]]] = {}
    parents: dict[int, str] = {}
    for key in conn.execute(f"PRAGMA foreign_key_list('{table}')"):
        keys.setdefault(key[0], []).append((key[1], key[3]))  # id, seq, table, from
        parents[key[0]] = key[2]
    return [(tuple(c for _, c in sorted(keys[k])), parents[k]) for k in sorted(keys)]
