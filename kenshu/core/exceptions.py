"""The DomainError tree: rule violations raised by services.

Each error carries a translatable message (shown to the user as is) and a
stable ``code`` (for tests, logs and API clients). Views turn them into form
errors or messages; they never leak as 500s.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule said no. ``message`` is translatable and user-facing."""

    code = "domain_error"
    default_message = _("This action is not allowed.")

    def __init__(self, message: str | Promise | None = None, *, code: str | None = None, **params):
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.params = params
        super().__init__(str(self))

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class NotPermitted(DomainError):
    """The acting user may not do this (deny unless a rule allows)."""

    code = "not_permitted"
    default_message = _("You are not allowed to do this.")


class InvalidState(DomainError):
    """The object is not in a state that allows this action."""

    code = "invalid_state"
    default_message = _("This cannot be done in the current state.")


class Conflict(DomainError):
    """The change would break a uniqueness or capacity rule."""

    code = "conflict"
    default_message = _("This conflicts with existing data.")


class Busy(DomainError):
    """A lock could not be taken in time: nothing was changed, retry later."""

    code = "busy"
    default_message = _("The system is busy. Nothing was changed; please try again.")
