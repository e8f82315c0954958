"""What the staff pages say when a service refuses (by the ``DomainError`` code).

The services raise ``InvalidState`` with a code and a general message; these say
exactly what happened, in the staff area's words."""

from django.utils.translation import gettext_lazy as _

from kenshu.core.exceptions import DomainError

ATTENDANCE = {
    "enrollment_cancelled": _("A cancelled enrolment cannot be marked. Nothing was changed."),
    "session_not_started": _(
        "Attendance can be marked only once the session has started. Nothing was changed."
    ),
    "elearning_completion_only": _(
        "An e-learning enrolment can only be marked completed. Nothing was changed."
    ),
    "access_not_started": _(
        "A learner whose e-learning access has not started yet cannot be marked completed. "
        "Nothing was changed."
    ),
    "attendance_transition": _(
        "An absent learner cannot be marked completed, nor a completed one absent: mark "
        "them attended first. Nothing was changed."
    ),
}

SESSION_DECISION = {
    "session_not_open": _("Only an open session can be confirmed: this one has been decided."),
    "session_started": _("This session has already started: it can no longer be decided."),
}


def _message(exc: DomainError, known: dict) -> str:
    return str(known.get(exc.code, exc))


def attendance_error(exc: DomainError) -> str:
    return _message(exc, ATTENDANCE)


def session_decision_error(exc: DomainError) -> str:
    return _message(exc, SESSION_DECISION)
