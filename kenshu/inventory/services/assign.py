"""Assigning inventory seats to learners (割当て: R-APPLY-2, R-APPLY-5, R-ELEARN-2).

- ``seat_assign``: the purchase's applicant (or staff) gives an unassigned seat to a
  learner of its group (or to itself). The learner gets an enrolment (source
  ``inventory``, paid by the purchase's order, with the purchase's fee and
  cancellation tiers); for e-learning, access starts on the assignment date + 7 days
  (partner courses + 10). The learner is emailed, with a copy to the applicant, and
  gets the same scheduled emails as a self-application (joining instructions or the
  access notice).
- ``seat_assign_colleague``: the same for a colleague given by name, kana and email,
  created (and invited) on the spot when it has no account yet: one transaction.
- ``seat_unassign`` (staff only): the learner's enrolment is cancelled, its pending
  emails withdrawn, the seat is unassigned again and stays bought.
- ``seat_reassign`` (staff only, 受講者変更): unassign and assign in one transaction.

The seat row is locked while it changes; the session's capacity does not move (the
seat holds it whether assigned or not, R-APPLY-3).
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse

from kenshu.accounts import policy
from kenshu.accounts.models import User
from kenshu.accounts.policy import Action
from kenshu.audit.services import audit_log
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import NotPermitted
from kenshu.core.locking import lock_rows
from kenshu.enrollments.elearning import elearning_access_window
from kenshu.enrollments.exceptions import ApplicationClosed, SessionCancelled
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.services.checks import has_live_enrollment
from kenshu.enrollments.services.emails import (
    queue_elearning_access_start,
    queue_joining_instructions,
)
from kenshu.notifications.services import email_queue, emails_withdraw_for

from ..exceptions import (
    AssignmentClosed,
    EnrollmentNotLive,
    InventoryNotCancellable,
    LearnerHoldsSeat,
    SameLearner,
    SeatNotAssigned,
    SeatNotUnassigned,
)
from ..models import Assignment, InventoryItem, Seat
from .learners import LearnerData, clean_learner_data, learner_create, learner_match
from .learners import require_group_member as _require_group_member

#: The permission of staff who unassign, reassign and assign seats.
STAFF_PERMISSION = "inventory.change_seat"


def is_inventory_staff(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(STAFF_PERMISSION)
    )


def check_assigner(*, actor, item: InventoryItem) -> bool:
    """``actor`` may assign the seats of ``item``: its applicant (while a group applicant)
    or inventory staff. Returns whether ``actor`` acts as staff."""
    if is_inventory_staff(actor):
        return True
    if actor.pk == item.applicant_id and policy.can(actor, Action.BUY_FOR_OTHERS):
        return False
    raise NotPermitted()


def _lock_seat(seat: Seat) -> Seat:
    (locked,) = lock_rows(Seat.objects.all(), [seat.pk])
    return locked


def _item_of(seat: Seat) -> InventoryItem:
    return InventoryItem.objects.select_related(
        "applicant", "applicant__organisation", "organisation", "course", "session", "order"
    ).get(pk=seat.item_id)


def check_session_takes_assignments(
    session: Session | None, *, now: dt.datetime, as_staff: bool
) -> None:
    """A cancelled or held session takes no assignment; after the application deadline
    only staff assign, until the session starts."""
    if session is None:
        return
    if session.state == Session.State.CANCELLED:
        raise SessionCancelled()
    if session.state == Session.State.HELD or now >= session.starts_at:
        raise ApplicationClosed()
    if now >= session.deadline and not as_staff:
        raise AssignmentClosed()


def check_learner_free(*, learner: User, item: InventoryItem) -> None:
    """R-APPLY-1: the learner holds no live enrolment of the session (or course) yet."""
    if item.session_id:
        taken = has_live_enrollment(learner=learner, session=item.session)
    else:
        taken = has_live_enrollment(learner=learner, course=item.course)
    if taken:
        raise LearnerHoldsSeat(name=learner.full_name or learner.username)


def assign_locked_seat(
    *, actor, seat: Seat, item: InventoryItem, learner: User, now: dt.datetime, as_staff: bool
) -> Enrollment:
    """Give the locked, unassigned ``seat`` of ``item`` to ``learner`` (caller's
    transaction): the enrolment, the seat, the assignment, the audit entry, the emails."""
    if seat.state != Seat.State.UNASSIGNED:
        raise SeatNotUnassigned()
    _require_group_member(applicant=item.applicant, learner=learner, organisation=item.organisation)
    check_session_takes_assignments(item.session, now=now, as_staff=as_staff)
    check_learner_free(learner=learner, item=item)
    course = item.course
    starts_on = ends_on = None
    if item.session_id is None:
        starts_on, ends_on = elearning_access_window(
            ktime.tokyo_date(now), is_partner=course.is_partner, access_days=course.access_days
        )
    enrollment = Enrollment(
        learner=learner,
        applicant=item.applicant,
        course=course,
        session=item.session,
        source=Enrollment.Source.INVENTORY,
        state=Enrollment.State.APPLIED,
        order=item.order,
        fee=item.unit_fee,
        applied_at=now,
        access_starts_on=starts_on,
        access_ends_on=ends_on,
        cancellation_tiers=item.cancellation_tiers,
    )
    try:
        with transaction.atomic():
            enrollment.save(force_insert=True)
    except IntegrityError as exc:  # the partial unique constraints: a racing assignment
        raise LearnerHoldsSeat(name=learner.full_name or learner.username) from exc
    seat.state = Seat.State.ASSIGNED
    seat.learner = learner
    seat.enrollment = enrollment
    seat.assigned_at = now
    seat.save(update_fields=["state", "learner", "enrollment", "assigned_at"])
    Assignment.objects.create(
        seat=seat, learner=learner, enrollment=enrollment, assigned_at=now, assigned_by=actor
    )
    audit_log(
        actor=actor,
        action="seat.assigned",
        target=seat,
        data={
            "purchase": item.number,
            "learner": learner.username,
            "enrollment": enrollment.number,
            "by_staff": as_staff,
        },
    )
    _queue_assignment_emails(enrollment=enrollment, item=item, now=now)
    return enrollment


def _assignment_context(*, enrollment: Enrollment, item: InventoryItem) -> dict:
    course = enrollment.course
    learner = enrollment.learner
    applicant = item.applicant
    context = {
        "learner_name": learner.full_name or learner.username,
        "learner_user_id": learner.username,
        "applicant_name": applicant.full_name or applicant.username,
        "organisation": item.organisation.name,
        "purchase_number": item.number,
        "enrollment_number": enrollment.number,
        "course_code": course.code,
        "course_title": course.title,
        "delivery": course.delivery,
        "is_partner": course.is_partner,
        "my_enrollments_path": reverse("enrollments:my_enrollments"),
        "purchase_path": reverse("inventory:item_detail", args=[item.pk]),
    }
    if enrollment.session_id:
        session = enrollment.session
        context.update(
            {
                "session_id": session.pk,
                "starts_at": session.starts_at.isoformat(),
                "ends_at": session.ends_at.isoformat(),
                "venue": session.venue,
                "calendar_path": reverse("enrollments:session_calendar", args=[session.pk]),
            }
        )
    else:
        context.update(
            {
                "access_starts_on": enrollment.access_starts_on.isoformat(),
                "access_ends_on": enrollment.access_ends_on.isoformat(),
                "access_days": course.access_days,
            }
        )
    return context


def _queue_assignment_emails(*, enrollment: Enrollment, item: InventoryItem, now) -> None:
    """ "Seat assigned" to the learner and a copy to the applicant (DOMAIN.md §8), then the
    scheduled emails of the enrolment, all related to the enrolment (an unassignment
    withdraws those not yet sent)."""
    learner = enrollment.learner
    applicant = item.applicant
    context = _assignment_context(enrollment=enrollment, item=item)
    email_queue(
        template="seat_assigned",
        to=learner.email,
        language=learner.language,
        context={**context, "name": context["learner_name"], "is_copy": False},
        related=enrollment,
        dedup_key=f"seat_assigned:{enrollment.pk}",
        new_dedup_key=True,
    )
    if applicant.pk != learner.pk:
        email_queue(
            template="seat_assigned",
            to=applicant.email,
            language=applicant.language,
            context={**context, "name": context["applicant_name"], "is_copy": True},
            related=enrollment,
            dedup_key=f"seat_assigned_copy:{enrollment.pk}",
            new_dedup_key=True,
        )
    if enrollment.session_id:
        queue_joining_instructions(enrollment=enrollment, now=now, new=True)
    else:
        queue_elearning_access_start(enrollment=enrollment, new=True)


def seat_assign(*, actor, seat: Seat, learner: User) -> Enrollment:
    """Give ``seat`` to ``learner``; returns the learner's new enrolment.

    Raises ``NotPermitted``, ``SeatNotUnassigned``, ``NotInGroup``,
    ``LearnerHoldsSeat`` (R-APPLY-1), ``SessionCancelled`` / ``ApplicationClosed`` /
    ``AssignmentClosed``, or ``Busy``.
    """
    now = ktime.now()
    with transaction.atomic():
        seat = _lock_seat(seat)
        item = _item_of(seat)
        as_staff = check_assigner(actor=actor, item=item)
        return assign_locked_seat(
            actor=actor, seat=seat, item=item, learner=learner, now=now, as_staff=as_staff
        )


def seat_assign_colleague(
    *,
    actor,
    seat: Seat,
    last_name: str,
    first_name: str = "",
    last_name_kana: str = "",
    first_name_kana: str = "",
    email: str,
    username: str | None = None,
) -> Enrollment:
    """Give ``seat`` to the colleague with these details: the existing learner of the
    group with that address (or user ID), or a new learner created and invited now.
    One transaction: a refused assignment creates no account."""
    data = clean_learner_data(
        LearnerData(last_name, first_name, last_name_kana, first_name_kana, email, username or "")
    )
    now = ktime.now()
    with transaction.atomic():
        seat = _lock_seat(seat)
        item = _item_of(seat)
        as_staff = check_assigner(actor=actor, item=item)
        if seat.state != Seat.State.UNASSIGNED:
            raise SeatNotUnassigned()
        match = learner_match(applicant=item.applicant, data=data)
        learner = match.user or learner_create(
            actor=actor, applicant=item.applicant, data=match.data
        )
        return assign_locked_seat(
            actor=actor, seat=seat, item=item, learner=learner, now=now, as_staff=as_staff
        )


def _require_staff(actor) -> None:
    if not is_inventory_staff(actor):
        raise InventoryNotCancellable()


def _unassign_locked_seat(*, actor, seat: Seat, now: dt.datetime, reason: str) -> Enrollment:
    if seat.state != Seat.State.ASSIGNED:
        raise SeatNotAssigned()
    (enrollment,) = lock_rows(Enrollment.objects.all(), [seat.enrollment_id])
    if enrollment.state != Enrollment.State.APPLIED:
        raise EnrollmentNotLive(state=enrollment.get_state_display())
    enrollment.state = Enrollment.State.CANCELLED
    enrollment.cancelled_at = now
    enrollment.cancelled_by = actor
    enrollment.cancellation_reason = reason[:200]
    enrollment.save(update_fields=["state", "cancelled_at", "cancelled_by", "cancellation_reason"])
    withdrawn = emails_withdraw_for(related=enrollment, reason="seat unassigned")
    Assignment.objects.filter(seat=seat, ended_at__isnull=True).update(ended_at=now, ended_by=actor)
    learner_id = seat.learner_id
    seat.state = Seat.State.UNASSIGNED
    seat.learner = None
    seat.enrollment = None
    seat.assigned_at = None
    seat.save(update_fields=["state", "learner", "enrollment", "assigned_at"])
    learner = User.objects.only("username").get(pk=learner_id)
    audit_log(
        actor=actor,
        action="seat.unassigned",
        target=seat,
        data={
            "learner": learner.username,
            "enrollment": enrollment.number,
            "reason": reason,
            "emails_withdrawn": withdrawn,
        },
    )
    return enrollment


def seat_unassign(*, actor, seat: Seat, reason: str = "") -> Seat:
    """Staff take ``seat`` back from its learner (R-APPLY-5): the learner's enrolment is
    cancelled and its pending emails withdrawn; the seat is unassigned and stays bought.

    Raises ``InventoryNotCancellable`` for anyone but inventory staff (R-TYPE),
    ``SeatNotAssigned`` or ``EnrollmentNotLive``.
    """
    _require_staff(actor)
    now = ktime.now()
    with transaction.atomic():
        seat = _lock_seat(seat)
        _unassign_locked_seat(actor=actor, seat=seat, now=now, reason=reason)
    return seat


def seat_reassign(*, actor, seat: Seat, learner: User) -> Enrollment:
    """受講者変更 (R-APPLY-5): staff give the seat to ``learner`` instead of its current
    learner, in one transaction (an unassigned seat is simply assigned). Returns the new
    learner's enrolment."""
    _require_staff(actor)
    now = ktime.now()
    with transaction.atomic():
        seat = _lock_seat(seat)
        item = _item_of(seat)
        previous = None
        if seat.state == Seat.State.ASSIGNED:
            if seat.learner_id == learner.pk:
                raise SameLearner(name=learner.full_name or learner.username)
            previous = seat.learner_id
            _unassign_locked_seat(actor=actor, seat=seat, now=now, reason="learner change")
        enrollment = assign_locked_seat(
            actor=actor, seat=seat, item=item, learner=learner, now=now, as_staff=True
        )
        audit_log(
            actor=actor,
            action="seat.reassigned",
            target=seat,
            data={
                "from": previous and User.objects.only("username").get(pk=previous).username,
                "to": learner.username,
                "enrollment": enrollment.number,
            },
        )
    return enrollment
