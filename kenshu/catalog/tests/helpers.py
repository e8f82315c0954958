"""Set-up shared by the catalogue tests."""

import datetime as dt

from django.utils import timezone

from kenshu.catalog.models import Course, Session
from kenshu.core.testing import UserFactory
from kenshu.core.time import tokyo_date, tokyo_datetime
from kenshu.enrollments.models import Enrollment


def take_seats(session: Session, count: int) -> list[Enrollment]:
    """``count`` live enrolments of ``session`` applied for oneself (they hold seats)."""
    enrollments = []
    for _ in range(count):
        learner = UserFactory()
        enrollments.append(
            Enrollment.objects.create(
                learner=learner,
                applicant=learner,
                course=session.course,
                session=session,
                fee=session.course.fee,
                applied_at=timezone.now(),
            )
        )
    return enrollments


def bulk_catalogue(*, courses: int, sessions: int, prefix: str = "BK") -> list[Course]:
    """``courses`` published classroom courses and ``sessions`` upcoming sessions spread
    over them (bulk_create: quick even for thousands)."""
    made = Course.objects.bulk_create(
        Course(
            code=f"{prefix}{n:04d}",
            title=f"一括研修{n}",
            summary="概要",
            delivery=Course.Delivery.CLASSROOM,
            fee=40_000,
            is_published=True,
        )
        for n in range(courses)
    )
    first_day = tokyo_date() + dt.timedelta(days=10)
    rows = []
    for n in range(sessions):
        starts_at = tokyo_datetime(first_day + dt.timedelta(days=n // courses), 10)
        rows.append(
            Session(
                course=made[n % courses],
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(hours=7),
                deadline=starts_at - dt.timedelta(days=1),
                venue="東京本社 研修室A",
                capacity=20,
            )
        )
    Session.objects.bulk_create(rows, batch_size=500)
    return made
