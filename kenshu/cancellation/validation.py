"""What makes a set of tiers a valid policy (checked when staff edit it)."""

from collections.abc import Iterable
from itertools import pairwise

from django.utils.translation import gettext as _


def policy_tiers_errors(tiers: Iterable[tuple[int, int]]) -> list[str]:
    """The problems of ``(min_days_before, rate)`` pairs as a policy, in words (empty
    list: valid). A valid policy has rates from 0 to 100, one tier per number of days,
    exactly one tier from 0 days before (the day itself and no-shows), and a rate that
    strictly increases as the days before decrease."""
    pairs = sorted(tiers, key=lambda pair: pair[0], reverse=True)
    errors = []
    if any(not 0 <= rate <= 100 for _days, rate in pairs):
        errors.append(_("Each fee rate must be from 0 to 100 %."))
    days = [d for d, _rate in pairs]
    if len(set(days)) != len(days):
        errors.append(_("Two tiers start at the same number of days before."))
    if days.count(0) != 1:
        errors.append(
            _(
                "Exactly one tier must start at 0 days before: it applies on the first day, "
                "after it and to no-shows."
            )
        )
    rates = [rate for _days, rate in pairs]
    if any(later <= earlier for earlier, later in pairwise(rates)):
        errors.append(
            _("The fee rate must increase from tier to tier as the first day comes closer.")
        )
    return errors
