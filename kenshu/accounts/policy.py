"""What each user type may do: the R-TYPE table of DOMAIN.md §2, in one place.

Views, services and templates ask ``can(user, action)`` (or ``require``);
nothing else decides by user type. Deny unless a rule allows.
"""

from enum import StrEnum

from django.utils.translation import gettext as _

from kenshu.core.exceptions import NotPermitted

from .models import User

T = User.UserType


class Action(StrEnum):
    APPLY_FOR_SELF = "apply_for_self"
    BUY_FOR_OTHERS = "buy_for_others"  # buy inventory and assign it
    CANCEL_OWN_ENROLLMENT = "cancel_own_enrollment"
    CANCEL_INVENTORY = "cancel_inventory"  # staff only (R-CANCEL-2)
    REQUEST_TYPE_CHANGE = "request_type_change"  # R-TYPE-4
    REQUEST_INVENTORY_CHANGE = "request_inventory_change"  # cancellation/learner/date change


RIGHTS: dict[str, frozenset[Action]] = {
    T.INDIVIDUAL: frozenset({Action.APPLY_FOR_SELF, Action.CANCEL_OWN_ENROLLMENT}),
    T.CORPORATE: frozenset(
        {Action.APPLY_FOR_SELF, Action.CANCEL_OWN_ENROLLMENT, Action.REQUEST_TYPE_CHANGE}
    ),
    T.GROUP_APPLICANT: frozenset(
        {
            Action.APPLY_FOR_SELF,
            Action.BUY_FOR_OTHERS,
            Action.CANCEL_OWN_ENROLLMENT,
            Action.REQUEST_INVENTORY_CHANGE,
        }
    ),
    T.GROUP_LEARNER: frozenset(),
    T.PARTNER_LEARNER: frozenset(),
}


def can(user, action: Action) -> bool:
    """True when ``user``'s type allows ``action`` (anonymous users may do nothing)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return action in RIGHTS.get(user.user_type, frozenset())


def require(user, action: Action) -> None:
    """Raise ``NotPermitted`` with the reason when ``user`` may not do ``action``."""
    if not can(user, action):
        raise NotPermitted(refusal_reason(user, action))


def whom_to_ask(user) -> list[User]:
    """The applicants a learner asks (R-TYPE-2, R-TYPE-3): the group applicants of its
    organisation (for a partner learner, of the partner organisation)."""
    if not getattr(user, "organisation_id", None):
        return []
    return list(
        User.objects.filter(
            organisation_id=user.organisation_id,
            user_type=T.GROUP_APPLICANT,
            is_active=True,
        )
        .select_related("organisation")
        .order_by("last_name_kana", "pk")
    )


def refusal_reason(user, action: Action) -> str:
    """A sentence telling ``user`` why it may not do ``action`` and whom to ask."""
    if user is None or not user.is_authenticated:
        return _("Please log in first.")
    if action == Action.CANCEL_INVENTORY:
        return _(
            "Purchased seats (inventory) are cancelled by our staff. "
            "Please send a cancellation request."
        )
    if user.user_type in (T.GROUP_LEARNER, T.PARTNER_LEARNER):
        applicants = whom_to_ask(user)
        if applicants:
            names = "、".join(
                f"{a.full_name}({a.organisation.name})" if a.organisation else a.full_name
                for a in applicants
            )
            return _(
                "As a %(type)s you cannot apply or cancel yourself. "
                "Please ask your applicant: %(names)s."
            ) % {"type": user.get_user_type_display(), "names": names}
        return _(
            "As a %(type)s you cannot apply or cancel yourself. "
            "Please ask the person in charge of training at your organisation."
        ) % {"type": user.get_user_type_display()}
    if action == Action.REQUEST_TYPE_CHANGE:
        return _("Only corporate users can ask to become a corporate-group applicant.")
    return _("Your user type (%(type)s) does not allow this.") % {
        "type": user.get_user_type_display()
    }
