"""/staff/sessions/ (DOMAIN.md §11): sessions by date with their fill (applications,
inventory seats assigned and unassigned, waiting list, capacity), filtered by course,
delivery, venue, state and dates; one page costs the same whatever the rows."""

import datetime as dt

import pytest

from kenshu.backoffice.selectors.sessions import SessionFilters, sessions_search
from kenshu.catalog.models import Course, Session
from kenshu.core.testing import CourseFactory, SessionFactory, UserFactory
from kenshu.core.time import tokyo_date
from kenshu.enrollments.seats import seats_taken
from kenshu.enrollments.services import waiting_list_join

from .conftest import many_enrollments, many_learners

pytestmark = pytest.mark.django_db

URL = "/staff/sessions/"


@pytest.fixture
def filled(session, apply, buy, group):
    """``session`` (20 seats): 2 applications, 3 seats bought (1 assigned)."""
    apply(UserFactory(), session)
    apply(UserFactory(), session)
    buy(group["applicant"], session, 3, assign_to=group["learners"][:1])
    return session


def test_the_fill_of_a_session_counts_applications_seats_and_the_waiting_list(filled):
    [row] = sessions_search(SessionFilters(course_id=filled.course_id))
    assert (row.enrolled, row.seats_assigned, row.seats_unassigned) == (2, 1, 2)
    assert row.waiting == 0 and row.offered == 0
    assert row.taken == 5 == seats_taken([filled.pk])[filled.pk]


def test_a_full_session_shows_its_waiting_list(db, apply, django_capture_on_commit_callbacks):
    small = SessionFactory(capacity=1)
    apply(UserFactory(), small)
    with django_capture_on_commit_callbacks(execute=True):
        waiting_list_join(actor=UserFactory(), session=small)
    [row] = sessions_search(SessionFilters(course_id=small.course_id))
    assert (row.taken, row.capacity, row.waiting) == (1, 1, 1)


def test_the_list_shows_each_session_with_its_fill(client, reception, filled):
    client.force_login(reception)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/staff/sessions/{filled.pk}/"' in html
    assert "ILC1234" in html and "ビジネス文書研修" in html
    assert "5 / 20" in html and "(25%)" in html


def test_by_default_the_list_starts_today(client, reception, session):
    past = SessionFactory(starts_on=tokyo_date() - dt.timedelta(days=3), course=session.course)
    client.force_login(reception)
    response = client.get(URL)
    shown = [s.pk for s in response.context["page"].object_list]
    assert shown == [session.pk]
    assert past.pk not in shown
    assert response.context["form"]["date_from"].value() == tokyo_date().isoformat()


def test_filters_by_course_delivery_venue_state_and_dates(client, reception):
    today = tokyo_date()
    live = SessionFactory(
        course=CourseFactory(live=True, code="LIVE1", title="オンライン研修"),
        starts_on=today + dt.timedelta(days=5),
    )
    osaka = SessionFactory(
        course=CourseFactory(code="OSK1", title="大阪の研修"),
        venue="大阪支社 研修室",
        starts_on=today + dt.timedelta(days=10),
    )
    confirmed = SessionFactory(
        course=CourseFactory(code="CNF1", title="決定済み研修"),
        state=Session.State.CONFIRMED,
        starts_on=today + dt.timedelta(days=20),
    )
    client.force_login(reception)

    def shown(**params):
        response = client.get(URL, params)
        assert response.status_code == 200
        return {s.pk for s in response.context["page"].object_list}

    assert shown(q="live1") == {live.pk}
    assert shown(q="大阪") == {osaka.pk}
    assert shown(delivery=Course.Delivery.LIVE) == {live.pk}
    assert shown(venue="大阪") == {osaka.pk}
    assert shown(state=Session.State.CONFIRMED) == {confirmed.pk}
    assert shown(
        date_from=(today + dt.timedelta(days=6)).isoformat(),
        date_to=(today + dt.timedelta(days=10)).isoformat(),
    ) == {osaka.pk}
    assert shown(date_from="") == {live.pk, osaka.pk, confirmed.pk}


def test_an_end_before_the_start_is_a_form_error(client, reception):
    client.force_login(reception)
    response = client.get(URL, {"date_from": "2026-05-10", "date_to": "2026-05-01"})
    assert response.status_code == 200
    assert "date_to" in response.context["form"].errors


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_list_costs_the_same_number_of_queries_for_10_and_1000_sessions(
    client, reception, django_assert_num_queries, rows, buy, group, apply
):
    course = CourseFactory(code="VOL1")
    sessions = SessionFactory.create_batch(rows, course=course)
    many_enrollments(sessions[0], many_learners(5))
    buy(group["applicant"], sessions[0], 2, assign_to=group["learners"][:1])
    client.force_login(reception)
    # session, user, the user's and its groups' permissions, count, page
    with django_assert_num_queries(6):
        response = client.get(URL)
    page = response.context["page"]
    assert page.paginator.count == rows
    assert page.object_list[0].taken == 7
