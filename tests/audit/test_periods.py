"""The weekly digest period, which also closes the feedback edit window."""

from datetime import timedelta

from audit import periods
from tests.factories import sgt

START = sgt(2026, 11, 2, 8)  # a Monday, 08:00 Singapore time
END = sgt(2026, 11, 9, 8)


def test_weekly_periods_close_on_the_configured_day_and_hour(settings):
    settings.DIGEST_WEEKDAY = 0
    settings.DIGEST_HOUR = 8
    assert periods.weekly_period_containing(sgt(2026, 11, 4, 12)) == (START, END)
    assert periods.weekly_period_containing(START) == (START, END)
    assert periods.weekly_period_containing(START - timedelta(microseconds=1)) == (
        START - timedelta(days=7),
        START,
    )
    assert periods.last_closed_weekly_period(sgt(2026, 11, 9, 8, 0, 1)) == (START, END)
    settings.DIGEST_WEEKDAY = 4  # Friday
    settings.DIGEST_HOUR = 17
    assert periods.weekly_period_containing(sgt(2026, 11, 4, 12)) == (
        sgt(2026, 10, 30, 17),
        sgt(2026, 11, 6, 17),
    )
