"""E-learning access dates (R-ELEARN-1, R-ELEARN-2, R-ELEARN-3): pure date rules.

All dates are calendar days in Asia/Tokyo (the caller turns "now" into a Tokyo
date with ``kenshu.core.time.tokyo_date``).

- Access starts on the application date + 7 days; partner courses + 10 days
  (R-ELEARN-1). The same offsets count from the assignment date for seats bought
  for others (R-ELEARN-2), so the inventory app calls the same function.
- The access period counts from the start date, and the start date is its first
  day (R-ELEARN-3): a 90-day period starting on 1 April ends on 29 June, the
  90th day, inclusive. ``access_ends_on`` is that last day of access.
"""

import datetime as dt

#: Days from the application (or assignment) date to the access start date.
LEAD_DAYS = 7
PARTNER_LEAD_DAYS = 10


def elearning_start_date(applied_on: dt.date, *, is_partner: bool) -> dt.date:
    """The first day of access for an application made on ``applied_on`` (Tokyo date)."""
    return applied_on + dt.timedelta(days=PARTNER_LEAD_DAYS if is_partner else LEAD_DAYS)


def elearning_end_date(starts_on: dt.date, *, access_days: int) -> dt.date:
    """The last day of access (inclusive): the start date is day 1 of ``access_days``."""
    if access_days < 1:
        raise ValueError("an access period is at least one day")
    return starts_on + dt.timedelta(days=access_days - 1)


def elearning_access_window(
    applied_on: dt.date, *, is_partner: bool, access_days: int
) -> tuple[dt.date, dt.date]:
    """``(first day, last day)`` of access for an application made on ``applied_on``."""
    starts_on = elearning_start_date(applied_on, is_partner=is_partner)
    return starts_on, elearning_end_date(starts_on, access_days=access_days)
