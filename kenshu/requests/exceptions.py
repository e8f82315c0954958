"""Why a date change (日程変更, ``kenshu.enrollments.services.move.enrollment_move``) is
refused. Defined here, with the date-change requests, so that their messages are
translated in this app's catalogue; each has its own ``code``."""

from django.utils.translation import gettext_lazy as _

from kenshu.core.exceptions import Conflict, InvalidState


class NoDateToChange(InvalidState):
    code = "no_date_to_change"
    default_message = _("An e-learning enrolment has no date to change.")


class SameSession(InvalidState):
    code = "same_session"
    default_message = _("The enrolment is already for this session.")


class TargetSessionMissing(InvalidState):
    code = "target_session_missing"
    default_message = _("This session does not exist.")


class EnrollmentChangedMeanwhile(InvalidState):
    code = "enrollment_changed_meanwhile"
    default_message = _("The enrolment changed meanwhile. Please try again.")


class EnrollmentNotMovable(InvalidState):
    code = "enrollment_not_movable"
    default_message = _("Only a live enrolment can be moved to another date.")


class OtherCourse(InvalidState):
    code = "other_course"
    default_message = _("An enrolment can only move to a session of the same course.")


class LearnerAlreadyThere(Conflict):
    """R-APPLY-1 on the target session. Params: ``name``, ``date``."""

    code = "learner_already_there"
    default_message = _("%(name)s is already enrolled for the session of %(date)s.")


class TargetSessionFull(Conflict):
    """R-APPLY-3 on the target session. Param: ``date``."""

    code = "target_session_full"
    default_message = _("The session of %(date)s is full: the enrolment cannot move there.")
