"""Who may cancel an enrolment on the web (R-CANCEL-1, R-TYPE), and if not, why and
whom to ask. Used by ``enrollment_cancel`` and by My Account (a cancel button, or
the reason there is none), so that both say the same thing.

``customer_cancel_refusal`` makes no query of its own when the enrolment comes
with its session and its applicant's organisation (``select_related``), except for
a group or partner learner's own enrolment (rare: such users cannot apply), where
``policy.refusal_reason`` looks up whom to ask.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kenshu.accounts import policy
from kenshu.accounts.policy import Action
from kenshu.core import time as ktime

#: The customer's cancellation request form (DOMAIN.md §14).
CANCELLATION_REQUEST_PATH = "/requests/cancellation/"


@dataclass(frozen=True)
class CancelRefusal:
    """Why a customer may not cancel an enrolment, and what to do instead.

    ``code``: ``not_own``, ``not_live``, ``ask_applicant`` (a place booked by a group
    or partner applicant: ask it, ``ask_name`` / ``ask_organisation``),
    ``inventory`` (the group applicant's own seat from its inventory: send a
    cancellation request, ``request_url``), ``user_type`` (R-TYPE), ``started`` (the
    session has started, or the e-learning access has ended: contact us).
    """

    code: str
    message: str
    ask_name: str = ""
    ask_organisation: str = ""
    request_url: str = ""

    #: Refusals that are about who the user is (a forged POST is a 403, audited),
    #: as opposed to the enrolment's state.
    PERMISSION_CODES = frozenset({"not_own", "ask_applicant", "inventory", "user_type"})

    @property
    def is_permission(self) -> bool:
        return self.code in self.PERMISSION_CODES


def cancellation_request_url(enrollment) -> str:
    return f"{CANCELLATION_REQUEST_PATH}?{urlencode({'enrollment': enrollment.pk})}"


def customer_cancel_refusal(
    *, user, enrollment, now: dt.datetime | None = None
) -> CancelRefusal | None:
    """None when ``user`` may cancel ``enrollment`` itself on the web now, else why not.

    A user may cancel an enrolment it applied for itself (source ``self``, applicant =
    learner = user) while it is live, if its user type allows it (individual,
    corporate, group applicant), until the session starts (an e-learning course:
    until its access period ends). A place assigned from inventory is cancelled by
    staff: the learner asks its applicant, the group applicant sends a request.
    """
    if not user.is_authenticated or enrollment.learner_id != user.pk:
        return CancelRefusal("not_own", _("You can only cancel your own applications."))
    if not enrollment.is_live:
        return CancelRefusal(
            "not_live",
            _("This application is %(state)s: there is nothing to cancel.")
            % {"state": enrollment.get_state_display()},
        )
    if enrollment.source != enrollment.Source.SELF or enrollment.applicant_id != user.pk:
        if enrollment.applicant_id == user.pk:
            return CancelRefusal(
                "inventory",
                _(
                    "This place is one of the seats your organisation bought (inventory). "
                    "Purchased seats are cancelled by our staff: please send a cancellation "
                    "request."
                ),
                request_url=cancellation_request_url(enrollment),
            )
        applicant = enrollment.applicant
        organisation = applicant.organisation.name if applicant.organisation_id else ""
        name = applicant.full_name or applicant.get_username()
        return CancelRefusal(
            "ask_applicant",
            (
                _(
                    "This place was booked for you by %(name)s (%(organisation)s). "
                    "Please ask them to cancel it."
                )
                if organisation
                else _("This place was booked for you by %(name)s. Please ask them to cancel it.")
            )
            % {"name": name, "organisation": organisation},
            ask_name=name,
            ask_organisation=organisation,
        )
    if not policy.can(user, Action.CANCEL_OWN_ENROLLMENT):
        return CancelRefusal("user_type", policy.refusal_reason(user, Action.CANCEL_OWN_ENROLLMENT))
    now = now or ktime.now()
    if enrollment.session_id:
        if enrollment.session.starts_at <= now:
            return CancelRefusal(
                "started",
                _(
                    "The session has started: it can no longer be cancelled on the web. "
                    "Please contact us."
                ),
            )
    elif enrollment.access_ends_on and enrollment.access_ends_on < ktime.tokyo_date(now):
        return CancelRefusal(
            "started",
            _("The access period has ended: there is nothing left to cancel."),
        )
    return None
