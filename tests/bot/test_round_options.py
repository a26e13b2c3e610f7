"""/round start's options through the fake Discord (issue 21): teams (by join order and by
role), the streak bonus on the reveal, a podium of 3 to 10, their server defaults in /tutoradmin
settings, the CSV and the report; and bad input: more teams than the class, a podium out of
range, a role that does not exist."""

from __future__ import annotations

import csv
import io
import textwrap
from pathlib import Path

from fakediscord import FakeDiscord, FakeMember, FakeMessage

from tutorbot.bot.client import TutorBot
from tutorbot.services.rounds import CLOSE_GRACE, NEXT_PAUSE

from .bot_harness import BotFactory, FakeClock
from .helpers import message_text
from .rounds_helpers import channel_messages, click, is_revealed, reply, tick

SECONDS = 20
AFTER_DEADLINE = SECONDS + CLOSE_GRACE.total_seconds() + 0.5
TOPIC = "facts"

_COURSE = """\
id: facts
title: Plain Facts
core_idea: Some statements are true.
explainer: Each of these statements is true.
questions:
"""


def write_true_course(root: Path, count: int = 3) -> Path:
    """One topic of `count` true/false questions, all true (so "True" is always right)."""
    root.mkdir(parents=True, exist_ok=True)
    questions = "".join(
        textwrap.indent(
            f"- id: f{i}\n  type: true_false\n  prompt: Fact number {i}.\n  answer: true\n"
            "  explanation: It is so.\n",
            "  ",
        )
        for i in range(count)
    )
    (root / f"{TOPIC}.yaml").write_text(_COURSE + questions)
    return root


async def play_question(
    fake: FakeDiscord, number: int, answers: list[tuple[FakeMember, str]]
) -> tuple[FakeMessage, list[str]]:
    """Wait for question `number` in the channel and click each player's label, in turn; the
    message and what each player was told."""
    await fake.wait_until(lambda: len(channel_messages(fake)) >= number, timeout=10)
    message = channel_messages(fake)[number - 1]
    told = [await click(fake, message, label, player) for player, label in answers]
    return message, told


async def reveal_and_next(
    fake: FakeDiscord, bot: TutorBot, clock: FakeClock, message: FakeMessage
) -> str:
    """Let the question's time run out; the text of its reveal (the next question follows)."""
    await tick(bot, clock, AFTER_DEADLINE)
    await fake.wait_until(lambda: is_revealed(fake, message), timeout=10)
    shown = message_text(fake.messages[message.id])
    await tick(bot, clock, NEXT_PAUSE.total_seconds() + 0.5)
    return shown


