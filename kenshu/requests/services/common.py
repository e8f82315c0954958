"""What every kind of request shares: the received and decided emails (DOMAIN.md §8),
the decision bookkeeping, and the staff page a request is handled on.

Email contexts hold JSON values only (dates as ISO strings); the templates under
``kenshu/requests/templates/notifications/email/`` name the kind with
``request_kind_label`` and show the ``details`` they are given.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kenshu.accounts.models import User
from kenshu.audit.services import audit_log
from kenshu.core.exceptions import Conflict, InvalidState, NotPermitted
from kenshu.core.locking import lock_rows
from kenshu.notifications.services import email_queue

from ..models import RequestKind, RequestState

#: The staff page of each kind of request (``<name>`` takes the request's pk).
STAFF_DETAIL_URL = {
    RequestKind.TYPE_CHANGE: "backoffice:type_change_request_detail",
    RequestKind.CANCELLATION: "requests_staff:cancellation_request_detail",
    RequestKind.LEARNER_CHANGE: "requests_staff:learner_change_request_detail",
    RequestKind.DATE_CHANGE: "requests_staff:date_change_request_detail",
}

#: The permission to decide (process or reject) each kind.
DECIDE_PERMISSION = {
    RequestKind.TYPE_CHANGE: "requests.decide_typechangerequest",
    RequestKind.CANCELLATION: "requests.decide_cancellationrequest",
    RequestKind.LEARNER_CHANGE: "requests.decide_learnerchangerequest",
    RequestKind.DATE_CHANGE: "requests.decide_datechangerequest",
}

#: The permission staff need to enter a request on a customer's behalf.
ADD_PERMISSION = {
    RequestKind.CANCELLATION: "requests.add_cancellationrequest",
    RequestKind.LEARNER_CHANGE: "requests.add_learnerchangerequest",
    RequestKind.DATE_CHANGE: "requests.add_datechangerequest",
}


def staff_path(kind: str, pk: int) -> str:
    """The staff page of request ``pk`` of ``kind`` (a path), or "" when not mounted."""
    try:
        return reverse(STAFF_DETAIL_URL[RequestKind(kind)], args=[pk])
    except (KeyError, ValueError, NoReverseMatch):
        return ""


def require_staff_perm(actor, perm: str) -> None:
    """Raise ``NotPermitted`` unless ``actor`` is active staff holding ``perm``."""
    if not (
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and actor.is_staff
        and actor.has_perm(perm)
    ):
        raise NotPermitted()


def check_contact_date(contact_date: dt.date, *, today: dt.date) -> None:
    """A contact date is a day that has come: today or earlier (Asia/Tokyo)."""
    if contact_date > today:
        raise InvalidState(
            _("The contact date cannot be in the future (today is %(today)s).")
            % {"today": today.isoformat()}
        )


def queue_received_emails(
    *, request, kind: str, requester: User, details: dict[str, Any] | None = None
) -> None:
    """ "Request received" to the requester and to the staff queue address (R-MAIL)."""
    context = {
        "request_id": request.pk,
        "kind": kind,
        "name": requester.full_name or requester.username,
        "user_id": requester.username,
        "contact_date": request.contact_date.isoformat(),
        "message": request.message,
        "entered_by_staff": request.entered_by_id is not None,
        "details": details or {},
        "staff_path": staff_path(kind, request.pk),
    }
    if requester.email:
        email_queue(
            template="request_received",
            to=requester.email,
            language=requester.language,
            context=context,
            related=request,
            dedup_key=f"request_received:{kind}:{request.pk}",
            new_dedup_key=True,
        )
    email_queue(
        template="staff_request_received",
        to=settings.KENSHU_STAFF_EMAIL,
        language=settings.LANGUAGE_CODE,
        context=context,
        related=request,
        dedup_key=f"staff_request_received:{kind}:{request.pk}",
        new_dedup_key=True,
    )


def queue_decided_email(
    *,
    request,
    kind: str,
    approved: bool,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """ "Request decided" to the requester (R-MAIL), with what was done (``details``)."""
    requester = request.requester
    if not requester.email:
        return
    email_queue(
        template="request_decided",
        to=requester.email,
        language=requester.language,
        context={
            "request_id": request.pk,
            "kind": kind,
            "name": requester.full_name or requester.username,
            "approved": approved,
            "reason": reason,
            "details": details or {},
        },
        related=request,
        dedup_key=f"request_decided:{kind}:{request.pk}",
    )


def mark_decided(request, *, actor, state: str, reason: str, extra_fields=()) -> None:
    """Record the decision on the (locked, open) request and save it."""
    request.state = state
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_reason = reason
    request.save(
        update_fields=["state", "decided_by", "decided_at", "decision_reason", *extra_fields]
    )


def check_open(request) -> None:
    if request.state != RequestState.OPEN:
        raise InvalidState(_("This request has already been decided."))


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidState(_("Please give the reason for the rejection."))
    return reason


def resolve_requester(
    *, actor, requester, contact_date: dt.date | None, perm: str, today: dt.date
) -> tuple[User, User | None, dt.date]:
    """``(requester, entered_by, contact_date)`` of a new request.

    A customer asks for itself (no ``requester``): the contact date is ``today`` and
    may not be given. Staff enter a request for ``requester`` with ``perm`` and the
    day it came in (default ``today``; never in the future)."""
    if requester is None:
        if contact_date is not None:
            raise ValueError("a customer's contact date is today: do not pass it")
        return actor, None, today
    require_staff_perm(actor, perm)
    contact_date = contact_date or today
    check_contact_date(contact_date, today=today)
    return requester, actor, contact_date


def request_store(
    *,
    actor,
    model: type[Model],
    kind: str,
    requester: User,
    entered_by: User | None,
    contact_date: dt.date,
    message: str,
    lock: tuple[QuerySet, int],
    check_no_open: Callable[[], None],
    fields: dict[str, Any],
    audit_data: dict[str, Any],
    details_of: Callable[[Any], dict],
):
    """Create an open request in one transaction: lock ``lock`` (a queryset and a
    pk, the row one request at a time is about), ``check_no_open()``, create the
    ``model`` row with ``fields``, audit ``request.<kind>.created`` and queue the
    "received" emails. Losing a race with the same request raises ``Conflict``."""
    queryset, pk = lock
    try:
        with transaction.atomic():
            lock_rows(queryset, [pk])
            check_no_open()
            request = model.objects.create(
                requester=requester,
                entered_by=entered_by,
                contact_date=contact_date,
                message=(message or "").strip(),
                **fields,
            )
            audit_log(
                actor=actor,
                action=f"request.{kind}.created",
                target=request,
                data={
                    "requester": requester.pk,
                    **audit_data,
                    "contact_date": contact_date.isoformat(),
                    "entered_by_staff": entered_by is not None,
                },
            )
            queue_received_emails(
                request=request, kind=kind, requester=requester, details=details_of(request)
            )
    except IntegrityError as exc:
        check_no_open()
        raise Conflict() from exc
    return request


def lock_open(model: type[Model], request):
    """The request locked (``select_for_update``) and refreshed; refused unless open.
    Call inside the deciding transaction."""
    (request,) = lock_rows(model.objects.all(), [request.pk])
    check_open(request)
    return request


def mark_done(
    request,
    *,
    actor,
    kind: str,
    note: str,
    audit_data: dict[str, Any],
    details: dict[str, Any],
    extra_fields=(),
) -> None:
    """Close the (locked, open) request as done: record the decision, audit
    ``request.<kind>.processed`` and queue the "decided" email (approved)."""
    mark_decided(
        request, actor=actor, state=RequestState.DONE, reason=note, extra_fields=extra_fields
    )
    audit_log(actor=actor, action=f"request.{kind}.processed", target=request, data=audit_data)
    queue_decided_email(request=request, kind=kind, approved=True, reason=note, details=details)
