"""/remind through the fake Discord: turning reminders on and off, refusals, the daily direct
message at each student's own time of day (UTC+14 and UTC-11), a reminder missed while the bot
was down (sent once the same day, skipped the next), closed DMs, and /forgetme."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from db_inspect import Target, select, select_one
from fakediscord import FakeDiscord
from fakediscord.validation import check_message

from tutorbot.bot.client import TutorBot
from tutorbot.bot.exts.remind import render
from tutorbot.bot.timezone_option import timezone_choices
from tutorbot.content import models
from tutorbot.content.models import Topic
from tutorbot.domain.days import at_time, clock_text, local_day, next_occurrence
from tutorbot.services import Services
from tutorbot.services.reminders import TIMER_REMIND, Reminder, timer_key
from tutorbot.services.review import ReviewPlan
from tutorbot.settings import BUNDLED_CONTENT_DIR
from tutorbot.storage.review_settings import ReviewSettings
from tutorbot.storage.timers import Timer

from .bot_harness import BotFactory, FakeClock
from .helpers import answer_all, buttons, message_text

KIRITIMATI = "Pacific/Kiritimati"  # UTC+14
PAGO_PAGO = "Pacific/Pago_Pago"  # UTC-11
FIRST = "counting-to-10"
DAY = 24 * 3600.0


# -- helpers ---------------------------------------------------------------------------------


async def _private(fake: FakeDiscord, interaction: Any) -> str:
    callback = await fake.wait_response(interaction)
    assert callback.ephemeral
    return str(callback.content or "")


async def _remind_on(fake: FakeDiscord, user: Any, at: str, zone: str) -> str:
    return await _private(fake, await fake.slash("remind on", {"time": at, "timezone": zone}, user))


async def _settings(bot: TutorBot, user: Any) -> ReviewSettings:
    return await bot.services.storage.review_settings.get(user.id)


async def _timers(bot: TutorBot, user: Any) -> list[Timer]:
    """The student's reminder timers."""
    return [
        t
        for t in await bot.services.storage.timers.all()
        if t.kind == TIMER_REMIND and t.key == timer_key(user.id)
    ]


def _due_times(db: Target, user: Any) -> list[datetime]:
    """When the student's reminder timers are due, read from the database (for `wait_until`)."""
    rows = select(
        db,
        "SELECT due_at FROM timers WHERE kind = ? AND key = ? ORDER BY due_at",
        TIMER_REMIND,
        timer_key(user.id),
    )
    return [datetime.fromisoformat(due) for (due,) in rows]


def _local(zone: str, hh: int, mm: int, after: datetime) -> datetime:
    """The first instant after `after` at which the clock in `zone` shows hh:mm."""
    return next_occurrence(after, time(hh, mm), ZoneInfo(zone))


def _move_to(clock: FakeClock, when: datetime) -> None:
    """Move the test clock forward to `when`."""
    ahead = (when - clock()).total_seconds()
    assert ahead > 0, "tests only move the clock forward"
    clock.advance(ahead)


def _stamp(when: datetime) -> str:
    return f"<t:{int(when.timestamp())}:f>"


def _dm_posts(fake: FakeDiscord, user: Any) -> list[Any]:
    """Every message the bot tried to post in its DM channel with `user` (refused ones too)."""
    path = f"/channels/{fake.dm_channel(user).id}/messages"
    return [r for r in fake.requests if r.method == "POST" and r.path == path]


def _dm_closed(db: Target, user: Any) -> bool:
    """Whether reminders turned themselves off for closed DMs (read from the database)."""
    sql = "SELECT dm_closed_at FROM review_settings WHERE user_id = ?"
    return select_one(db, sql, user.id) is not None


def _settings_rows(db: Target, user_id: int) -> int:
    found: int = select_one(db, "SELECT COUNT(*) FROM review_settings WHERE user_id = ?", user_id)
    return found


async def _fires(bot: TutorBot, clock: FakeClock, when: datetime) -> None:
    """Move the clock just past `when` and let the timers look again."""
    _move_to(clock, when + timedelta(seconds=1))
    bot.services.wake()


