"""Fixtures of the staff-area tests: places on a session made through the real services
(``enrollment_apply``, ``inventory_purchase``, ``seat_assign``), and helpers that move a
session into the past and make many rows at once for the query-count tests."""

import datetime as dt

import pytest
from django.contrib.auth.hashers import make_password

from kenshu.accounts.models import User
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.testing import (
    DEFAULT_PASSWORD,
    classroom_session,
    group_admin,
    group_colleague,
    inventory_buy,
    sample_organisation,
)
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.services import enrollment_apply


@pytest.fixture
def session(db):
    """An open classroom session of ILC1234 ビジネス文書研修, 30 days ahead, 20 seats."""
    return classroom_session()


@pytest.fixture
def apply(django_capture_on_commit_callbacks):
    """``apply(user, session)``: the user applies for itself (emails sent at commit)."""

    def do(user, session=None, course=None):
        with django_capture_on_commit_callbacks(execute=True):
            return enrollment_apply(actor=user, session=session, course=course)

    return do


@pytest.fixture
def group(db):
    """A group applicant of 株式会社サンプル (鈴木 人事) and two of its learners."""
    organisation = sample_organisation()
    applicant = group_admin(organisation)
    learners = [
        group_colleague(
            organisation,
            username=f"group-learner{i}",
            email=f"learner{i}@sample.example.jp",
            first_name=name,
            first_name_kana=kana,
        )
        for i, (name, kana) in enumerate([("学", "マナブ"), ("光", "ヒカル")], start=1)
    ]
    return {"organisation": organisation, "applicant": applicant, "learners": learners}


@pytest.fixture
def buy(django_capture_on_commit_callbacks):
    """``buy(applicant, session, quantity, assign_to=[...])``: an inventory purchase,
    its first seats assigned to the given learners; returns the purchase."""

    def do(applicant, session, quantity, assign_to=()):
        with django_capture_on_commit_callbacks(execute=True):
            return inventory_buy(applicant, session, quantity, assign_to=assign_to)

    return do


def move_to_past(session: Session, *, days: int = 1) -> Session:
    """Data repair for tests: the session started ``days`` ago (as if time had passed)."""
    starts = ktime.now() - dt.timedelta(days=days)
    Session.objects.filter(pk=session.pk).update(
        starts_at=starts, ends_at=starts + dt.timedelta(hours=7), deadline=starts
    )
    session.refresh_from_db()
    return session


def many_learners(n: int, *, prefix: str = "many") -> list[User]:
    """``n`` individual users in one INSERT."""
    password = make_password(DEFAULT_PASSWORD)
    User.objects.bulk_create(
        [
            User(
                username=f"{prefix}{i:05d}",
                email=f"{prefix}{i:05d}@example.jp",
                password=password,
                last_name="大量",
                first_name=f"{i}",
                last_name_kana="タイリョウ",
                first_name_kana="タロウ",
                user_type=User.UserType.INDIVIDUAL,
            )
            for i in range(n)
        ]
    )
    return list(User.objects.filter(username__startswith=prefix).order_by("pk"))


def many_enrollments(session: Session, learners: list[User]) -> None:
    """A live self enrolment of each learner on ``session``, in one INSERT (rows as
    ``enrollment_apply`` leaves them, without orders: the volume tests count queries)."""
    now = ktime.now()
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                learner=learner,
                applicant=learner,
                course=session.course,
                session=session,
                fee=session.course.fee,
                applied_at=now,
            )
            for learner in learners
        ]
    )
