"""Staff reject a cancellation, learner-change or date-change request, with a reason
the requester is emailed (DOMAIN.md §13: open → rejected, with who and why)."""

from django.db import transaction

from kenshu.audit.services import audit_log

from ..models import RequestKind, RequestState
from . import cancellation, date_change, learner_change
from .common import (
    DECIDE_PERMISSION,
    check_reason,
    lock_open,
    mark_decided,
    queue_decided_email,
    require_staff_perm,
)

_DETAILS = {
    RequestKind.CANCELLATION: cancellation.details_of,
    RequestKind.LEARNER_CHANGE: learner_change.details_of,
    RequestKind.DATE_CHANGE: date_change.details_of,
}


def request_reject(*, actor, request, reason: str):
    """Reject the open ``request`` (cancellation, learner change or date change):
    ``reason`` is required and emailed to the requester; audited as
    ``request.<kind>.rejected``. Needs the kind's ``decide`` permission."""
    kind = RequestKind(request.kind)
    if kind not in _DETAILS:
        raise ValueError(f"use the {kind} request's own decision service")
    require_staff_perm(actor, DECIDE_PERMISSION[kind])
    reason = check_reason(reason)
    with transaction.atomic():
        request = lock_open(type(request), request)
        mark_decided(request, actor=actor, state=RequestState.REJECTED, reason=reason)
        audit_log(
            actor=actor,
            action=f"request.{kind.value}.rejected",
            target=request,
            data={"reason": reason},
        )
        queue_decided_email(
            request=request,
            kind=kind,
            approved=False,
            reason=reason,
            details=_DETAILS[kind](request),
        )
    return request
