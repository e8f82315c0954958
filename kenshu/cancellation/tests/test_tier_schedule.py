"""tier_schedule(): the tiers as dated windows of contact dates (R-CANCEL-4: "the contact
date is on or before the N-th business day counting back from the first day").
Calendars and dates as in test_quote.py."""

import datetime as dt

import pytest
from django.utils import translation

from kenshu.cancellation import BUSINESS_DAYS, CALENDAR_DAYS, Tier, quote, tier_label, tier_schedule
from kenshu.cancellation.defaults import DEFAULT_TIERS
from kenshu.core.time import BusinessCalendar

D = dt.date
PLAIN = BusinessCalendar()
WITH_NEW_YEAR = BusinessCalendar.with_closures(
    D(2026, 12, 29) + dt.timedelta(days=i) for i in range(6)
)
CLASSROOM = [t.as_dict() for t in DEFAULT_TIERS["classroom"]]
ELEARNING = [t.as_dict() for t in DEFAULT_TIERS["elearning"]]
JUNE_15 = D(2026, 6, 15)


def windows(tiers, first_day, calendar=PLAIN):
    return [
        (w.starts_on, w.ends_on, w.rate)
        for w in tier_schedule(tiers=tiers, first_day=first_day, calendar=calendar)
    ]


def test_r_cancel_4_schedule_of_a_plain_week():
    assert windows(CLASSROOM, D(2026, 6, 15)) == [
        (None, D(2026, 6, 3), 0),  # until Wed 6/3 (8 business days before)
        (D(2026, 6, 4), D(2026, 6, 10), 50),  # Thu 6/4 – Wed 6/10 (3 business days before)
        (D(2026, 6, 11), None, 100),  # from Thu 6/11
    ]


def test_r_cancel_4_schedule_around_golden_week_2026():
    assert windows(CLASSROOM, D(2026, 5, 11)) == [
        (None, D(2026, 4, 23), 0),
        (D(2026, 4, 24), D(2026, 5, 1), 50),
        (D(2026, 5, 2), None, 100),  # Sat 5/2 … 5/6 are closed, so they count as 5/7
    ]


def test_r_cancel_4_schedule_around_the_new_year_closure():
    assert windows(CLASSROOM, D(2027, 1, 7), WITH_NEW_YEAR) == [
        (None, D(2026, 12, 22), 0),
        (D(2026, 12, 23), D(2027, 1, 4), 50),
        (D(2027, 1, 5), None, 100),
    ]
    # Without the closure 12/29–12/31 count: the free window lasts until Fri 12/25.
    assert windows(CLASSROOM, D(2027, 1, 7)) == [
        (None, D(2026, 12, 25), 0),
        (D(2026, 12, 26), D(2027, 1, 4), 50),
        (D(2027, 1, 5), None, 100),
    ]


def test_r_cancel_4_schedule_of_elearning_in_calendar_days():
    assert windows(ELEARNING, D(2026, 5, 11)) == [
        (None, D(2026, 5, 10), 0),  # before the access start date
        (D(2026, 5, 11), None, 100),  # from the access start date
    ]


def test_r_cancel_4_each_window_ends_on_the_nth_business_day_counting_back():
    schedule = tier_schedule(tiers=CLASSROOM, first_day=D(2026, 5, 11), calendar=PLAIN)
    for window in schedule[:-1]:
        assert PLAIN.is_business_day(window.ends_on)
        assert PLAIN.business_days_between(window.ends_on, D(2026, 5, 11)) == window.min_days_before


@pytest.mark.parametrize(
    ("first_day", "calendar"),
    [(D(2026, 6, 15), PLAIN), (D(2026, 5, 11), PLAIN), (D(2027, 1, 7), WITH_NEW_YEAR)],
)
def test_r_cancel_4_every_contact_date_gets_the_tier_of_its_window(first_day, calendar):
    schedule = tier_schedule(tiers=CLASSROOM, first_day=first_day, calendar=calendar)
    for offset in range(-40, 10):
        contact = first_day + dt.timedelta(days=offset)
        (window,) = [w for w in schedule if w.contains(contact)]
        q = quote(
            tiers=CLASSROOM, first_day=first_day, contact_date=contact, amount=1, calendar=calendar
        )
        assert q.tier == window.tier


def test_schedule_lists_the_tiers_most_days_first_whatever_their_order():
    tiers = [Tier(0, 100, BUSINESS_DAYS), Tier(8, 0, BUSINESS_DAYS), Tier(3, 50, BUSINESS_DAYS)]
    assert [
        w.min_days_before
        for w in tier_schedule(tiers=tiers, first_day=D(2026, 6, 15), calendar=PLAIN)
    ] == [8, 3, 0]


def test_a_single_tier_covers_every_date():
    (window,) = tier_schedule(
        tiers=[Tier(0, 100, BUSINESS_DAYS)], first_day=D(2026, 6, 15), calendar=PLAIN
    )
    assert (window.starts_on, window.ends_on) == (None, None)


# --- Labels -------------------------------------------------------------------------------


def labels(tiers, first_day=JUNE_15):
    return [w.label for w in tier_schedule(tiers=tiers, first_day=first_day, calendar=PLAIN)]


def test_r_cancel_4_window_labels_in_english():
    with translation.override("en"):
        assert labels(CLASSROOM) == [
            "8 business days or more before the first day",
            "7 to 3 business days before the first day",
            "2 business days before the first day or later, or no-show",
        ]
        assert labels(ELEARNING) == ["Before the access start date", "From the access start date"]


def test_r_cancel_4_window_labels_in_japanese():
    with translation.override("ja"):
        assert labels(CLASSROOM) == [
            "初日の8営業日前まで",
            "初日の7〜3営業日前",
            "初日の2営業日前以降（当日・無断欠席を含む）",
        ]
        assert labels(ELEARNING) == ["受講開始日の前日まで", "受講開始日以降"]


def test_tier_label_names_the_tier_of_a_quote():
    q = quote(
        tiers=CLASSROOM,
        first_day=D(2026, 6, 15),
        contact_date=D(2026, 6, 4),
        amount=10_000,
        calendar=PLAIN,
    )
    with translation.override("en"):
        assert (
            tier_label(tiers=CLASSROOM, tier=q.tier) == "7 to 3 business days before the first day"
        )


def test_labels_of_other_tier_shapes():
    tiers = [
        Tier(10, 0, CALENDAR_DAYS),
        Tier(5, 20, CALENDAR_DAYS),
        Tier(4, 30, CALENDAR_DAYS),
        Tier(2, 60, CALENDAR_DAYS),
    ]
    business = [
        Tier(5, 0, BUSINESS_DAYS),
        Tier(4, 30, BUSINESS_DAYS),
        Tier(1, 60, BUSINESS_DAYS),
        Tier(0, 100, BUSINESS_DAYS),
    ]
    with translation.override("en"):
        assert labels(tiers) == [
            "10 days or more before the access start date",
            "9 to 5 days before the access start date",
            "4 days before the access start date",
            "3 days before the access start date or later",
        ]
        assert labels(business) == [
            "5 business days or more before the first day",
            "4 business days before the first day",
            "3 to 1 business days before the first day",
            "On the first day or later, or no-show",
        ]
        assert labels([Tier(0, 100, CALENDAR_DAYS)]) == ["At any time"]
