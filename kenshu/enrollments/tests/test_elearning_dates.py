"""R-ELEARN-1 / R-ELEARN-3: the access start date and the access period, around month,
year and leap-day ends, partner and non-partner (pure date rules)."""

import datetime as dt

import pytest

from kenshu.enrollments.elearning import (
    elearning_access_window,
    elearning_end_date,
    elearning_start_date,
)

D = dt.date


@pytest.mark.parametrize(
    ("applied_on", "is_partner", "starts_on"),
    [
        (D(2026, 5, 11), False, D(2026, 5, 18)),
        (D(2026, 5, 11), True, D(2026, 5, 21)),
        (D(2026, 1, 28), False, D(2026, 2, 4)),  # month end
        (D(2026, 1, 28), True, D(2026, 2, 7)),
        (D(2026, 2, 25), False, D(2026, 3, 4)),  # short February (2026 is not leap)
        (D(2025, 12, 28), False, D(2026, 1, 4)),  # year end
        (D(2025, 12, 25), True, D(2026, 1, 4)),  # partner over the year end
        (D(2025, 12, 31), False, D(2026, 1, 7)),
        (D(2025, 12, 31), True, D(2026, 1, 10)),
        (D(2028, 2, 25), False, D(2028, 3, 3)),  # leap year: 29 February is counted
        (D(2028, 2, 22), False, D(2028, 2, 29)),  # lands on the leap day
        (D(2028, 2, 25), True, D(2028, 3, 6)),
    ],
)
def test_r_elearn_1_access_starts_7_calendar_days_after_the_application_or_10_for_partner_courses(
    applied_on, is_partner, starts_on
):
    assert elearning_start_date(applied_on, is_partner=is_partner) == starts_on


def test_r_elearn_1_calendar_days_count_weekends_and_holidays_like_any_other_day():
    # 2026-04-28 + 7 = 2026-05-05 (Golden Week holiday): the start date is not moved.
    assert elearning_start_date(D(2026, 4, 28), is_partner=False) == D(2026, 5, 5)


def test_r_elearn_3_the_access_period_counts_from_the_start_date_as_its_first_day():
    assert elearning_end_date(D(2026, 4, 1), access_days=90) == D(2026, 6, 29)
    assert elearning_end_date(D(2026, 4, 1), access_days=1) == D(2026, 4, 1)
    assert elearning_end_date(D(2027, 12, 15), access_days=30) == D(2028, 1, 13)


def test_an_access_period_is_at_least_one_day():
    with pytest.raises(ValueError):
        elearning_end_date(D(2026, 4, 1), access_days=0)


def test_the_access_window_of_an_application_made_at_the_year_end():
    assert elearning_access_window(D(2025, 12, 28), is_partner=False, access_days=90) == (
        D(2026, 1, 4),
        D(2026, 4, 3),
    )
