"""Business days and Tokyo dates (R-CANCEL-4, ARCHITECTURE.md §11).

Golden Week 2026::

    Mon 4/27  Tue 4/28  Wed 4/29 昭和の日  Thu 4/30  Fri 5/1  Sat 5/2  Sun 5/3 憲法記念日
    Mon 5/4 みどりの日  Tue 5/5 こどもの日  Wed 5/6 振替休日  Thu 5/7  Fri 5/8  Mon 5/11

New year 2026/27 with the provider's closure 12/29–1/3::

    Thu 12/24  Fri 12/25  Mon 12/28  Tue 12/29 … Sun 1/3 closed  Mon 1/4 … Fri 1/8
    Mon 1/11 成人の日  Tue 1/12
"""

import datetime as dt

import holidays
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kenshu.core.testing import new_year_closures
from kenshu.core.time import (
    TOKYO,
    BusinessCalendar,
    business_calendar,
    is_japanese_holiday,
    tokyo_date,
    tokyo_datetime,
)

D = dt.date
PLAIN = BusinessCalendar()
NEW_YEAR_2026 = [D(2026, 12, 29) + dt.timedelta(days=i) for i in range(6)]  # 12/29 … 1/3
WITH_NEW_YEAR = BusinessCalendar.with_closures(NEW_YEAR_2026)


# --- Japanese public holidays -------------------------------------------------------


def test_golden_week_2026_holidays_come_from_the_holidays_library():
    golden_week = [D(2026, 4, 29) + dt.timedelta(days=i) for i in range(8)]  # 4/29 … 5/6
    assert [d for d in golden_week if is_japanese_holiday(d)] == [
        D(2026, 4, 29),  # 昭和の日
        D(2026, 5, 3),  # 憲法記念日
        D(2026, 5, 4),  # みどりの日
        D(2026, 5, 5),  # こどもの日
        D(2026, 5, 6),  # 振替休日
    ]


def test_2026_05_06_is_a_substitute_holiday_because_constitution_day_falls_on_a_sunday():
    assert D(2026, 5, 3).weekday() == 6  # Sunday
    names = holidays.country_holidays("JP", years=2026, language="ja")
    assert names[D(2026, 5, 6)] == "振替休日"
    assert is_japanese_holiday(D(2026, 5, 6))
    assert not PLAIN.is_business_day(D(2026, 5, 6))


def test_coming_of_age_day_2027_is_monday_january_11():
    names = holidays.country_holidays("JP", years=2027, language="ja")
    assert names[D(2027, 1, 11)] == "成人の日"
    assert not PLAIN.is_business_day(D(2027, 1, 11))
    assert PLAIN.is_business_day(D(2027, 1, 12))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 4, 28), True),  # Tuesday
        (D(2026, 4, 29), False),  # 昭和の日
        (D(2026, 4, 30), True),
        (D(2026, 5, 1), True),
        (D(2026, 5, 2), False),  # Saturday
        (D(2026, 5, 3), False),  # Sunday and 憲法記念日
        (D(2026, 5, 4), False),
        (D(2026, 5, 5), False),
        (D(2026, 5, 6), False),  # 振替休日
        (D(2026, 5, 7), True),
        (D(2026, 5, 11), True),
    ],
)
def test_business_days_around_golden_week_2026_r_cancel_4(day, expected):
    assert PLAIN.is_business_day(day) is expected


# --- R-CANCEL-4: counting business days before a session's first day ----------------

SESSION_MONDAY_AFTER_GW = D(2026, 5, 11)


@pytest.mark.parametrize(
    ("contact", "expected"),
    [
        (D(2026, 5, 8), 1),  # Fri
        (D(2026, 5, 7), 2),  # Thu: 100 % tier
        (D(2026, 5, 6), 2),  # 振替休日: counts from Thu 5/7
        (D(2026, 5, 2), 2),  # Saturday: counts from Thu 5/7
        (D(2026, 5, 1), 3),  # Fri: 50 % tier starts
        (D(2026, 4, 30), 4),
        (D(2026, 4, 29), 4),  # 昭和の日: counts from Thu 4/30
        (D(2026, 4, 28), 5),
        (D(2026, 4, 27), 6),
        (D(2026, 4, 24), 7),  # last day of the 50 % tier
        (D(2026, 4, 23), 8),  # 0 % tier: "up to 8 business days before"
        (D(2026, 4, 22), 9),
    ],
)
def test_business_days_before_a_monday_session_after_golden_week_r_cancel_4(contact, expected):
    """Contact date included, first day excluded: 5/1 → 5/11 is 5/1, 5/7, 5/8 = 3."""
    assert PLAIN.business_days_between(contact, SESSION_MONDAY_AFTER_GW) == expected


