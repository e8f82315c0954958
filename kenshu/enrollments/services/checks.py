"""Checks shared by the applying and waiting-list services (R-APPLY-1, R-APPLY-4)."""

import datetime as dt

from kenshu.catalog.models import Course, Session

from ..exceptions import ApplicationClosed, SessionCancelled
from ..models import Enrollment


def session_refusal(session: Session, *, now: dt.datetime):
    """The R-APPLY-4 error a session gives to any application now, or None."""
    if session.state == Session.State.CANCELLED:
        return SessionCancelled()
    if session.state == Session.State.HELD or now >= session.deadline:
        return ApplicationClosed()
    return None


def check_session_open(session: Session, *, now: dt.datetime) -> None:
    """Raise ``SessionCancelled`` or ``ApplicationClosed`` (R-APPLY-4)."""
    error = session_refusal(session, now=now)
    if error is not None:
        raise error


def has_live_enrollment(
    *, learner, session: Session | None = None, course: Course | None = None
) -> bool:
    """R-APPLY-1: ``learner`` holds a live enrolment for ``session`` (or the e-learning
    ``course``), whether applied for itself or assigned from inventory."""
    live = Enrollment.objects.filter(learner=learner, state__in=Enrollment.LIVE_STATES)
    if session is not None:
        return live.filter(session=session).exists()
    return live.filter(course=course, session__isnull=True).exists()
