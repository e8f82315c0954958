"""The staff pages of requests (DOMAIN.md §11: request queues with the contact date;
R-CANCEL-2, R-CANCEL-3, R-APPLY-5): the queue of every kind, a cancellation request's
quote as of its contact date, process and reject after a confirmation, and requests
entered by staff from an email or a call."""

import datetime as dt

import pytest
from django.core import mail

from kenshu.billing.models import Invoice
from kenshu.core.testing import SessionFactory, UserFactory
from kenshu.enrollments.seats import seats_taken
from kenshu.enrollments.services import enrollment_apply
from kenshu.inventory.models import Seat
from kenshu.requests.models import (
    CancellationRequest,
    DateChangeRequest,
    LearnerChangeRequest,
    RequestState,
)
from kenshu.requests.services import (
    cancellation_request_create,
    date_change_request_create,
    learner_change_request_create,
)

from .conftest import make_rows, seats_of

pytestmark = pytest.mark.django_db

QUEUE = "/staff/requests/"
NEW = "/staff/requests/cancellation/new/"


@pytest.fixture
def seat(item):
    return seats_of(item)[0]


def detail(request) -> str:
    kind = {
        CancellationRequest: "cancellation",
        LearnerChangeRequest: "learner-change",
        DateChangeRequest: "date-change",
    }[type(request)]
    return f"/staff/requests/{kind}/{request.pk}/"


# --- the queue --------------------------------------------------------------------------------


def test_open_requests_of_every_kind_come_first_by_contact_date_with_their_age(
    client, reception, applicant, seat, colleague2, clock
):
    clock.day(dt.date.today() + dt.timedelta(days=1))
    date_change = date_change_request_create(
        actor=applicant, enrollment=seat.enrollment, preferred_dates="来月"
    )
    clock.day(dt.date.today() + dt.timedelta(days=2))  # entered from a call of yesterday
    cancellation = cancellation_request_create(
        actor=reception,
        requester=applicant,
        seat=seat,
        contact_date=dt.date.today(),
    )
    clock.day(dt.date.today() + dt.timedelta(days=5))
    learner = learner_change_request_create(actor=applicant, seat=seat, new_learner=colleague2)
    make_rows(seat, applicant, 3)
    client.force_login(reception)

    rows = client.get(QUEUE).context["page"].object_list
    assert [(r.kind, r.pk) for r in rows[:3]] == [
        ("cancellation", cancellation.pk),
        ("date_change", date_change.pk),
        ("learner_change", learner.pk),
    ]
    assert {r.state for r in rows[3:]} == {"done"}
    assert rows[0].age_days == 5 and rows[0].entered_by_staff
    html = client.get(QUEUE).content.decode()
    assert "5日" in html and detail(cancellation) in html


def test_the_queue_is_filtered_by_kind_and_state(client, administrator, applicant, seat):
    make_rows(seat, applicant, 6)
    cancellation_request_create(actor=applicant, seat=seat)
    client.force_login(administrator)
    rows = client.get(QUEUE, {"kind": "cancellation"}).context["page"].object_list
    assert {r.kind for r in rows} == {"cancellation"} and len(rows) == 3
    rows = client.get(QUEUE, {"state": "open"}).context["page"].object_list
    assert [r.kind for r in rows] == ["cancellation"]
    assert client.get(QUEUE, {"kind": "bogus"}).status_code == 200


@pytest.mark.parametrize("rows", [6, 60])
def test_the_queue_costs_the_same_number_of_queries_for_few_and_many_rows(
    client, reception, applicant, seat, django_assert_num_queries, rows
):
    make_rows(seat, applicant, rows)
    client.force_login(reception)
    # session, user, permissions (user, groups), count, page, the open count of 4 kinds
    with django_assert_num_queries(10):
        response = client.get(QUEUE)
    assert len(response.context["page"].object_list) == min(rows, 50)


# --- a cancellation request ------------------------------------------------------------------


@pytest.fixture
def entered(reception, applicant, seat, clock):
    """A request phoned in 3 days before it is looked at (bought the day before)."""
    start = clock.today
    clock.day(start + dt.timedelta(days=1))
    request = cancellation_request_create(
        actor=reception, requester=applicant, seat=seat, contact_date=clock.today
    )
    clock.day(start + dt.timedelta(days=4))
    return request


def test_the_detail_shows_the_quote_as_of_the_contact_date(client, accountant, entered):
    client.force_login(accountant)
    response = client.get(detail(entered))
    quote = response.context["quote"]
    assert quote.computed_for == entered.contact_date
    html = response.content.decode()
    assert entered.contact_date.strftime("%Y年%-m月%-d日") in html
    assert response.context["process_form"] is not None


def test_processing_asks_for_confirmation_first_then_cancels_and_issues_the_credit_note(
    client, accountant, entered, seat, django_capture_on_commit_callbacks
):
    client.force_login(accountant)
    response = client.post(detail(entered), {"action": "process", "note": ""})
    assert response.status_code == 200 and response.context["confirming"] == "process"
    seat.refresh_from_db()
    assert seat.state == Seat.State.ASSIGNED  # nothing yet

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail(entered), {"action": "process", "confirmed": "1"})
    assert response.status_code == 302
    entered.refresh_from_db()
    assert entered.state == RequestState.DONE and entered.credit_note is not None
    page = client.get(detail(entered))
    assert entered.credit_note.number in page.content.decode()
    assert "process_form" not in page.context

    # Processing again (a second tab): refused with a message, nothing more issued.
    response = client.post(detail(entered), {"action": "process", "confirmed": "1"}, follow=True)
    assert "このご依頼はすでに対応済みです" in response.content.decode()
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1


