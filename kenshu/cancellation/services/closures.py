"""The provider's closure calendar (issue 6 item 8): staff add and remove closure days
(``kenshu.core.models.ClosureDay``). The quote reads them through
``business_calendar()`` on every call (no cache), so a change counts at once, for
every quote, preview and tier schedule made afterwards.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from kenshu.audit.services import audit_log
from kenshu.core.exceptions import DomainError, NotPermitted
from kenshu.core.models import ClosureDay

from .common import is_staff_with

ADD_PERMISSION = "core.add_closureday"
DELETE_PERMISSION = "core.delete_closureday"
#: The longest range added at once (a typo in a year should not close a year).
MAX_RANGE_DAYS = 31


def closure_days_add(
    *, actor, start: dt.date, end: dt.date | None = None, reason: str = ""
) -> list[ClosureDay]:
    """Close every day from ``start`` to ``end`` (included; default: ``start`` only),
    e.g. 12/29–1/3. Days already closed are left as they are. Returns the days added.
    Audits ``closure_days.added``. Staff with ``core.add_closureday``."""
    if not is_staff_with(actor, ADD_PERMISSION):
        raise NotPermitted()
    end = end or start
    if end < start:
        raise DomainError(_("The last day cannot be before the first day."), code="range_reversed")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise DomainError(
            _("Add at most %(days)s days at once."), code="range_too_long", days=MAX_RANGE_DAYS
        )
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    with transaction.atomic():
        existing = set(ClosureDay.objects.filter(date__in=days).values_list("date", flat=True))
        added = []
        for day in days:
            if day in existing:
                continue
            try:
                with transaction.atomic():
                    added.append(ClosureDay.objects.create(date=day, reason=reason[:100]))
            except IntegrityError:  # added by someone else meanwhile
                continue
        if added:
            audit_log(
                actor=actor,
                action="closure_days.added",
                target=added[0],
                data={
                    "dates": [day.date for day in added],
                    "reason": reason[:100],
                    "already_closed": sorted(existing),
                },
            )
    return added


def closure_day_remove(*, actor, closure_day: ClosureDay) -> None:
    """Open ``closure_day`` again (it becomes a business day unless a weekend or a
    holiday). Audits ``closure_day.removed``. Staff with ``core.delete_closureday``."""
    if not is_staff_with(actor, DELETE_PERMISSION):
        raise NotPermitted()
    with transaction.atomic():
        deleted, _rows = ClosureDay.objects.filter(pk=closure_day.pk).delete()
        if deleted:
            audit_log(
                actor=actor,
                action="closure_day.removed",
                target=None,
                data={"date": closure_day.date, "reason": closure_day.reason},
            )
