"""Days in a student's own time zone: zone names, clock times, "today", reminders and streaks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorbot.domain.days import (
    MAX_ZONE_NAME,
    BadClockTime,
    UnknownTimeZone,
    at_time,
    clock_text,
    day_end,
    day_start,
    local_day,
    next_occurrence,
    parse_clock_time,
    streak,
    zone_named,
    zone_names,
    zone_or_utc,
)

KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14 all year
PAGO_PAGO = ZoneInfo("Pacific/Pago_Pago")  # UTC-11 all year
PARIS = ZoneInfo("Europe/Paris")


def at(text: str) -> datetime:
    """An instant written in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# Zone names


@pytest.mark.parametrize("name", ["Europe/Paris", "europe/paris", "EUROPE/PARIS", " Europe/Paris "])
def test_a_zone_is_found_in_any_case(name: str) -> None:
    zone = zone_named(name)
    assert isinstance(zone, ZoneInfo) and zone.key == "Europe/Paris"


@pytest.mark.parametrize("name", [None, ""])
def test_no_zone_is_utc(name: str | None) -> None:
    zone = zone_named(name)
    assert isinstance(zone, ZoneInfo) and zone.key == "UTC"


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "Paris", "   ", "../../etc/passwd", "UTC+2"])
def test_an_unknown_zone_is_refused_with_words_for_the_student(name: str) -> None:
    refused = zone_named(name)
    assert isinstance(refused, UnknownTimeZone)
    assert "is not a time zone I know" in refused.text and "Europe/Paris" in refused.text


@pytest.mark.parametrize("name", ["localtime", "LocalTime", "posixrules", "Factory"])
def test_names_that_are_no_place_are_refused_and_never_offered(name: str) -> None:
    """Some systems list `localtime` (a link to the server's own zone) among their zones: it
    would make a student's day the server's, and change with the server's settings."""
    assert isinstance(zone_named(name), UnknownTimeZone)
    assert name not in zone_names()


def test_every_zone_offered_is_a_place() -> None:
    assert "Europe/Paris" in zone_names() and "UTC" in zone_names()
    assert all(isinstance(zone_named(name), ZoneInfo) for name in zone_names())


def test_an_over_long_name_is_refused_and_clipped_in_the_answer() -> None:
    name = "Europe/" + "x" * 5000
    refused = zone_named(name)
    assert isinstance(refused, UnknownTimeZone)
    assert len(refused.text) < MAX_ZONE_NAME + 200
    assert isinstance(zone_named("Europe/Paris" + " " * 100), ZoneInfo)  # spaces trimmed first


def test_a_name_with_backticks_cannot_break_out_of_its_code_span() -> None:
    refused = zone_named("`@everyone`")
    assert isinstance(refused, UnknownTimeZone)
    assert refused.text.count("`") == 8  # its own four code spans, none from the name


def test_a_stored_zone_that_vanished_reads_as_utc() -> None:
    assert zone_or_utc("Atlantis/Capital").key == "UTC"
    assert zone_or_utc(None).key == "UTC"
    assert zone_or_utc("Pacific/Kiritimati") == KIRITIMATI


# Clock times


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:30", time(7, 30)),
        ("7:30", time(7, 30)),
        ("18.05", time(18, 5)),
        ("18h05", time(18, 5)),
        ("18H05", time(18, 5)),
        (" 23 : 59 ", time(23, 59)),
        ("00:00", time(0, 0)),
    ],
)
def test_clock_times_in_the_usual_spellings(text: str, expected: time) -> None:
    assert parse_clock_time(text) == expected
    assert clock_text(expected) == f"{expected.hour:02d}:{expected.minute:02d}"


@pytest.mark.parametrize(
    "text",
    ["", "24:00", "12:60", "7:5", "0730", "7", "7pm", "12:30:00", "-1:30", "noon", "9" * 10_000],
)
def test_what_is_not_hh_mm_is_refused_with_an_example(text: str) -> None:
    refused = parse_clock_time(text)
    assert isinstance(refused, BadClockTime)
    assert "HH:MM" in refused.text and "07:30" in refused.text


# Today, at both ends of the world


def test_kiritimati_day_turns_at_ten_utc() -> None:
    before, after = at("2026-03-01T09:59:59"), at("2026-03-01T10:00:00")
    assert local_day(before, KIRITIMATI) == date(2026, 3, 1)
    assert local_day(after, KIRITIMATI) == date(2026, 3, 2)
    assert day_end(before, KIRITIMATI) == after
    assert day_end(after, KIRITIMATI) == after + timedelta(days=1)
    assert day_start(date(2026, 3, 2), KIRITIMATI) == after


def test_pago_pago_day_turns_at_eleven_utc() -> None:
    before, after = at("2026-03-02T10:59:59"), at("2026-03-02T11:00:00")
    assert local_day(before, PAGO_PAGO) == date(2026, 3, 1)
    assert local_day(after, PAGO_PAGO) == date(2026, 3, 2)
    assert day_end(before, PAGO_PAGO) == after
    assert day_start(date(2026, 3, 1), PAGO_PAGO) == after - timedelta(days=1)


def test_the_same_instant_is_a_different_day_at_each_end() -> None:
    noon = at("2026-03-01T12:00:00")
    assert local_day(noon, KIRITIMATI) == date(2026, 3, 2)
    assert local_day(noon, PAGO_PAGO) == date(2026, 3, 1)
    assert day_end(noon, KIRITIMATI) < day_end(noon, PAGO_PAGO)


