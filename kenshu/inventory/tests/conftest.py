"""Fixtures of the inventory tests: a group applicant of 株式会社サンプル with one learner,
a session and an e-learning course, and ``buy`` / ``outbox`` helpers."""

import pytest

from kenshu.core.testing import CourseFactory, OrganisationFactory, SessionFactory, UserFactory
from kenshu.inventory.services import inventory_purchase


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="株式会社サンプル", name_kana="サンプル")


@pytest.fixture
def applicant(organisation):
    """鈴木 人事 (``group-admin``), the group applicant (HR) of 株式会社サンプル."""
    return UserFactory(
        group_applicant=True,
        organisation=organisation,
        username="group-admin",
        email="jinji@sample.example.jp",
        last_name="鈴木",
        first_name="人事",
        last_name_kana="スズキ",
        first_name_kana="ジンジ",
    )


@pytest.fixture
def colleague(organisation):
    """高橋 学 (``group-learner``), a group learner of the same organisation."""
    return UserFactory(
        group_learner=True,
        organisation=organisation,
        username="group-learner",
        email="takahashi@sample.example.jp",
        last_name="高橋",
        first_name="学",
        last_name_kana="タカハシ",
        first_name_kana="マナブ",
    )


@pytest.fixture
def session(db):
    """An open classroom session 30 days ahead, 10 seats, fee 50,000 yen."""
    return SessionFactory(
        course__code="ILC1234", course__title="ビジネス文書研修", course__fee=50_000, capacity=10
    )


@pytest.fixture
def elearning(db):
    return CourseFactory(elearning=True, code="EL100", title="情報セキュリティ基礎", fee=20_000)


@pytest.fixture
def item(applicant, session):
    """3 seats of ``session`` bought by ``applicant``."""
    return inventory_purchase(actor=applicant, session=session, quantity=3)