def test_a_contact_on_a_closed_day_counts_from_the_next_business_day_r_cancel_4():
    for closed in [D(2026, 5, 2), D(2026, 5, 3), D(2026, 5, 4), D(2026, 5, 5), D(2026, 5, 6)]:
        assert PLAIN.next_business_day(closed) == D(2026, 5, 7)
        assert PLAIN.business_days_between(
            closed, SESSION_MONDAY_AFTER_GW
        ) == PLAIN.business_days_between(PLAIN.next_business_day(closed), SESSION_MONDAY_AFTER_GW)
    assert PLAIN.next_business_day(D(2026, 4, 29)) == D(2026, 4, 30)


def test_next_business_day_of_a_business_day_is_itself():
    assert PLAIN.next_business_day(D(2026, 5, 7)) == D(2026, 5, 7)


def test_the_nth_business_day_counting_back_from_the_first_day_r_cancel_4():
    """The contact date is on or before the N-th business day counting back from the first day."""
    assert PLAIN.add_business_days(SESSION_MONDAY_AFTER_GW, -1) == D(2026, 5, 8)
    assert PLAIN.add_business_days(SESSION_MONDAY_AFTER_GW, -2) == D(2026, 5, 7)
    assert PLAIN.add_business_days(SESSION_MONDAY_AFTER_GW, -3) == D(2026, 5, 1)
    assert PLAIN.add_business_days(SESSION_MONDAY_AFTER_GW, -7) == D(2026, 4, 24)
    assert PLAIN.add_business_days(SESSION_MONDAY_AFTER_GW, -8) == D(2026, 4, 23)
    for n in range(1, 15):
        nth_back = PLAIN.add_business_days(SESSION_MONDAY_AFTER_GW, -n)
        assert PLAIN.business_days_between(nth_back, SESSION_MONDAY_AFTER_GW) == n


def test_add_business_days_forwards_skips_golden_week():
    assert PLAIN.add_business_days(D(2026, 4, 28), 1) == D(2026, 4, 30)
    assert PLAIN.add_business_days(D(2026, 5, 1), 1) == D(2026, 5, 7)
    assert PLAIN.add_business_days(D(2026, 5, 1), 3) == D(2026, 5, 11)
    assert PLAIN.add_business_days(D(2026, 5, 3), 1) == D(2026, 5, 7)  # from a holiday


def test_add_business_days_backwards_skips_golden_week():
    assert PLAIN.add_business_days(D(2026, 5, 7), -1) == D(2026, 5, 1)
    assert PLAIN.add_business_days(D(2026, 4, 30), -1) == D(2026, 4, 28)
    assert PLAIN.add_business_days(D(2026, 5, 6), -1) == D(2026, 5, 1)  # from a holiday


def test_business_days_between_is_zero_when_end_is_not_after_start():
    assert PLAIN.business_days_between(D(2026, 5, 11), D(2026, 5, 11)) == 0
    assert PLAIN.business_days_between(D(2026, 5, 11), D(2026, 5, 1)) == 0


# --- New year closure (provider closure days) -------------------------------------


def test_new_year_closure_days_are_not_business_days_with_closures():
    assert WITH_NEW_YEAR.is_business_day(D(2026, 12, 28))
    for day in NEW_YEAR_2026:
        assert not WITH_NEW_YEAR.is_business_day(day)
    assert WITH_NEW_YEAR.is_business_day(D(2027, 1, 4))
    # Without the closure, 12/29–12/31 are ordinary weekdays.
    assert PLAIN.is_business_day(D(2026, 12, 29))
    assert PLAIN.is_business_day(D(2026, 12, 31))


def test_business_days_before_a_session_after_new_year_and_coming_of_age_day_r_cancel_4():
    """Session Tue 2027-01-12: 1/11 成人の日 and 12/29–1/3 do not count."""
    first_day = D(2027, 1, 12)
    assert WITH_NEW_YEAR.business_days_between(D(2027, 1, 8), first_day) == 1
    assert WITH_NEW_YEAR.business_days_between(D(2027, 1, 4), first_day) == 5
    assert WITH_NEW_YEAR.business_days_between(D(2026, 12, 28), first_day) == 6
    assert WITH_NEW_YEAR.business_days_between(D(2026, 12, 24), first_day) == 8
    assert WITH_NEW_YEAR.add_business_days(first_day, -8) == D(2026, 12, 24)
    # Without the provider closure 12/29, 12/30 and 12/31 would count.
    assert PLAIN.business_days_between(D(2026, 12, 24), first_day) == 11


