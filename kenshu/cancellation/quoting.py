"""The cancellation quote (R-CANCEL-3, R-CANCEL-4): pure functions, no database.

``quote()`` turns a tier snapshot, the first day (or the e-learning access start
date), the contact date, an amount and a ``BusinessCalendar`` into a ``Quote``.
``tier_schedule()`` turns the same tiers into dated windows ("until 4/23: 0 %;
4/24–5/1: 50 %; from 5/2: 100 %"). Neither reads the clock nor the database: the
caller passes the contact date (R-CANCEL-3: the day the customer made contact, not
the day staff process it) and the calendar (``kenshu.cancellation.selectors`` has the
helpers that read the closure days). This module imports no Django model, so
``kenshu.cancellation.quote`` can be imported before the apps are loaded.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext, ngettext

from kenshu.core.time import BusinessCalendar

#: Tiers counted in business days before the session's first day (classroom, live).
BUSINESS_DAYS = "business_days"
#: Tiers counted in calendar days before the access start date (e-learning).
CALENDAR_DAYS = "calendar_days"
UNITS = (BUSINESS_DAYS, CALENDAR_DAYS)

_ONE_DAY = dt.timedelta(days=1)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class Tier:
    """From ``min_days_before`` days before the first day (inclusive), the fee is
    ``rate`` % of the amount. ``unit`` says how the days are counted."""

    min_days_before: int
    rate: int
    unit: str

    def __post_init__(self) -> None:
        if not _is_int(self.min_days_before) or self.min_days_before < 0:
            raise ValueError(f"min_days_before must be an integer >= 0: {self.min_days_before!r}")
        if not _is_int(self.rate) or not 0 <= self.rate <= 100:
            raise ValueError(f"rate must be an integer from 0 to 100: {self.rate!r}")
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}: {self.unit!r}")

    @classmethod
    def of(cls, value: "Tier | Mapping") -> "Tier":
        """A ``Tier`` from a tier or a snapshot dict ``{"min_days_before", "rate", "unit"}``."""
        if isinstance(value, Tier):
            return value
        if isinstance(value, Mapping):
            try:
                return cls(value["min_days_before"], value["rate"], value["unit"])
            except KeyError as exc:
                raise ValueError(f"a tier needs {exc.args[0]!r}: {dict(value)!r}") from None
        raise TypeError(f"a tier is a Tier or a dict, not {type(value).__name__}")

    def as_dict(self) -> dict:
        """The snapshot form stored on an enrolment (``Enrollment.cancellation_tiers``)."""
        return {"min_days_before": self.min_days_before, "rate": self.rate, "unit": self.unit}


def normalise_tiers(tiers: Iterable["Tier | Mapping"]) -> tuple[Tier, ...]:
    """The tiers as ``Tier`` objects, most days first. Raises ``ValueError`` for an
    empty list, mixed units or two tiers with the same ``min_days_before``."""
    ordered = tuple(
        sorted((Tier.of(t) for t in tiers), key=lambda t: t.min_days_before, reverse=True)
    )
    if not ordered:
        raise ValueError("no cancellation tiers: pass the snapshot (policy_tiers_for)")
    if len({t.unit for t in ordered}) != 1:
        raise ValueError(f"the tiers mix units: {ordered!r}")
    if len({t.min_days_before for t in ordered}) != len(ordered):
        raise ValueError(f"two tiers share a min_days_before: {ordered!r}")
    return ordered


def _check_date(name: str, value) -> None:
    # A datetime is a date too; refuse it so that nobody passes a UTC instant by mistake.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime.date (Asia/Tokyo), not {value!r}")


def days_before(
    *, unit: str, first_day: dt.date, contact_date: dt.date, calendar: BusinessCalendar
) -> int:
    """How many days before ``first_day`` a contact on ``contact_date`` is (R-CANCEL-4).

    ``business_days``: the business days from the contact date (included) to the
    first day (excluded). Closed days are not counted, so a contact on a Saturday or
    a holiday counts as one on the next business day. ``calendar_days``: the calendar
    days from the contact date to the access start date. Both are 0 on or after the
    first day.
    """
    if unit == BUSINESS_DAYS:
        return calendar.business_days_between(contact_date, first_day)
    if unit == CALENDAR_DAYS:
        return max(0, (first_day - contact_date).days)
    raise ValueError(f"unit must be one of {UNITS}: {unit!r}")


@dataclass(frozen=True, slots=True)
class Quote:
    """What cancelling costs when the customer makes contact on ``computed_for``."""

    rate: int  #: % of the amount, from the matching tier
    fee: int  #: JPY, ``amount * rate // 100`` (rounded down)
    days_before: int  #: business or calendar days (``unit``) before ``first_day``
    tier: Tier  #: the matching tier
    computed_for: dt.date  #: the contact date the quote is for (R-CANCEL-3)
    first_day: dt.date  #: the session's first day, or the e-learning access start date
    unit: str  #: ``business_days`` or ``calendar_days``
    amount: int  #: the amount the rate was applied to (JPY, tax excluded)


def _matching_tier(ordered: tuple[Tier, ...], days: int) -> Tier:
    for tier in ordered:
        if days >= tier.min_days_before:
            return tier
    return ordered[-1]  # fewer days than any threshold: the last tier


def quote(
    *,
    tiers: Iterable["Tier | Mapping"],
    first_day: dt.date,
    contact_date: dt.date,
    amount: int,
    calendar: BusinessCalendar,
) -> Quote:
    """The cancellation fee for a contact on ``contact_date`` (R-CANCEL-3, R-CANCEL-4).

    ``tiers``: the snapshot kept with the enrolment (dicts or ``Tier``), in any order.
    The tier is the first one, most days first, whose ``min_days_before`` the contact
    reaches; a contact on or after the first day (or a no-show) falls in the last tier.
    The fee is ``amount * rate // 100`` yen, rounded down.
    """
    _check_date("first_day", first_day)
    _check_date("contact_date", contact_date)
    if not _is_int(amount) or amount < 0:
        raise ValueError(f"amount must be an integer number of yen >= 0: {amount!r}")
    ordered = normalise_tiers(tiers)
    unit = ordered[0].unit
    days = days_before(unit=unit, first_day=first_day, contact_date=contact_date, calendar=calendar)
    tier = _matching_tier(ordered, days)
    return Quote(
        rate=tier.rate,
        fee=amount * tier.rate // 100,
        days_before=days,
        tier=tier,
        computed_for=contact_date,
        first_day=first_day,
        unit=unit,
        amount=amount,
    )


@dataclass(frozen=True, slots=True)
class TierWindow:
    """The contact dates that fall in one tier: ``starts_on`` to ``ends_on``, both
    included; ``None`` = no bound (the first window has no start, the last no end:
    it also covers the first day itself, later days and a no-show). The windows of a
    schedule follow each other without gap or overlap."""

    tier: Tier
    starts_on: dt.date | None
    ends_on: dt.date | None
    #: The most days before that still fall in this tier (``None``: no limit).
    max_days_before: int | None
    is_last: bool

    @property
    def rate(self) -> int:
        return self.tier.rate

    @property
    def min_days_before(self) -> int:
        return self.tier.min_days_before

    def contains(self, day: dt.date) -> bool:
        return (self.starts_on is None or self.starts_on <= day) and (
            self.ends_on is None or day <= self.ends_on
        )

    @property
    def label(self) -> str:
        """The days this tier covers, in words of the active language."""
        return _window_label(self.tier, self.max_days_before, self.is_last)


def last_contact_date(*, tier: Tier, first_day: dt.date, calendar: BusinessCalendar) -> dt.date:
    """The last contact date still in ``tier`` (``min_days_before`` >= 1): the N-th
    business day counting back from the first day (R-CANCEL-4), or N calendar days
    before the access start date."""
    n = tier.min_days_before
    if n < 1:
        raise ValueError("a tier from 0 days before has no last contact date")
    if tier.unit == BUSINESS_DAYS:
        return calendar.add_business_days(first_day, -n)
    return first_day - dt.timedelta(days=n)


def tier_schedule(
    *,
    tiers: Iterable["Tier | Mapping"],
    first_day: dt.date,
    calendar: BusinessCalendar,
) -> list[TierWindow]:
    """The tiers as dated windows of contact dates, most days first.

    For each tier but the last, ``ends_on`` is the last contact date still in it
    (``last_contact_date``); the next window starts the day after. A contact on any
    date gets from ``quote()`` the tier of the window that contains that date.
    """
    _check_date("first_day", first_day)
    ordered = normalise_tiers(tiers)
    windows: list[TierWindow] = []
    starts_on: dt.date | None = None
    max_days: int | None = None
    for index, tier in enumerate(ordered):
        is_last = index == len(ordered) - 1
        ends_on = (
            None
            if is_last
            else last_contact_date(tier=tier, first_day=first_day, calendar=calendar)
        )
        windows.append(TierWindow(tier, starts_on, ends_on, max_days, is_last))
        if ends_on is not None:
            starts_on = ends_on + _ONE_DAY
        max_days = tier.min_days_before - 1
    return windows


def tier_label(*, tiers: Iterable["Tier | Mapping"], tier: "Tier | Mapping") -> str:
    """The days ``tier`` covers within ``tiers``, in words ("7 to 3 business days
    before the first day"), e.g. to show with a ``Quote``."""
    ordered = normalise_tiers(tiers)
    tier = Tier.of(tier)
    index = ordered.index(tier)
    max_days = None if index == 0 else ordered[index - 1].min_days_before - 1
    return _window_label(tier, max_days, index == len(ordered) - 1)


def _window_label(tier: Tier, max_days: int | None, is_last: bool) -> str:
    n = tier.min_days_before
    if tier.unit == BUSINESS_DAYS:
        if max_days is None:
            if is_last:
                return gettext("At any time")
            return ngettext(
                "%(n)d business day or more before the first day",
                "%(n)d business days or more before the first day",
                n,
            ) % {"n": n}
        if is_last:
            if max_days == 0:
                return gettext("On the first day or later, or no-show")
            return ngettext(
                "%(n)d business day before the first day or later, or no-show",
                "%(n)d business days before the first day or later, or no-show",
                max_days,
            ) % {"n": max_days}
        if max_days == n:
            return ngettext(
                "%(n)d business day before the first day",
                "%(n)d business days before the first day",
                n,
            ) % {"n": n}
        return gettext("%(max)d to %(min)d business days before the first day") % {
            "max": max_days,
            "min": n,
        }
    if max_days is None:
        if is_last:
            return gettext("At any time")
        if n == 1:
            return gettext("Before the access start date")
        return ngettext(
            "%(n)d day or more before the access start date",
            "%(n)d days or more before the access start date",
            n,
        ) % {"n": n}
    if is_last:
        if max_days == 0:
            return gettext("From the access start date")
        return ngettext(
            "%(n)d day before the access start date or later",
            "%(n)d days before the access start date or later",
            max_days,
        ) % {"n": max_days}
    if max_days == n:
        return ngettext(
            "%(n)d day before the access start date",
            "%(n)d days before the access start date",
            n,
        ) % {"n": n}
    return gettext("%(max)d to %(min)d days before the access start date") % {
        "max": max_days,
        "min": n,
    }
