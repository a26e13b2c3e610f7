"""/daily through the fake Discord over several simulated days: set up, a question each day at
the server's own time (two servers in two time zones), private answers (buttons and a form), the
count, the reveal with the next question, every question before any repeats, a restart across
the post time (posted once, the same day only), a deleted channel, the leaderboard, and bad
input refused with nothing changed."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fakediscord import FakeDiscord
from fakediscord.state import FakeChannel, FakeMessage
from fakediscord.validation import check_message

from tutorbot.bot.client import TutorBot
from tutorbot.bot.exts.daily import render
from tutorbot.bot.exts.daily.render import TYPE_LABEL
from tutorbot.content import models as m
from tutorbot.content.models import Question
from tutorbot.domain import daily as rules
from tutorbot.domain.days import next_occurrence
from tutorbot.services.daily import TIMER_POST, DailyQuestionView, DailyRevealView, post_key
from tutorbot.storage.daily import DailySettings
from tutorbot.storage.timers import Timer

from .bot_harness import BotFactory, FakeClock
from .helpers import buttons, enabled, message_text

KIRITIMATI = "Pacific/Kiritimati"  # UTC+14
PAGO_PAGO = "Pacific/Pago_Pago"  # UTC-11
TOPIC = "counting-to-10"
"""Three multiple-choice and one true/false question a daily post can ask (and one free
response it cannot)."""
TYPED_TOPIC = "place-value"
"""Has numeric questions, answered in a form."""
DAY = 24 * 3600.0
SEND_MESSAGES = 1 << 11


# -- helpers ---------------------------------------------------------------------------------


async def _private(fake: FakeDiscord, interaction: Any) -> str:
    callback = await fake.wait_response(interaction)
    assert callback.ephemeral, callback
    return message_text(callback)


async def _set(
    fake: FakeDiscord, user: Any, channel: FakeChannel, at: str, zone: str, **more: Any
) -> str:
    options = {"channel": channel.id, "time": at, "timezone": zone, **more}
    return await _private(fake, await fake.slash("daily set", options, user))


def _at(zone: str, hh: int, mm: int, after: datetime) -> datetime:
    return next_occurrence(after, time(hh, mm), ZoneInfo(zone))


def _move_to(clock: FakeClock, when: datetime) -> None:
    ahead = (when - clock()).total_seconds()
    assert ahead > 0, "tests only move the clock forward"
    clock.advance(ahead)


async def _fires(bot: TutorBot, clock: FakeClock, when: datetime) -> None:
    _move_to(clock, when + timedelta(seconds=1))
    bot.services.wake()


def _questions(fake: FakeDiscord, channel: FakeChannel) -> list[FakeMessage]:
    """The daily questions posted in the channel, oldest first."""
    return [
        m
        for m in fake.messages_in(channel)
        if m.embeds and m.embeds[0].get("title", "").startswith("Question of the day ·")
    ]


def _reveals(fake: FakeDiscord, channel: FakeChannel) -> list[FakeMessage]:
    return [
        m
        for m in fake.messages_in(channel)
        if m.embeds and m.embeds[0].get("title", "").startswith("Answer of ")
    ]


def _posts(fake: FakeDiscord, channel: FakeChannel) -> list[Any]:
    """Every message the bot tried to post in the channel (refused ones too)."""
    path = f"/channels/{channel.id}/messages"
    return [r for r in fake.requests if r.method == "POST" and r.path == path]


async def _post_timers(bot: TutorBot, guild_id: int) -> list[Timer]:
    return [
        t
        for t in await bot.services.storage.timers.all()
        if t.kind == TIMER_POST and t.key == post_key(guild_id)
    ]


async def _settled(bot: TutorBot, guild_id: int, *, active: bool) -> DailySettings | None:
    """The server's daily settings once `active` is as expected (within a few seconds)."""
    settings = None
    for _ in range(100):
        settings = await bot.services.storage.daily.settings(guild_id)
        if settings is not None and settings.active is active:
            break
        await asyncio.sleep(0.05)
    return settings


