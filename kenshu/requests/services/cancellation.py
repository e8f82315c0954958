"""申し込みキャンセル依頼 (R-CANCEL-2, R-CANCEL-3): asked for by the customer on the web
or entered by staff from an email or a call; processed or rejected by staff.

The fee is the one of the cancellation policy **as of the contact date** (the day
the request was made, or the day the email or call came in), never the day staff
process it: processing passes ``contact_date=request.contact_date`` to the
cancellation services.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kenshu.accounts import policy
from kenshu.accounts.policy import Action
from kenshu.audit.services import audit_log
from kenshu.cancellation.services import cancellation_preview, enrollment_cancel, seats_cancel
from kenshu.core.exceptions import Conflict, InvalidState
from kenshu.core.locking import lock_rows
from kenshu.core.time import tokyo_date
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.models import InventoryItem, Seat

from .. import selectors
from ..models import CancellationRequest, RequestKind, RequestState
from .common import (
    ADD_PERMISSION,
    DECIDE_PERMISSION,
    lock_open,
    mark_decided,
    queue_decided_email,
    queue_received_emails,
    require_staff_perm,
    resolve_requester,
)

KIND = RequestKind.CANCELLATION
TEXT_FIELDS = ("course_code", "course_title", "session_date", "company_name", "learner_name")
TEXT_LIMITS = {
    "course_code": 20,
    "course_title": 200,
    "session_date": 100,
    "company_name": 200,
    "learner_name": 200,
}


def _check_requester_may_ask(requester, *, inventory: bool) -> None:
    """Inventory: group applicants (R-CANCEL-2). Its own enrolment: whoever applies for
    itself (R-CANCEL-1). Learners are told whom to ask (R-TYPE-2)."""
    action = Action.REQUEST_INVENTORY_CHANGE if inventory else Action.CANCEL_OWN_ENROLLMENT
    policy.require(requester, action)


def resolve_target(
    *, requester, item=None, seat=None, enrollment=None
) -> tuple[InventoryItem | None, Seat | None, Enrollment | None]:
    """The request's target, scoped to ``requester`` (``DoesNotExist`` otherwise).

    An enrolment assigned from inventory is its seat: the seat is cancelled (its
    enrolment with it), so the request names the seat. Returns ``(item, seat,
    enrollment)`` with exactly one of: a seat (and its item), an item (a whole
    purchase), or a self-applied enrolment."""
    if sum(x is not None for x in (item, seat, enrollment)) != 1:
        raise ValueError("give exactly one of item, seat, enrollment")
    if enrollment is not None:
        enrollment = selectors.own_enrollment(user=requester, pk=enrollment.pk)
        if enrollment.source == Enrollment.Source.INVENTORY:
            seat = Seat.objects.get(enrollment=enrollment)
            enrollment = None
    if seat is not None:
        seat = selectors.own_seat(user=requester, pk=seat.pk)
        return seat.item, seat, None
    if item is not None:
        item = selectors.own_purchase(user=requester, pk=item.pk)
        if not Seat.objects.filter(item=item, state__in=Seat.LIVE_STATES).exists():
            raise InvalidState(_("Every seat of this purchase has been cancelled already."))
        return item, None, None
    return None, None, enrollment


def _check_no_open_request(*, item, seat, enrollment) -> None:
    open_requests = CancellationRequest.objects.filter(state=RequestState.OPEN)
    if seat is not None:
        duplicate = open_requests.filter(seat=seat).first()
        if duplicate is None:
            duplicate = open_requests.filter(item=seat.item, seat__isnull=True).first()
    elif item is not None:
        duplicate = open_requests.filter(item=item).first()
    else:
        duplicate = open_requests.filter(enrollment=enrollment).first()
    if duplicate is not None:
        raise Conflict(
            _(
                "A cancellation request for this is already open (No. %(id)s, made on "
                "%(date)s). Our staff will answer it; you do not need to ask again."
            )
            % {"id": duplicate.pk, "date": duplicate.contact_date.isoformat()}
        )


def cancellation_request_create(
    *,
    actor,
    item: InventoryItem | None = None,
    seat: Seat | None = None,
    enrollment: Enrollment | None = None,
    message: str = "",
    requester=None,
    contact_date: dt.date | None = None,
    **texts: str,
) -> CancellationRequest:
    """Record a cancellation request (R-CANCEL-2) and email "received" to the requester
    and the staff queue.

    - A customer (``actor``, no ``requester``): the contact date is today (Asia/Tokyo);
      it may not choose another.
    - Staff entering a request received by email or phone: ``requester=`` the customer,
      ``contact_date=`` the day it came in (today or earlier); needs
      ``requests.add_cancellationrequest``; ``entered_by`` is the staff member.

    The target — one seat, a whole purchase (``item``) or an enrolment — must be the
    requester's own (``DoesNotExist`` otherwise: a 404 for the views). ``texts``:
    ``course_code``, ``course_title``, ``session_date``, ``company_name``,
    ``learner_name`` as the customer wrote them; any left out are taken from the
    target. One open request per seat, purchase or enrolment (``Conflict``).
    """
    today = tokyo_date()
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    requester, entered_by, contact_date = resolve_requester(
        actor=actor,
        requester=requester,
        contact_date=contact_date,
        perm=ADD_PERMISSION[KIND],
        today=today,
    )
    item, seat, enrollment = resolve_target(
        requester=requester, item=item, seat=seat, enrollment=enrollment
    )
    _check_requester_may_ask(requester, inventory=item is not None)
    bought = item.purchased_at if item is not None else enrollment.applied_at
    if contact_date < tokyo_date(bought):
        raise InvalidState(
            _("The contact date cannot be before the purchase (%(date)s).")
            % {"date": tokyo_date(bought).isoformat()}
        )
    prefill = selectors.cancellation_prefill(seat=seat, item=item, enrollment=enrollment)
    values = {}
    for name in TEXT_FIELDS:
        given = texts.get(name)
        value = prefill[name] if given is None else str(given).strip()
        values[name] = value[: TEXT_LIMITS[name]]
    if not values["course_code"] or not values["course_title"]:
        raise InvalidState(_("Please give the course code and the course name."))

    try:
        with transaction.atomic():
            if item is not None:  # one request at a time per purchase: lock it
                lock_rows(InventoryItem.objects.all(), [item.pk])
            _check_no_open_request(item=item, seat=seat, enrollment=enrollment)
            request = CancellationRequest.objects.create(
                requester=requester,
                entered_by=entered_by,
                contact_date=contact_date,
                message=(message or "").strip(),
                item=item,
                seat=seat,
                enrollment=enrollment,
                **values,
            )
            audit_log(
                actor=actor,
                action="request.cancellation.created",
                target=request,
                data={
                    "requester": requester.pk,
                    "item": item.pk if item else None,
                    "seat": seat.pk if seat else None,
                    "enrollment": enrollment.pk if enrollment else None,
                    "contact_date": contact_date.isoformat(),
                    "entered_by_staff": entered_by is not None,
                },
            )
            queue_received_emails(
                request=request, kind=KIND, requester=requester, details=details_of(request)
            )
    except IntegrityError as exc:  # lost a race with the same request: say so
        _check_no_open_request(item=item, seat=seat, enrollment=enrollment)
        raise Conflict() from exc
    return request


def details_of(request: CancellationRequest) -> dict:
    """What the emails say about the request."""
    return {
        "course_code": request.course_code,
        "course_title": request.course_title,
        "session_date": request.session_date,
        "company_name": request.company_name,
        "learner_name": request.learner_name,
        "whole_purchase": request.is_whole_purchase,
    }


def seats_to_cancel(request: CancellationRequest) -> list[Seat]:
    """The live seats the request covers: its seat, or every live seat of its purchase."""
    if request.seat_id is not None:
        seats = Seat.objects.filter(pk=request.seat_id, state__in=Seat.LIVE_STATES)
    elif request.item_id is not None:
        seats = Seat.objects.filter(item_id=request.item_id, state__in=Seat.LIVE_STATES)
    else:
        return []
    return list(seats.select_related("item", "learner", "enrollment").order_by("pk"))


def cancellation_request_quote(*, request: CancellationRequest):
    """The preview of what processing would charge, **as of the contact date**
    (R-CANCEL-3), or ``None`` when nothing is left to cancel."""
    if request.enrollment_id is not None:
        enrollment = request.enrollment
        if not enrollment.is_live:
            return None
        return cancellation_preview(enrollment=enrollment, contact_date=request.contact_date)
    seats = seats_to_cancel(request)
    if not seats:
        return None
    return cancellation_preview(seats=seats, contact_date=request.contact_date)


def cancellation_request_process(
    *, actor, request: CancellationRequest, note: str = ""
) -> CancellationRequest:
    """Staff process the request: cancel the seat(s) or the enrolment with the fee of
    the policy **as of the request's contact date** (R-CANCEL-3), keep the fee, rate
    and documents on the request, mark it done, audit and email the requester.

    One transaction: if cancelling fails, the request stays open and nothing is kept.
    Needs ``requests.decide_cancellationrequest``.
    """
    require_staff_perm(actor, DECIDE_PERMISSION[KIND])
    note = (note or "").strip()
    with transaction.atomic():
        request = lock_open(CancellationRequest, request)
        reason = _("Cancellation request No. %(id)s") % {"id": request.pk}
        if request.item_id is not None:
            seats = seats_to_cancel(request)
            if not seats:
                raise InvalidState(_("Nothing is left to cancel: the seats are cancelled already."))
            outcome = seats_cancel(
                actor=actor,
                seats=seats,
                contact_date=request.contact_date,
                reason=reason,
                request=request,
            )
            cancelled = {"seats": [seat.pk for seat in seats]}
        else:
            enrollment = Enrollment.objects.select_related("course", "session", "learner").get(
                pk=request.enrollment_id
            )
            if not enrollment.is_live:
                raise InvalidState(
                    _("Nothing is left to cancel: the enrolment is cancelled already.")
                )
            outcome = enrollment_cancel(
                actor=actor,
                enrollment=enrollment,
                contact_date=request.contact_date,
                reason=reason,
            )
            cancelled = {"enrollment": enrollment.pk}
        request.fee = outcome.fee
        request.fee_rate = outcome.fee_rate  # None when the seats' rates differ
        request.credit_note = outcome.credit_note
        request.fee_invoice = outcome.fee_invoice
        mark_decided(
            request,
            actor=actor,
            state=RequestState.DONE,
            reason=note,
            extra_fields=("fee", "fee_rate", "credit_note", "fee_invoice"),
        )
        refund = sum(refund.amount for refund in outcome.refunds)
        documents = {
            "fee": request.fee,
            "fee_rate": request.fee_rate,
            "credit_note": request.credit_note.number if request.credit_note else None,
            "fee_invoice": request.fee_invoice.number if request.fee_invoice else None,
            "credit_notes": [invoice.number for invoice in outcome.credit_notes],
            "fee_invoices": [invoice.number for invoice in outcome.fee_invoices],
            "refund": refund,
        }
        audit_log(
            actor=actor,
            action="request.cancellation.processed",
            target=request,
            data={
                "contact_date": request.contact_date.isoformat(),
                **cancelled,
                **documents,
            },
        )
        queue_decided_email(
            request=request,
            kind=KIND,
            approved=True,
            reason=note,
            details={
                **details_of(request),
                "contact_date": request.contact_date.isoformat(),
                "fee": request.fee,
                "fee_rate": request.fee_rate,
                "credit_note_number": documents["credit_note"] or "",
                "credit_note_total": -request.credit_note.total if request.credit_note else 0,
                "fee_invoice_number": documents["fee_invoice"] or "",
                "fee_invoice_total": request.fee_invoice.total if request.fee_invoice else 0,
                "refund_amount": refund,
            },
        )
    return request
