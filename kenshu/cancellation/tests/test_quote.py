"""quote(): the cancellation fee as of the contact date (R-CANCEL-3, R-CANCEL-4).

A plain week (June 2026 has no public holiday), session on Mon 2026-06-15::

    business days before:  9     8     7     6     5           4     3     2     1
                          Tue   Wed   Thu   Fri   Mon         Tue   Wed   Thu   Fri    Mon
                          6/2   6/3   6/4   6/5   6/8   …     6/9   6/10  6/11  6/12   6/15

Golden Week 2026, session on Mon 2026-05-11 (closed: 4/29 昭和の日, 5/2–5/3 weekend,
5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 振替休日)::

    Thu 4/23 → 8   Fri 4/24 → 7   Mon 4/27 → 6   Tue 4/28 → 5   (Wed 4/29 closed → 4)
    Thu 4/30 → 4   Fri 5/1 → 3    (Sat 5/2 … Wed 5/6 closed → 2)  Thu 5/7 → 2   Fri 5/8 → 1

New year 2026/27 with the provider's closure 12/29–1/3, session on Thu 2027-01-07::

    Tue 12/22 → 8  Wed 12/23 → 7  Thu 12/24 → 6  Fri 12/25 → 5  Mon 12/28 → 4
    (Tue 12/29 … Sun 1/3 closed → 3)  Mon 1/4 → 3  Tue 1/5 → 2  Wed 1/6 → 1
"""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from kenshu.cancellation import BUSINESS_DAYS, CALENDAR_DAYS, Quote, Tier, quote
from kenshu.cancellation.defaults import DEFAULT_TIERS
from kenshu.core.time import BusinessCalendar

D = dt.date
PLAIN = BusinessCalendar()
NEW_YEAR_CLOSURES = [D(2026, 12, 29) + dt.timedelta(days=i) for i in range(6)]  # 12/29 … 1/3
WITH_NEW_YEAR = BusinessCalendar.with_closures(NEW_YEAR_CLOSURES)

CLASSROOM = [t.as_dict() for t in DEFAULT_TIERS["classroom"]]  # as stored on an enrolment
ELEARNING = [t.as_dict() for t in DEFAULT_TIERS["elearning"]]

JUNE_15 = D(2026, 6, 15)  # Monday, no holiday around it
GW_SESSION = D(2026, 5, 11)  # Monday after Golden Week
NEW_YEAR_SESSION = D(2027, 1, 7)  # Thursday after the new-year closure


def classroom_quote(contact, first_day=JUNE_15, amount=100_000, calendar=PLAIN) -> Quote:
    return quote(
        tiers=CLASSROOM,
        first_day=first_day,
        contact_date=contact,
        amount=amount,
        calendar=calendar,
    )


# --- The default classroom / live tiers at their boundaries --------------------------


def test_r_cancel_4_eight_business_days_before_is_free():
    q = classroom_quote(D(2026, 6, 3))
    assert (q.days_before, q.rate, q.fee) == (8, 0, 0)
    assert q.tier == Tier(8, 0, BUSINESS_DAYS)


def test_r_cancel_4_more_than_eight_business_days_before_is_free():
    q = classroom_quote(D(2026, 5, 20))
    assert (q.days_before, q.rate) == (18, 0)


def test_r_cancel_4_seven_business_days_before_costs_half():
    q = classroom_quote(D(2026, 6, 4))
    assert (q.days_before, q.rate, q.fee) == (7, 50, 50_000)
    assert q.tier == Tier(3, 50, BUSINESS_DAYS)


def test_r_cancel_4_three_business_days_before_costs_half():
    q = classroom_quote(D(2026, 6, 10))
    assert (q.days_before, q.rate, q.fee) == (3, 50, 50_000)


def test_r_cancel_4_two_business_days_before_costs_the_full_fee():
    q = classroom_quote(D(2026, 6, 11))
    assert (q.days_before, q.rate, q.fee) == (2, 100, 100_000)
    assert q.tier == Tier(0, 100, BUSINESS_DAYS)


def test_r_cancel_4_the_day_before_costs_the_full_fee():
    assert classroom_quote(D(2026, 6, 12)).days_before == 1
    assert classroom_quote(D(2026, 6, 12)).rate == 100


