"""Cancelling one enrolment (R-CANCEL-1, R-CANCEL-3, R-CANCEL-5).

- The customer: the learner who applied for itself (source ``self``, applicant =
  learner = actor, a user type that may cancel: individual, corporate, group
  applicant), on the day it cancels (the contact date is today), until the session
  starts. A group or partner learner is told whom to ask; a place assigned from
  inventory is cancelled by staff (``seats_cancel``), on a request.
- Staff with ``requests.decide_cancellationrequest`` (accounting, administrator): any
  enrolment applied for oneself,
  with the contact date the customer made contact (an email, a call), which may be
  in the past (R-CANCEL-3).
"""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kenshu.audit.services import audit_log
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import InvalidState, NotPermitted
from kenshu.core.locking import lock_rows
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.services.waiting_list import waiting_list_offer_next

from .. import emails
from ..checks import customer_cancel_refusal
from .common import (
    CancellationOutcome,
    cancel_enrollment_row,
    check_contact_date,
    is_staff_with,
    settle,
)
from .preview import cancellation_preview

#: Staff who cancel an enrolment (money: a credit note, a fee invoice, a refund) are those
#: who process cancellation requests (accounting, administrators) — not reception, whose
#: ``enrollments.change_enrollment`` is for attendance and date changes.
STAFF_PERMISSIONS = ("requests.decide_cancellationrequest",)


class AlreadyCancelled(InvalidState):
    code = "already_cancelled"
    default_message = _("This application has already been cancelled.")


class NotCancellable(InvalidState):
    code = "not_cancellable"
    default_message = _("This application can no longer be cancelled.")


class InventoryPlace(InvalidState):
    code = "inventory_place"
    default_message = _(
        "This place is an inventory seat: cancel the seat (the purchase's cancellation) "
        "instead, so that the purchase is credited."
    )


def _refuse(actor, enrollment, refusal) -> None:
    """Audit a refused attempt (outside any transaction of ours: it stays) and raise."""
    audit_log(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action="enrollment.cancel_refused",
        target=enrollment,
        data={"code": refusal.code},
    )
    raise NotPermitted(refusal.message, code=refusal.code)


def enrollment_cancel(
    *,
    actor,
    enrollment: Enrollment,
    contact_date: dt.date | None = None,
    reason: str = "",
) -> CancellationOutcome:
    """Cancel ``enrollment``; the fee is quoted as of ``contact_date`` (default: today,
    Asia/Tokyo) with the tiers kept with it.

    In one transaction: lock the session (and the enrolment), mark the enrolment
    cancelled, withdraw its queued emails, offer the freed seat to the waiting list,
    issue the credit note / fee invoice / refund (``kenshu.billing.refunds``), audit
    ``enrollment.cancelled`` and queue ``cancellation_done`` to the learner and, where
    different, the applicant.

    Raises ``NotPermitted`` (audited as ``enrollment.cancel_refused``: someone else's
    enrolment, a group or partner learner — with whom to ask —, a place from
    inventory), ``AlreadyCancelled``, ``NotCancellable`` (the session has started, or
    the enrolment is attended/completed), ``InventoryPlace`` (staff: cancel the seat),
    ``DomainError`` for a contact date in the future or before the application (or,
    for a customer, any day but today).
    """
    staff = any(is_staff_with(actor, perm) for perm in STAFF_PERMISSIONS)
    now = ktime.now()
    today = ktime.tokyo_date(now)
    if not staff:
        refusal = customer_cancel_refusal(user=actor, enrollment=enrollment, now=now)
        if refusal is not None and refusal.is_permission:
            _refuse(actor, enrollment, refusal)
        if contact_date not in (None, today):
            raise NotPermitted(
                _("Only staff can record a contact date other than today."),
                code="contact_date_not_today",
            )
    contact_date = contact_date or today
    check_contact_date(contact_date, today=today, bought_on=ktime.tokyo_date(enrollment.applied_at))

    with transaction.atomic():
        if enrollment.session_id:
            lock_rows(Session.objects.all(), [enrollment.session_id])
        lock_rows(Enrollment.objects.all(), [enrollment.pk])
        enrollment = Enrollment.objects.select_related(
            "course", "session", "order", "learner", "applicant"
        ).get(pk=enrollment.pk)
        if enrollment.state == Enrollment.State.CANCELLED:
            raise AlreadyCancelled()
        if not enrollment.is_live:
            raise NotCancellable()
        if enrollment.source != Enrollment.Source.SELF:
            if staff:
                raise InventoryPlace()
            _refuse(actor, enrollment, customer_cancel_refusal(user=actor, enrollment=enrollment))
        if not staff:
            refusal = customer_cancel_refusal(user=actor, enrollment=enrollment, now=now)
            if refusal is not None:
                raise NotCancellable(refusal.message, code=refusal.code)

        preview = cancellation_preview(enrollment=enrollment, contact_date=contact_date)
        (line,) = preview.lines
        cancel_enrollment_row(
            enrollment,
            actor=actor,
            now=now,
            contact_date=contact_date,
            fee=line.fee,
            reason=reason,
        )
        offers = ()
        if enrollment.session_id:
            offers = tuple(waiting_list_offer_next(session=enrollment.session, now=now))
        audit_log(
            actor=actor,
            action="enrollment.cancelled",
            target=enrollment,
            data={
                "by": "staff" if staff else "customer",
                "contact_date": contact_date,
                "first_day": line.first_day,
                "days_before": line.days_before,
                "rate": line.rate,
                "fee": line.fee,
                "reason": enrollment.cancellation_reason,
                "waiting_list_offers": [entry.pk for entry in offers],
            },
        )
        # Invoice numbers last: their series stay locked until commit.
        settlements = tuple(
            settle(actor=actor, preview=preview, reason=_reason(enrollment), issued_on=today)
        )
        emails.queue_enrollment_cancelled(
            enrollment=enrollment, preview=preview, settlements=settlements, by_staff=staff
        )
    return CancellationOutcome(
        preview=preview,
        enrollments=(enrollment,),
        settlements=settlements,
        waiting_list_offers=offers,
    )


def _reason(enrollment: Enrollment) -> str:
    """The refund's reason: what was cancelled."""
    return f"{enrollment.number} {enrollment.course.code} cancelled"
