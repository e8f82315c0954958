"""The default cancellation policy (R-CANCEL-4), per delivery type (``Course.Delivery``).

Migration 0002 writes the same tiers to the database so that every fresh database
has them; ``policy_tiers_for`` falls back to these when a delivery's row is missing.
Staff change the rows (Django admin), not this module.
"""

from .quoting import BUSINESS_DAYS, CALENDAR_DAYS, Tier

_SESSION_TIERS = (
    Tier(min_days_before=8, rate=0, unit=BUSINESS_DAYS),  # up to 8 business days before
    Tier(min_days_before=3, rate=50, unit=BUSINESS_DAYS),  # 7 to 3 business days before
    Tier(min_days_before=0, rate=100, unit=BUSINESS_DAYS),  # 2 or fewer, the day, no-show
)

#: delivery → tiers, most days first.
DEFAULT_TIERS: dict[str, tuple[Tier, ...]] = {
    "classroom": _SESSION_TIERS,
    "live": _SESSION_TIERS,
    "elearning": (
        Tier(min_days_before=1, rate=0, unit=CALENDAR_DAYS),  # before the access start date
        Tier(min_days_before=0, rate=100, unit=CALENDAR_DAYS),  # from the access start date
    ),
}
