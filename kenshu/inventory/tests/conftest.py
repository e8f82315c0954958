"""Fixtures of the inventory tests. ``organisation`` (株式会社サンプル), ``applicant``
(鈴木 人事, ``group-admin``), ``colleague`` (高橋 学, ``group-learner``) and ``session``
(10 seats, fee 50,000 yen) come from kenshu/conftest.py; here an e-learning course and
a purchase."""

import pytest

from kenshu.core.testing import CourseFactory
from kenshu.inventory.services import inventory_purchase


@pytest.fixture
def elearning(db):
    return CourseFactory(elearning=True, code="EL100", title="情報セキュリティ基礎", fee=20_000)


@pytest.fixture
def item(applicant, session):
    """3 seats of ``session`` bought by ``applicant``."""
    return inventory_purchase(actor=applicant, session=session, quantity=3)