async def test_teams_streaks_and_a_podium_of_five_on_the_reveals_the_end_and_the_csv(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    fake = fake_discord
    players = [fake.add_member(fake.guild, n) for n in ("ana", "ben", "cy", "dee", "eve")]
    eve = players[-1]
    async with start_bot(content_dir=write_true_course(tmp_path / "content")) as bot:
        options = {"topic": TOPIC, "questions": 3, "seconds": SECONDS}
        started = await fake.slash(
            "round start", options | {"teams": 2, "streak": "on", "podium": 5}, fake.admin
        )
        said = await reply(fake, started)
        assert "2 teams (Team 1, Team 2)" in said, said
        assert "streak bonus on" in said and "a podium of 5" in said

        # Question 1: everyone right; each first answer joins the smaller team, in turn.
        message, told = await play_question(fake, 1, [(p, "True") for p in players])
        for place, text in enumerate(told):
            assert f"You play for **Team {place % 2 + 1}**" in text, text
        first = await reveal_and_next(fake, bot, clock, message)
        assert "in a row" not in first  # a run starts: no bonus for the first right answer
        assert "Teams so far" in first and "Team 1" in first and "(3 players)" in first

        # Question 2: eve is wrong (her run ends), the others make 2 in a row.
        answers = [(p, "False" if p is eve else "True") for p in players]
        message, told = await play_question(fake, 2, answers)
        assert all("You play for" not in text for text in told)
        second = await reveal_and_next(fake, bot, clock, message)
        assert "On a streak" in second and "🔥 2 in a row +100" in second

        # Question 3: all right: 3 in a row +200 for four of them, eve starts again.
        message, _ = await play_question(fake, 3, [(p, "True") for p in players])
        third = await reveal_and_next(fake, bot, clock, message)
        assert "🔥 3 in a row +200" in third

        await fake.wait_until(
            lambda: any("Round over" in message_text(m) for m in channel_messages(fake)),
            timeout=10,
        )
        end = next(m for m in channel_messages(fake) if "Round over" in message_text(m))
        podium = end.embeds[0]["description"]
        assert podium.count(" points") == 5, podium
        assert "Eve" not in podium.splitlines()[0]
        teams = next(e for e in end.embeds if e.get("title") == "Team podium")["description"]
        assert "🥇" in teams and "🥈" in teams, teams
        assert "**Team 1** ·" in teams and "(mean of 3 players)" in teams
        assert "**Team 2** ·" in teams and "(mean of 2 players)" in teams
        top = next(e for e in end.embeds if e.get("title") == "Top 10")["description"]
        assert "🔥 +300" in top  # 100 + 200 for everyone but eve

        results = await fake.slash("round results", {}, fake.admin)
        await fake.wait_response(results)
        attachment = fake.original(results).attachments[0]
        table = list(csv.reader(io.StringIO(attachment.data.decode())))
        assert table[0][-2:] == ["team", "streak bonus"]
        eves = [row for row in table[1:] if row[0] == "Eve"]
        assert {row[6] for row in eves} == {"Team 1"} and [row[7] for row in eves] == [
            "0",
            "0",
            "0",
        ]
        anas = [row for row in table[1:] if row[0] == "Ana"]
        assert [row[7] for row in anas] == ["0", "100", "200"]
        assert {row[6] for row in table[1:] if row[0] == "Ben"} == {"Team 2"}

    assert fake.rejections == []


async def test_team_roles_put_each_player_in_their_roles_team(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock, tmp_path: Path
) -> None:
    fake = fake_discord
    red = fake.add_role(fake.guild, "Red House")
    blue = fake.add_role(fake.guild, "Blue House")
    rosa = fake.add_member(fake.guild, "rosa", roles=[red])
    bill = fake.add_member(fake.guild, "bill", roles=[blue])
    bea = fake.add_member(fake.guild, "bea", roles=[blue])
    nora = fake.add_member(fake.guild, "nora")
    async with start_bot(content_dir=write_true_course(tmp_path / "content")):
        started = await fake.slash(
            "round start",
            {"topic": TOPIC, "questions": 1, "team_roles": f"red house, <@&{blue.id}>"},
            fake.admin,
        )
        assert "2 teams (Red House, Blue House)" in await reply(fake, started)
        _, told = await play_question(
            fake, 1, [(bill, "True"), (bea, "True"), (rosa, "True"), (nora, "True")]
        )
        assert "You play for **Blue House**" in told[0] and "**Blue House**" in told[1]
        assert "You play for **Red House**" in told[2]
        assert "You play for **Red House**" in told[3]  # no team role: the smaller team


async def test_bad_options_are_refused_and_nothing_starts(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    async with start_bot(content_dir=write_true_course(tmp_path / "content")) as bot:
        base = {"topic": TOPIC, "questions": 2}
        # The server has 4 members besides the bot (owner, admin, student and ...).
        members = len(fake.guild.members) - 1
        too_many = await fake.slash("round start", base | {"teams": members + 1}, fake.admin)
        said = await reply(fake, too_many)
        assert f"{members + 1} teams need at least {members + 1} players" in said, said
        assert f"only {members} members besides me" in said
        one = await fake.slash("round start", base | {"teams": 1}, fake.admin)
        assert "teams must be between 2 and 8, got 1" in await reply(fake, one)
        podium = await fake.slash("round start", base | {"podium": 11}, fake.admin)
        assert "podium must have between 3 and 10 places, got 11" in await reply(fake, podium)
        nobody = await fake.slash("round start", base | {"team_roles": "Ghosts, Red"}, fake.admin)
        assert "There is no role called “Ghosts” in this server." in await reply(fake, nobody)
        everyone = await fake.slash(
            "round start", base | {"team_roles": "@everyone, Moderators"}, fake.admin
        )
        assert "no role called “@everyone”" in await reply(fake, everyone)
        twice = await fake.slash(
            "round start",
            base | {"team_roles": f"Moderators, <@&{fake.moderator_role.id}>"},
            fake.admin,
        )
        assert "team_roles names a role twice." in await reply(fake, twice)
        single = await fake.slash("round start", base | {"team_roles": "Moderators"}, fake.admin)
        assert "team_roles needs at least 2 roles" in await reply(fake, single)
        student = await fake.slash("round start", base | {"teams": 2}, fake.student)
        assert "Only instructors can run rounds" in await reply(fake, student)
        assert channel_messages(fake) == []
        assert await bot.services.storage.rounds.running_in(fake.channel.id) is None


async def test_server_defaults_for_the_options_apply_to_a_round_started_without_them(
    start_bot: BotFactory, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    async with start_bot(content_dir=write_true_course(tmp_path / "content")):
        shown = await fake.slash("tutoradmin settings", {}, fake.admin)
        text = await reply(fake, shown)
        assert "Round options: no teams, streak bonus off, thread off, a podium of 3" in text
        bad = await fake.slash("tutoradmin settings", {"teams": 1}, fake.admin)
        assert "teams must be between 2 and 8, got 1" in await reply(fake, bad)
        changed = await fake.slash(
            "tutoradmin settings", {"teams": 2, "streak": "on", "podium": 4}, fake.admin
        )
        text = await reply(fake, changed)
        assert "Round options: 2 teams, streak bonus on, thread off, a podium of 4" in text
        started = await fake.slash("round start", {"topic": TOPIC, "questions": 1}, fake.admin)
        said = await reply(fake, started)
        assert "2 teams (Team 1, Team 2)" in said and "streak bonus on" in said
        assert "a podium of 4" in said
        stop = await fake.slash("round stop", {}, fake.admin)
        report = await reply(fake, stop)
        assert "Nobody played for Team 1, Team 2." in report, report
        assert "Streak bonus on" in report
        plain = await fake.slash(
            "round start", {"topic": TOPIC, "questions": 1, "teams": 0, "streak": "off"}, fake.admin
        )
        said = await reply(fake, plain)
        assert "teams" not in said and "streak" not in said