def test_r_cancel_4_on_the_first_day_costs_the_full_fee():
    q = classroom_quote(JUNE_15)
    assert (q.days_before, q.rate, q.fee) == (0, 100, 100_000)


def test_r_cancel_4_after_the_first_day_or_no_show_costs_the_full_fee():
    for contact in (D(2026, 6, 16), D(2026, 7, 31)):
        q = classroom_quote(contact)
        assert (q.days_before, q.rate, q.fee) == (0, 100, 100_000)


def test_r_cancel_4_the_quote_says_what_it_was_computed_for():
    q = classroom_quote(D(2026, 6, 4), amount=80_000)
    assert q == Quote(
        rate=50,
        fee=40_000,
        days_before=7,
        tier=Tier(3, 50, BUSINESS_DAYS),
        computed_for=D(2026, 6, 4),
        first_day=JUNE_15,
        unit=BUSINESS_DAYS,
        amount=80_000,
    )


# --- Closed days: weekends and holidays --------------------------------------------


@pytest.mark.parametrize(
    ("closed_day", "next_business_day"),
    [
        (D(2026, 6, 6), D(2026, 6, 8)),  # Saturday → Monday
        (D(2026, 6, 7), D(2026, 6, 8)),  # Sunday → Monday
        (D(2026, 5, 30), D(2026, 6, 1)),  # Saturday → Monday, 10 business days before
        (D(2026, 6, 13), JUNE_15),  # the Saturday before the session → as on the day
    ],
)
def test_r_cancel_4_a_contact_on_a_weekend_counts_from_the_next_business_day(
    closed_day, next_business_day
):
    on_closed_day = classroom_quote(closed_day)
    on_next_business_day = classroom_quote(next_business_day)
    assert on_closed_day.days_before == on_next_business_day.days_before
    assert on_closed_day.rate == on_next_business_day.rate
    assert on_closed_day.computed_for == closed_day  # the contact date itself is kept


def test_r_cancel_4_a_contact_on_the_saturday_before_the_eight_day_boundary_is_no_longer_free():
    # Fri 6/5 is 6 business days before; Sat 6/6 counts as Mon 6/8 = 5 → 50 %.
    assert classroom_quote(D(2026, 6, 6)).days_before == 5
    assert classroom_quote(D(2026, 6, 6)).rate == 50


def test_r_cancel_4_a_contact_on_a_public_holiday_counts_from_the_next_business_day():
    # 4/29 昭和の日 (Wednesday) counts as Thu 4/30.
    on_holiday = classroom_quote(D(2026, 4, 29), first_day=GW_SESSION)
    assert on_holiday.days_before == classroom_quote(D(2026, 4, 30), GW_SESSION).days_before == 4
    assert on_holiday.rate == 50


# --- Golden Week 2026 ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("contact", "days_before", "rate"),
    [
        (D(2026, 4, 22), 9, 0),
        (D(2026, 4, 23), 8, 0),  # the last free day
        (D(2026, 4, 24), 7, 50),
        (D(2026, 4, 27), 6, 50),
        (D(2026, 4, 28), 5, 50),  # 13 calendar days before, but 5 business days
        (D(2026, 4, 29), 4, 50),  # 昭和の日 → counts as 4/30
        (D(2026, 4, 30), 4, 50),
        (D(2026, 5, 1), 3, 50),  # the last half-fee day
        (D(2026, 5, 2), 2, 100),  # Saturday → counts as 5/7
        (D(2026, 5, 5), 2, 100),  # こどもの日 → counts as 5/7
        (D(2026, 5, 6), 2, 100),  # 振替休日 → counts as 5/7
        (D(2026, 5, 7), 2, 100),
        (D(2026, 5, 8), 1, 100),
        (D(2026, 5, 11), 0, 100),
    ],
)
def test_r_cancel_4_around_golden_week_2026_holidays_are_not_business_days(
    contact, days_before, rate
):
    q = classroom_quote(contact, first_day=GW_SESSION)
    assert (q.days_before, q.rate) == (days_before, rate)


