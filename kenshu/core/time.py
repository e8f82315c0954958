"""Time in Asia/Tokyo and business days (ARCHITECTURE.md §11).

Store UTC, compute calendar rules on Asia/Tokyo dates. A business day is not a
Saturday, a Sunday, a Japanese public holiday (``holidays`` JP, including
substitute holidays) or a provider closure day (``ClosureDay``).

``BusinessCalendar`` is pure: it is given its closure days, so rule functions
(e.g. the cancellation quote) can use it without touching the database.
``business_calendar()`` is the one helper that reads the closure days.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone

TOKYO = ZoneInfo("Asia/Tokyo")


def now() -> dt.datetime:
    """The current time (aware, UTC)."""
    return timezone.now()


def to_tokyo(value: dt.datetime) -> dt.datetime:
    return value.astimezone(TOKYO)


def tokyo_date(value: dt.datetime | None = None) -> dt.date:
    """The calendar date in Asia/Tokyo of ``value`` (default: now)."""
    return to_tokyo(value or now()).date()


def tokyo_datetime(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware datetime at ``hour:minute`` Asia/Tokyo on ``day``."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TOKYO)


@lru_cache(maxsize=64)
def _japanese_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("JP", years=year).keys())


def is_japanese_holiday(day: dt.date) -> bool:
    return day in _japanese_holidays(day.year)


@dataclass(frozen=True)
class BusinessCalendar:
    """Business days: weekdays that are neither public holidays nor closures."""

    closures: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def with_closures(cls, closures: Iterable[dt.date]) -> "BusinessCalendar":
        return cls(closures=frozenset(closures))

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not is_japanese_holiday(day) and day not in self.closures

    def next_business_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a business day, else the next one."""
        while not self.is_business_day(day):
            day += dt.timedelta(days=1)
        return day

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Business days from ``start`` (included) to ``end`` (excluded); 0 if end <= start."""
        count = 0
        day = start
        while day < end:
            if self.is_business_day(day):
                count += 1
            day += dt.timedelta(days=1)
        return count

    def add_business_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th business day after ``day`` (n > 0) or before it (n < 0)."""
        step = dt.timedelta(days=1 if n >= 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day


def business_calendar() -> BusinessCalendar:
    """The calendar with the provider's closure days from the database."""
    from .models import ClosureDay

    return BusinessCalendar.with_closures(ClosureDay.objects.values_list("date", flat=True))
