"""Why an application or a waiting-list action is refused (R-APPLY-1, -3, -4).

Each refusal has its own class and its own translatable message, so the
confirmation page can say exactly what happened.
"""

from django.utils.translation import gettext_lazy as _

from kenshu.core.exceptions import Conflict, InvalidState


class SessionFull(Conflict):
    """R-APPLY-3: no seat left (open waiting-list offers hold theirs)."""

    code = "session_full"
    default_message = _(
        "This session is full (no seats left). You can join the waiting list instead."
    )


class ApplicationClosed(InvalidState):
    """R-APPLY-4: the application deadline has passed (or the session has been held)."""

    code = "application_closed"
    default_message = _("Applications for this session are closed: the deadline has passed.")


class SessionCancelled(InvalidState):
    """R-APPLY-4: the provider has cancelled the session."""

    code = "session_cancelled"
    default_message = _("This session has been cancelled and accepts no applications.")


class AlreadyApplied(Conflict):
    """R-APPLY-1: one live enrolment per learner per session (or e-learning course)."""

    code = "already_applied"
    default_message = _(
        "You have already applied for this. Your applications are listed in My Account."
    )


class CourseNotOpen(InvalidState):
    """The course is not published, or the wrong kind of application (session vs course)."""

    code = "course_not_open"
    default_message = _("This course is not open for applications.")


class SeatsAvailable(InvalidState):
    """Joining the waiting list while seats are free: apply instead."""

    code = "seats_available"
    default_message = _("This session still has seats: you can apply for it directly.")


class AlreadyWaiting(Conflict):
    """One open waiting-list entry per user per session."""

    code = "already_waiting"
    default_message = _("You are already on the waiting list for this session.")


class NotWaiting(InvalidState):
    """The waiting-list entry is no longer waiting or offered."""

    code = "not_waiting"
    default_message = _("This waiting-list entry is no longer open.")