async def _quiz_all_right(bot: TutorBot, fake: FakeDiscord, clock: FakeClock, user: Any) -> int:
    """Take a quiz on FIRST answering everything right; returns how many were asked."""
    i = await fake.slash("quiz", {"topic": FIRST}, user)
    await fake.wait_response(i)
    asked, _ = await answer_all(fake, clock, bot.services.library, i, user)
    return len(asked)


# -- turning reminders on and off ------------------------------------------------------------


async def test_remind_on_says_when_the_next_one_comes_and_stores_one_timer(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, user = fake_discord, fake_discord.student
    text = await _remind_on(fake, user, "7:30", KIRITIMATI)
    first = _local(KIRITIMATI, 7, 30, clock())
    assert "every day at **07:30**, Pacific/Kiritimati time" in text
    assert _stamp(first) in text and "/remind off" in text
    settings = await _settings(bot, user)
    assert (settings.remind_at, settings.timezone) == ("07:30", KIRITIMATI)
    [timer] = await _timers(bot, user)
    assert (timer.due_at, timer.user_id) == (first, user.id)
    assert timer.payload == {"at": "07:30", "zone": KIRITIMATI}

    moved = await _remind_on(fake, user, "18h05", "pacific/pago_pago")  # any case, 18h05
    again = _local(PAGO_PAGO, 18, 5, clock())
    assert "**18:05**, Pacific/Pago_Pago time" in moved and _stamp(again) in moved
    assert [t.due_at for t in await _timers(bot, user)] == [again]  # replaced, not added
    assert (await _settings(bot, user)).timezone == PAGO_PAGO
    assert fake.rejections == []


async def test_remind_works_in_dms_and_the_zone_is_autocompleted(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    i = await fake.autocomplete("remind on", "timezone", "kiriti", fake.dm_user)
    assert [c["value"] for c in (await fake.wait_response(i)).choices] == [KIRITIMATI]
    command = fake.find_command("remind", None)
    assert command is not None
    assert set(command["contexts"]) == {0, 1, 2} and set(command["integration_types"]) == {0, 1}
    text = await _remind_on(fake, fake.dm_user, "21:00", KIRITIMATI)
    assert "every day at **21:00**" in text
    assert len(await _timers(bot, fake.dm_user)) == 1
    assert fake.rejections == []


@pytest.mark.parametrize(
    ("at", "zone", "said"),
    [
        ("25:00", KIRITIMATI, "HH:MM on a 24-hour clock, for example `07:30`"),
        ("seven", KIRITIMATI, "HH:MM on a 24-hour clock, for example `07:30`"),
        ("07:30", "Mars/Olympus_Mons", "is not a time zone I know. Use an IANA name such as"),
        ("07:30", "x" * 200, "is not a time zone I know. Use an IANA name such as"),
    ],
)
async def test_a_bad_time_or_an_unknown_zone_is_refused_and_nothing_is_stored(
    bot: TutorBot, fake_discord: FakeDiscord, at: str, zone: str, said: str
) -> None:
    fake, user = fake_discord, fake_discord.student
    assert said in await _remind_on(fake, user, at, zone)
    assert await _settings(bot, user) == ReviewSettings(user.id)
    assert await _timers(bot, user) == []
    await _remind_on(fake, user, "08:00", PAGO_PAGO)
    kept = (await _settings(bot, user), await _timers(bot, user))
    assert said in await _remind_on(fake, user, at, zone)  # an earlier reminder stays as it was
    assert (await _settings(bot, user), await _timers(bot, user)) == kept
    assert fake.rejections == []


async def test_remind_off_deletes_the_timer_and_says_so_also_when_already_off(
    bot: TutorBot, fake_discord: FakeDiscord
) -> None:
    fake, user = fake_discord, fake_discord.student
    await _remind_on(fake, user, "07:30", KIRITIMATI)
    off = await _private(fake, await fake.slash("remind off", {}, user))
    assert off.startswith("Daily review reminders are off")
    assert (await _settings(bot, user)).remind_at is None
    assert await _timers(bot, user) == []
    again = await _private(fake, await fake.slash("remind off", {}, user))
    assert again.startswith("Daily review reminders were already off")
    assert (await _settings(bot, user)).timezone == KIRITIMATI  # the zone stays for /review
    assert fake.rejections == []


# -- the daily message -----------------------------------------------------------------------


async def test_reminders_come_at_each_students_own_time_and_day(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    """Two students, 25 hours apart: their reminders come at their own 09:00, and each claims
    their own local day, which are never the same date."""
    fake = fake_discord
    kiri, pago = fake.add_member(fake.guild, "kiri"), fake.add_member(fake.guild, "pago")
    async with start_bot() as bot:
        for user, zone in ((kiri, KIRITIMATI), (pago, PAGO_PAGO)):
            await _remind_on(fake, user, "09:00", zone)
        db = bot.settings.database
        kiri_at = _local(KIRITIMATI, 9, 0, clock())
        pago_at = _local(PAGO_PAGO, 9, 0, clock())
        first, second = sorted(
            [(kiri_at, kiri, KIRITIMATI), (pago_at, pago, PAGO_PAGO)], key=lambda c: c[0]
        )
        _move_to(clock, first[0] - timedelta(minutes=1))  # not yet
        bot.services.wake()
        await _private(fake, await fake.slash("progress", {}, kiri))
        assert fake.dms_with(kiri) == fake.dms_with(pago) == []
        assert _due_times(db, kiri) == [kiri_at] and _due_times(db, pago) == [pago_at]
        for day in range(2):
            for when, user, zone in (first, second):
                when += timedelta(days=day)
                await _fires(bot, clock, when)
                await fake.wait_until(lambda u=user, n=day: len(fake.dms_with(u)) == n + 1)
                settings = await _settings(bot, user)
                assert settings.reminded_on == local_day(when, ZoneInfo(zone)).isoformat()
                then = when + timedelta(days=1)
                await fake.wait_until(lambda u=user, t=then: _due_times(db, u) == [t])
            assert len(fake.dms_with(first[1])) == len(fake.dms_with(second[1])) == day + 1
        kiri_day = (await _settings(bot, kiri)).reminded_on
        assert kiri_day != (await _settings(bot, pago)).reminded_on  # each their own date
        message = fake.dms_with(kiri)[0]
        assert "Nothing to review today" in message_text(message)
        assert "09:00 (Pacific/Kiritimati)" in message_text(message)
        assert "Learn next" in message_text(message)
        [first_topic, *_] = buttons(message.components).values()
        card = await fake.wait_response(await fake.click(message, first_topic, kiri))
        assert card.embeds and "no longer active" not in message_text(card)
    assert fake.rejections == []


async def test_a_reminder_says_what_is_due_and_its_button_starts_the_review_after_a_restart(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, user = fake_discord, fake_discord.student
    async with start_bot() as bot:
        asked = await _quiz_all_right(bot, fake, clock, user)
        clock.advance(3 * DAY)  # the answers come due
        soon = (clock() + timedelta(hours=1)).astimezone(ZoneInfo(PAGO_PAGO))
        await _remind_on(fake, user, clock_text(soon.time()), PAGO_PAGO)
        [timer] = await _timers(bot, user)
        await _fires(bot, clock, timer.due_at)
        await fake.wait_until(lambda: len(fake.dms_with(user)) == 1)
    [dm] = fake.dms_with(user)
    text = message_text(dm)
    assert f"**{asked} reviews are due today**, about " in text and " minutes." in text
    assert buttons(dm.components) == {"Start review": "review:start"}
    async with start_bot():  # the button outlives the process that sent it
        start = await fake.click(dm, "review:start", user)
        answer = await fake.wait_response(start)
        assert f"**{asked} due**" in message_text(answer)
    assert fake.rejections == []


async def test_a_zone_changed_by_review_settings_moves_the_reminder(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    """/review timezone: changes the zone the reminder follows: the timer set for the old
    zone fires, sends nothing, and moves to the new zone's 09:00 (or, when the front end asks
    `follow_zone`, moves at once)."""
    fake, user = fake_discord, fake_discord.student
    await _remind_on(fake, user, "09:00", KIRITIMATI)
    [old] = await _timers(bot, user)
    changed = await fake.slash("review", {"timezone": PAGO_PAGO}, user)
    await fake.wait_response(changed)
    await _fires(bot, clock, old.due_at)
    moved = _local(PAGO_PAGO, 9, 0, clock())
    db = bot.settings.database
    await fake.wait_until(lambda: _due_times(db, user) == [moved])
    await _fires(bot, clock, moved)
    await fake.wait_until(lambda: len(fake.dms_with(user)) == 1)
    assert "09:00 (Pacific/Pago_Pago)" in message_text(fake.dms_with(user)[0])
    assert len(_dm_posts(fake, user)) == 1

    await bot.services.review.set_timezone(user.id, KIRITIMATI)
    follows = await bot.services.reminders.follow_zone(user.id)
    assert follows == _local(KIRITIMATI, 9, 0, clock())
    assert _due_times(db, user) == [follows]
    await bot.services.reminders.turn_off(user.id)
    assert await bot.services.reminders.follow_zone(user.id) is None
    assert _due_times(db, user) == []
    assert fake.rejections == []


async def test_a_zone_moved_where_no_reminders_are_sent_is_fired_by_the_bot(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    """A process without the reminder handler (the console, on the same database) moves the
    reminder to a new zone: it stores the timer for the bot, which sends it at that time."""
    fake, user = fake_discord, fake_discord.student
    async with start_bot() as bot:
        await _remind_on(fake, user, "09:00", KIRITIMATI)
        db = bot.settings.database
    console = await Services.open(BUNDLED_CONTENT_DIR, db, clock)
    try:
        assert TIMER_REMIND not in console.scheduler.kinds
        await console.review.set_timezone(user.id, PAGO_PAGO)
        moved = await console.reminders.follow_zone(user.id)
    finally:
        await console.close()
    assert moved == _local(PAGO_PAGO, 9, 0, clock()) and _due_times(db, user) == [moved]
    _move_to(clock, moved + timedelta(seconds=1))
    async with start_bot():
        await fake.wait_until(lambda: len(fake.dms_with(user)) == 1)
    assert "09:00 (Pacific/Pago_Pago)" in message_text(fake.dms_with(user)[0])
    assert fake.rejections == []


# -- restarts: a missed reminder -------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "remind_at", "back_at", "same_day", "same_utc_date"),
    [
        # 22:00 in Kiritimati is 08:00 UTC: back at 23:30 there, the same day: sent.
        (KIRITIMATI, (22, 0), (23, 30), True, True),
        # Back at 00:30 there: a new day in Kiritimati, though still the same date in UTC.
        (KIRITIMATI, (22, 0), (0, 30), False, True),
        # 12:00 in Pago Pago is 23:00 UTC: back at 14:00 there, the next date in UTC but the
        # same day in Pago Pago: sent.
        (PAGO_PAGO, (12, 0), (14, 0), True, False),
        # Back at 11:00 the next day there: skipped, and that day's comes in an hour.
        (PAGO_PAGO, (12, 0), (11, 0), False, False),
    ],
)
async def test_a_reminder_missed_while_down_comes_once_the_same_day_and_never_the_next(
    start_bot: BotFactory,
    fake_discord: FakeDiscord,
    clock: FakeClock,
    zone: str,
    remind_at: tuple[int, int],
    back_at: tuple[int, int],
    same_day: bool,
    same_utc_date: bool,
) -> None:
    fake, user = fake_discord, fake_discord.student
    tz = ZoneInfo(zone)
    at = time(*remind_at)
    _move_to(clock, _local(zone, remind_at[0] - 1, 0, clock()))  # an hour before it
    async with start_bot() as bot:
        await _remind_on(fake, user, clock_text(at), zone)
        [timer] = await _timers(bot, user)
    missed = timer.due_at
    day = local_day(missed, tz)
    _move_to(clock, _local(zone, *back_at, missed))  # the bot was down at that time
    assert (local_day(clock(), tz) == day) is same_day
    assert (clock().astimezone(UTC).date() == missed.astimezone(UTC).date()) is same_utc_date
    expected_next = next_occurrence(clock(), at, tz)
    async with start_bot() as bot:
        db = bot.settings.database
        # the missed timer fired on start, and the next one waits
        await fake.wait_until(lambda: _due_times(db, user) == [expected_next])
        settings = await _settings(bot, user)
        assert settings.reminded_on == (day.isoformat() if same_day else None)
    assert len(fake.dms_with(user)) == (1 if same_day else 0)  # queued DMs went out on stop
    async with start_bot() as bot:  # and again the same day: nothing more
        await _private(fake, await fake.slash("progress", {}, user))
        assert [t.due_at for t in await _timers(bot, user)] == [expected_next]
    assert len(_dm_posts(fake, user)) == (1 if same_day else 0)
    if not same_day:
        assert expected_next == at_time(local_day(clock(), tz), at, tz)  # later today
    assert fake.rejections == []


async def test_a_timer_left_twice_for_one_day_sends_one_reminder_and_leaves_one_timer(
    start_bot: BotFactory, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    """A second timer for the same day (a process that died after sending, before deleting
    its timer): the day is claimed once, so one message; the student is left one timer."""
    fake, user = fake_discord, fake_discord.student
    async with start_bot() as bot:
        await _remind_on(fake, user, "10:00", KIRITIMATI)
        [timer] = await _timers(bot, user)
        await bot.services.storage.timers.add(
            TIMER_REMIND, timer.due_at, timer.payload, clock(), key=timer.key, user_id=user.id
        )
    _move_to(clock, timer.due_at + timedelta(minutes=5))
    expected_next = timer.due_at + timedelta(days=1)
    async with start_bot() as bot:
        db = bot.settings.database
        await fake.wait_until(lambda: _due_times(db, user) == [expected_next])
        await fake.wait_until(lambda: len(fake.dms_with(user)) == 1)
    assert len(_dm_posts(fake, user)) == 1
    assert fake.rejections == []


# -- closed DMs and data rights --------------------------------------------------------------


async def test_closed_dms_turn_reminders_off_without_retrying(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, user = fake_discord, fake_discord.student
    fake.close_dms(user)
    await _remind_on(fake, user, "06:15", PAGO_PAGO)
    [timer] = await _timers(bot, user)
    await _fires(bot, clock, timer.due_at)
    db = bot.settings.database
    await fake.wait_until(lambda: _dm_closed(db, user) and _due_times(db, user) == [])
    settings = await _settings(bot, user)
    assert settings.remind_at is None and settings.timezone == PAGO_PAGO
    assert [(r.status, r.code) for r in fake.rejections] == [(403, 50007)]
    clock.advance(2 * DAY)
    bot.services.wake()
    review = await fake.wait_response(await fake.slash("review", {}, user))
    assert "Discord would not let me send you a direct message" in message_text(review)
    assert len(_dm_posts(fake, user)) == 1  # tried once, never again
    fake.close_dms(user, closed=False)
    text = await _remind_on(fake, user, "06:15", PAGO_PAGO)  # turning on again clears the note
    assert "every day at **06:15**" in text
    assert (await _settings(bot, user)).dm_closed_at is None


async def test_discord_failing_loses_that_days_reminder_only(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    """A DM that fails for another reason (Discord down) is logged and not retried; reminders
    stay on and the next day's comes."""
    fake, user = fake_discord, fake_discord.student
    await _remind_on(fake, user, "06:15", KIRITIMATI)
    [timer] = await _timers(bot, user)
    dm_path = f"/channels/{fake.dm_channel(user).id}/messages"
    fault = fake.fail_next("POST", dm_path, times=1, status=503)
    await _fires(bot, clock, timer.due_at)
    db = bot.settings.database
    tomorrow = timer.due_at + timedelta(days=1)
    await fake.wait_until(lambda: fault.served == 1 and _due_times(db, user) == [tomorrow])
    assert (await _settings(bot, user)).remind_at == "06:15"
    await _fires(bot, clock, tomorrow)
    await fake.wait_until(lambda: len(fake.dms_with(user)) == 1)
    assert len(_dm_posts(fake, user)) == 2  # the failed one, and the next day's
    assert fake.rejections == []


async def test_forgetme_removes_the_reminder(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, user = fake_discord, fake_discord.student
    await _remind_on(fake, user, "07:30", KIRITIMATI)
    assert len(await _timers(bot, user)) == 1
    ask = await fake.wait_response(await fake.slash("forgetme", {}, user))
    done = await fake.click(ask, buttons(ask.components)["Delete my data"], user)
    assert "Deleted everything" in (await fake.wait_response(done)).content
    assert await _timers(bot, user) == []
    assert _settings_rows(bot.settings.database, user.id) == 0
    clock.advance(2 * DAY)
    bot.services.wake()
    await _private(fake, await fake.slash("progress", {}, user))
    assert fake.dms_with(user) == []
    assert fake.rejections == []


# -- pure ------------------------------------------------------------------------------------


def test_timezone_choices_find_cities_and_near_misses_within_discords_limits() -> None:
    assert [c.value for c in timezone_choices("")][:2] == ["UTC", "Europe/London"]
    assert timezone_choices("kiritimati")[0].value == KIRITIMATI
    assert timezone_choices("pago pago")[0].value == PAGO_PAGO  # spaces read as underscores
    assert timezone_choices("New_York")[0].value == "America/New_York"
    assert "Europe/Paris" in [c.value for c in timezone_choices("Pariss")]  # a typo still finds it
    assert len(timezone_choices("a")) == 25
    assert timezone_choices("zzzzqqqq") == []
    assert all(len(c.name) <= 100 for c in timezone_choices("America"))


def _plan(keys: int, due: int, topics: tuple[Topic, ...], next_due: datetime | None) -> ReviewPlan:
    return ReviewPlan(
        due=due,
        limit=max(keys, 1),
        done_today=0,
        keys=tuple(f"t{i}/q" for i in range(keys)),
        minutes=keys * 2,
        next_due=next_due,
        next_topics=topics,
        dm_closed=False,
    )


def test_the_reminder_message_fits_discord_at_any_size(long_topics: tuple[Topic, ...]) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    zone = "America/Argentina/ComodRivadavia"
    for plan in (
        _plan(1, 1, (), None),
        _plan(500, 10**9, (), None),
        _plan(0, 0, long_topics, now),
        _plan(0, 7, long_topics, None),
        _plan(0, 0, (), None),
    ):
        rendered = render.reminder_message(Reminder(1, plan, "23:59", zone))
        body = {
            "content": rendered.content,
            "embeds": [e.to_dict() for e in rendered.embeds],
            "components": rendered.view.to_components(),
        }
        assert not check_message(body), plan
    one = render.reminder_message(Reminder(1, _plan(1, 1, (), None), "07:00", "UTC"))
    assert "**1 review is due today**, about 2 minutes." in str(one.embeds[0].description)


@pytest.fixture
def long_topics() -> tuple[Topic, ...]:
    """25 topics with the longest titles the content schema allows."""
    return tuple(Topic(id=f"t-{i}", title="W" * models.MAX_TITLE, core_idea="x") for i in range(25))


async def test_one_reminder_a_day_even_when_moved_to_later_the_same_day(
    bot: TutorBot, fake_discord: FakeDiscord, clock: FakeClock
) -> None:
    fake, user = fake_discord, fake_discord.student
    _move_to(clock, _local(KIRITIMATI, 8, 0, clock()))
    await _remind_on(fake, user, "08:30", KIRITIMATI)
    [timer] = await _timers(bot, user)
    await _fires(bot, clock, timer.due_at)
    await fake.wait_until(lambda: len(fake.dms_with(user)) == 1)
    text = await _remind_on(fake, user, "09:30", KIRITIMATI)  # later today: already reminded
    tomorrow = timer.due_at + timedelta(days=1, hours=1)
    assert _stamp(tomorrow) in text
    assert [t.due_at for t in await _timers(bot, user)] == [tomorrow]
    assert fake.rejections == []
