"""Reads of the cancellation policy, and the quote with the provider's calendar.

These are the only functions of the app that touch the database: the policy rows
(``policy_tiers_for``) and the closure days, through ``business_calendar()``
(``quote_for``, ``tier_schedule_for``). The rules themselves are in ``quoting``.
"""

import datetime as dt
from collections.abc import Iterable, Mapping

from kenshu.core.time import business_calendar

from .defaults import DEFAULT_TIERS
from .models import CancellationTier
from .quoting import Quote, Tier, TierWindow, quote, tier_schedule


def policy_tiers_for(delivery: str) -> list[dict]:
    """The tiers in force now for ``delivery`` (``Course.Delivery``), as the snapshot to
    store on a new enrolment (``Enrollment.cancellation_tiers``), most days first.
    Falls back to the defaults of R-CANCEL-4 when the delivery has no policy row (or
    a row without tiers). One query (the tiers with their policy's unit)."""
    rows = (
        CancellationTier.objects.filter(policy__delivery=delivery)
        .order_by("-min_days_before", "pk")
        .values_list("min_days_before", "rate", "policy__unit")
    )
    snapshot = [{"min_days_before": days, "rate": rate, "unit": unit} for days, rate, unit in rows]
    if snapshot:
        return snapshot
    try:
        defaults = DEFAULT_TIERS[delivery]
    except KeyError:
        raise ValueError(f"unknown delivery: {delivery!r}") from None
    return [tier.as_dict() for tier in defaults]


def quote_for(
    *,
    tiers: Iterable[Tier | Mapping],
    first_day: dt.date,
    contact_date: dt.date,
    amount: int,
) -> Quote:
    """``quote()`` with the provider's calendar (closure days read from the database)."""
    return quote(
        tiers=tiers,
        first_day=first_day,
        contact_date=contact_date,
        amount=amount,
        calendar=business_calendar(),
    )


def tier_schedule_for(*, tiers: Iterable[Tier | Mapping], first_day: dt.date) -> list[TierWindow]:
    """``tier_schedule()`` with the provider's calendar (closure days from the database)."""
    return tier_schedule(tiers=tiers, first_day=first_day, calendar=business_calendar())


def enrollment_for_canceller(*, user, pk: int):
    """The enrolment ``pk`` of which ``user`` is the learner, with what the cancel page
    shows (raises ``Enrollment.DoesNotExist`` for anyone else's, as if it did not exist)."""
    from kenshu.enrollments.models import Enrollment

    if not user.is_authenticated:
        raise Enrollment.DoesNotExist(pk)
    return Enrollment.objects.select_related(
        "course", "session", "order", "learner", "applicant__organisation"
    ).get(pk=pk, learner=user)
