"""How a legacy row maps onto Kenshu's rows (R-MIGRATE-1, R-MIGRATE-2): pure functions.

- 個人 → individual, 法人 → corporate (``parsing.MEMBER_TYPES``); a corporate member's
  organisation is the customer organisation of the same company name after folding
  full/half-width and spaces (``accounts.models.normalise_company_name``).
- The login ID becomes the user ID, the email is carried over, no password is: the
  password field holds an unusable password (Django's ``!`` prefix), so the member
  sets one through password reissue.
- A booking is the member's own when the participant's email is the member's email
  (case-insensitive); when the participant has no email, when its name is the member's
  name (spaces ignored) or empty. Any other participant is another person.
"""

import re
import secrets
import unicodedata

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

from kenshu.accounts.models import normalise_company_name

from .parsing import BookingRecord, data_hash  # noqa: F401 (part of the mapping)

#: Characters a user ID may hold (Django's username validator: letters, digits, @.+-_).
_NOT_IN_USER_ID = re.compile(r"[^\w.@+-]")
USER_ID_MAX = 150


def company_key(name: str) -> str:
    """The organisation look-up key of a company name.

    「株式会社　ｻﾝﾌﾟﾙ」 and 「株式会社サンプル」 have the same key."""
    return normalise_company_name(name)


def company_display_name(name: str) -> str:
    """The name a new organisation gets (as ``accounts.services.organisation_for_name``)."""
    return unicodedata.normalize("NFKC", name).strip()


def unusable_password() -> str:
    """What ``set_unusable_password`` stores ("!" and random text), without its 40 calls
    to ``secrets.choice`` per user: ``has_usable_password()`` is False for it."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _name_key(name: str) -> str:
    return "".join(name.split())


def booking_is_for_member(booking: BookingRecord, *, email: str, full_name: str) -> bool | None:
    """True: the member's own booking; False: another participant with an email;
    None: another participant without an email (it cannot get an account).

    ``email`` and ``full_name`` are the member's (from the file, or from its account
    when the member was imported by an earlier run).
    """
    if booking.participant_email:
        return booking.participant_email.casefold() == email.casefold()
    name = _name_key(booking.participant_name)
    if not name or name == _name_key(full_name):
        return True
    return None


def split_name(full_name: str) -> tuple[str, str]:
    """「山田 太郎」 → ("山田", "太郎"); a name without a space is all family name."""
    parts = full_name.split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0][:150], (parts[1] if len(parts) > 1 else "")[:150]


def learner_user_id(email: str, taken: set[str]) -> str:
    """The user ID of a new group learner: its email (the signup default, R-ACCT-1), or
    the email with "-2", "-3", … when that ID is taken. ``taken`` holds lower-cased IDs
    and gets the new one."""
    base = _NOT_IN_USER_ID.sub("_", email.lower())[: USER_ID_MAX - 6]
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate
