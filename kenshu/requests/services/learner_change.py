"""受講者変更 (R-APPLY-5): a group applicant asks staff to give an assigned seat to
another learner of its group — an existing one, or a new colleague whose account
staff create (with an invitation) when they process the request. The seat stays
bought: no money document is issued.
"""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from kenshu.accounts import policy
from kenshu.accounts.models import User
from kenshu.accounts.policy import Action
from kenshu.core.exceptions import Conflict, InvalidState
from kenshu.core.time import tokyo_date
from kenshu.enrollments.services.checks import has_live_enrollment
from kenshu.inventory.models import Seat
from kenshu.inventory.services import seat_assign_colleague, seat_reassign, seat_unassign
from kenshu.inventory.services.learners import LearnerData, clean_learner_data, learner_match

from .. import selectors
from ..models import LearnerChangeRequest, RequestKind, RequestState
from .common import (
    lock_open,
    mark_done,
    request_store,
    require_staff_perm,
    resolve_requester,
)

KIND = RequestKind.LEARNER_CHANGE


def details_of(request: LearnerChangeRequest) -> dict:
    """What the emails say about the request."""
    item = request.seat.item
    return {
        "course_code": item.course.code,
        "course_title": item.course.title,
        "session_starts_at": item.session.starts_at.isoformat() if item.session else "",
        "current_learner_name": request.current_learner_name,
        "new_learner_name": request.new_learner_name,
        "new_learner_email": request.new_learner_email,
    }


def _check_seat(seat: Seat) -> None:
    if seat.state != Seat.State.ASSIGNED:
        raise InvalidState(
            _("This seat is not assigned to anyone: you can assign it yourself in My inventory.")
        )


def _check_new_learner(*, requester, seat: Seat, learner: User) -> None:
    if learner.pk == seat.learner_id:
        raise InvalidState(_("This learner already holds the seat."))
    if not selectors.colleagues_of(requester).filter(pk=learner.pk).exists():
        raise InvalidState(_("The new learner must be a learner of your group."))
    session = seat.item.session
    course = seat.item.course
    if has_live_enrollment(learner=learner, session=session, course=None if session else course):
        raise Conflict(
            _("%(name)s is already enrolled for this course on this date.")
            % {"name": learner.full_name or learner.username}
        )


def learner_change_request_create(
    *,
    actor,
    seat: Seat,
    new_learner: User | None = None,
    last_name: str = "",
    first_name: str = "",
    last_name_kana: str = "",
    first_name_kana: str = "",
    email: str = "",
    message: str = "",
    requester=None,
    contact_date: dt.date | None = None,
) -> LearnerChangeRequest:
    """The group applicant asks for the assigned ``seat`` to go to ``new_learner`` (a
    learner of its group) or to a new colleague (name, kana, email). Emails "received"
    to the requester and the staff queue.

    The seat must be the requester's own and assigned (``DoesNotExist`` / refusal);
    one open request per seat. A new colleague's email that already belongs to a
    learner of the group picks that learner; one of a user of another organisation
    is refused. Staff may enter it for a customer (``requester=``, ``contact_date=``,
    ``requests.add_learnerchangerequest``).
    """
    requester, entered_by, contact_date = resolve_requester(
        actor=actor,
        requester=requester,
        contact_date=contact_date,
        perm="requests.add_learnerchangerequest",
        today=tokyo_date(),
    )
    policy.require(requester, Action.REQUEST_INVENTORY_CHANGE)
    seat = selectors.own_seat(user=requester, pk=seat.pk)
    _check_seat(seat)

    if new_learner is None:
        data = clean_learner_data(
            LearnerData(last_name, first_name, last_name_kana, first_name_kana, email)
        )
        match = learner_match(applicant=requester, data=data)
        new_learner = match.user
        data = match.data
    if new_learner is not None:
        _check_new_learner(requester=requester, seat=seat, learner=new_learner)
        data = LearnerData(
            new_learner.last_name,
            new_learner.first_name,
            new_learner.last_name_kana,
            new_learner.first_name_kana,
            new_learner.email,
        )
    names = {
        "new_last_name": data.last_name,
        "new_first_name": data.first_name,
        "new_last_name_kana": data.last_name_kana,
        "new_first_name_kana": data.first_name_kana,
    }
    email = data.email
    current = seat.learner
    return request_store(
        actor=actor,
        model=LearnerChangeRequest,
        kind=KIND,
        requester=requester,
        entered_by=entered_by,
        contact_date=contact_date,
        message=message,
        lock=(Seat.objects.all(), seat.pk),
        check_no_open=lambda: _check_no_open_request(seat),
        fields={
            "seat": seat,
            "current_learner_name": (current.full_name or current.username) if current else "",
            "new_learner": new_learner,
            "new_learner_name": f"{names['new_last_name']} {names['new_first_name']}".strip(),
            "new_learner_kana": (
                f"{names['new_last_name_kana']} {names['new_first_name_kana']}".strip()
            ),
            "new_learner_email": email,
            **names,
        },
        audit_data={
            "seat": seat.pk,
            "current_learner": seat.learner_id,
            "new_learner": new_learner.pk if new_learner else None,
            "new_learner_email": email,
        },
        details_of=details_of,
    )


def _check_no_open_request(seat: Seat) -> None:
    duplicate = LearnerChangeRequest.objects.filter(seat=seat, state=RequestState.OPEN).first()
    if duplicate is not None:
        raise Conflict(
            _(
                "A learner change request for this seat is already open (No. %(id)s). "
                "Our staff will answer it; you do not need to ask again."
            )
            % {"id": duplicate.pk}
        )


def learner_change_request_process(
    *, actor, request: LearnerChangeRequest, note: str = ""
) -> LearnerChangeRequest:
    """Staff process the request (R-APPLY-5): the seat's assignment ends (the old
    learner's enrolment is cancelled) and the seat goes to the new learner — for a new
    colleague, its account is created (a group learner of the applicant's
    organisation, invited to set a password) unless it exists by now. The seat stays
    bought: no money document. Audited; the requester is emailed. One transaction. Needs
    ``requests.decide_learnerchangerequest``.
    """
    require_staff_perm(actor, "requests.decide_learnerchangerequest")
    note = (note or "").strip()
    with transaction.atomic():
        request = lock_open(LearnerChangeRequest, request)
        seat = Seat.objects.select_related("item__course", "item__session", "learner").get(
            pk=request.seat_id
        )
        _check_seat(seat)
        previous = seat.learner
        if request.new_learner_id is not None:
            enrollment = seat_reassign(actor=actor, seat=seat, learner=request.new_learner)
        else:
            # A new colleague: the seat is taken back, then given to the colleague,
            # whose account is created and invited (or found, if it exists by now).
            seat_unassign(actor=actor, seat=seat, reason="learner change")
            enrollment = seat_assign_colleague(
                actor=actor,
                seat=seat,
                last_name=request.new_last_name,
                first_name=request.new_first_name,
                last_name_kana=request.new_last_name_kana,
                first_name_kana=request.new_first_name_kana,
                email=request.new_learner_email,
            )
        learner = enrollment.learner
        request.assigned_learner = learner
        mark_done(
            request,
            actor=actor,
            kind=KIND,
            note=note,
            extra_fields=("assigned_learner",),
            audit_data={
                "seat": seat.pk,
                "from": previous.pk if previous else None,
                "to": learner.pk,
                "invited": request.new_learner_id is None,
            },
            details={
                **details_of(request),
                "new_learner_name": learner.full_name or learner.username,
            },
        )
    return request
