from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.shortcuts import redirect

PROTECTED_PREFIXES = ("/staff/", "/admin/")


class StaffMFARequiredMiddleware:
    """With KENSHU_STAFF_MFA_REQUIRED (always in production), staff must activate TOTP
    before they can use the staff area or the admin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.KENSHU_STAFF_MFA_REQUIRED
            and request.path.startswith(PROTECTED_PREFIXES)
            and request.user.is_authenticated
            and request.user.is_staff
            and not is_mfa_enabled(request.user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