def test_a_day_with_a_clock_change_is_23_or_25_hours_long() -> None:
    spring = day_end(at("2026-03-29T12:00:00"), PARIS) - day_start(date(2026, 3, 29), PARIS)
    autumn = day_end(at("2026-10-25T12:00:00"), PARIS) - day_start(date(2026, 10, 25), PARIS)
    assert (spring, autumn) == (timedelta(hours=23), timedelta(hours=25))


def test_at_time_and_day_ends_are_utc() -> None:
    assert at_time(date(2026, 3, 2), time(7, 30), KIRITIMATI).tzinfo is UTC
    assert day_end(at("2026-03-02T00:00:00"), PAGO_PAGO).tzinfo is UTC


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError):
        local_day(datetime(2026, 3, 1, 12), PARIS)  # noqa: DTZ001 (naive on purpose)


# The next reminder


def test_the_next_reminder_is_today_if_not_yet_past_else_tomorrow() -> None:
    assert next_occurrence(at("2026-03-01T17:00:00"), time(7, 30), KIRITIMATI) == at(
        "2026-03-01T17:30:00"
    )  # 07:30 on 2 March in Kiritimati
    assert next_occurrence(at("2026-03-01T17:30:00"), time(7, 30), KIRITIMATI) == at(
        "2026-03-02T17:30:00"
    )  # strictly after
    assert next_occurrence(at("2026-03-01T17:00:00"), time(7, 30), PAGO_PAGO) == at(
        "2026-03-01T18:30:00"
    )


def test_a_reminder_keeps_its_wall_clock_time_across_the_spring_change() -> None:
    saturday = next_occurrence(at("2026-03-27T12:00:00"), time(7, 30), PARIS)
    sunday = next_occurrence(saturday, time(7, 30), PARIS)  # clocks went forward that night
    monday = next_occurrence(sunday, time(7, 30), PARIS)
    assert [t.astimezone(PARIS).strftime("%d %H:%M") for t in (saturday, sunday, monday)] == [
        "28 07:30",
        "29 07:30",
        "30 07:30",
    ]
    assert (sunday - saturday, monday - sunday) == (timedelta(hours=23), timedelta(hours=24))


def test_a_reminder_keeps_its_wall_clock_time_across_the_autumn_change() -> None:
    saturday = next_occurrence(at("2026-10-24T00:00:00"), time(7, 30), PARIS)
    sunday = next_occurrence(saturday, time(7, 30), PARIS)
    assert saturday == at("2026-10-24T05:30:00") and sunday == at("2026-10-25T06:30:00")
    assert sunday.astimezone(PARIS).strftime("%H:%M") == "07:30"


def test_a_time_the_spring_change_skips_comes_once_that_night() -> None:
    skipped = next_occurrence(at("2026-03-28T12:00:00"), time(2, 30), PARIS)
    assert skipped == at("2026-03-29T01:30:00")  # 03:30 summer time, an hour after 01:30 winter
    following = next_occurrence(skipped, time(2, 30), PARIS)
    assert following == at("2026-03-30T00:30:00")


def test_a_time_the_autumn_change_repeats_comes_only_the_first_time() -> None:
    first = next_occurrence(at("2026-10-24T12:00:00"), time(2, 30), PARIS)
    assert first == at("2026-10-25T00:30:00")
    assert next_occurrence(first, time(2, 30), PARIS) == at("2026-10-26T01:30:00")


# Streaks


TODAY = date(2026, 3, 10)


def days_before(*offsets: int) -> list[date]:
    return [TODAY - timedelta(days=n) for n in offsets]


def test_a_streak_counts_days_in_a_row_ending_today() -> None:
    assert streak(days_before(0, 1, 2), TODAY) == 3


def test_a_streak_still_stands_until_today_is_over() -> None:
    assert streak(days_before(1, 2, 3, 4), TODAY) == 4


def test_a_gap_ends_the_streak() -> None:
    assert streak(days_before(0, 1, 3, 4, 5), TODAY) == 2
    assert streak(days_before(2, 3), TODAY) == 0


def test_no_days_no_streak() -> None:
    assert streak([], TODAY) == 0
    assert streak(days_before(0), TODAY) == 1


def test_a_day_ahead_of_today_does_not_break_the_streak() -> None:
    """A student who moved west (Kiritimati to Pago Pago) reviewed on a local day that is
    still tomorrow where they are now: it neither counts nor ends the streak."""
    tomorrow = TODAY + timedelta(days=1)
    assert streak([tomorrow, *days_before(0, 1)], TODAY) == 2
    assert streak([tomorrow, *days_before(1, 2)], TODAY) == 2


ODD_ZONES = [
    "America/Santiago",  # its clock changes at midnight
    "Asia/Beirut",
    "America/Havana",
    "Australia/Lord_Howe",  # half an hour of daylight saving
    "Pacific/Chatham",  # UTC+12:45
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Europe/Paris",
]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(ODD_ZONES),
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),  # noqa: DTZ001
    st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
def test_every_instant_lies_in_its_own_day_and_the_next_reminder_follows_it(
    name: str, naive: datetime, at_clock: time
) -> None:
    zone = ZoneInfo(name)
    now = naive.replace(tzinfo=UTC)
    today = local_day(now, zone)
    assert day_start(today, zone) <= now < day_end(now, zone)
    assert local_day(day_end(now, zone), zone) == today + timedelta(days=1)
    reminder = next_occurrence(now, at_clock, zone)
    assert now < reminder <= now + timedelta(days=2)
    assert local_day(reminder, zone) - today <= timedelta(days=1)
