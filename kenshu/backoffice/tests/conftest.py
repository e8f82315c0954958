"""Fixtures of the staff-area tests: staff members by role."""

import datetime as dt

import pytest

from kenshu.accounts import roles
from kenshu.core.testing import UserFactory
from kenshu.requests.models import TypeChangeRequest

#: The staff personas of the access tests: a role group, or none at all.
ROLES = [roles.RECEPTION, roles.ACCOUNTING, roles.ADMINISTRATOR, "no role"]


def make_staff(role: str, **kwargs):
    """An active staff member with ``role`` (a group of kenshu.accounts.roles, or "no role")."""
    groups = [] if role == "no role" else [role]
    return UserFactory(staff=True, groups=groups, **kwargs)


@pytest.fixture
def reception(db):
    return make_staff(roles.RECEPTION, last_name="受付", first_name="花子")


@pytest.fixture
def accountant(db):
    return make_staff(roles.ACCOUNTING, last_name="経理", first_name="次郎")


@pytest.fixture
def administrator(db):
    return make_staff(roles.ADMINISTRATOR, last_name="管理", first_name="三郎")


def make_type_change_request(user=None, **fields) -> TypeChangeRequest:
    """A request as the service would have made it (without its emails and audit)."""
    user = user or UserFactory(corporate=True)
    fields.setdefault("contact_date", dt.date(2026, 5, 11))
    return TypeChangeRequest.objects.create(
        requester=user,
        user=user,
        requested_type="group_applicant",
        user_id_text=user.username,
        company_name=user.organisation.name if user.organisation_id else "",
        full_name=user.full_name,
        **fields,
    )
