"""/round through the fake Discord: a full round with a class (right, wrong, late and double
clicks), the reveal's numbers, the podium, the CSV, refusals, and a restart mid-round."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fakediscord import FakeDiscord

from tutorbot.bot.exts.rounds import present
from tutorbot.domain.scoring import speed_points
from tutorbot.services.round_views import NotInstructor, RoundEnd
from tutorbot.services.rounds import CLOSE_GRACE, NEXT_PAUSE

from .bot_harness import BotFactory, FakeClock
from .helpers import enabled, message_text
from .rounds_helpers import (
    BASE,
    TOPIC,
    channel_messages,
    click,
    is_revealed,
    kind_of,
    reply,
    tick,
    write_course,
)

SECONDS = 20
AFTER_DEADLINE = SECONDS + CLOSE_GRACE.total_seconds() + 0.5


async def test_a_full_round_with_a_class(
    start_bot: BotFactory,
    fake_discord: FakeDiscord,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = fake_discord
    monkeypatch.setattr(present, "COUNT_EVERY", 0.2)
    ana, ben, cy, dee = (fake.add_member(fake.guild, n) for n in ("ana", "ben", "cy", "dee"))
    async with start_bot(content_dir=write_course(tmp_path / "content")) as bot:
        started = await fake.slash(
            "round start", {"topic": TOPIC, "questions": 3, "seconds": SECONDS}, fake.admin
        )
        assert "Round started on **Sky Colours**: 3 questions" in await reply(fake, started)
        again = await fake.slash("round start", {"topic": TOPIC}, fake.admin)
        assert "already running in this channel" in await reply(fake, again)
        seen = set()
        for number in range(1, 4):
            await fake.wait_until(lambda n=number: len(channel_messages(fake)) == n)
            message = channel_messages(fake)[-1]
            text = message_text(message)
            assert f"Question {number} of 3" in text and "<t:" in text and ":R>" in text
            kind = kind_of(message)
            seen.add(kind)
            if kind == "mc":
                assert list(enabled(message.components)) == ["A", "B", "C", "D"]
                assert await click(fake, message, "B", ana) == "Locked in: **B**"
                assert await click(fake, message, "A", ben) == "Locked in: **A**"
                assert "already answered **B**" in await click(fake, message, "A", ana)
                clock.advance(10)
                assert await click(fake, message, "B", cy) == "Locked in: **B**"
                await fake.wait_until(
                    lambda m=message: "Answers\n3" in message_text(fake.messages[m.id])
                )
            elif kind == "tf":
                assert await click(fake, message, "True", ana) == "Locked in: **True**"
                assert await click(fake, message, "True", cy) == "Locked in: **True**"
                assert await click(fake, message, "False", ben) == "Locked in: **False**"
            else:
                for student, typed in ((ana, "Scattering of blue light."), (ben, "Oceans.")):
                    form = await fake.click(
                        message, enabled(message.components)["Write my answer"], student
                    )
                    shown = await fake.wait_response(form)
                    assert shown.type == 9
                    sent = await fake.modal_submit(
                        shown.data["custom_id"], {"answer": typed}, student
                    )
                    assert await reply(fake, sent) == "Locked in your answer."
            clock.advance(AFTER_DEADLINE - (10 if kind == "mc" else 0))
            late = "B" if kind == "mc" else ("True" if kind == "tf" else "Write my answer")
            assert "Time is up" in await click(fake, message, late, dee)
            bot.services.wake()
            await fake.wait_until(lambda m=message: is_revealed(fake, m))
            revealed = message_text(fake.messages[message.id])
            if kind == "mc":
                assert "Correct answer: B · 3 answers" in revealed
                assert "✅ **B.** Blue" in revealed
                assert "**B** `████████░░░░` 2 (67%)" in revealed
                assert "**A** `████░░░░░░░░` 1 (33%)" in revealed
                assert "**C** `░░░░░░░░░░░░` 0 (0%)" in revealed
                assert "Air scatters blue light the most." in revealed
                assert "Fastest right answers" in revealed and "🥇 Ana" in revealed
                assert revealed.index("🥇 Ana") < revealed.index("🥈 Cy")
            elif kind == "tf":
                assert "Correct answer: True · 3 answers" in revealed
                assert "2 (67%)" in revealed and "1 (33%)" in revealed
            else:
                assert "Air molecules scatter short (blue) wavelengths" in revealed
                assert "2 typed an answer" in revealed
                assert "500 points" in await click(fake, message, "Got it", ana)
                assert "Missed it" in await click(fake, message, "Missed it", ben)
                assert "already judged" in await click(fake, message, "Partly", ana)
                assert "Only students who typed" in await click(fake, message, "Got it", cy)
            await tick(bot, clock, NEXT_PAUSE.total_seconds())
        assert seen == {"mc", "tf", "fr"}

        await fake.wait_until(lambda: len(channel_messages(fake)) == 4)
        podium = message_text(channel_messages(fake)[-1])
        assert "Round over: Sky Colours" in podium
        assert podium.index("🥇 **Ana**") < podium.index("🥈 **Cy**") < podium.index("🥉 **Ben**")
        assert "Dee" not in podium and "3 took part · 3 questions" in podium
        await fake.wait_until(lambda: len(fake.dms_with(fake.admin)) == 1)
        report = fake.dms_with(fake.admin)[0].content
        assert "Most missed questions" in report and "Below 50%" in report
        assert "Ben" in report and "Light Basics" in report  # the unmastered prerequisite

        rows = (await bot.services.storage.rounds.recent_in_guild(fake.guild.id))[0]
        assert rows.status == "finished"
        stored = await bot.services.storage.rounds.answers(rows.id)
        assert len(stored) == 2 + 3 + 3  # dee's late clicks and ana's double click left out
        ana_mc = next(a for a in stored if a.user_id == ana.id and a.answer == "B")
        assert ana_mc.points == speed_points(ana_mc.seconds, SECONDS) >= 990
        cy_mc = next(a for a in stored if a.user_id == cy.id and a.answer == "B")
        assert 10 <= cy_mc.seconds < 11 and 720 < cy_mc.points <= 750

        results = await fake.slash("round results", {}, fake.admin)
        callback = await fake.wait_response(results)
        assert callback.ephemeral
        attachment = fake.original(results).attachments[0]
        assert attachment.filename == f"round-{rows.id}.csv"
        table = list(csv.reader(io.StringIO(attachment.data.decode())))
        assert table[0] == ["student", "question id", "answer", "correct", "seconds", "points"]
        assert len(table) == 1 + 3 * 3
        by_student = {(r[0], r[1]): r for r in table[1:]}
        assert by_student[("Ana", "mc")][2:4] == ["B", "yes"]
        assert by_student[("Ben", "mc")][2:4] == ["A", "no"]
        assert by_student[("Ana", "fr")][3:] == ["got_it", by_student[("Ana", "fr")][4], "500"]
        assert by_student[("Cy", "fr")][2:4] == ["", "no"]
        board, _ = await bot.services.stats.leaderboard(fake.guild.id, ana.id)
        assert [e.user_id for e in board] == [ana.id, cy.id, ben.id]
        for entry in board:  # /stats counts the judged typed answers as the leaderboard does
            here = (await bot.services.stats.for_user(entry.user_id, fake.guild.id)).here
            assert here is not None
            assert (here.answered, here.correct, here.points) == (
                entry.answered,
                entry.correct,
                entry.points,
            )
    assert fake.rejections == []


async def test_non_instructors_are_refused_and_the_instructor_role_may_start(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    teacher = fake.add_member(fake.guild, "teacher", roles=[fake.instructor_role])
    async with start_bot(content_dir=write_course(tmp_path / "content")):
        for command in ("round start", "round skip", "round stop", "round results"):
            options = {"topic": TOPIC} if command == "round start" else {}
            refused = await fake.slash(command, options, fake.student)
            assert "Only instructors can run rounds" in await reply(fake, refused)
        refused = await fake.slash("round start", {"topic": TOPIC}, teacher)
        assert "Only instructors" in await reply(fake, refused)
        bad = await fake.slash(
            "tutoradmin settings", {"instructor_role": fake.instructor_role.id}, fake.student
        )
        assert "Only server admins" in await reply(fake, bad)
        setting = await fake.slash(
            "tutoradmin settings",
            {"instructor_role": fake.instructor_role.id, "seconds": 30},
            fake.admin,
        )
        text = await reply(fake, setting)
        assert f"<@&{fake.instructor_role.id}>" in text and "30 seconds" in text
        allowed = await fake.slash("round start", {"topic": TOPIC, "questions": 1}, teacher)
        assert "Round started" in await reply(fake, allowed)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
        assert "no round running" in await reply(
            fake, await fake.slash("round skip", {}, teacher, channel=fake.other_channel)
        )
        stopped = await fake.slash("round stop", {}, teacher)
        assert "Round report" in await reply(fake, stopped)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 2)
        assert "The instructor ended the round." in message_text(channel_messages(fake)[-1])
    assert fake.rejections == []


async def test_restart_mid_round_keeps_answers_and_reveals_a_passed_deadline(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    fake = fake_discord
    ana = fake.add_member(fake.guild, "ana")
    content = write_course(tmp_path / "content")
    async with start_bot(content_dir=content):
        started = await fake.slash(
            "round start", {"topic": TOPIC, "questions": 2, "seconds": SECONDS}, fake.admin
        )
        await reply(fake, started)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
        first = channel_messages(fake)[0]
        label = {"mc": "B", "tf": "True"}.get(kind_of(first))
        if label is not None:
            assert "Locked in" in await click(fake, first, label, ana)
        else:
            form = await fake.click(first, enabled(first.components)["Write my answer"], ana)
            shown = await fake.wait_response(form)
            sent = await fake.modal_submit(shown.data["custom_id"], {"answer": "Blue."}, ana)
            assert await reply(fake, sent) == "Locked in your answer."
    clock.advance(AFTER_DEADLINE + 60)  # the deadline passes while the bot is down
    async with start_bot(content_dir=content) as bot:
        await fake.wait_until(lambda: is_revealed(fake, first), timeout=10)
        revealed = message_text(fake.messages[first.id])
        assert "1 answer" in revealed or "1 typed an answer" in revealed
        await tick(bot, clock, NEXT_PAUSE.total_seconds())
        await fake.wait_until(lambda: len(channel_messages(fake)) == 2)
        assert "Question 2 of 2" in message_text(channel_messages(fake)[-1])
        rnd = (await bot.services.storage.rounds.running())[0]
        assert len(await bot.services.storage.rounds.answers(rnd.id)) == 1
    assert fake.rejections == []


async def test_podium_top_10_csv_leaderboard_and_stats_agree_on_a_class_with_ties(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    """One rule ranks everywhere: more points, then more credit; equal on both share a rank,
    listed by user id. Flat scoring, ben and cy right at different speeds, ana wrong: ben and
    cy share first place (time is not a tie-break) and ana is third, in every table."""
    fake = fake_discord
    ana, ben, cy = (fake.add_member(fake.guild, n) for n in ("ana", "ben", "cy"))
    async with start_bot(content_dir=write_course(tmp_path / "content")) as bot:
        started = await fake.slash(
            "round start",
            {"topic": BASE, "questions": 1, "seconds": SECONDS, "scoring": "flat"},
            fake.admin,
        )
        assert "Round started" in await reply(fake, started)
        await fake.wait_until(lambda: len(channel_messages(fake)) == 1)
        message = channel_messages(fake)[0]
        assert "Locked in" in await click(fake, message, "False", ana)
        clock.advance(9)
        assert "Locked in" in await click(fake, message, "True", cy)
        clock.advance(1)
        assert "Locked in" in await click(fake, message, "True", ben)
        await tick(bot, clock, AFTER_DEADLINE)
        await fake.wait_until(lambda: is_revealed(fake, message))
        await tick(bot, clock, NEXT_PAUSE.total_seconds())
        await fake.wait_until(lambda: len(channel_messages(fake)) == 2)

        expected = [(1, ben.id), (1, cy.id), (3, ana.id)]
        end_text = message_text(channel_messages(fake)[-1])
        podium = [line for line in end_text.splitlines() if line.startswith(("🥇", "🥈", "🥉"))]
        assert podium == [
            "🥇 **Ben** · 1000 points",
            "🥇 **Cy** · 1000 points",
            "🥉 **Ana** · 0 points",
        ]
        assert "` 1.` Ben" in end_text and "` 1.` Cy" in end_text and "` 3.` Ana" in end_text
        assert end_text.index("` 1.` Ben") < end_text.index("` 1.` Cy")
        assert end_text.index("` 1.` Cy") < end_text.index("` 3.` Ana")

        results = await fake.slash("round results", {}, fake.admin)
        await fake.wait_response(results)
        table = list(csv.reader(io.StringIO(fake.original(results).attachments[0].data.decode())))
        assert [row[0] for row in table[1:]] == ["Ben", "Cy", "Ana"]

        board, _ = await bot.services.stats.leaderboard(fake.guild.id, ana.id)
        assert [(e.rank, e.user_id) for e in board] == expected
        for rank, user_id in expected:
            figures = await bot.services.stats.for_user(user_id, fake.guild.id)
            assert figures.standing is not None and figures.standing.rank == rank
    assert fake.rejections == []


async def test_every_instructor_action_is_refused_by_the_service_itself(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    """start, skip, stop, results and report refuse a non-instructor in the service layer, so
    no front end can forget the check; the round is left as it was."""
    fake = fake_discord
    async with start_bot(content_dir=write_course(tmp_path / "content")) as bot:
        rounds = bot.services.rounds
        topic = bot.services.library.get(BASE)
        assert topic is not None
        guild, channel = fake.guild.id, fake.channel.id
        refused = await rounds.start_round(
            guild_id=guild,
            channel_id=channel,
            instructor_id=fake.student.id,
            is_instructor=False,
            topic=topic,
        )
        assert refused == NotInstructor() and refused.text.startswith("Only instructors")
        started = await fake.slash("round start", {"topic": BASE}, fake.admin)
        assert "Round started" in await reply(fake, started)
        rnd = await bot.services.storage.rounds.running_in(channel)
        assert rnd is not None
        assert await rounds.skip(channel, False) == NotInstructor()
        assert await rounds.stop_round(channel, False) == NotInstructor()
        assert await rounds.results_csv(guild, rnd.id, is_instructor=False) == NotInstructor()
        assert await rounds.report(guild, rnd.id, is_instructor=False) == NotInstructor()
        after = await bot.services.storage.rounds.running_in(channel)
        assert after is not None and after.version == rnd.version
        report = await rounds.report(guild, rnd.id, is_instructor=True)
        assert isinstance(report, RoundEnd) and report.round_id == rnd.id
    assert fake.rejections == []