def test_rejecting_without_a_reason_is_refused(client, accountant, entered):
    client.force_login(accountant)
    response = client.post(detail(entered), {"action": "reject", "reason": "", "confirmed": "1"})
    assert response.status_code == 200
    assert "reason" in response.context["reject_form"].errors
    entered.refresh_from_db()
    assert entered.is_open


def test_the_rejection_is_confirmed_first(client, accountant, entered):
    client.force_login(accountant)
    response = client.post(detail(entered), {"action": "reject", "reason": "受講済み"})
    assert response.context["confirming"] == "reject"
    entered.refresh_from_db()
    assert entered.is_open


def test_reception_sees_the_request_but_no_decision_form(client, reception, entered):
    client.force_login(reception)
    response = client.get(detail(entered))
    assert response.status_code == 200 and not response.context["may_decide"]
    assert "process_form" not in response.context


# --- staff enter a request -------------------------------------------------------------------


def test_staff_find_the_customer_by_user_id_or_email(client, reception, applicant, seat):
    client.force_login(reception)
    for query in ("group-admin", "JINJI@sample.example.jp", "鈴木"):
        response = client.get(NEW, {"q": query})
        assert applicant in response.context["customers"], query


def test_staff_enter_a_request_with_the_day_it_came_in(
    client, reception, applicant, seat, clock, django_capture_on_commit_callbacks
):
    start = clock.today
    clock.day(start + dt.timedelta(days=2))
    client.force_login(reception)
    page = client.get(NEW, {"customer": applicant.pk})
    targets = dict(page.context["form"].fields["target"].choices)
    assert f"seat:{seat.pk}" in targets and f"item:{seat.item_id}" in targets
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{NEW}?customer={applicant.pk}",
            {
                "target": f"seat:{seat.pk}",
                "contact_date": (start + dt.timedelta(days=1)).isoformat(),
                "message": "メールで依頼あり",
            },
        )
    request = CancellationRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(request)
    assert request.entered_by == reception and request.requester == applicant
    assert request.contact_date == start + dt.timedelta(days=1)
    assert request.course_code == "ILC1234"  # texts left empty: taken from the seat
    assert len(mail.outbox) == 2


def test_a_contact_date_in_the_future_is_refused(client, reception, applicant, seat, clock):
    client.force_login(reception)
    response = client.post(
        f"{NEW}?customer={applicant.pk}",
        {
            "target": f"seat:{seat.pk}",
            "contact_date": (clock.today + dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "contact_date" in response.context["form"].errors
    assert CancellationRequest.objects.count() == 0


def test_a_self_applied_enrolment_can_be_entered_too(client, reception, session):
    customer = UserFactory(corporate=True)
    enrollment = enrollment_apply(actor=customer, session=session)
    client.force_login(reception)
    targets = dict(
        client.get(NEW, {"customer": customer.pk}).context["form"].fields["target"].choices
    )
    assert f"enrollment:{enrollment.pk}" in targets


# --- a date change request -------------------------------------------------------------------


def test_processing_a_date_change_into_a_full_session_shows_why_and_changes_nothing(
    client, reception, applicant, seat, session
):
    later = SessionFactory(
        course=session.course,
        starts_at=session.starts_at + dt.timedelta(days=7),
        ends_at=session.ends_at + dt.timedelta(days=7),
        deadline=session.deadline + dt.timedelta(days=7),
        capacity=1,
    )
    request = date_change_request_create(
        actor=applicant, enrollment=seat.enrollment, target_session=later
    )
    enrollment_apply(actor=UserFactory(), session=later)  # now full
    client.force_login(reception)
    response = client.post(
        detail(request), {"action": "process", "session": later.pk, "confirmed": "1"}
    )
    assert response.status_code == 200
    assert response.context["process_form"].non_field_errors()
    request.refresh_from_db()
    assert request.is_open
    assert seats_taken([later.pk])[later.pk] == 1


def test_processing_a_date_change_moves_the_enrolment(client, reception, applicant, seat, session):
    later = SessionFactory(
        course=session.course,
        starts_at=session.starts_at + dt.timedelta(days=7),
        ends_at=session.ends_at + dt.timedelta(days=7),
        deadline=session.deadline + dt.timedelta(days=7),
        capacity=5,
    )
    request = date_change_request_create(
        actor=applicant, enrollment=seat.enrollment, preferred_dates="翌週"
    )
    client.force_login(reception)
    page = client.get(detail(request))
    assert [c.session for c in page.context["choices"]] == [later]
    response = client.post(
        detail(request), {"action": "process", "session": later.pk, "confirmed": "1"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.moved_to == later
    assert seats_taken([session.pk, later.pk]) == {session.pk: 1, later.pk: 1}
