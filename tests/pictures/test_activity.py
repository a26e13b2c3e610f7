"""The activity chart: the student's days as plain data, its words, and its PNG."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from tutorbot.domain.activity import DAYS, activity, describe, window
from tutorbot.pictures.activity import FILENAME, HEIGHT, WIDTH, draw_activity
from tutorbot.pictures.png import ALT_TEXT_LIMIT, UPLOAD_LIMIT

NOW = datetime(2025, 3, 30, 12, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def test_the_window_is_thirty_of_the_students_days_ending_today() -> None:
    days = window(NOW, PARIS)
    assert len(days) == DAYS
    assert days[-1].day == date(2025, 3, 30)
    assert days[0].day == date(2025, 3, 1)
    assert days[0].start == datetime(2025, 2, 28, 23, 0, tzinfo=UTC)  # midnight in Paris
    assert days[-1].end - days[-1].start == timedelta(hours=23)  # the clocks go forward
    assert all(a.end == b.start for a, b in itertools.pairwise(days))


def test_today_depends_on_where_the_student_lives() -> None:
    late = datetime(2025, 3, 30, 23, 30, tzinfo=UTC)
    assert window(late, ZoneInfo("UTC"))[-1].day == date(2025, 3, 30)
    assert window(late, PARIS)[-1].day == date(2025, 3, 31)
    assert window(late, ZoneInfo("America/New_York"))[-1].day == date(2025, 3, 30)


def test_a_window_is_at_least_a_day_and_at_most_a_year() -> None:
    with pytest.raises(ValueError, match="1 to 366"):
        window(NOW, PARIS, 0)
    assert len(window(NOW, PARIS, 1)) == 1


def test_totals_accuracy_days_active_and_the_best_day() -> None:
    days = window(NOW, PARIS)
    found = activity(
        days, {date(2025, 3, 3): (10, 5), date(2025, 3, 20): (10, 9), date(2025, 3, 30): (4, 4)},
        "Europe/Paris",
    )  # fmt: skip
    assert [d.answered for d in found.days].count(0) == DAYS - 3
    assert (found.answered, found.correct, found.days_active) == (24, 18, 3)
    assert found.accuracy == 0.75
    assert found.best_day is not None and found.best_day.day == date(2025, 3, 20)  # latest tie
    assert found.days[0].accuracy is None
    assert describe(found) == (
        "Answers per day over the last 30 days (Europe/Paris): 24 answers on 3 of 30 days, "
        "75% right. Best day: 20 Mar with 10 (90% right). Today: 4."
    )


def test_without_answers_the_words_say_so() -> None:
    found = activity(window(NOW, PARIS), {}, "Europe/Paris")
    assert found.best_day is None and found.accuracy is None
    assert describe(found) == "Answers per day over the last 30 days (Europe/Paris): none yet."


@pytest.mark.parametrize("per_day", [0, 1, 100_000])
def test_the_png_decodes_at_its_size_within_the_limit(per_day: int) -> None:
    days = window(NOW, PARIS)
    counts = {d.day: (per_day, per_day // 2) for d in days} if per_day else {}
    drawn = draw_activity(activity(days, counts, "Europe/Paris"))
    assert drawn.filename == FILENAME
    assert (drawn.width, drawn.height) == (WIDTH, HEIGHT)
    assert len(drawn.png) < UPLOAD_LIMIT and len(drawn.alt_text) <= ALT_TEXT_LIMIT
    with Image.open(io.BytesIO(drawn.png)) as image:
        assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
