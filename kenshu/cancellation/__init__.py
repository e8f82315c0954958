"""Cancellation policy and the cancellation quote (DOMAIN.md §6, R-CANCEL-3/4).

``from kenshu.cancellation import quote`` is the pure fee function (no database);
``kenshu.cancellation.selectors`` has the helpers that read the policy and the closure
days. See docs/cancellation.md.
"""

from .quoting import (
    BUSINESS_DAYS,
    CALENDAR_DAYS,
    Quote,
    Tier,
    TierWindow,
    quote,
    tier_label,
    tier_schedule,
)

__all__ = [
    "BUSINESS_DAYS",
    "CALENDAR_DAYS",
    "Quote",
    "Tier",
    "TierWindow",
    "quote",
    "tier_label",
    "tier_schedule",
]
