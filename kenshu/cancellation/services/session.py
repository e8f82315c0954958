"""The provider cancels a session (中止, R-CANCEL-6): everyone is refunded in full.

Staff with ``catalog.change_session``. Every live enrolment applied for oneself and
every live inventory seat (assigned or not) is cancelled with no fee: its price is
credited in full (a credit note per invoice, and a refund where it was paid). The
queued emails of those enrolments and the waiting list are withdrawn, and everyone
concerned — each learner and each applicant, once — is emailed ``session_cancelled``.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kenshu.accounts.models import User
from kenshu.audit.services import audit_log
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import DomainError, InvalidState, NotPermitted
from kenshu.core.locking import lock_rows
from kenshu.enrollments.models import Enrollment, WaitingListEntry
from kenshu.inventory.models import Assignment, Seat
from kenshu.notifications.services import emails_withdraw_for

from .. import emails
from .common import SessionCancelOutcome, cancel_enrollment_row, is_staff_with, settle
from .preview import CancellationPreview, cancellation_preview

STAFF_PERMISSION = "catalog.change_session"
OPEN_WAITING = (WaitingListEntry.State.WAITING, WaitingListEntry.State.OFFERED)


@dataclass
class SessionCancelRecipient:
    """One person ``session_cancel`` will email, and why."""

    user: User
    as_learner: bool = False
    as_applicant: bool = False
    #: Enrolment numbers and seat labels of the places concerning this person.
    places: list[str] = field(default_factory=list)


def _live_enrollments(session: Session):
    return (
        Enrollment.objects.filter(
            session=session, state__in=Enrollment.LIVE_STATES, source=Enrollment.Source.SELF
        )
        .select_related("learner", "applicant", "course", "session", "order")
        .order_by("pk")
    )


def _live_seats(session: Session):
    return (
        Seat.objects.filter(item__session=session, state__in=Seat.LIVE_STATES)
        .select_related("item__applicant", "item__course", "item__session", "learner")
        .select_related("enrollment__learner")
        .order_by("pk")
    )


def _recipients(enrollments, seats) -> list[SessionCancelRecipient]:
    people: dict[int, SessionCancelRecipient] = {}

    def add(user, place, *, learner=False, applicant=False):
        person = people.setdefault(user.pk, SessionCancelRecipient(user=user))
        person.as_learner |= learner
        person.as_applicant |= applicant
        if place not in person.places:
            person.places.append(place)

    for enrollment in enrollments:
        add(enrollment.learner, enrollment.number, learner=True)
        add(enrollment.applicant, enrollment.number, applicant=True)
    for seat in seats:
        add(seat.item.applicant, str(seat), applicant=True)
        if seat.state == Seat.State.ASSIGNED:
            add(seat.learner, str(seat), learner=True)
    return sorted(people.values(), key=lambda p: (p.user.last_name_kana, p.user.pk))


def session_cancel_preview(*, session: Session) -> list[SessionCancelRecipient]:
    """Who ``session_cancel`` would email (each learner and applicant once), with the
    places that concern each. Reads only (two queries)."""
    return _recipients(list(_live_enrollments(session)), list(_live_seats(session)))


def session_cancel(*, actor, session: Session, reason: str) -> SessionCancelOutcome:
    """Cancel ``session`` (state ``cancelled``, ``decided_at/by``, ``decision_reason``)
    and refund everyone concerned in full (R-CANCEL-6).

    Raises ``NotPermitted`` (no ``catalog.change_session``), ``DomainError``
    (``reason_required``), ``InvalidState`` (already cancelled, or held).
    Audits ``session.cancelled`` (and each document, refund and freed seat's enrolment
    through the services it calls).
    """
    if not is_staff_with(actor, STAFF_PERMISSION):
        raise NotPermitted()
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Please give the reason for cancelling the session: it is sent to everyone."),
            code="reason_required",
        )
    now = ktime.now()
    today = ktime.tokyo_date(now)
    with transaction.atomic():
        (session,) = lock_rows(Session.objects.all(), [session.pk])
        if session.state == Session.State.CANCELLED:
            raise InvalidState(_("This session has already been cancelled."), code="cancelled")
        if session.state == Session.State.HELD:
            raise InvalidState(
                _("This session has been held: it can no longer be cancelled."), code="held"
            )
        session = Session.objects.select_related("course").get(pk=session.pk)
        enrollment_ids = list(_live_enrollments(session).values_list("pk", flat=True))
        seat_ids = list(_live_seats(session).values_list("pk", flat=True))
        if seat_ids:
            lock_rows(Seat.objects.all(), seat_ids)
        assigned_enrollment_ids = list(
            Seat.objects.filter(pk__in=seat_ids, enrollment__isnull=False).values_list(
                "enrollment_id", flat=True
            )
        )
        if enrollment_ids or assigned_enrollment_ids:
            lock_rows(Enrollment.objects.all(), enrollment_ids + assigned_enrollment_ids)
        enrollments = list(_live_enrollments(session))
        seats = list(_live_seats(session))
        recipients = _recipients(enrollments, seats)

        previews: list[CancellationPreview] = [
            cancellation_preview(enrollment=e, contact_date=today, full_refund=True)
            for e in enrollments
        ]
        if seats:
            previews.append(cancellation_preview(seats=seats, contact_date=today, full_refund=True))

        for enrollment in enrollments:
            cancel_enrollment_row(
                enrollment, actor=actor, now=now, contact_date=today, fee=0, reason=reason
            )
        seat_enrollments = []
        for seat in seats:
            if seat.state == Seat.State.ASSIGNED:
                Assignment.objects.filter(seat=seat, ended_at__isnull=True).update(
                    ended_at=now, ended_by=actor
                )
                cancel_enrollment_row(
                    seat.enrollment, actor=actor, now=now, contact_date=today, fee=0, reason=reason
                )
                seat_enrollments.append(seat.enrollment)
            seat.state = Seat.State.CANCELLED
            seat.cancelled_at = now
            seat.learner = None
            seat.enrollment = None
            seat.save(update_fields=["state", "cancelled_at", "learner", "enrollment"])

        waiting = list(WaitingListEntry.objects.filter(session=session, state__in=OPEN_WAITING))
        for entry in waiting:
            entry.state = WaitingListEntry.State.WITHDRAWN
            entry.save(update_fields=["state"])
            emails_withdraw_for(related=entry, reason="session cancelled")

        session.state = Session.State.CANCELLED
        session.decided_at = now
        session.decided_by = actor
        session.decision_reason = reason
        session.save(update_fields=["state", "decided_at", "decided_by", "decision_reason"])
        audit_log(
            actor=actor,
            action="session.cancelled",
            target=session,
            data={
                "reason": reason,
                "enrollments": [e.number for e in enrollments + seat_enrollments],
                "seats": [seat.pk for seat in seats],
                "waiting_list_withdrawn": [entry.pk for entry in waiting],
                "emailed": [person.user.pk for person in recipients],
            },
        )
        # Invoice numbers last: their series stay locked until commit.
        settlements = []
        for preview in previews:
            settlements.extend(
                settle(
                    actor=actor,
                    preview=preview,
                    reason=f"{session} cancelled by the provider",
                    issued_on=today,
                )
            )
        emails.queue_session_cancelled(
            session=session, recipients=recipients, settlements=settlements, reason=reason
        )
    return SessionCancelOutcome(
        session=session,
        enrollments=tuple(enrollments + seat_enrollments),
        seats=tuple(seats),
        settlements=tuple(settlements),
        waiting_list_withdrawn=tuple(waiting),
        emailed=tuple(person.user for person in recipients),
    )
