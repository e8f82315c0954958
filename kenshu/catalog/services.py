"""Writes of the catalogue: staff create and change courses and sessions.

Each service is one transaction: it checks the actor's permission, the rules
across rows, saves, and writes the audit entry (ARCHITECTURE.md §1, §8).
The forms have checked the format already.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kenshu.audit.services import audit_log
from kenshu.core.exceptions import Conflict, InvalidState, NotPermitted
from kenshu.core.locking import lock_rows
from kenshu.core.time import to_tokyo
from kenshu.enrollments.seats import seats_taken

from .models import Course, Session

COURSE_FIELDS = (
    "code",
    "title",
    "summary",
    "delivery",
    "is_partner",
    "fee",
    "duration",
    "prerequisites",
    "access_days",
    "is_published",
)
SESSION_FIELDS = ("starts_at", "ends_at", "deadline", "venue", "online_url", "capacity", "state")


def _require_perm(actor, perm: str) -> None:
    if not (actor and actor.is_active and actor.is_staff and actor.has_perm(perm)):
        raise NotPermitted()


def _audit_value(value: Any) -> Any:
    """A value as JSON can hold it (datetimes in ISO 8601, Asia/Tokyo)."""
    if isinstance(value, dt.datetime):
        return to_tokyo(value).isoformat()
    return value


def _changes(before, after, fields) -> dict[str, list]:
    """{field: [old, new]} of the fields whose value differs."""
    return {
        name: [_audit_value(getattr(before, name)), _audit_value(getattr(after, name))]
        for name in fields
        if getattr(before, name) != getattr(after, name)
    }


@transaction.atomic
def course_save(*, actor, course: Course) -> Course:
    """Create ``course`` (no pk yet) or save the changes made to it; audited as
    ``course.created`` / ``course.changed`` (with the changed fields)."""
    if course.pk is None:
        _require_perm(actor, "catalog.add_course")
        if Course.objects.filter(code=course.code).exists():
            raise Conflict(_("This course code is already used by another course."))
        course.save()
        audit_log(
            actor=actor,
            action="course.created",
            target=course,
            data={name: _audit_value(getattr(course, name)) for name in COURSE_FIELDS},
        )
        return course

    _require_perm(actor, "catalog.change_course")
    [before] = lock_rows(Course.objects.all(), [course.pk])
    if Course.objects.filter(code=course.code).exclude(pk=course.pk).exists():
        raise Conflict(_("This course code is already used by another course."))
    if (
        course.delivery == Course.Delivery.ELEARNING
        and before.delivery != Course.Delivery.ELEARNING
        and Session.objects.filter(course=course).exists()
    ):
        raise InvalidState(
            _("This course has sessions: it cannot become an e-learning course."),
            code="course_has_sessions",
        )
    changes = _changes(before, course, COURSE_FIELDS)
    if not changes:
        return course
    course.save()
    audit_log(actor=actor, action="course.changed", target=course, data={"changes": changes})
    return course


@transaction.atomic
def session_save(*, actor, session: Session) -> Session:
    """Create ``session`` (no pk yet) or save the changes made to it; audited as
    ``session.created`` / ``session.changed``.

    The capacity is never lowered below the seats already taken (R-APPLY-3):
    counted under the session's row lock, as applications are.
    """
    course = session.course
    if course.delivery == Course.Delivery.ELEARNING:
        raise InvalidState(
            _("E-learning courses have no sessions."), code="elearning_has_no_sessions"
        )
    if session.pk is None:
        _require_perm(actor, "catalog.add_session")
        session.save()
        audit_log(
            actor=actor,
            action="session.created",
            target=session,
            data={
                "course": course.code,
                **{name: _audit_value(getattr(session, name)) for name in SESSION_FIELDS},
            },
        )
        return session

    _require_perm(actor, "catalog.change_session")
    [before] = lock_rows(Session.objects.all(), [session.pk])
    if before.course_id != session.course_id:
        raise InvalidState(code="session_course_changed")
    if before.state == Session.State.CANCELLED:
        raise InvalidState(
            _("This session has been cancelled: it cannot be changed."),
            code="session_cancelled",
        )
    if session.capacity < before.capacity:
        taken = seats_taken([session.pk])[session.pk]
        if session.capacity < taken:
            raise Conflict(
                _(
                    "The capacity cannot be lower than the %(taken)s seats already taken "
                    "(applications, seats on offer and bought seats)."
                ),
                code="capacity_below_seats_taken",
                taken=taken,
            )
    changes = _changes(before, session, SESSION_FIELDS)
    if not changes:
        return session
    session.save()
    audit_log(
        actor=actor,
        action="session.changed",
        target=session,
        data={"course": course.code, "changes": changes},
    )
    return session


# --- the provider's decision to hold a session (開催決定, DOMAIN.md §3, §8, §11) -----------

#: Who may decide to hold a session: the permission to change sessions (administrators).
DECIDE_PERMISSION = "catalog.change_session"


def session_recipients(session: Session) -> list[dict]:
    """Everyone told about a decision on ``session``, once each: the learners of its live
    enrolments, their applicants, and the group applicants of its live inventory seats
    (assigned or not). Each entry: ``user``, ``as_learner``, ``learners`` (the names of
    the others it applied for), ``seats`` (its live inventory seats)."""
    from django.db.models import Count, Q

    from kenshu.enrollments.models import Enrollment
    from kenshu.inventory.models import InventoryItem, Seat

    recipients: dict[int, dict] = {}

    def entry(user) -> dict:
        return recipients.setdefault(
            user.pk, {"user": user, "as_learner": False, "learners": [], "seats": 0}
        )

    enrollments = (
        Enrollment.objects.filter(session=session, state__in=Enrollment.LIVE_STATES)
        .select_related("learner", "applicant")
        .order_by("pk")
    )
    for enrollment in enrollments:
        entry(enrollment.learner)["as_learner"] = True
        if enrollment.applicant_id != enrollment.learner_id:
            learner = enrollment.learner
            entry(enrollment.applicant)["learners"].append(learner.full_name or learner.username)
    items = (
        InventoryItem.objects.filter(session=session)
        .annotate(live=Count("seats", filter=Q(seats__state__in=Seat.LIVE_STATES)))
        .filter(live__gt=0)
        .select_related("applicant")
        .order_by("pk")
    )
    for item in items:
        entry(item.applicant)["seats"] += item.live
    return sorted(recipients.values(), key=lambda r: r["user"].pk)


@transaction.atomic
def session_confirm(*, actor, session: Session, reason: str = "") -> Session:
    """開催決定: the provider decides to hold ``session`` (open → confirmed).

    Under the session's lock: the state, ``decided_at``/``decided_by`` and the reason
    are saved; ``session.confirmed`` is audited with the number of people told; every
    learner and applicant of the session (``session_recipients``) is emailed
    ``session_confirmed`` once (one de-duplication key per session and person). The
    reason is an internal note (audit log and session), not part of the email.

    Raises ``NotPermitted``; ``InvalidState`` with code ``session_cancelled``,
    ``session_not_open`` (confirmed or held already) or ``session_started``.
    """
    from django.urls import reverse

    from kenshu.core.time import now as current_time
    from kenshu.notifications.services import email_queue

    _require_perm(actor, DECIDE_PERMISSION)
    [locked] = lock_rows(Session.objects.all(), [session.pk])
    if locked.state == Session.State.CANCELLED:
        raise InvalidState(
            _("This session has been cancelled: it cannot be changed."),
            code="session_cancelled",
        )
    if locked.state != Session.State.OPEN:
        raise InvalidState(code="session_not_open")
    now = current_time()
    if locked.starts_at <= now:
        raise InvalidState(code="session_started")
    locked.state = Session.State.CONFIRMED
    locked.decided_at = now
    locked.decided_by = actor
    locked.decision_reason = reason.strip()
    locked.save(update_fields=["state", "decided_at", "decided_by", "decision_reason"])

    course = locked.course
    recipients = session_recipients(locked)
    base = {
        "course_code": course.code,
        "course_title": course.title,
        "delivery": course.delivery,
        "session_id": locked.pk,
        "starts_at": locked.starts_at.isoformat(),
        "ends_at": locked.ends_at.isoformat(),
        "venue": locked.venue,
        "calendar_path": reverse("enrollments:session_calendar", args=[locked.pk]),
        "my_enrollments_path": reverse("enrollments:my_enrollments"),
    }
    for recipient in recipients:
        user = recipient["user"]
        if not user.email:
            continue
        email_queue(
            template="session_confirmed",
            to=user.email,
            language=user.language,
            context={
                **base,
                "name": user.full_name or user.username,
                "as_learner": recipient["as_learner"],
                "learners": recipient["learners"],
                "seats": recipient["seats"],
            },
            related=locked,
            dedup_key=f"session_confirmed:{locked.pk}:{user.pk}",
        )
    audit_log(
        actor=actor,
        action="session.confirmed",
        target=locked,
        data={
            "course": course.code,
            "starts_at": _audit_value(locked.starts_at),
            "reason": locked.decision_reason,
            "emailed": [r["user"].pk for r in recipients if r["user"].email],
        },
    )
    session.state, session.decided_at = locked.state, locked.decided_at
    session.decided_by, session.decision_reason = actor, locked.decision_reason
    return locked
