"""The cancellation tiers of an application with their dates (R-CANCEL-4), for the
confirmation page, the acceptance email and My Account.

The tiers are the snapshot kept with the enrolment (or, before applying, the
policy in force: ``policy_tiers_for``); the dates count back from the session's
first day (business days) or the e-learning access start date (calendar days),
with the provider's closure days.
"""

import datetime as dt
from collections.abc import Iterable, Mapping

from kenshu.cancellation.quoting import TierWindow
from kenshu.cancellation.selectors import tier_schedule_for


def cancellation_windows(*, tiers: Iterable[Mapping], first_day: dt.date) -> list[TierWindow]:
    """The tiers as dated windows of contact dates, most days first ([] without tiers)."""
    tiers = list(tiers)
    if not tiers:
        return []
    return tier_schedule_for(tiers=tiers, first_day=first_day)


def windows_as_json(windows: Iterable[TierWindow]) -> list[dict]:
    """The windows for an email context: ISO dates ("" = no bound) and the rate."""
    return [
        {
            "rate": w.rate,
            "starts_on": w.starts_on.isoformat() if w.starts_on else "",
            "ends_on": w.ends_on.isoformat() if w.ends_on else "",
        }
        for w in windows
    ]
