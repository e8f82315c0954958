"""Fixtures of the enrolment tests."""

import pytest

from kenshu.core.testing import CourseFactory, UserFactory, classroom_session


@pytest.fixture
def learner(db):
    """An individual (may apply for itself)."""
    return UserFactory(username="kobetsu", email="kobetsu@example.jp")


@pytest.fixture
def session(db):
    """An open classroom session 30 days ahead, 20 seats, fee 50,000 yen."""
    return classroom_session()


@pytest.fixture
def elearning(db):
    """A published e-learning course (90 days of access)."""
    return CourseFactory(elearning=True, code="EL100", title="情報セキュリティ基礎")
