"""/account/enrollments/ (R-ACCT-5): the user's enrolments with state, dates, e-learning
access window and invoice link; paginated; nobody else's; query count pinned."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kenshu.core.testing import CourseFactory, SessionFactory, UserFactory
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.services import enrollment_apply
from kenshu.enrollments.views import MY_ENROLLMENTS_PER_PAGE

pytestmark = pytest.mark.django_db

URL = "/account/enrollments/"


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/account/enrollments/"


def test_the_user_sees_its_enrolments_with_state_dates_access_window_and_invoice(
    client, learner, session, elearning
):
    classroom = enrollment_apply(actor=learner, session=session)
    online = enrollment_apply(actor=learner, course=elearning)
    cancelled = enrollment_apply(actor=learner, session=SessionFactory())
    Enrollment.objects.filter(pk=cancelled.pk).update(state=Enrollment.State.CANCELLED)
    client.force_login(learner)

    html = client.get(URL).content.decode()

    assert "ILC1234" in html and "EL100" in html
    start, end = online.access_starts_on, online.access_ends_on
    assert f"{start.year}年{start.month}月{start.day}日" in html
    assert f"{end.year}年{end.month}月{end.day}日(" in html
    assert "申込済" in html and "キャンセル" in html
    for enrollment in (classroom, online):
        invoice = enrollment.order.invoices.get()
        assert f"/account/invoices/{invoice.number}/pdf/" in html
        assert enrollment.order.number in html
    assert f"/apply/session/{session.pk}/calendar.ics" in html


def test_the_user_sees_only_its_own_enrolments(client, learner, session):
    enrollment_apply(actor=UserFactory(), session=session)
    client.force_login(learner)
    response = client.get(URL)
    assert list(response.context["page"].object_list) == []
    assert "まだお申し込みはありません" in response.content.decode()


def test_the_list_is_paginated_newest_first(client, learner):
    made = [
        enrollment_apply(actor=learner, session=SessionFactory())
        for _ in range(MY_ENROLLMENTS_PER_PAGE + 1)
    ]
    client.force_login(learner)
    first = client.get(URL).context["page"]
    assert len(first.object_list) == MY_ENROLLMENTS_PER_PAGE
    assert first.object_list[0] == made[-1]
    assert list(client.get(URL + "?page=2").context["page"].object_list) == [made[0]]


def _queries(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_the_query_count_is_the_same_for_1_and_20_enrolments(client, learner):
    enrollment_apply(actor=learner, course=CourseFactory(elearning=True))
    client.force_login(learner)
    one = _queries(client)
    for _ in range(10):
        enrollment_apply(actor=learner, session=SessionFactory())
    for _ in range(9):
        enrollment_apply(actor=learner, course=CourseFactory(elearning=True))
    twenty = _queries(client)
    assert one == twenty
    # session + user, count, page of enrolments with course/session/order, invoices
    assert twenty <= 6, twenty


def test_an_enrolment_paid_by_a_group_applicant_shows_no_invoice_to_the_learner(client):
    learner = UserFactory(group_learner=True)
    applicant = UserFactory(group_applicant=True, organisation=learner.organisation)
    bought = enrollment_apply(actor=applicant, session=SessionFactory())
    Enrollment.objects.create(
        learner=learner,
        applicant=applicant,
        course=bought.course,
        session=SessionFactory(course=bought.course, starts_on=dt.date(2031, 1, 10)),
        source=Enrollment.Source.INVENTORY,
        order=bought.order,
        fee=bought.fee,
        applied_at=bought.applied_at,
    )
    client.force_login(learner)
    html = client.get(URL).content.decode()
    assert "お支払いは申込者様" in html
    assert "/account/invoices/" not in html
