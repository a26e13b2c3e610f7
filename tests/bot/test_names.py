"""Names survive restarts: the display names members show in a server are stored, so a podium, a
reveal, the CSV and the leaderboard written by a restarted bot still show names, not ids; stored
names are escaped like any user text, follow a rename, and go with /forgetme."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

from db_inspect import Target, places_of
from fakediscord import FakeDiscord

from tutorbot.services.rounds import CLOSE_GRACE, NEXT_PAUSE

from .bot_harness import BotFactory, FakeClock
from .helpers import buttons, exported, message_text
from .rounds_helpers import channel_messages, click, is_revealed, reply, tick

SECONDS = 20
AFTER_DEADLINE = SECONDS + CLOSE_GRACE.total_seconds() + 0.5
TOPIC = "one-question"


def _course(root: Path) -> Path:
    """A topic with one multiple-choice question, so the round is the same every time."""
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{TOPIC}.yaml").write_text(
        textwrap.dedent(
            """\
            id: one-question
            title: One Question
            core_idea: Two and two make four.
            explainer: Count two, then two more.
            questions:
              - id: sum
                type: multiple_choice
                prompt: What is 2 + 2?
                choices: ["3", "4", "5"]
                answer: B
                explanation: Two and two make four.
            """
        )
    )
    return root


async def test_a_restarted_bot_names_the_students_in_the_reveal_podium_csv_and_leaderboard(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    fake = fake_discord
    ana, ben = fake.add_member(fake.guild, "ana"), fake.add_member(fake.guild, "ben")
    eve = fake.add_member(fake.guild, "**eve** __x__")  # a name that is Markdown
    content = _course(tmp_path / "content")
    async with start_bot(content_dir=content):
        started = await fake.slash(
            "round start", {"topic": TOPIC, "questions": 1, "seconds": SECONDS}, fake.admin
        )
        assert "Round started" in await reply(fake, started)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
        question = channel_messages(fake)[0]
        assert await click(fake, question, "B", ana) == "Locked in: **B**"
        clock.advance(1)
        assert await click(fake, question, "B", eve) == "Locked in: **B**"
        assert await click(fake, question, "A", ben) == "Locked in: **A**"
    clock.advance(AFTER_DEADLINE + 60)  # the deadline passes while the bot is down

    async with start_bot(content_dir=content) as bot:  # nobody has clicked since the restart
        await fake.wait_until(lambda: is_revealed(fake, question), timeout=10)
        revealed = message_text(fake.messages[question.id])
        assert "🥇 Ana" in revealed and r"🥈 \*\*Eve\*\* \_\_X\_\_" in revealed
        await tick(bot, clock, NEXT_PAUSE.total_seconds())
        await fake.wait_until(lambda: len(channel_messages(fake)) == 2)
        podium = message_text(channel_messages(fake)[-1])
        assert podium.index("🥇 **Ana**") < podium.index(r"🥈 **\*\*Eve\*\* \_\_X\_\_**")
        assert "` 3.` Ben" in podium and "<@" not in podium
        await fake.wait_until(lambda: len(fake.dms_with(fake.admin)) == 1)
        assert "• Ben (0%)" in fake.dms_with(fake.admin)[0].content

    async with start_bot(content_dir=content):  # a CSV and a leaderboard after another restart
        results = await fake.slash("round results", {}, fake.admin)
        await fake.wait_response(results)
        attachment = fake.original(results).attachments[0]
        table = list(csv.reader(io.StringIO(attachment.data.decode())))
        assert sorted(row[0] for row in table[1:]) == ["**Eve** __X__", "Ana", "Ben"]
        board = await fake.slash("leaderboard", {}, fake.admin)
        lines = (await fake.wait_response(board)).embeds[0]["description"].splitlines()
        assert lines[0].startswith("🥇 Ana · **")
        assert lines[1].startswith(r"🥈 \*\*Eve\*\* \_\_X\_\_ · **")
        assert lines[2].startswith("🥉 Ben · **")
    assert fake.rejections == []


async def test_a_renamed_member_is_shown_by_the_new_name_after_a_restart(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path, database: Target
) -> None:
    fake = fake_discord
    ana = fake.add_member(fake.guild, "ana")
    db = database
    async with start_bot(content_dir=_course(tmp_path / "content")) as bot:
        await fake.wait_response(await fake.slash("stats", {}, ana))
        ana.user.name = "anastasia"
        await fake.wait_response(await fake.slash("stats", {}, ana))
        await fake.wait_response(await fake.slash("stats", {}, ana))
    async with start_bot(content_dir=_course(tmp_path / "content")) as bot:
        names = await bot.services.names.in_guild(fake.guild.id, [ana.id])
        assert names == {ana.id: "Anastasia"}
        dm = await fake.slash("stats", {}, fake.dm_user)  # no server, no name
        await fake.wait_response(dm)
    assert [p.partition(" = ")[0] for p in places_of(db, fake.dm_user.id)] == []


async def test_mydata_exports_the_stored_names_and_forgetme_deletes_them(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path, database: Target
) -> None:
    fake = fake_discord
    db = database
    async with start_bot(content_dir=_course(tmp_path / "content")):
        mydata = await fake.slash("mydata", {}, fake.student)
        _, files = await exported(fake, mydata)
        export = json.loads(files[0].data)
        rows = [(r["guild_id"], r["user_id"], r["name"]) for r in export["member_names"]]
        assert rows == [(fake.guild.id, fake.student.id, "Student")]

        asked = await fake.slash("forgetme", {}, fake.student)
        ids = buttons((await fake.wait_response(asked)).components)
        confirm = await fake.click(fake.original(asked), ids["Delete my data"], fake.student)
        assert "1 server name" in (await fake.wait_response(confirm)).content
    # The confirm click showed the name once more: it is not written back after the delete.
    assert places_of(db, fake.student.id) == []