def _right_and_wrong(bot: TutorBot, message: FakeMessage) -> tuple[str, str]:
    """The labels of a right and a wrong button of a daily question on screen."""
    title = message.embeds[0]["title"]
    prompt = message.embeds[0]["description"].split("\n")[0]
    for topic in bot.services.library.topics.values():
        if not title.endswith(topic.title):
            continue
        for q in topic.questions:
            if q.prompt.split("\n")[0] == prompt:
                right = str(q.answer) if q.choices else ("True" if q.answer else "False")
                labels = list(buttons(message.components))
                return right, next(label for label in labels if label != right)
    raise AssertionError(f"no question shows {prompt!r}")


async def _click(fake: FakeDiscord, message: FakeMessage, label: str, user: Any) -> str:
    current = fake.messages[message.id]
    return await _private(fake, await fake.click(current, buttons(current.components)[label], user))


# -- the days --------------------------------------------------------------------------------


async def test_a_question_a_day_answered_privately_revealed_with_the_next_and_no_repeats(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, channel = fake_discord, fake_discord.other_channel
    ana, ben = fake.add_member(fake.guild, "ana"), fake.add_member(fake.guild, "ben")
    text = await _set(fake, fake.admin, channel, "9:00", KIRITIMATI, topic=TOPIC)
    first = _at(KIRITIMATI, 9, 0, clock())
    assert "every day at **09:00**, Pacific/Kiritimati time" in text
    assert f"<#{channel.id}>" in text and "(4 questions, each asked once" in text
    assert f"<t:{int(first.timestamp())}:f>" in text
    [timer] = await _post_timers(bot, fake.guild.id)
    assert (timer.due_at, timer.guild_id) == (first, fake.guild.id)

    asked = []
    for day in range(5):
        await _fires(bot, clock, first + timedelta(days=day))
        await fake.wait_until(lambda d=day: len(_questions(fake, channel)) == d + 1)
        message = _questions(fake, channel)[-1]
        asked.append(message.embeds[0]["description"].split("\n")[0])
        if day == 0:
            assert "With the next daily question" in message_text(message)
            right, wrong = _right_and_wrong(bot, message)
            said = await _click(fake, message, right, ana)
            assert said.startswith(f"Locked in **{right}**.")
            assert "revealed with the next daily question" in said
            again = await _click(fake, message, wrong, ana)
            assert "You already answered" in again and "first answer is final" in again
            assert (await _click(fake, message, wrong, ben)).startswith("Locked in")
            await fake.wait_until(
                lambda m=message: "Answers\n2" in message_text(fake.messages[m.id]), timeout=15
            )
        if day == 4:  # the open question counts once answered
            assert (await _click(fake, message, _right_and_wrong(bot, message)[0], ana)).startswith(
                "Locked in"
            )
        if day == 1:
            [reveal] = _reveals(fake, channel)
            shown = message_text(reveal)
            assert "2 answers" in shown and "**Why:**" in shown and "(50%)" in shown
            closed = fake.messages[_questions(fake, channel)[0].id]
            assert enabled(closed.components) == {}  # the first day's buttons are closed
            stale = next(iter(buttons(closed.components).values()))
            late = await fake.click(closed, stale, ben, forged=True)  # an old screen
            assert "closed" in await _private(fake, late)
    assert len(set(asked[:4])) == 4  # every question once ...
    assert asked[4] in asked[:4]  # ... before any repeats
    assert len(_reveals(fake, channel)) == 4
    off = await _private(fake, await fake.slash("daily off", {}, fake.admin))
    assert off.startswith("The question of the day is off")
    await fake.wait_until(lambda: len(_reveals(fake, channel)) == 5)  # the open one, now
    standings = await _private(fake, await fake.slash("daily leaderboard", {}, ben))
    assert "**1.** Ana · ✅ 1 right in a row · 🔥 1 answered in a row · 2/2 right" in standings
    assert "**2.** Ben · ✅ 0 right in a row · 🔥 0 answered in a row · 0/1 right" in standings
    assert fake.rejections == []


async def test_two_servers_in_two_time_zones_each_post_on_their_own_day(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake = fake_discord
    second = fake.add_guild("Second School")
    owner = second.members[second.owner_id]
    there = second.text_channel
    async with start_bot() as bot:
        await _set(fake, fake.admin, fake.channel, "09:00", KIRITIMATI, topic=TOPIC)
        await _set(fake, owner, there, "09:00", PAGO_PAGO, topic=TOPIC)
        kiri, pago = _at(KIRITIMATI, 9, 0, clock()), _at(PAGO_PAGO, 9, 0, clock())
        for when, channel in sorted([(kiri, fake.channel), (pago, there)], key=lambda c: c[0]):
            await _fires(bot, clock, when)
            await fake.wait_until(lambda c=channel: len(_questions(fake, c)) == 1)
        [here_post] = _questions(fake, fake.channel)
        [there_post] = _questions(fake, there)
        here_day = here_post.embeds[0]["title"].split(" · ")[1]
        there_day = there_post.embeds[0]["title"].split(" · ")[1]
        assert here_day != there_day  # 25 hours apart: never the same date
        assert (await bot.services.storage.daily.post(fake.guild.id, here_day)) is not None
        assert (await bot.services.storage.daily.post(second.id, there_day)) is not None
    assert fake.rejections == []


async def test_a_restart_across_the_post_time_posts_once_that_day_and_a_lost_day_is_skipped(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, channel = fake_discord, fake_discord.other_channel
    async with start_bot() as bot:
        await _set(fake, fake.admin, channel, "09:00", PAGO_PAGO, topic=TOPIC)
    first = _at(PAGO_PAGO, 9, 0, clock())
    _move_to(clock, first + timedelta(hours=3))  # down at 09:00, back at noon: posts now
    async with start_bot() as bot:
        await fake.wait_until(lambda: len(_questions(fake, channel)) == 1)
        [timer] = await _post_timers(bot, fake.guild.id)
        assert timer.due_at == first + timedelta(days=1)
    clock.advance(3600)
    later = (clock() + timedelta(hours=1)).astimezone(ZoneInfo(PAGO_PAGO))
    async with start_bot() as bot:  # the same day again: nothing more, even at a new time
        moved = await _set(fake, fake.admin, channel, f"{later:%H:%M}", PAGO_PAGO, topic=TOPIC)
        tomorrow = _at(PAGO_PAGO, later.hour, later.minute, clock() + timedelta(hours=2))
        assert f"<t:{int(tomorrow.timestamp())}:f>" in moved  # today already had its question
        [timer] = await _post_timers(bot, fake.guild.id)
        assert timer.due_at == tomorrow
        await _private(fake, await fake.slash("daily status", {}, fake.student))
        await fake.wait_until(lambda: len(_questions(fake, channel)) == 1)
    assert len(_posts(fake, channel)) == 1
    _move_to(clock, tomorrow + timedelta(days=1, hours=1))  # down all of the next day
    async with start_bot() as bot:  # ... and past the time of the one after: posted now
        await fake.wait_until(lambda: len(_questions(fake, channel)) == 2)
        await fake.wait_until(lambda: len(_reveals(fake, channel)) == 1)
        [timer] = await _post_timers(bot, fake.guild.id)
        assert timer.due_at == tomorrow + timedelta(days=2)
        zone = ZoneInfo(PAGO_PAGO)
        days = await bot.services.storage.daily.recent_days(fake.guild.id)
        assert days == [rules.day_key(clock(), zone), rules.day_key(first, zone)]  # one skipped
    assert len(_posts(fake, channel)) == 3  # two questions and one reveal
    assert fake.rejections == []


async def test_a_typed_question_is_answered_in_a_form_and_revealed_after_the_hours_set(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, channel, user = fake_discord, fake_discord.channel, fake_discord.student
    text = await _set(
        fake, fake.admin, channel, "07:00", KIRITIMATI, topic=TYPED_TOPIC, reveal_hours=2
    )
    assert "revealed 2 hours after each question" in text
    first = _at(KIRITIMATI, 7, 0, clock())
    for day in range(6):  # the numeric questions come within one cycle
        await _fires(bot, clock, first + timedelta(days=day))
        await fake.wait_until(lambda d=day: len(_questions(fake, channel)) == d + 1)
        message = _questions(fake, channel)[-1]
        if TYPE_LABEL in buttons(message.components):
            break
        await _fires(bot, clock, first + timedelta(days=day, hours=2))
        await fake.wait_until(lambda d=day: len(_reveals(fake, channel)) == d + 1)
    else:
        raise AssertionError("no numeric question came")
    pressed = await fake.click(message, buttons(message.components)[TYPE_LABEL], user)
    form = await fake.wait_response(pressed)
    assert form.type == 9
    sent = await fake.modal_submit(form.data["custom_id"], {"answer": "not a number"}, user)
    assert "number" in await _private(fake, sent)
    sent = await fake.modal_submit(form.data["custom_id"], {"answer": "7"}, user)
    said = await _private(fake, sent)
    assert said.startswith("Locked in your answer. The answer is revealed <t:")
    again = await fake.click(message, buttons(message.components)[TYPE_LABEL], user)
    assert "You already answered your typed answer" in await _private(fake, again)
    revealed = len(_reveals(fake, channel))
    await _fires(bot, clock, first + timedelta(days=day, hours=2))
    await fake.wait_until(lambda: len(_reveals(fake, channel)) == revealed + 1)
    shown = message_text(_reveals(fake, channel)[-1])
    assert "**Right**" in shown and "**Wrong**" in shown and "1 answer" in shown
    assert fake.rejections == []


async def test_a_deleted_channel_turns_it_off_and_the_next_setup_is_told(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, channel = fake_discord, fake_discord.other_channel
    await _set(fake, fake.admin, channel, "09:00", PAGO_PAGO, topic=TOPIC)
    del fake.channels[channel.id]
    fake.guild.channels.remove(channel)
    await fake.gateway.dispatch("CHANNEL_DELETE", channel.payload())
    await _fires(bot, clock, _at(PAGO_PAGO, 9, 0, clock()))
    await fake.wait_until(lambda: len(fake.rejections) == 1)
    settings = await _settled(bot, fake.guild.id, active=False)
    assert settings is not None and not settings.active
    assert await _post_timers(bot, fake.guild.id) == []
    refused = await _set(fake, fake.admin, channel, "09:00", PAGO_PAGO)
    assert "I cannot see" in refused and "Nothing changed" in refused
    text = await _set(fake, fake.admin, fake.channel, "10:00", PAGO_PAGO)
    assert "turned itself off" in text and "channel was deleted" in text
    assert "Question of the day set" in text
    status = await _private(fake, await fake.slash("daily status", {}, fake.student))
    assert "turned itself off" not in status and "**10:00**" in status  # told once


async def test_a_class_answering_at_once_is_counted_in_a_few_edits_and_forged_clicks_refused(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, channel = fake_discord, fake_discord.channel
    students = [fake.add_member(fake.guild, f"s{i}") for i in range(30)]
    await _set(fake, fake.admin, channel, "09:00", KIRITIMATI, topic=TOPIC)
    await _fires(bot, clock, _at(KIRITIMATI, 9, 0, clock()))
    await fake.wait_until(lambda: len(_questions(fake, channel)) == 1)
    [message] = _questions(fake, channel)
    right, _ = _right_and_wrong(bot, message)
    custom_id = buttons(message.components)[right]
    clicks = await asyncio.gather(*(fake.click(message, custom_id, s) for s in students))
    said = await asyncio.gather(*(_private(fake, c) for c in clicks))
    assert all(text.startswith(f"Locked in **{right}**") for text in said)
    await fake.wait_until(lambda: "Answers\n30" in message_text(fake.messages[message.id]), 15)
    path = f"/channels/{channel.id}/messages/{message.id}"
    edits = [r for r in fake.requests if r.method == "PATCH" and r.path == path]
    assert 1 <= len(edits) < 10  # batched: never once per click
    _, _, guild, day, _ = custom_id.split(":")
    other = f"daily:answer:{int(guild) + 1}:{day}:A"
    for forged, answer in (
        (other, "no longer active"),
        (f"daily:answer:{guild}:{day}:Z", "not one of this question's options"),
        (f"daily:answer:{guild}:20261399:A", "not a day of a daily question"),
    ):
        click = await fake.click(message, forged, fake.student, forged=True)
        assert answer in await _private(fake, click)
    stored = await bot.services.storage.daily.answers(
        fake.guild.id, day[:4] + "-" + day[4:6] + "-" + day[6:]
    )
    assert len(stored) == 30
    assert fake.rejections == []


CAPITALS = b"""::france::What is the capital of France?{=Paris ~Lyon ~Marseille}

::italy::What is the capital of Italy?{=Rome ~Milan ~Naples}

::nile::The Nile is in Africa.{T}
"""


async def test_a_servers_pack_can_be_the_daily_set(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, channel = fake_discord, fake_discord.channel
    upload = fake.attachment("capitals.gift", CAPITALS, "text/plain")
    i = await fake.slash("pack import", {"file": upload}, fake.admin)
    await fake.wait_response(i, timeout=10)
    (preview,) = await fake.wait_followups(i, 1, timeout=10)
    click = await fake.click(preview, enabled(preview.components)["Import"], fake.admin)
    await fake.wait_response(click, timeout=10)
    await fake.wait_until(lambda: "Imported pack" in fake.messages[preview.id].content)
    offered = await fake.autocomplete("daily set", "pack", "cap", fake.admin)
    assert [c["value"] for c in (await fake.wait_response(offered)).choices] == ["capitals"]
    text = await _set(fake, fake.admin, channel, "09:00", PAGO_PAGO, pack="capitals")
    assert "drawn from the pack **capitals** (3 questions" in text
    await _fires(bot, clock, _at(PAGO_PAGO, 9, 0, clock()))
    await fake.wait_until(lambda: len(_questions(fake, channel)) == 1)
    [posted] = _questions(fake, channel)
    prompt = posted.embeds[0]["description"]
    assert any(capital in prompt for capital in ("France", "Italy", "Nile"))
    assert fake.rejections == []


async def test_a_channel_closed_to_the_bot_turns_it_off_and_the_next_status_says_so_once(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, channel = fake_discord, fake_discord.channel
    await _set(fake, fake.admin, channel, "09:00", KIRITIMATI, topic=TOPIC)
    fake.fail_next("POST", rf"/channels/{channel.id}/messages", status=403)  # Missing Access
    await _fires(bot, clock, _at(KIRITIMATI, 9, 0, clock()))
    settings = await _settled(bot, fake.guild.id, active=False)
    assert settings is not None and settings.stopped_reason == "channel_gone"
    assert await _post_timers(bot, fake.guild.id) == []
    status = await _private(fake, await fake.slash("daily status", {}, fake.student))
    assert "turned itself off" in status and f"<#{channel.id}>" in status
    assert "The question of the day is off" in status
    again = await _private(fake, await fake.slash("daily status", {}, fake.admin))
    assert "turned itself off" not in again  # said once
    assert _questions(fake, channel) == []


# -- commands and bad input -------------------------------------------------------------------


async def test_students_may_not_set_it_up_but_see_the_status_and_off_stops_it(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    refused = await _set(fake, fake.student, fake.channel, "09:00", KIRITIMATI)
    assert refused.startswith("Only instructors can set up the daily question")
    assert await bot.services.storage.daily.settings(fake.guild.id) is None
    status = await _private(fake, await fake.slash("daily status", {}, fake.student))
    assert "The question of the day is off" in status
    await _set(fake, fake.admin, fake.channel, "09:00", KIRITIMATI)
    status = await _private(fake, await fake.slash("daily status", {}, fake.student))
    assert "every topic" in status and "**09:00**" in status
    off = await _private(fake, await fake.slash("daily off", {}, fake.student))
    assert off.startswith("Only instructors")
    off = await _private(fake, await fake.slash("daily off", {}, fake.admin))
    assert off.startswith("The question of the day is off")
    assert await _post_timers(bot, fake.guild.id) == []
    again = await _private(fake, await fake.slash("daily off", {}, fake.admin))
    assert "was already off" in again
    board = await _private(fake, await fake.slash("daily leaderboard", {}, fake.student))
    assert "Nobody has answered a daily question here yet" in board
    assert fake.rejections == []


async def test_bad_input_is_refused_politely_with_nothing_changed(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake, admin = fake_discord, fake_discord.admin
    cases = [
        ({"time": "25:00"}, "HH:MM on a 24-hour clock"),
        ({"timezone": "Mars/Olympus_Mons"}, "is not a time zone I know"),
        ({"topic": "no such topic at all"}, "No topic matches"),
        ({"pack": "nope"}, "This server has no pack named `nope`"),
        ({"topic": TOPIC, "pack": "nope"}, "Give a topic or a pack, not both"),
    ]
    for changes, said in cases:
        options = {"channel": fake.channel.id, "time": "09:00", "timezone": KIRITIMATI}
        options.update(changes)
        text = await _private(fake, await fake.slash("daily set", options, admin))
        assert said in text, text
    closed = {**fake.other_channel.payload()}
    closed["permission_overwrites"] = [
        {"id": str(fake.bot.id), "type": 1, "allow": "0", "deny": str(SEND_MESSAGES)}
    ]
    await fake.gateway.dispatch("CHANNEL_UPDATE", closed)
    await fake.wait_until(
        lambda: bool(bot.get_channel(fake.other_channel.id).overwrites)  # type: ignore[union-attr]
    )
    text = await _set(fake, admin, fake.other_channel, "09:00", KIRITIMATI)
    assert "I cannot post in" in text and "Send Messages" in text and "Nothing changed" in text
    assert await bot.services.storage.daily.settings(fake.guild.id) is None
    assert await _post_timers(bot, fake.guild.id) == []
    assert fake.rejections == []


# -- Discord's limits ------------------------------------------------------------------------


def _body(rendered: Any) -> dict[str, Any]:
    return {
        "content": rendered.content,
        "embeds": [e.to_dict() for e in rendered.embeds],
        "components": rendered.view.to_components(),
    }


def _biggest(kind: m.QuestionType) -> Question:
    """A question at the content schema's maximum lengths."""
    fields: dict[str, Any] = {
        "id": "q" * m.MAX_ID,
        "type": kind,
        "prompt": "p" * m.MAX_PROMPT,
        "explanation": "e" * (m.MAX_EXPLANATION - m.MAX_NOTE - 20),
        "note": "n" * m.MAX_NOTE,
    }
    if kind is m.QuestionType.MULTIPLE_CHOICE:
        fields["choices"] = [f"{i}" + "c" * (m.MAX_CHOICE - 1) for i in range(m.MAX_CHOICES)]
        fields["answer"] = m.LETTERS[m.MAX_CHOICES - 1]
    elif kind is m.QuestionType.TRUE_FALSE:
        fields["answer"] = False
    elif kind is m.QuestionType.SHORT_ANSWER:
        fields["answers"] = [
            f"{i:02d}" + "a" * (m.MAX_ACCEPTED_ANSWER - 2) for i in range(m.MAX_ACCEPTED)
        ]
    else:
        fields["answer"] = 10**9
        fields["tolerance"] = 0.5
    return Question.model_validate(fields)


def test_every_daily_message_fits_discords_limits_at_the_largest_content() -> None:
    guild, day, title = 2**63 - 1, "2026-12-31", "T" * m.MAX_TITLE
    later = datetime(2026, 12, 31, 23, 0, tzinfo=ZoneInfo("UTC"))
    for kind in sorted(rules.ANSWERABLE):
        question = _biggest(kind)
        asked = DailyQuestionView(guild, day, 1, title, question, 10**6, later)
        shares = rules.distribution(question, [rules.Judged("A", False)] * 3)
        revealed = DailyRevealView(guild, day, 1, 2, title, question, shares, 10**6)
        for rendered in (
            render.question_message(asked),
            render.closed_message(revealed),
            render.reveal_message(revealed),
        ):
            assert check_message(_body(rendered)) == {}, (kind, rendered.embeds[0].title)
    standings = [rules.Standing(10**18 + i, 400, 400, 10**6, 10**6) for i in range(50)]
    names = {s.user_id: "_*`@" * 8 for s in standings}
    assert check_message(_body(render.leaderboard_message(standings, names))) == {}
