"""Why a legacy row was rejected or skipped, and why a member is listed for review.

Each reason has a stable ``code`` (tests, the report's ``code`` column, the stored
review reasons) and a translatable message with named parameters, rendered in the
active language when shown: in the report and the command's output, and on the
staff review page.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    # --- the row itself -------------------------------------------------------------------
    "field_count": _("The row has %(found)s fields; %(expected)s were expected."),
    "required": _("%(column)s is empty."),
    "too_long": _("%(column)s is longer than %(max)s characters."),
    "invalid_email": _("%(column)s: “%(value)s” is not a valid email address."),
    "invalid_login_id": _("The login ID “%(value)s” contains spaces or control characters."),
    "unknown_member_type": _("Unknown member type “%(value)s” (expected 個人 or 法人)."),
    "company_required": _("A corporate member (法人) needs a company name."),
    "invalid_date": _("%(column)s: “%(value)s” is not a date (e.g. 2023-11-01 or 2023/11/01)."),
    "invalid_datetime": _(
        "%(column)s: “%(value)s” is not a date and time (e.g. 2023-11-01 10:00)."
    ),
    "unknown_status": _("Unknown status “%(value)s” (expected 申込 or キャンセル)."),
    "invalid_fee": _("fee: “%(value)s” is not an amount in yen."),
    # --- across rows ----------------------------------------------------------------------
    "duplicate_member_id": _("The legacy member ID %(value)s appears on rows %(rows)s."),
    "duplicate_login_id": _("The login ID %(value)s appears on rows %(rows)s."),
    "login_id_taken": _("The user ID %(value)s already belongs to another account."),
    "duplicate_booking_id": _("The legacy booking ID %(value)s appears on rows %(rows)s."),
    "unknown_member": _(
        "No member with the legacy member ID %(value)s in the members file or an earlier import."
    ),
    "member_rejected": _("Its member %(value)s was rejected (members file, row %(row)s)."),
    "member_bookings_rejected": _(
        "Not imported, with all its bookings, because its booking rows %(rows)s were rejected."
    ),
    "sibling_rejected": _(
        "Not imported because another booking of its member was rejected (rows %(rows)s)."
    ),
    "unknown_course": _("No course with the code %(value)s."),
    "elearning_course": _("The course %(value)s is e-learning: it has no sessions to book."),
    "unknown_session": _("The course %(code)s has no session starting at %(start)s."),
    "participant_email_required": _(
        "The participant %(name)s is not the member and has no email address: "
        "a seat for another person needs one."
    ),
    "participant_email_too_long": _(
        "The participant's email address is too long to be a user ID (at most %(max)s)."
    ),
    "organisation_required": _(
        "The booking is for another participant, but the member has no company name: "
        "a group applicant needs an organisation."
    ),
    "cannot_become_group_applicant": _(
        "The booking is for another participant, but the member's account is now a %(type)s: "
        "it cannot become a group applicant automatically."
    ),
    "already_booked": _("%(learner)s already has a place on this session (%(other)s)."),
    "database_refused": _("The database refused the member's rows: %(error)s"),
    # --- bookings not imported (skipped) ----------------------------------------------------
    "cancelled": _("Cancelled in the old system: not imported."),
    "before_cutoff": _("The session starts before the cut-off (%(cutoff)s): not imported."),
    "session_cancelled": _(
        "The session %(session)s has been cancelled: not imported; the member is listed for review."
    ),
    # --- why a member is listed for review ----------------------------------------------------
    "handled_individually": _(
        "Has live bookings for sessions on or after the cut-off (%(cutoff)s): handled individually."
    ),
    "became_group_applicant": _(
        "Booked for other participants: made a group applicant; %(count)s inventory seats "
        "assigned to group learners of its organisation."
    ),
    "over_capacity": _("The session %(session)s is over capacity: %(taken)s of %(capacity)s."),
    "legacy_data_changed": _(
        "The legacy data changed after the import (%(fields)s); the account was left as it is. "
        "Please check it."
    ),
    "booking_changed": _(
        "Booking %(value)s changed in the old system after it was imported; what it became "
        "was left as it is. Please check it."
    ),
}


def message(code: str, params: dict[str, Any] | None = None) -> str:
    """The reason ``code`` in words, in the active language."""
    template = MESSAGES.get(code)
    if template is None:
        return code
    try:
        return str(template) % (params or {})
    except (KeyError, TypeError, ValueError):
        return str(template)


@dataclass(frozen=True)
class Problem:
    """A rejected or skipped row, or a member for review: one line of the report."""

    kind: str  # "rejected", "skipped", "review", "over_capacity"
    file: str  # "members", "bookings" or "" (a session)
    row: int | None
    legacy_id: str
    code: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    legacy_member_id: str = ""

    @property
    def message(self) -> str:
        return message(self.code, self.params)


def reason(code: str, **params) -> dict[str, Any]:
    """A stored review reason (``LegacyMember.review_reasons`` holds a list of these)."""
    return {"code": code, "params": {k: _plain(v) for k, v in params.items()}}


def _plain(value):
    return value if isinstance(value, int | float | bool | type(None)) else str(value)
