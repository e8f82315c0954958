"""Fixtures shared by the tests of several Kenshu apps (helpers: kenshu.core.testing)."""

import pytest

from kenshu.accounts import roles
from kenshu.core.testing import corporate_customer, make_staff


@pytest.fixture
def sato(db):
    """佐藤 花子 (``sato-corp``), a corporate user of 株式会社サンプル."""
    return corporate_customer()


@pytest.fixture
def reception(db):
    """Reception (受付): may change users and decide type-change requests."""
    return make_staff(roles.RECEPTION, last_name="受付", first_name="花子")


@pytest.fixture
def accountant(db):
    """Accounting (経理): may view users, not change them; does not decide requests."""
    return make_staff(roles.ACCOUNTING, last_name="経理", first_name="次郎")


@pytest.fixture
def administrator(db):
    return make_staff(roles.ADMINISTRATOR, last_name="管理", first_name="三郎")
