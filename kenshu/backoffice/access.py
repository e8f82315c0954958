"""Who may use the staff area: deny unless a rule allows.

``staff_required(*perms)`` guards a view:

- not logged in → the login page (then back here);
- logged in but not active staff, or lacking any of ``perms`` → 403.

Views that do more on POST than on GET (deciding, changing a user) check the
extra permission with ``require_perms`` before reading the form.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def is_staff_member(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def require_perms(user, *perms: str) -> None:
    """Raise ``PermissionDenied`` (403) unless ``user`` is active staff with every perm."""
    if not is_staff_member(user) or not user.has_perms(perms):
        raise PermissionDenied


def staff_required(*perms: str) -> Callable:
    """Decorator: the view is for active staff holding every permission in ``perms``."""

    def decorator(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_perms(request.user, *perms)
            return view(request, *args, **kwargs)

        guarded.staff_permissions = perms
        return guarded

    return decorator
