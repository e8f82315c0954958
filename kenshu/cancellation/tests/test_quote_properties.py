"""Properties of quote() and tier_schedule() over random dates, closures and policies
(hypothesis): a later contact never lowers the rate or the fee; the business-day count
equals a simple reference count; every date falls in the window of its tier."""

import datetime as dt

import holidays
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kenshu.cancellation import BUSINESS_DAYS, CALENDAR_DAYS, Tier, quote, tier_schedule
from kenshu.cancellation.defaults import DEFAULT_TIERS
from kenshu.core.time import BusinessCalendar

D = dt.date
JP = holidays.country_holidays("JP", years=range(2025, 2030))

first_days = st.dates(min_value=D(2025, 3, 1), max_value=D(2029, 10, 31))
offsets = st.integers(min_value=-150, max_value=20)  # contact date - first day
closure_sets = st.frozensets(
    st.dates(min_value=D(2025, 1, 1), max_value=D(2029, 12, 31)), max_size=8
)
amounts = st.integers(min_value=0, max_value=10_000_000)


@st.composite
def policies(draw):
    """Valid tiers: distinct thresholds, one from 0 days, rates rising as days fall."""
    unit = draw(st.sampled_from([BUSINESS_DAYS, CALENDAR_DAYS]))
    thresholds = sorted(
        draw(st.sets(st.integers(min_value=1, max_value=40), max_size=4)) | {0}, reverse=True
    )
    rates = sorted(
        draw(
            st.sets(
                st.integers(min_value=0, max_value=100),
                min_size=len(thresholds),
                max_size=len(thresholds),
            )
        )
    )
    return [Tier(days, rate, unit) for days, rate in zip(thresholds, rates, strict=True)]


def with_closures(closures):
    return BusinessCalendar.with_closures(closures)


@hypothesis_settings(max_examples=300, deadline=None)
@given(first_days, offsets, offsets, closure_sets, amounts, policies())
def test_r_cancel_4_a_later_contact_never_lowers_the_rate_or_the_fee(
    first_day, a, b, closures, amount, tiers
):
    calendar = with_closures(closures)
    earlier, later = sorted([first_day + dt.timedelta(days=a), first_day + dt.timedelta(days=b)])
    q1 = quote(
        tiers=tiers, first_day=first_day, contact_date=earlier, amount=amount, calendar=calendar
    )
    q2 = quote(
        tiers=tiers, first_day=first_day, contact_date=later, amount=amount, calendar=calendar
    )
    assert q1.days_before >= q2.days_before
    assert q1.rate <= q2.rate
    assert q1.fee <= q2.fee


@hypothesis_settings(max_examples=300, deadline=None)
@given(first_days, offsets, closure_sets)
def test_r_cancel_4_the_business_day_count_equals_a_simple_reference_count(
    first_day, offset, closures
):
    contact = first_day + dt.timedelta(days=offset)
    reference = sum(
        1
        for i in range((first_day - contact).days)
        if (day := contact + dt.timedelta(days=i)).weekday() < 5
        and day not in JP
        and day not in closures
    )
    q = quote(
        tiers=DEFAULT_TIERS["classroom"],
        first_day=first_day,
        contact_date=contact,
        amount=1,
        calendar=with_closures(closures),
    )
    assert q.days_before == reference


@hypothesis_settings(max_examples=200, deadline=None)
@given(first_days, offsets, closure_sets, policies())
def test_r_cancel_4_every_contact_date_falls_in_the_window_of_its_tier(
    first_day, offset, closures, tiers
):
    calendar = with_closures(closures)
    contact = first_day + dt.timedelta(days=offset)
    schedule = tier_schedule(tiers=tiers, first_day=first_day, calendar=calendar)
    containing = [w for w in schedule if w.contains(contact)]
    assert len(containing) == 1
    q = quote(tiers=tiers, first_day=first_day, contact_date=contact, amount=1, calendar=calendar)
    assert q.tier == containing[0].tier


@hypothesis_settings(max_examples=200, deadline=None)
@given(first_days, offsets, closure_sets, amounts)
def test_r_cancel_4_a_contact_on_a_closed_day_is_quoted_as_on_the_next_business_day(
    first_day, offset, closures, amount
):
    calendar = with_closures(closures)
    contact = first_day + dt.timedelta(days=offset)
    next_open = calendar.next_business_day(contact)
    if next_open > first_day:
        next_open = first_day  # past the first day: 0 days before either way
    tiers = DEFAULT_TIERS["classroom"]
    on_contact = quote(
        tiers=tiers, first_day=first_day, contact_date=contact, amount=amount, calendar=calendar
    )
    on_next = quote(
        tiers=tiers, first_day=first_day, contact_date=next_open, amount=amount, calendar=calendar
    )
    assert (on_contact.days_before, on_contact.rate, on_contact.fee) == (
        on_next.days_before,
        on_next.rate,
        on_next.fee,
    )
