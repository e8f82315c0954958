"""Template helpers of the account pages and emails.

- ``{{ code|user_type_label }}``: a user-type code (as stored in an email's
  context) in words, in the active language: ``corporate`` → 法人.
- ``{% cannot_apply_notice user %}``: the R-TYPE-2 notice for a user who may not
  apply (group and partner learners): why, and whom to ask (their applicant's
  name and organisation). Renders nothing for anyone who may apply, and for
  visitors who are not logged in. Catalogue and course pages put it where the
  apply button would be.
"""

from django import template
from django.conf import settings

from kenshu.accounts.models import User
from kenshu.accounts.policy import Action, can, refusal_reason

register = template.Library()


@register.filter
def user_type_label(code) -> str:
    """``corporate`` → 法人 (English when English is active); an unknown code as it is."""
    try:
        return str(User.UserType(code).label)
    except ValueError:
        return "" if code is None else str(code)


@register.inclusion_tag("accounts/includes/cannot_apply_notice.html")
def cannot_apply_notice(user) -> dict:
    """R-TYPE-2: tell a user who cannot apply why, and whom to ask."""
    if user is None or not user.is_authenticated or can(user, Action.APPLY_FOR_SELF):
        return {"show": False}
    return {"show": True, "reason": refusal_reason(user, Action.APPLY_FOR_SELF)}


@register.simple_tag
def password_reset_hours() -> int:
    """How long a password reissue link works, in hours (settings.PASSWORD_RESET_TIMEOUT)."""
    return settings.PASSWORD_RESET_TIMEOUT // 3600
