"""Why a purchase, an invitation or an assignment is refused (R-APPLY-2, -3, -5, R-TYPE).

Each refusal has its own class, code and translatable message, so that the pages
say exactly what happened. Refusals of the session itself (cancelled, closed) are
the enrolment app's (``kenshu.enrollments.exceptions``).
"""

from django.utils.translation import gettext_lazy as _

from kenshu.core.exceptions import Conflict, DomainError, InvalidState, NotPermitted


class QuantityTooSmall(InvalidState):
    code = "quantity_too_small"
    default_message = _("Please buy at least one seat.")


class QuantityTooLarge(InvalidState):
    """More seats than one purchase may hold (e-learning has no capacity)."""

    code = "quantity_too_large"
    default_message = _("One purchase holds at most %(max)s seats.")


class NotEnoughSeats(Conflict):
    """R-APPLY-3: fewer seats left than asked for."""

    code = "not_enough_seats"
    default_message = _(
        "Only %(left)s seats are left in this session: please buy %(left)s or fewer."
    )


class NoSeatsLeft(Conflict):
    code = "no_seats_left"
    default_message = _("This session is full (no seats left).")


class NoOrganisation(InvalidState):
    code = "no_organisation"
    default_message = _(
        "This group applicant belongs to no organisation: please ask us to set its company."
    )


class NotAGroupApplicant(NotPermitted):
    code = "not_a_group_applicant"
    default_message = _(
        "%(name)s is not a corporate-group applicant: seats cannot be bought for it."
    )


class InventoryNotCancellable(NotPermitted):
    """R-TYPE, R-CANCEL-1/-2: only staff cancel inventory or unassign a seat."""

    code = "inventory_not_cancellable"
    default_message = _(
        "Purchased seats (inventory) are cancelled and unassigned by our staff only. "
        "Please send a cancellation or learner-change request."
    )


# --- learners -------------------------------------------------------------------------


class InvalidLearnerData(InvalidState):
    code = "invalid_learner_data"
    default_message = _("The learner's details are not valid.")


class EmailOfAnotherOrganisation(Conflict):
    code = "email_of_another_organisation"
    default_message = _(
        "The email address %(email)s belongs to a user of another organisation. "
        "Please check it, or contact us."
    )


class EmailOfNonLearner(Conflict):
    code = "email_of_non_learner"
    default_message = _(
        "The email address %(email)s belongs to %(name)s of your organisation, who is a "
        "%(type)s and cannot be given a seat. Please contact us to change the user type."
    )


class EmailOfGroupLearner(Conflict):
    code = "email_of_group_learner"
    default_message = _(
        "The email address %(email)s already belongs to %(name)s (user ID %(user_id)s) of "
        "your group. Leave the user ID empty to use that learner."
    )


class OwnEmail(Conflict):
    code = "own_email"
    default_message = _(
        "This is your own email address. To take a seat yourself, choose yourself in the "
        "list of learners."
    )


class UserIdTaken(Conflict):
    code = "user_id_taken"
    default_message = _(
        "The user ID %(user_id)s is already taken. Please choose another user ID for this learner."
    )


class UserIdOfAnotherLearner(Conflict):
    code = "user_id_mismatch"
    default_message = _(
        "The user ID %(user_id)s belongs to %(name)s, whose email address is not %(email)s."
    )


class NotInGroup(NotPermitted):
    """The learner is not a learner of the applicant's group (R-TYPE-3)."""

    code = "not_in_group"
    default_message = _(
        "%(name)s is not a learner of your group: seats go to learners of %(organisation)s only."
    )


class InvitationNotNeeded(InvalidState):
    code = "invitation_not_needed"
    default_message = _("%(name)s has already set a password: no invitation is needed.")


class InvitationInvalid(InvalidState):
    code = "invitation_invalid"
    default_message = _(
        "This invitation link is not valid: it has expired or has been used already. "
        "Please ask the person who invited you to send a new one."
    )


# --- seats -----------------------------------------------------------------------------


class LearnerHoldsSeat(Conflict):
    """R-APPLY-1: one learner holds at most one live enrolment per session or course."""

    code = "learner_holds_seat"
    default_message = _(
        "%(name)s already holds a seat for this session (or course): one learner holds "
        "at most one seat per session."
    )


class SeatNotUnassigned(InvalidState):
    code = "seat_not_unassigned"
    default_message = _(
        "This seat is no longer unassigned: someone has just assigned or cancelled it. "
        "Please reload the page."
    )


class NoUnassignedSeat(InvalidState):
    code = "no_unassigned_seat"
    default_message = _("This purchase has no unassigned seat left.")


class SeatNotAssigned(InvalidState):
    code = "seat_not_assigned"
    default_message = _("This seat is not assigned to anyone.")


class SameLearner(InvalidState):
    code = "same_learner"
    default_message = _("%(name)s already holds this seat.")


class EnrollmentNotLive(InvalidState):
    code = "enrollment_not_live"
    default_message = _(
        "The learner's enrolment is %(state)s: a seat whose course has been attended or "
        "cancelled cannot be unassigned."
    )


class AssignmentClosed(InvalidState):
    """After the application deadline only staff assign a seat (until the first day)."""

    code = "assignment_closed"
    default_message = _(
        "The application deadline of this session has passed: please contact us to assign "
        "this seat."
    )


# --- bulk files --------------------------------------------------------------------------


class BulkFileError(DomainError):
    """The uploaded file cannot be read as a list of learners."""

    code = "bulk_file_error"
    default_message = _("The file cannot be read.")


class BulkRowsInvalid(InvalidState):
    """At least one row of a bulk assignment is wrong: nothing was assigned."""

    code = "bulk_rows_invalid"
    default_message = _(
        "%(count)s rows have errors, so nothing was assigned. Please correct the file "
        "and upload it again."
    )

    def __init__(self, previews=None, **kwargs):
        self.previews = previews or []
        errors = [p for p in self.previews if p.error]
        super().__init__(count=len(errors), **kwargs)
