"""Fixtures of the migration tests: the catalogue the legacy bookings refer to."""

import datetime as dt

import pytest

from kenshu.core.testing import CourseFactory, SessionFactory
from kenshu.core.time import tokyo_datetime


@pytest.fixture
def catalogue(db):
    """ILC1001 (classroom): sessions on 2023-10-20 10:00, 2023-11-15 10:00 and
    2023-12-01 13:30 (Asia/Tokyo), 20 seats each; LIVE200 (live) on 2023-11-20 10:00;
    EL300 (e-learning, no sessions)."""
    classroom = CourseFactory(code="ILC1001", title="ビジネス文書研修", fee=30_000)
    live = CourseFactory(code="LIVE200", title="オンライン会議術", live=True, fee=20_000)
    sessions = {
        "before": SessionFactory(course=classroom, starts_on=dt.date(2023, 10, 20)),
        "november": SessionFactory(course=classroom, starts_on=dt.date(2023, 11, 15)),
        "december": SessionFactory(
            course=classroom, starts_at=tokyo_datetime(dt.date(2023, 12, 1), 13, 30)
        ),
        "live": SessionFactory(course=live, starts_on=dt.date(2023, 11, 20)),
    }
    CourseFactory(code="EL300", elearning=True)
    return sessions
