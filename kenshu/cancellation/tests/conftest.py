"""Fixtures of the cancellation tests (helpers: ``helpers.py``)."""

import datetime as dt

import pytest

from kenshu.core.testing import OrganisationFactory, UserFactory, classroom_session
from kenshu.core.time import tokyo_date


@pytest.fixture
def learner(db):
    """山田 一郎, an individual."""
    return UserFactory(
        username="ichiro", email="ichiro@example.jp", last_name="山田", first_name="一郎"
    )


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="株式会社グループ")


@pytest.fixture
def group_applicant(organisation):
    """田中 課長, the group applicant of 株式会社グループ."""
    return UserFactory(
        group_applicant=True,
        organisation=organisation,
        username="tanaka",
        email="tanaka@example.jp",
        last_name="田中",
        first_name="課長",
    )


@pytest.fixture
def group_learner(organisation):
    return UserFactory(
        group_learner=True,
        organisation=organisation,
        username="suzuki",
        email="suzuki@example.jp",
        last_name="鈴木",
        first_name="花子",
    )


@pytest.fixture
def session(db):
    """A classroom session 40 days ahead (free to cancel today), fee 50,000 yen."""
    return classroom_session(course__fee=50_000, starts_on=tokyo_date() + dt.timedelta(days=40))
