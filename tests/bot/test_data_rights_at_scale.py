"""/mydata and /forgetme for a student with a long history: the export always fits Discord's
attachment limit (compressed when it must be, and the student is told), and a deletion cut
short by a restart is finished by the next process."""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from db_inspect import Target, places_of, select_one
from fakediscord import FakeDiscord

from tutorbot.bot.client import TutorBot
from tutorbot.services.stats import FORGET_RESUME_AFTER
from tutorbot.storage import data_rights
from tutorbot.storage.answers import insert_answer

from .bot_harness import BotFactory, FakeClock
from .helpers import exported

LIMIT = 10 * 1024 * 1024


async def _long_history(bot: TutorBot, user_id: int, answers: int) -> None:
    """`answers` answers by one student, written in big transactions (quicker than clicking)."""
    now = bot.services.clock()

    def batch(start: int, end: int) -> Callable[[sqlite3.Connection], None]:
        def tx(conn: sqlite3.Connection) -> None:
            for n in range(start, end):
                insert_answer(
                    conn,
                    user_id=user_id,
                    guild_id=None if n % 3 else 42,
                    topic_id=f"topic-{n % 40}",
                    question_id=f"question-{n % 9}",
                    answer="A long typed answer about scattering " + str(n),
                    correct=n % 4 != 0,
                    seconds=4.25,
                    source="quiz",
                    source_id=n // 5,
                    points=100,
                    now=now,
                )

        return tx

    for start in range(0, answers, 10_000):
        await bot.services.storage.db.write(batch(start, min(answers, start + 10_000)))


@pytest.mark.slow
@pytest.mark.sqlite_only(
    "a scale test of the export's size, not of the backend: its 60,000 answers take a minute "
    "to write one statement at a time on PostgreSQL (/mydata's reads run there in other tests)"
)
async def test_an_export_too_big_for_one_file_comes_as_a_zip_that_fits(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    await _long_history(bot, fake.student.id, 60_000)
    text, files = await exported(fake, await fake.slash("mydata", {}, fake.student))
    assert "too big for one Discord file, so it comes compressed as a zip" in text
    assert [f.filename for f in files] == [f"tutorbot-{fake.student.id}.zip"]
    assert len(files[0].data) <= LIMIT
    with zipfile.ZipFile(io.BytesIO(files[0].data)) as archive:
        [name] = archive.namelist()
        document = json.loads(archive.read(name))
    assert name == f"tutorbot-{fake.student.id}.json"
    assert len(document["answers"]) == 60_000 and document["part"] == 1
    assert {a["answer"] for a in document["answers"][:2]} == {
        "A long typed answer about scattering 0",
        "A long typed answer about scattering 1",
    }
    assert len(json.dumps(document)) > LIMIT  # it really would not have fitted as JSON
    assert fake.rejections == []


async def test_a_forgetme_cut_short_is_finished_after_a_restart(
    start_bot: BotFactory,
    fake_discord: FakeDiscord,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The process stops between two batches of the deletion: the next one finishes it once
    the forget timer is due, and nothing about the student is left."""
    fake = fake_discord
    monkeypatch.setattr(data_rights, "DELETE_BATCH", 50)
    student = fake.student.id
    async with start_bot() as bot:
        await _long_history(bot, student, 3_000)
        db = bot.settings.database
        deleting = asyncio.create_task(bot.services.stats.forget(student))
        await fake.wait_until(lambda: _answers(db, student) < 3_000)
        deleting.cancel()  # the process stops here, as far as the deletion knows
        with pytest.raises(asyncio.CancelledError):
            await deleting
    left = _answers(db, student)
    assert 0 < left < 3_000 and places_of(db, student)  # half done, and noted by a timer
    clock.advance(FORGET_RESUME_AFTER.total_seconds() + 1)
    async with start_bot():
        await fake.wait_until(lambda: places_of(db, student) == [], timeout=10)
    assert _answers(db, student) == 0


def _answers(db: Target, user_id: int) -> int:
    count: int = select_one(db, "SELECT COUNT(*) FROM answers WHERE user_id = ?", user_id)
    return count