def test_r_cancel_4_golden_week_contact_on_4_28_and_4_30_both_cost_half():
    # 4/28 → 5 business days (4/28, 4/30, 5/1, 5/7, 5/8); 4/30 → 4: same tier, 50 %.
    early = classroom_quote(D(2026, 4, 28), first_day=GW_SESSION, amount=60_000)
    late = classroom_quote(D(2026, 4, 30), first_day=GW_SESSION, amount=60_000)
    assert (early.days_before, early.rate, early.fee) == (5, 50, 30_000)
    assert (late.days_before, late.rate, late.fee) == (4, 50, 30_000)


# --- The new-year closure (ClosureDay 12/29–1/3) -------------------------------------


@pytest.mark.parametrize(
    ("contact", "days_before", "rate"),
    [
        (D(2026, 12, 22), 8, 0),
        (D(2026, 12, 23), 7, 50),
        (D(2026, 12, 28), 4, 50),
        (D(2026, 12, 29), 3, 50),  # closure → counts as 1/4
        (D(2027, 1, 1), 3, 50),  # 元日 and closure → counts as 1/4
        (D(2027, 1, 4), 3, 50),
        (D(2027, 1, 5), 2, 100),
        (D(2027, 1, 7), 0, 100),
    ],
)
def test_r_cancel_4_around_the_new_year_closure_the_closure_days_are_not_business_days(
    contact, days_before, rate
):
    q = classroom_quote(contact, first_day=NEW_YEAR_SESSION, calendar=WITH_NEW_YEAR)
    assert (q.days_before, q.rate) == (days_before, rate)


def test_r_cancel_4_the_closure_days_change_the_quote_only_when_the_calendar_has_them():
    # Without the closure 12/29–12/31 are business days: 12/24 is 9 business days before.
    without = classroom_quote(D(2026, 12, 24), first_day=NEW_YEAR_SESSION, calendar=PLAIN)
    with_closure = classroom_quote(
        D(2026, 12, 24), first_day=NEW_YEAR_SESSION, calendar=WITH_NEW_YEAR
    )
    assert (without.days_before, without.rate) == (9, 0)
    assert (with_closure.days_before, with_closure.rate) == (6, 50)


# --- The fee ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "contact", "fee"),
    [
        (33_333, D(2026, 6, 4), 16_666),  # 16,666.5 → 16,666
        (99_999, D(2026, 6, 4), 49_999),
        (1, D(2026, 6, 4), 0),
        (33_333, D(2026, 6, 11), 33_333),
        (33_333, D(2026, 6, 3), 0),
        (0, JUNE_15, 0),
    ],
)
def test_r_cancel_4_the_fee_is_rounded_down_to_the_yen(amount, contact, fee):
    assert classroom_quote(contact, amount=amount).fee == fee


def test_r_cancel_4_the_fee_rounds_down_for_any_rate():
    tiers = [Tier(5, 33, BUSINESS_DAYS), Tier(0, 99, BUSINESS_DAYS)]
    q = quote(
        tiers=tiers, first_day=JUNE_15, contact_date=D(2026, 6, 1), amount=1_001, calendar=PLAIN
    )
    assert (q.rate, q.fee) == (33, 330)  # 330.33 → 330


# --- E-learning: calendar days before the access start date --------------------------


ACCESS_START = D(2026, 5, 5)  # こどもの日: calendar days ignore holidays


def elearning_quote(contact, access_start=ACCESS_START, amount=30_000) -> Quote:
    return quote(
        tiers=ELEARNING,
        first_day=access_start,
        contact_date=contact,
        amount=amount,
        calendar=PLAIN,
    )


def test_r_cancel_4_elearning_before_the_access_start_date_is_free():
    for contact in (D(2026, 4, 20), D(2026, 5, 4)):  # 5/4 is a holiday: calendar days count
        q = elearning_quote(contact)
        assert (q.rate, q.fee, q.unit) == (0, 0, CALENDAR_DAYS)
    assert elearning_quote(D(2026, 5, 4)).days_before == 1


def test_r_cancel_4_elearning_on_the_access_start_date_costs_the_full_fee():
    q = elearning_quote(D(2026, 5, 5))
    assert (q.days_before, q.rate, q.fee) == (0, 100, 30_000)


