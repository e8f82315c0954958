"""Applying for oneself (R-APPLY-1, R-APPLY-3, R-APPLY-4, R-ELEARN-1).

One service, one transaction: lock the session row, re-count the seats, then
write the order, the enrolment, the audit entry, the qualified invoice and the
emails. Any refusal raises a ``DomainError`` subclass before anything is kept:
the transaction rolls back as a whole.

The invoice number comes last. Its series counter stays locked from the moment a
number is taken until commit, and every application of every session waits for
it (gapless numbering, DOMAIN.md §9): everything that can be written before it
is, and only the invoice, its audit entries and the emails that quote its number
follow (docs/performance.md).
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kenshu.accounts import policy
from kenshu.accounts.policy import Action
from kenshu.audit.services import audit_log
from kenshu.billing.services import LineSpec, order_create, order_invoice
from kenshu.cancellation.selectors import policy_tiers_for
from kenshu.catalog.models import Course, Session
from kenshu.core import time as ktime
from kenshu.core.locking import lock_rows

from ..elearning import elearning_access_window
from ..exceptions import AlreadyApplied, CourseNotOpen, SessionFull
from ..models import Enrollment, WaitingListEntry
from ..schedule import cancellation_windows
from ..seats import seats_taken
from .checks import check_session_open, has_live_enrollment
from .emails import first_day_of, queue_application_emails


def enrollment_apply(
    *, actor, session: Session | None = None, course: Course | None = None
) -> Enrollment:
    """``actor`` applies for itself for ``session`` (classroom or live) or for the
    e-learning ``course``; returns the new live enrolment.

    Raises ``NotPermitted`` (user type, R-TYPE), ``CourseNotOpen``,
    ``SessionCancelled`` / ``ApplicationClosed`` (R-APPLY-4), ``AlreadyApplied``
    (R-APPLY-1) or ``SessionFull`` (R-APPLY-3); ``Busy`` when the session's lock
    could not be had in time. A user holding an open waiting-list offer for the
    session takes the seat held for it.

    Order of work: the policy is read before the transaction; in it, the session is
    locked and checked, the order and the enrolment are written (a duplicate fails
    there, long before the invoice number), then the audit entry; the invoice (the
    number's lock, held until commit) and the emails quoting it come last.
    """
    policy.require(actor, Action.APPLY_FOR_SELF)
    if (session is None) == (course is None):
        raise ValueError("give either a session or an e-learning course")
    now = ktime.now()
    delivery = session.course.delivery if session is not None else course.delivery
    tiers = policy_tiers_for(delivery)
    with transaction.atomic():
        if session is not None:
            session, course, entry = _take_session_seat(actor=actor, session=session, now=now)
        else:
            course, entry = _check_elearning_course(actor=actor, course=course), None
        enrollment = _enrollment_new(
            actor=actor, course=course, session=session, now=now, tiers=tiers
        )
        lines = [LineSpec(line_description(enrollment), course.fee)]
        enrollment.order = order_create(buyer=actor, lines=lines)
        _enrollment_save(enrollment)
        if entry is not None:  # a seat offered from the waiting list, or a free one found
            entry.state = WaitingListEntry.State.ACCEPTED
            entry.save(update_fields=["state"])
        audit_log(
            actor=actor,
            action="enrollment.applied",
            target=enrollment,
            data={
                "course": course.code,
                "session": session.pk if session else None,
                "order": enrollment.order.number,
                "fee": enrollment.fee,
                "waiting_list_entry": entry.pk if entry else None,
            },
        )
        windows = cancellation_windows(tiers=tiers, first_day=first_day_of(enrollment))
        # From here on every other application waits for this one to commit.
        invoice = order_invoice(order=enrollment.order, lines=lines)
        queue_application_emails(enrollment=enrollment, now=now, windows=windows, invoice=invoice)
    return enrollment


def _take_session_seat(*, actor, session: Session, now):
    """Lock the session, check it takes applications and has a seat for ``actor``.

    Returns ``(session, course, open waiting-list entry of actor or None)``. The
    course is the one the caller read with ``session`` (the view, a moment ago) when
    it is still the session's: the session lock does not cover the course row, so
    reading it again would be no fresher in any way that matters.
    """
    locked = lock_rows(Session.objects.all(), [session.pk])
    if not locked:
        raise CourseNotOpen()
    given, session = session, locked[0]
    if given.course_id == session.course_id and Session.course.is_cached(given):
        course = given.course
    else:
        course = Course.objects.get(pk=session.course_id)
    session.course = course
    if not course.is_published or not course.has_sessions:
        raise CourseNotOpen()
    check_session_open(session, now=now)
    # R-APPLY-1 (one live enrolment per learner and session) is checked by the insert
    # itself (its partial unique constraint: ``_enrollment_save``), which saves a query
    # on every application; only a full session asks first, so that someone who has
    # applied already is told so rather than "full".
    entry = (
        WaitingListEntry.objects.filter(
            session=session,
            user=actor,
            state__in=[WaitingListEntry.State.WAITING, WaitingListEntry.State.OFFERED],
        )
        .order_by("pk")
        .first()
    )
    holds_offer = (
        entry is not None
        and entry.state == WaitingListEntry.State.OFFERED
        and entry.offer_expires_at is not None
        and entry.offer_expires_at > now
    )
    taken = seats_taken([session.pk])[session.pk]
    if holds_offer:
        taken -= 1  # the seat counted for the offer is the one this user takes
    if taken >= session.capacity:
        if has_live_enrollment(learner=actor, session=session):
            raise AlreadyApplied()
        raise SessionFull()
    return session, course, entry


def _check_elearning_course(*, actor, course: Course) -> Course:
    course = Course.objects.filter(pk=course.pk).first()
    if course is None or not course.is_published or course.has_sessions:
        raise CourseNotOpen()
    if has_live_enrollment(learner=actor, course=course):
        raise AlreadyApplied()
    return course


def line_description(enrollment: Enrollment) -> str:
    """The order and invoice line, in Japanese (the invoice's language): code, title and
    the first day, or the e-learning access start date."""
    course = enrollment.course
    if enrollment.session is not None:
        day = ktime.tokyo_date(enrollment.session.starts_at)
        return f"{course.code} {course.title} {day:%Y/%m/%d}"
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(code)s %(title)s (e-learning, access from %(date)s)") % {
            "code": course.code,
            "title": course.title,
            "date": f"{enrollment.access_starts_on:%Y/%m/%d}",
        }


def _enrollment_new(
    *, actor, course: Course, session: Session | None, now, tiers: list[dict]
) -> Enrollment:
    """The live enrolment, not saved yet (the caller gives it its order first)."""
    starts_on = ends_on = None
    if session is None:
        starts_on, ends_on = elearning_access_window(
            ktime.tokyo_date(now), is_partner=course.is_partner, access_days=course.access_days
        )
    return Enrollment(
        learner=actor,
        applicant=actor,
        course=course,
        session=session,
        source=Enrollment.Source.SELF,
        state=Enrollment.State.APPLIED,
        fee=course.fee,
        applied_at=now,
        access_starts_on=starts_on,
        access_ends_on=ends_on,
        cancellation_tiers=tiers,
    )


def _enrollment_save(enrollment: Enrollment) -> None:
    """Insert the enrolment; its partial unique constraints enforce R-APPLY-1 (for a
    session, the session's lock makes the insert the check; for e-learning they are
    the backstop of ``has_live_enrollment``). A duplicate is ``AlreadyApplied``: the
    exception leaves the service's transaction at once, which rolls back as a whole
    (no savepoint needed here)."""
    try:
        enrollment.save(force_insert=True)
    except IntegrityError as exc:
        raise AlreadyApplied() from exc
