"""日程変更 (R-APPLY-5): the applicant asks staff to move an enrolment to another
session of the same course (one it chose, with the seats left shown, or dates it
would prefer); staff move it with ``enrollment_move`` when a seat allows.

Who may ask: a group applicant for the enrolments of its seats; whoever applied for
itself for its own enrolment. Learners are told to ask their applicant (R-TYPE-2).
"""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from kenshu.accounts import policy
from kenshu.accounts.policy import Action
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import Conflict, InvalidState
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.seats import seats_taken
from kenshu.enrollments.services.checks import check_session_open
from kenshu.enrollments.services.move import enrollment_move

from .. import selectors
from ..exceptions import NoDateToChange
from ..models import DateChangeRequest, RequestKind, RequestState
from .common import (
    lock_open,
    mark_done,
    request_store,
    require_staff_perm,
    resolve_requester,
)

KIND = RequestKind.DATE_CHANGE


def details_of(request: DateChangeRequest) -> dict:
    """What the emails say about the request."""
    enrollment = request.enrollment
    session = request.from_session or enrollment.session
    return {
        "course_code": enrollment.course.code,
        "course_title": enrollment.course.title,
        "session_starts_at": session.starts_at.isoformat() if session else "",
        "learner_name": enrollment.learner.full_name or enrollment.learner.username,
        "target_starts_at": (
            request.target_session.starts_at.isoformat() if request.target_session else ""
        ),
        "preferred_dates": request.preferred_dates,
    }


def check_requester_may_ask(requester, enrollment: Enrollment) -> None:
    """Inventory enrolments: their group applicant; self-applied: the learner itself."""
    if enrollment.source == Enrollment.Source.INVENTORY:
        policy.require(requester, Action.REQUEST_INVENTORY_CHANGE)
    else:
        policy.require(requester, Action.CANCEL_OWN_ENROLLMENT)


def _check_target(enrollment: Enrollment, session: Session, *, now: dt.datetime) -> None:
    if session.course_id != enrollment.course_id:
        raise InvalidState(_("Please choose a session of the same course."))
    if session.pk == enrollment.session_id:
        raise InvalidState(_("Please choose another session than the current one."))
    check_session_open(session, now=now)
    if seats_taken([session.pk])[session.pk] >= session.capacity:
        raise Conflict(
            _(
                "The session you chose is full. Please choose another one, or tell us "
                "the dates you would prefer."
            )
        )


def date_change_request_create(
    *,
    actor,
    enrollment: Enrollment,
    target_session: Session | None = None,
    preferred_dates: str = "",
    message: str = "",
    requester=None,
    contact_date: dt.date | None = None,
) -> DateChangeRequest:
    """Ask for the live ``enrollment`` (of a classroom or live session) to move to
    ``target_session`` (another session of the same course with a seat left) or to
    one of the ``preferred_dates`` (free text). Emails "received" to the requester
    and the staff queue. One open request per enrolment. Staff may enter it for a
    customer (``requester=``, ``contact_date=``, ``requests.add_datechangerequest``).
    """
    today = ktime.tokyo_date()
    now = ktime.now()
    requester, entered_by, contact_date = resolve_requester(
        actor=actor,
        requester=requester,
        contact_date=contact_date,
        perm="requests.add_datechangerequest",
        today=today,
    )
    enrollment = selectors.own_enrollment(user=requester, pk=enrollment.pk)
    check_requester_may_ask(requester, enrollment)
    if enrollment.session_id is None:
        raise NoDateToChange()
    preferred_dates = (preferred_dates or "").strip()[:300]
    if target_session is None and not preferred_dates:
        raise InvalidState(_("Please choose a session, or tell us the dates you would prefer."))
    if target_session is not None:
        _check_target(enrollment, target_session, now=now)
    return request_store(
        actor=actor,
        model=DateChangeRequest,
        kind=KIND,
        requester=requester,
        entered_by=entered_by,
        contact_date=contact_date,
        message=message,
        lock=(Enrollment.objects.all(), enrollment.pk),
        check_no_open=lambda: _check_no_open_request(enrollment),
        fields={
            "enrollment": enrollment,
            "from_session_id": enrollment.session_id,
            "target_session": target_session,
            "preferred_dates": preferred_dates,
        },
        audit_data={
            "enrollment": enrollment.pk,
            "from_session": enrollment.session_id,
            "target_session": target_session.pk if target_session else None,
            "preferred_dates": preferred_dates,
        },
        details_of=details_of,
    )


def _check_no_open_request(enrollment: Enrollment) -> None:
    duplicate = DateChangeRequest.objects.filter(
        enrollment=enrollment, state=RequestState.OPEN
    ).first()
    if duplicate is not None:
        raise Conflict(
            _(
                "A date change request for this enrolment is already open (No. %(id)s). "
                "Our staff will answer it; you do not need to ask again."
            )
            % {"id": duplicate.pk}
        )


def date_change_request_process(
    *,
    actor,
    request: DateChangeRequest,
    session: Session | None = None,
    note: str = "",
) -> DateChangeRequest:
    """Staff move the enrolment to ``session`` (default: the one the customer chose)
    with ``enrollment_move``; the request is done, audited, and the requester emailed.
    One transaction: a refusal (full, other course, closed) leaves the request open and
    the enrolment where it was. Needs ``requests.decide_datechangerequest``."""
    require_staff_perm(actor, "requests.decide_datechangerequest")
    note = (note or "").strip()
    with transaction.atomic():
        request = lock_open(DateChangeRequest, request)
        session = session or request.target_session
        if session is None:
            raise InvalidState(_("Please choose the session to move the enrolment to."))
        enrollment = enrollment_move(actor=actor, enrollment=request.enrollment, session=session)
        request.moved_to = enrollment.session
        mark_done(
            request,
            actor=actor,
            kind=KIND,
            note=note,
            extra_fields=("moved_to",),
            audit_data={
                "enrollment": enrollment.pk,
                "from_session": request.from_session_id,
                "to_session": session.pk,
            },
            details={
                **details_of(request),
                "moved_to_starts_at": enrollment.session.starts_at.isoformat(),
            },
        )
    return request
