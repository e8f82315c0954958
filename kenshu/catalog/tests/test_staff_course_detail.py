"""/staff/catalogue/courses/<pk>/: a course's facts and all its sessions with seats taken."""

import datetime as dt

import pytest

from kenshu.catalog.models import Session
from kenshu.core.testing import CourseFactory, SessionFactory

from .helpers import bulk_catalogue, take_seats

pytestmark = pytest.mark.django_db


def test_the_page_lists_every_session_latest_first_with_seats_taken(client, reception):
    course = CourseFactory(code="ILC1234", is_published=False)
    early = SessionFactory(course=course, starts_on=dt.date(2099, 4, 1), capacity=10)
    late = SessionFactory(course=course, starts_on=dt.date(2099, 6, 1), capacity=2)
    take_seats(early, 3)
    take_seats(late, 2)
    SessionFactory(course=course, starts_on=dt.date(2099, 5, 1), state=Session.State.CANCELLED)
    client.force_login(reception)
    response = client.get(f"/staff/catalogue/courses/{course.pk}/")
    sessions = response.context["page"].object_list
    assert [s.starts_at.date() for s in sessions] == [
        dt.date(2099, 6, 1),
        dt.date(2099, 5, 1),
        dt.date(2099, 4, 1),
    ]
    html = response.content.decode()
    assert "3 / 10" in html
    assert "2 / 2" in html
    assert "満席" in html
    assert "中止" in html
    assert "非公開" in html
    assert "/courses/ILC1234/" not in html  # no public page while unpublished


def test_an_e_learning_course_shows_its_access_period_and_no_sessions(client, reception):
    course = CourseFactory(elearning=True, access_days=120)
    client.force_login(reception)
    html = client.get(f"/staff/catalogue/courses/{course.pk}/").content.decode()
    assert "120日間" in html
    assert "日程を追加" not in html


@pytest.mark.parametrize("sessions", [10, 1000])
def test_the_page_costs_the_same_queries_with_10_or_1000_sessions(
    client, administrator, django_assert_num_queries, sessions
):
    [course] = bulk_catalogue(courses=1, sessions=sessions)
    client.force_login(administrator)
    # session, user, permissions (2), course, count, page of sessions, seats taken.
    with django_assert_num_queries(8):
        assert client.get(f"/staff/catalogue/courses/{course.pk}/").status_code == 200
