"""The periods the platform counts in: the weekly digest period (which also ends the feedback
edit window) and a period of whole days asked for by date, Singapore time."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

MAX_PERIOD_DAYS = 366
# The engagement sessions began in 2021; nothing before this can be in a digest.
EARLIEST_DIGEST_DAY = date(2020, 1, 1)


class PeriodError(ValueError):
    """A period no digest covers; the message is safe to show."""


def weekly_period_containing(moment: datetime) -> tuple[datetime, datetime]:
    """The weekly digest period [start, end) holding `moment`; periods close on
    DIGEST_WEEKDAY at DIGEST_HOUR, Singapore time (which has no daylight saving)."""
    local = timezone.localtime(moment)
    boundary = local.replace(hour=settings.DIGEST_HOUR, minute=0, second=0, microsecond=0)
    boundary -= timedelta(days=(local.weekday() - settings.DIGEST_WEEKDAY) % 7)
    if boundary > local:
        boundary -= timedelta(days=7)
    return boundary, boundary + timedelta(days=7)


def last_closed_weekly_period(now: datetime | None = None) -> tuple[datetime, datetime]:
    current_start, _end = weekly_period_containing(now or timezone.now())
    return current_start - timedelta(days=7), current_start


def period_for_dates(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """From the first day's midnight to the midnight after the last day, Singapore time.
    Refuses (PeriodError) what no digest covers, before date arithmetic could overflow on a
    day like 9999-12-31 or 0001-01-01."""
    if last_day < first_day:
        raise PeriodError(_("The last day must not be before the first."))
    if first_day < EARLIEST_DIGEST_DAY:
        raise PeriodError(
            _("Digests cover days from %(day)s on.")
            % {"day": date_format(EARLIEST_DIGEST_DAY, "j F Y")}
        )
    if first_day > timezone.localdate():
        raise PeriodError(_("The period has not started yet."))
    if (last_day - first_day).days >= MAX_PERIOD_DAYS:
        raise PeriodError(_("A digest covers at most a year."))
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first_day, time.min), tz)
    end = timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min), tz)
    return start, end


def months_before(moment: datetime, months: int) -> datetime:
    """The same time of day `months` calendar months earlier (the 31st becomes the last day
    of a shorter month), as PostgreSQL's `moment - interval 'N months'` counts."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))
