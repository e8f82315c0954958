"""日程変更 (R-APPLY-5): staff move a live enrolment to another session of the same
course when a seat allows (docs/requests.md).

One service, one transaction: lock both sessions (primary-key order), then the
enrolment (and its inventory seat), check, write, audit, queue the emails, and offer
the freed seat of the old session to its waiting list.

- **Capacity (R-APPLY-3).** A self-applied enrolment holds its seat itself: moving it
  takes one seat of the target and frees one of the old session. An enrolment
  assigned from inventory is counted through its seat, and a seat's session is its
  purchase's (``InventoryItem.session``): the seat is moved to a new purchase row of
  one seat for the target session (same applicant, organisation, order, fee per seat
  and cancellation tiers), so that both sessions' counts stay right. The original
  purchase keeps its ``quantity`` (what was bought and invoiced); its live seats are
  one fewer.
- **Refusals** are the ``kenshu.requests.exceptions`` classes (translated with the
  date-change requests).
- **Fee.** The target is a session of the same course: nothing is charged or
  refunded, even when the course's fee changed since the purchase (the fee paid and
  the tiers promised stay with the enrolment).
"""

from django.db import transaction
from django.urls import reverse

from kenshu.audit.services import audit_log
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import NotPermitted
from kenshu.core.locking import lock_rows
from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import email_queue, emails_withdraw_for
from kenshu.requests.exceptions import (
    EnrollmentChangedMeanwhile,
    EnrollmentNotMovable,
    LearnerAlreadyThere,
    NoDateToChange,
    OtherCourse,
    SameSession,
    TargetSessionFull,
    TargetSessionMissing,
)

from ..models import Enrollment
from ..seats import seats_taken
from .checks import check_session_open, has_live_enrollment
from .emails import queue_joining_instructions
from .waiting_list import waiting_list_offer_next

#: Staff who may move an enrolment.
MOVE_PERMISSION = "enrollments.change_enrollment"


def _session_json(session: Session) -> dict:
    return {
        "session_id": session.pk,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "venue": session.venue,
        "online_url": session.online_url,
    }


def enrollment_move(*, actor, enrollment: Enrollment, session: Session) -> Enrollment:
    """Move the live ``enrollment`` to ``session`` (日程変更, R-APPLY-5); return it.

    Staff only (``enrollments.change_enrollment``). Refused (``DomainError``, nothing
    changed) when the enrolment is not live or has no session, the target is the same
    session or of another course, does not take applications (R-APPLY-4), is full
    (R-APPLY-3), or the learner already holds a live enrolment there (R-APPLY-1).
    Withdraws the enrolment's queued emails, queues the joining instructions for the
    new date, emails the learner (and the applicant, if another person), audits
    ``enrollment.moved`` and offers the freed seat to the old session's waiting list.
    """
    from kenshu.inventory.models import InventoryItem, Seat

    if not (
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and actor.is_staff
        and actor.has_perm(MOVE_PERMISSION)
    ):
        raise NotPermitted()
    now = ktime.now()
    with transaction.atomic():
        old_id = Enrollment.objects.values_list("session_id", flat=True).get(pk=enrollment.pk)
        if old_id is None:
            raise NoDateToChange()
        if old_id == session.pk:
            raise SameSession()
        sessions = {
            s.pk: s
            for s in lock_rows(Session.objects.select_related("course"), [old_id, session.pk])
        }
        if session.pk not in sessions:
            raise TargetSessionMissing()
        old, target = sessions[old_id], sessions[session.pk]
        (enrollment,) = lock_rows(
            Enrollment.objects.select_related("course", "learner", "applicant"), [enrollment.pk]
        )
        if enrollment.session_id != old_id:
            raise EnrollmentChangedMeanwhile()
        if not enrollment.is_live:
            raise EnrollmentNotMovable()
        if target.course_id != enrollment.course_id:
            raise OtherCourse()
        check_session_open(target, now=now)
        learner = enrollment.learner
        if has_live_enrollment(learner=learner, session=target):
            raise LearnerAlreadyThere(name=learner.full_name or learner.username, date=_day(target))
        if seats_taken([target.pk])[target.pk] >= target.capacity:
            raise TargetSessionFull(date=_day(target))

        moved_seat = new_item = None
        if enrollment.source == Enrollment.Source.INVENTORY:
            seat_id = Seat.objects.values_list("pk", flat=True).get(enrollment=enrollment)
            (moved_seat,) = lock_rows(Seat.objects.select_related("item"), [seat_id])
            item = moved_seat.item
            new_item = InventoryItem.objects.create(
                applicant_id=item.applicant_id,
                organisation_id=item.organisation_id,
                course_id=item.course_id,
                session=target,
                quantity=1,
                unit_fee=item.unit_fee,
                order_id=item.order_id,
                cancellation_tiers=item.cancellation_tiers,
                purchased_at=item.purchased_at,
                purchased_by_id=item.purchased_by_id,
            )
            moved_seat.item = new_item
            moved_seat.save(update_fields=["item"])

        enrollment.session = target
        enrollment.save(update_fields=["session"])
        withdrawn = emails_withdraw_for(
            related=enrollment, reason=f"enrollment moved to session {target.pk}"
        )
        stamp = now.strftime("%Y%m%d%H%M%S%f")
        _release_joining_instructions_key(enrollment=enrollment, old=old, stamp=stamp)
        queue_joining_instructions(enrollment=enrollment, now=now)
        audit_log(
            actor=actor,
            action="enrollment.moved",
            target=enrollment,
            data={
                "from_session": old.pk,
                "to_session": target.pk,
                "seat": moved_seat.pk if moved_seat else None,
                "from_purchase": item.pk if moved_seat else None,
                "to_purchase": new_item.pk if new_item else None,
                "fee_difference": 0,
                "emails_withdrawn": withdrawn,
            },
        )
        _queue_moved_emails(enrollment=enrollment, old=old, target=target, stamp=stamp)
        waiting_list_offer_next(session=old, now=now)
    return enrollment


def _release_joining_instructions_key(*, enrollment: Enrollment, old: Session, stamp: str):
    """The joining instructions are de-duplicated per enrolment
    (``joining_instructions:<id>``): the row for the old date (withdrawn, or sent when
    the old date was near) keeps a key naming that date, so that the instructions for
    the new date are queued as a new row."""
    key = f"joining_instructions:{enrollment.pk}"
    OutboxEmail.objects.filter(dedup_key=key).update(dedup_key=f"{key}:session:{old.pk}:{stamp}")


def _day(session: Session) -> str:
    return ktime.tokyo_date(session.starts_at).isoformat()


def _queue_moved_emails(*, enrollment: Enrollment, old: Session, target: Session, stamp: str):
    learner = enrollment.learner
    course = enrollment.course
    context = {
        "enrollment_number": enrollment.number,
        "course_code": course.code,
        "course_title": course.title,
        "delivery": course.delivery,
        "learner_name": learner.full_name or learner.username,
        "old_starts_at": old.starts_at.isoformat(),
        "my_enrollments_path": reverse("enrollments:my_enrollments"),
        **_session_json(target),
    }
    recipients = [(learner, False)]
    applicant = enrollment.applicant
    if applicant.pk != learner.pk:
        recipients.append((applicant, True))
    for person, is_applicant in recipients:
        if not person.email:
            continue
        email_queue(
            template="enrollment_moved",
            to=person.email,
            language=person.language,
            context={
                **context,
                "name": person.full_name or person.username,
                "to_applicant": is_applicant,
            },
            related=enrollment,
            dedup_key=f"enrollment_moved:{enrollment.pk}:{person.pk}:{stamp}",
        )
