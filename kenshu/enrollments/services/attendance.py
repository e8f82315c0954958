"""Attendance and completion, recorded by staff (DOMAIN.md §11, §13).

A session's enrolment goes ``applied`` → ``attended`` / ``absent`` (no-show) →
``completed``; an e-learning enrolment goes ``applied`` → ``completed``. Staff
mark it once the session has started (or the e-learning access has begun), and
may correct a mark (absent ↔ attended; a completion back to attended).

- Marking needs ``enrollments.change_enrollment`` (reception, administrator).
- ``completed`` sets ``completed_on`` (the Tokyo date of marking unless given);
  any other mark clears it. Every mark stamps ``attendance_marked_at``.
- ``absent`` changes no money: a no-show pays 100 % under every cancellation
  policy (R-CANCEL-4), so the invoice stays as it is and nothing is refunded.
- A session's seats are not freed by a mark: the mark is only possible once the
  session has started, after its application deadline.
- Each changed enrolment is audited ``enrollment.attendance_marked`` (from, to,
  completed_on). No email is sent.

Refusals are ``InvalidState`` with a ``code`` (``enrollment_cancelled``,
``session_not_started``, ``elearning_completion_only``, ``access_not_started``,
``attendance_transition``, ``not_a_mark``); the staff pages say each in words.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from kenshu.audit.services import audit_log
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import InvalidState, NotPermitted
from kenshu.core.locking import lock_rows

from ..models import Enrollment

PERMISSION = "enrollments.change_enrollment"

S = Enrollment.State

#: The states staff may mark.
MARKS = (S.ATTENDED, S.ABSENT, S.COMPLETED)

#: For each mark, the states an enrolment may come from.
ALLOWED_FROM = {
    S.ATTENDED: frozenset({S.APPLIED, S.ABSENT, S.COMPLETED}),
    S.ABSENT: frozenset({S.APPLIED, S.ATTENDED}),
    S.COMPLETED: frozenset({S.APPLIED, S.ATTENDED}),
}


def _require_staff(actor) -> None:
    if not (actor and actor.is_active and actor.is_staff and actor.has_perm(PERMISSION)):
        raise NotPermitted()


def _check(
    enrollment: Enrollment, state: str, *, session: Session | None, now: dt.datetime
) -> None:
    """Raise ``InvalidState`` unless ``enrollment`` may be marked ``state`` now."""
    if enrollment.state == S.CANCELLED:
        raise InvalidState(code="enrollment_cancelled")
    if session is None:  # e-learning: completion only, once access has begun
        if state != S.COMPLETED or enrollment.state == S.ABSENT:
            raise InvalidState(code="elearning_completion_only")
        if enrollment.access_starts_on and enrollment.access_starts_on > ktime.tokyo_date(now):
            raise InvalidState(code="access_not_started")
    elif session.starts_at > now:
        raise InvalidState(code="session_not_started")
    if enrollment.state not in ALLOWED_FROM[state]:
        raise InvalidState(code="attendance_transition")


def enrollments_attendance_mark(
    *,
    actor,
    enrollments: Iterable[Enrollment],
    state: str,
    completed_on: dt.date | None = None,
) -> list[Enrollment]:
    """Mark every one of ``enrollments`` ``state`` (attended, absent or completed) in
    one transaction: all of them or, on any refusal, none. Enrolments already in
    ``state`` are left as they are. Returns the enrolments that changed."""
    _require_staff(actor)
    if state not in MARKS:
        raise InvalidState(code="not_a_mark")
    state = S(state)
    pks = sorted({e.pk for e in enrollments})
    if not pks:
        return []
    now = ktime.now()
    with transaction.atomic():
        locked = lock_rows(Enrollment.objects.all(), pks)
        if len(locked) != len(pks):
            raise Enrollment.DoesNotExist()
        session_ids = {e.session_id for e in locked if e.session_id}
        sessions = Session.objects.in_bulk(session_ids) if session_ids else {}
        to_change = []
        for enrollment in locked:
            if enrollment.state == state:
                continue
            _check(enrollment, state, session=sessions.get(enrollment.session_id), now=now)
            to_change.append(enrollment)
        day = (completed_on or ktime.tokyo_date(now)) if state == S.COMPLETED else None
        for enrollment in to_change:
            before = enrollment.state
            enrollment.state = state
            enrollment.completed_on = day
            enrollment.attendance_marked_at = now
            enrollment.save(update_fields=["state", "completed_on", "attendance_marked_at"])
            audit_log(
                actor=actor,
                action="enrollment.attendance_marked",
                target=enrollment,
                data={
                    "from": before,
                    "to": state.value,
                    "completed_on": day.isoformat() if day else None,
                    "session": enrollment.session_id,
                    "course": enrollment.course_id,
                },
            )
    return to_change


def enrollment_attendance_mark(
    *, actor, enrollment: Enrollment, state: str, completed_on: dt.date | None = None
) -> Enrollment:
    """Mark one enrolment ``state`` (attended, absent or completed); returns it as
    it is now. Raises ``NotPermitted`` or ``InvalidState`` (see the module)."""
    enrollments_attendance_mark(
        actor=actor, enrollments=[enrollment], state=state, completed_on=completed_on
    )
    enrollment.refresh_from_db()
    return enrollment
