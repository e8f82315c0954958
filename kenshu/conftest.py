"""Fixtures shared by the tests of several Kenshu apps (helpers: kenshu.core.testing).

An app's own tests/conftest.py may override any of them (e.g. its own ``session``)."""

import pytest

from kenshu.accounts import roles
from kenshu.core.testing import (
    Clock,
    classroom_session,
    corporate_customer,
    group_admin,
    group_colleague,
    make_staff,
    sample_organisation,
)


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


@pytest.fixture
def organisation(db):
    """株式会社サンプル, the customer organisation of the group fixtures below."""
    return sample_organisation()


@pytest.fixture
def applicant(organisation):
    """鈴木 人事 (``group-admin``), the group applicant (HR) of ``organisation``."""
    return group_admin(organisation)


@pytest.fixture
def colleague(organisation):
    """高橋 学 (``group-learner``), a group learner of ``organisation``."""
    return group_colleague(organisation)


@pytest.fixture
def session(db):
    """An open classroom session of ILC1234 ビジネス文書研修, 30 days ahead, 10 seats,
    fee 50,000 yen."""
    return classroom_session(course__fee=50_000, capacity=10)


@pytest.fixture
def clock(monkeypatch):
    """``clock.day(date, hour=10)`` pins ``kenshu.core.time.now``; ``clock.today``."""
    return Clock(monkeypatch)