def test_add_business_days_crosses_the_new_year_closure():
    assert WITH_NEW_YEAR.add_business_days(D(2026, 12, 28), 1) == D(2027, 1, 4)
    assert WITH_NEW_YEAR.add_business_days(D(2027, 1, 4), -1) == D(2026, 12, 28)
    assert WITH_NEW_YEAR.next_business_day(D(2026, 12, 30)) == D(2027, 1, 4)
    assert PLAIN.add_business_days(D(2026, 12, 28), 1) == D(2026, 12, 29)


@pytest.mark.django_db
def test_business_calendar_reads_the_closure_days_from_the_database():
    assert business_calendar().is_business_day(D(2026, 12, 29))  # no closures yet
    new_year_closures(2026)
    calendar = business_calendar()
    assert calendar == WITH_NEW_YEAR
    assert not calendar.is_business_day(D(2026, 12, 29))
    assert calendar.next_business_day(D(2026, 12, 29)) == D(2027, 1, 4)
    assert calendar.business_days_between(D(2026, 12, 24), D(2027, 1, 12)) == 8


def test_with_closures_accepts_any_iterable_and_needs_no_database():
    calendar = BusinessCalendar.with_closures(d for d in NEW_YEAR_2026)
    assert calendar.closures == frozenset(NEW_YEAR_2026)
    assert calendar == WITH_NEW_YEAR


# --- Tokyo dates ------------------------------------------------------------------


def test_tokyo_date_at_23_30_utc_is_the_next_tokyo_day():
    late_evening_utc = dt.datetime(2026, 5, 6, 23, 30, tzinfo=dt.UTC)
    assert tokyo_date(late_evening_utc) == D(2026, 5, 7)
    assert tokyo_date(dt.datetime(2026, 5, 6, 14, 59, tzinfo=dt.UTC)) == D(2026, 5, 6)
    assert tokyo_date(dt.datetime(2026, 5, 6, 15, 0, tzinfo=dt.UTC)) == D(2026, 5, 7)


def test_tokyo_date_defaults_to_now(monkeypatch):
    monkeypatch.setattr(
        "kenshu.core.time.now", lambda: dt.datetime(2026, 12, 31, 15, 0, tzinfo=dt.UTC)
    )
    assert tokyo_date() == D(2027, 1, 1)


def test_tokyo_datetime_is_aware_in_asia_tokyo():
    value = tokyo_datetime(D(2026, 5, 11), 10, 30)
    assert value.tzinfo == TOKYO
    assert value.astimezone(dt.UTC) == dt.datetime(2026, 5, 11, 1, 30, tzinfo=dt.UTC)


# --- Properties -------------------------------------------------------------------

DAYS = st.dates(min_value=D(2024, 1, 1), max_value=D(2029, 12, 31))
CLOSURES = st.frozensets(DAYS, max_size=12)


@hypothesis_settings(max_examples=300, deadline=None, database=None)
@given(a=DAYS, b=DAYS, closures=CLOSURES)
def test_business_days_between_counts_business_days_in_the_half_open_interval(a, b, closures):
    start, end = min(a, b), max(a, b)
    calendar = BusinessCalendar.with_closures(closures)
    expected = sum(
        1
        for i in range((end - start).days)
        if calendar.is_business_day(start + dt.timedelta(days=i))
    )
    assert calendar.business_days_between(start, end) == expected


@hypothesis_settings(max_examples=300, deadline=None, database=None)
@given(
    day=DAYS,
    n=st.integers(min_value=-40, max_value=40).filter(bool),
    closures=CLOSURES,
)
def test_add_business_days_lands_on_a_business_day_exactly_n_business_days_away(day, n, closures):
    calendar = BusinessCalendar.with_closures(closures)
    landed = calendar.add_business_days(day, n)
    one = dt.timedelta(days=1)
    assert calendar.is_business_day(landed)
    if n > 0:
        assert landed > day
        # n business days in (day, landed]
        assert calendar.business_days_between(day + one, landed + one) == n
    else:
        assert landed < day
        # R-CANCEL-4: |n| business days from landed (included) to day (excluded)
        assert calendar.business_days_between(landed, day) == -n
