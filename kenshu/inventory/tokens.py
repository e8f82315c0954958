"""The invitation link of a new learner (R-APPLY-2): set a password once, before it expires.

Django's password-reset token machinery, with its own salt and lifetime: the token
hashes the user's password hash, last login and email, so it stops working the
moment a password is set (used once), when a new invitation is sent (the unusable
password is renewed) or after ``KENSHU_INVITATION_DAYS`` (default 7) days.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int, int_to_base36

DEFAULT_INVITATION_DAYS = 7


def invitation_days() -> int:
    return int(getattr(settings, "KENSHU_INVITATION_DAYS", DEFAULT_INVITATION_DAYS))


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "kenshu.inventory.tokens.InvitationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.email}{user.is_active}"

    def check_token(self, user, token) -> bool:
        """Like the password-reset check, with the invitation's own lifetime."""
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        return (self._num_seconds(self._now()) - ts) <= invitation_days() * 86400


invitation_token_generator = InvitationTokenGenerator()


def invitation_path(user) -> str:
    """The site-relative link of ``user``'s invitation, with a fresh token."""
    return reverse(
        "inventory:invitation_accept",
        kwargs={
            "uidb36": int_to_base36(user.pk),
            "token": invitation_token_generator.make_token(user),
        },
    )