def test_r_cancel_4_elearning_after_the_access_start_date_costs_the_full_fee():
    q = elearning_quote(D(2026, 6, 30))
    assert (q.days_before, q.rate, q.fee) == (0, 100, 30_000)


# --- R-CANCEL-3: as of the contact date ----------------------------------------------


def test_r_cancel_3_the_quote_depends_only_on_the_contact_date_given(monkeypatch):
    contact = D(2026, 6, 4)  # 7 business days before: 50 %
    today = classroom_quote(contact)
    # Staff process the request a week later, two business days before the session:
    # the clock has moved, the quote has not.
    week_later = timezone.now() + dt.timedelta(days=7)
    monkeypatch.setattr(timezone, "now", lambda: week_later)
    later = classroom_quote(contact)
    assert later == today
    assert (later.rate, later.computed_for) == (50, contact)


def test_r_cancel_3_a_request_processed_five_business_days_later_is_charged_as_of_contact():
    contact, processed = D(2026, 6, 4), D(2026, 6, 11)  # Thu, and Thu a week later
    assert classroom_quote(contact).rate == 50
    assert classroom_quote(processed).rate == 100  # what "today" would have charged


# --- Inputs ------------------------------------------------------------------------------


def test_quote_accepts_tier_objects_and_dicts_in_any_order():
    as_dicts = classroom_quote(D(2026, 6, 4))
    shuffled = [DEFAULT_TIERS["classroom"][1], DEFAULT_TIERS["classroom"][2], CLASSROOM[0]]
    assert (
        quote(
            tiers=shuffled,
            first_day=JUNE_15,
            contact_date=D(2026, 6, 4),
            amount=100_000,
            calendar=PLAIN,
        )
        == as_dicts
    )


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ([], "no cancellation tiers"),
        ([{"min_days_before": 3, "rate": 50}], "a tier needs 'unit'"),
        ([{"min_days_before": 3, "rate": 150, "unit": BUSINESS_DAYS}], "rate"),
        ([{"min_days_before": -1, "rate": 50, "unit": BUSINESS_DAYS}], "min_days_before"),
        ([{"min_days_before": 3, "rate": 50, "unit": "weeks"}], "unit"),
        (
            [Tier(3, 50, BUSINESS_DAYS), Tier(0, 100, CALENDAR_DAYS)],
            "the tiers mix units",
        ),
        ([Tier(0, 50, BUSINESS_DAYS), Tier(0, 100, BUSINESS_DAYS)], "share"),
    ],
)
def test_quote_refuses_tiers_it_cannot_apply(tiers, message):
    with pytest.raises(ValueError, match=message):
        classroom_quote_with(tiers)


def classroom_quote_with(tiers):
    return quote(
        tiers=tiers, first_day=JUNE_15, contact_date=D(2026, 6, 4), amount=1, calendar=PLAIN
    )


def test_quote_refuses_a_datetime_for_a_date():
    with pytest.raises(TypeError, match="contact_date"):
        quote(
            tiers=CLASSROOM,
            first_day=JUNE_15,
            contact_date=dt.datetime(2026, 6, 4, 9, 0),
            amount=1,
            calendar=PLAIN,
        )


@pytest.mark.parametrize("amount", [-1, 1.5, True])
def test_quote_refuses_an_amount_that_is_not_whole_yen(amount):
    with pytest.raises(ValueError, match="amount"):
        classroom_quote(D(2026, 6, 4), amount=amount)


def test_quote_is_importable_without_django_settings_or_models():
    root = Path(__file__).resolve().parents[3]
    code = (
        "import sys, datetime as dt\n"
        "from kenshu.cancellation import quote\n"
        "from kenshu.core.time import BusinessCalendar\n"
        "q = quote(tiers=[{'min_days_before': 0, 'rate': 100, 'unit': 'business_days'}],"
        " first_day=dt.date(2026, 6, 15), contact_date=dt.date(2026, 6, 1), amount=10,"
        " calendar=BusinessCalendar())\n"
        "assert q.fee == 10\n"
        "assert 'kenshu.cancellation.models' not in sys.modules\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)}  # no DJANGO_SETTINGS_MODULE
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=root)
