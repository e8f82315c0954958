"""Cancelling inventory seats (R-CANCEL-2, R-CANCEL-3): staff only, on a request.

Who: staff with ``requests.decide_cancellationrequest`` (accounting and
administrators: cancelling a seat issues credit notes, fee invoices and refunds,
which is accounting's work; it is the same permission as processing the request
that leads to it). Customers — a group applicant included — never cancel
inventory themselves (R-TYPE): they send a request.
"""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kenshu.audit.services import audit_log
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import InvalidState, NotPermitted
from kenshu.core.locking import lock_rows
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.services.waiting_list import waiting_list_offer_next
from kenshu.inventory.models import Assignment, Seat

from .. import emails
from .common import (
    CancellationOutcome,
    cancel_enrollment_row,
    check_contact_date,
    is_staff_with,
    settle,
)
from .preview import cancellation_preview

STAFF_PERMISSION = "requests.decide_cancellationrequest"


class SeatAlreadyCancelled(InvalidState):
    code = "seat_already_cancelled"
    default_message = _("Seat %(seat)s has already been cancelled.")


def seats_cancel(
    *,
    actor,
    seats: Sequence[Seat],
    contact_date: dt.date,
    reason: str = "",
    request=None,
) -> CancellationOutcome:
    """Staff cancel inventory ``seats`` (assigned or not, of one purchase or several);
    the fee of each is quoted with its purchase's tiers **as of ``contact_date``**, the
    day the customer made contact (R-CANCEL-3), not today.

    In one transaction: lock the sessions, then the seats (then their enrolments) in
    primary-key order; each seat becomes ``cancelled`` (an assigned seat's current
    ``Assignment`` ends, its enrolment is cancelled and its queued emails withdrawn);
    the freed seats are offered to each session's waiting list; the money is settled
    per purchase's invoice (credit note, fee invoice, refund); ``inventory.seats_cancelled``
    is audited per purchase; the applicant and the learners of assigned seats are
    emailed ``cancellation_done``. ``request``: the ``CancellationRequest`` being
    processed, if any (named in the audit entry; the caller records the outcome on it).

    Raises ``NotPermitted`` (audited as ``inventory.cancel_refused``) for anyone but
    such staff, ``SeatAlreadyCancelled``, ``DomainError`` for a contact date in the
    future or before the purchase.
    """
    if not is_staff_with(actor, STAFF_PERMISSION):
        audit_log(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action="inventory.cancel_refused",
            target=seats[0].item if seats else None,
            data={"seats": [seat.pk for seat in seats]},
        )
        raise NotPermitted(
            _(
                "Purchased seats (inventory) are cancelled by our staff. "
                "Please send a cancellation request."
            )
        )
    if not seats:
        raise ValueError("no seats to cancel")
    seat_ids = sorted({seat.pk for seat in seats})
    now = ktime.now()
    today = ktime.tokyo_date(now)

    with transaction.atomic():
        session_ids = sorted(
            {
                pk
                for pk in Seat.objects.filter(pk__in=seat_ids).values_list(
                    "item__session_id", flat=True
                )
                if pk
            }
        )
        if session_ids:
            lock_rows(Session.objects.all(), session_ids)
        locked = lock_rows(Seat.objects.all(), seat_ids)
        if len(locked) != len(seat_ids):
            raise ValueError("a seat does not exist")
        enrollment_ids = [seat.enrollment_id for seat in locked if seat.enrollment_id]
        if enrollment_ids:
            lock_rows(Enrollment.objects.all(), enrollment_ids)
        locked = list(
            Seat.objects.filter(pk__in=seat_ids)
            .select_related("item__course", "item__session", "item__applicant", "learner")
            .select_related("enrollment__course", "enrollment__session", "enrollment__learner")
            .order_by("pk")
        )
        for seat in locked:
            if seat.state == Seat.State.CANCELLED:
                raise SeatAlreadyCancelled(seat=str(seat))
        for item in {seat.item_id: seat.item for seat in locked}.values():
            check_contact_date(
                contact_date, today=today, bought_on=ktime.tokyo_date(item.purchased_at)
            )

        preview = cancellation_preview(seats=locked, contact_date=contact_date)
        fees = {line.seat.pk: line for line in preview.lines}
        cancelled_enrollments = []
        learners = {}  # seat pk → (learner, enrollment) of assigned seats
        for seat in locked:
            line = fees[seat.pk]
            if seat.state == Seat.State.ASSIGNED:
                enrollment = seat.enrollment
                learners[seat.pk] = (seat.learner, enrollment)
                Assignment.objects.filter(seat=seat, ended_at__isnull=True).update(
                    ended_at=now, ended_by=actor
                )
                cancel_enrollment_row(
                    enrollment,
                    actor=actor,
                    now=now,
                    contact_date=contact_date,
                    fee=line.fee,
                    reason=reason,
                )
                cancelled_enrollments.append(enrollment)
            seat.state = Seat.State.CANCELLED
            seat.cancelled_at = now
            seat.learner = None
            seat.enrollment = None
            seat.save(update_fields=["state", "cancelled_at", "learner", "enrollment"])

        offers = []
        for session in Session.objects.filter(pk__in=session_ids).order_by("pk"):
            offers.extend(waiting_list_offer_next(session=session, now=now))

        for item in {line.seat.item_id: line.seat.item for line in preview.lines}.values():
            lines = [line for line in preview.lines if line.seat.item_id == item.pk]
            audit_log(
                actor=actor,
                action="inventory.seats_cancelled",
                target=item,
                data={
                    "seats": [line.seat.pk for line in lines],
                    "enrollments": [
                        learners[line.seat.pk][1].number
                        for line in lines
                        if line.seat.pk in learners
                    ],
                    "contact_date": contact_date,
                    "rates": [line.rate for line in lines],
                    "fee": sum(line.fee for line in lines),
                    "request": request.pk if request is not None else None,
                    "reason": reason[:200],
                },
            )
        # Invoice numbers last: their series stay locked until commit.
        refund_reason = ", ".join(f"{seat} cancelled" for seat in locked)
        settlements = tuple(
            settle(actor=actor, preview=preview, reason=refund_reason, issued_on=today)
        )
        emails.queue_seats_cancelled(preview=preview, settlements=settlements, learners=learners)
    return CancellationOutcome(
        preview=preview,
        enrollments=tuple(cancelled_enrollments),
        seats=tuple(locked),
        settlements=settlements,
        waiting_list_offers=tuple(offers),
    )
