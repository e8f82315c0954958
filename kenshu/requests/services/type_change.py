"""種別変更依頼 (R-TYPE-4): a corporate user asks to become a group applicant."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenshu.accounts import policy
from kenshu.accounts.models import User
from kenshu.accounts.services import user_type_set
from kenshu.audit.services import audit_log
from kenshu.core.exceptions import Conflict, InvalidState, NotPermitted
from kenshu.core.locking import lock_rows
from kenshu.core.time import tokyo_date
from kenshu.notifications.services import email_queue

from ..models import RequestKind, RequestState, TypeChangeRequest
from .common import queue_received_emails


def type_change_request_create(
    *,
    actor: User,
    company_name: str,
    full_name: str,
    message: str = "",
) -> TypeChangeRequest:
    """A corporate user asks to become a group applicant (R-TYPE-4)."""
    policy.require(actor, policy.Action.REQUEST_TYPE_CHANGE)
    try:
        with transaction.atomic():
            request = TypeChangeRequest.objects.create(
                requester=actor,
                user=actor,
                requested_type=User.UserType.GROUP_APPLICANT,
                user_id_text=actor.username,
                company_name=company_name,
                full_name=full_name,
                message=message,
                contact_date=tokyo_date(),
            )
            audit_log(
                actor=actor,
                action="request.type_change.created",
                target=request,
                data={"requested_type": request.requested_type},
            )
            queue_received_emails(
                request=request,
                kind=RequestKind.TYPE_CHANGE,
                requester=actor,
                details={"company_name": company_name, "full_name": full_name},
            )
    except IntegrityError as exc:
        raise Conflict(
            _("You already have an open request. Our staff will answer it soon.")
        ) from exc
    return request


def type_change_request_decide(
    *, actor: User, request: TypeChangeRequest, approve: bool, reason: str = ""
) -> TypeChangeRequest:
    """Staff approve (the type changes) or reject (a reason is required); the user is emailed."""
    if not actor.has_perm("requests.decide_typechangerequest"):
        raise NotPermitted()
    if not approve and not reason.strip():
        raise InvalidState(_("Please give the reason for the rejection."))
    with transaction.atomic():
        (request,) = lock_rows(TypeChangeRequest.objects.all(), [request.pk])
        if request.state != RequestState.OPEN:
            raise InvalidState(_("This request has already been decided."))
        if approve:
            user_type_set(
                actor=actor,
                user=request.user,
                user_type=request.requested_type,
                reason=_("Approved request #%(id)s") % {"id": request.pk},
            )
        request.state = RequestState.DONE if approve else RequestState.REJECTED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_reason = reason
        request.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        audit_log(
            actor=actor,
            action="request.type_change.approved" if approve else "request.type_change.rejected",
            target=request,
            data={"reason": reason, "user": request.user_id},
        )
        user = request.user
        email_queue(
            template="request_decided",
            to=user.email,
            language=user.language,
            context={
                "request_id": request.pk,
                "kind": "type_change",
                "name": user.full_name,
                "approved": approve,
                "reason": reason,
            },
            related=request,
            dedup_key=f"request_decided:type_change:{request.pk}",
        )
    return request
