"""The customer's request pages: /requests/cancellation/, /requests/learner-change/,
/requests/date-change/ (DOMAIN.md §14). Prefilled, scoped to the user's own seats and
enrolments (another user's id: 404), refused with whom to ask for learners (a POST:
403), one open request at a time."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail

from kenshu.core.testing import SessionFactory, UserFactory
from kenshu.enrollments.services import enrollment_apply
from kenshu.requests.models import (
    CancellationRequest,
    DateChangeRequest,
    LearnerChangeRequest,
)

from .conftest import seats_of

pytestmark = pytest.mark.django_db

CANCEL = "/requests/cancellation/"
LEARNER = "/requests/learner-change/"
DATE = "/requests/date-change/"


@pytest.fixture
def seat(item):
    return seats_of(item)[0]


@pytest.fixture
def signed_in(client, applicant):
    client.force_login(applicant)
    return client


# --- cancellation -----------------------------------------------------------------------------


def test_the_urls_are_the_public_ones():
    from django.urls import reverse

    assert reverse("requests:cancellation") == CANCEL
    assert reverse("requests:learner_change") == LEARNER
    assert reverse("requests:date_change") == DATE


@pytest.mark.parametrize("url", [CANCEL, LEARNER, DATE])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_cancellation_form_is_prefilled_from_the_seat_and_shows_the_fee_for_today(
    signed_in, seat
):
    response = signed_in.get(CANCEL, {"seat": seat.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["course_code"] == "ILC1234"
    assert form.initial["learner_name"] == "高橋 学"
    assert form.initial["company_name"] == "株式会社サンプル"
    html = response.content.decode()
    assert 'value="ILC1234"' in html and 'value="高橋 学"' in html
    assert response.context["preview"].computed_for == response.context["contact_date"]
    assert "contact_date" not in form.fields  # not the customer's to choose


def test_sending_the_request_records_it_as_written_and_emails_both(
    signed_in, seat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            f"{CANCEL}?seat={seat.pk}",
            {
                "course_code": "ILC1234",
                "course_title": "ビジネス文書研修",
                "session_date": "来月",
                "company_name": "株式会社サンプル",
                "learner_name": "高橋 学",
                "message": "業務都合",
                "contact_date": "2000-01-01",  # ignored: the contact date is today
            },
        )
    assert response.status_code == 302 and response["Location"] == "/account/requests/"
    request = CancellationRequest.objects.get()
    assert request.seat == seat and request.session_date == "来月"
    assert request.contact_date != dt.date(2000, 1, 1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["jinji@sample.example.jp", settings.KENSHU_STAFF_EMAIL]
    )


@pytest.mark.parametrize("param", ["seat", "item"])
def test_another_users_seat_or_purchase_is_a_404(client, seat, organisation, param):
    client.force_login(UserFactory(group_applicant=True, organisation=organisation))
    pk = seat.pk if param == "seat" else seat.item_id
    assert client.get(CANCEL, {param: pk}).status_code == 404
    assert client.post(f"{CANCEL}?{param}={pk}", {"course_code": "X"}).status_code == 404
    assert CancellationRequest.objects.count() == 0


@pytest.mark.parametrize("value", ["abc", "0", "-1", "999999"])
def test_a_bad_id_is_a_404(signed_in, value):
    assert signed_in.get(CANCEL, {"seat": value}).status_code == 404


def test_a_group_learner_is_told_to_ask_its_applicant_and_a_post_is_refused(
    client, seat, colleague
):
    client.force_login(colleague)
    response = client.get(CANCEL, {"seat": seat.pk})
    assert response.status_code == 200
    assert "鈴木 人事" in response.content.decode()  # whom to ask
    assert "form" not in response.context
    assert client.post(f"{CANCEL}?seat={seat.pk}", {}).status_code == 403


def test_an_open_request_is_shown_instead_of_a_second_form(signed_in, seat, applicant):
    from kenshu.requests.services import cancellation_request_create

    open_request = cancellation_request_create(actor=applicant, seat=seat)
    response = signed_in.get(CANCEL, {"seat": seat.pk})
    assert response.context["open_request"] == open_request
    assert "form" not in response.context
    # The whole purchase is covered by the seat's request too.
    assert signed_in.get(CANCEL, {"item": seat.item_id}).context["open_request"] == open_request


def test_a_whole_purchase_lists_its_live_seats(signed_in, item):
    response = signed_in.get(CANCEL, {"item": item.pk})
    assert response.context["whole_purchase"] is True
    assert len(response.context["seats"]) == 2


def test_without_a_seat_the_page_says_where_to_start(signed_in):
    response = signed_in.get(CANCEL)
    assert response.status_code == 200 and response.context["choose"] is True


def test_a_customer_may_ask_about_its_own_enrolment(client, session):
    customer = UserFactory(corporate=True)
    enrollment = enrollment_apply(actor=customer, session=session)
    client.force_login(customer)
    response = client.get(CANCEL, {"enrollment": enrollment.pk})
    assert response.status_code == 200
    assert response.context["form"].initial["course_code"] == "ILC1234"
    # Not someone else's.
    client.force_login(UserFactory(corporate=True))
    assert client.get(CANCEL, {"enrollment": enrollment.pk}).status_code == 404


# --- learner change ---------------------------------------------------------------------------


def test_the_learner_change_form_offers_the_other_learners_of_the_group(
    signed_in, seat, colleague, colleague2
):
    response = signed_in.get(LEARNER, {"seat": seat.pk})
    choices = list(response.context["form"].fields["learner"].queryset)
    assert colleague2 in choices and colleague not in choices


def test_asking_for_a_learner_of_the_group(signed_in, seat, colleague2):
    response = signed_in.post(
        f"{LEARNER}?seat={seat.pk}", {"who": "existing", "learner": colleague2.pk, "message": ""}
    )
    assert response.status_code == 302
    assert LearnerChangeRequest.objects.get().new_learner == colleague2


def test_a_new_colleague_needs_a_name_and_an_email(signed_in, seat):
    response = signed_in.post(f"{LEARNER}?seat={seat.pk}", {"who": "new", "last_name": "山本"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"first_name", "email"}
    assert LearnerChangeRequest.objects.count() == 0


def test_an_unassigned_seat_says_the_applicant_may_assign_it_itself(signed_in, item):
    response = signed_in.get(LEARNER, {"seat": seats_of(item)[1].pk})
    assert response.context["problem"]


def test_another_users_seat_is_a_404_for_the_learner_change(client, seat):
    client.force_login(UserFactory(group_applicant=True))
    assert client.get(LEARNER, {"seat": seat.pk}).status_code == 404


def test_a_learner_may_not_ask_for_a_learner_change(client, seat, colleague):
    client.force_login(colleague)
    assert "鈴木 人事" in client.get(LEARNER, {"seat": seat.pk}).content.decode()
    assert client.post(f"{LEARNER}?seat={seat.pk}", {}).status_code == 403


# --- date change ------------------------------------------------------------------------------


@pytest.fixture
def later(session):
    return SessionFactory(
        course=session.course,
        starts_at=session.starts_at + dt.timedelta(days=7),
        ends_at=session.ends_at + dt.timedelta(days=7),
        deadline=session.deadline + dt.timedelta(days=7),
        capacity=4,
    )


def test_the_date_change_form_shows_the_other_sessions_with_seats_left(signed_in, seat, later):
    response = signed_in.get(DATE, {"enrollment": seat.enrollment_id})
    (choice,) = response.context["choices"]
    assert choice.session == later and choice.seats_left == 4
    assert "残り4席" in response.content.decode()


def test_asking_to_move_an_enrolment(signed_in, seat, later):
    response = signed_in.post(
        f"{DATE}?enrollment={seat.enrollment_id}", {"session": later.pk, "message": "出張"}
    )
    assert response.status_code == 302
    request = DateChangeRequest.objects.get()
    assert request.target_session == later and request.enrollment == seat.enrollment


def test_nothing_chosen_is_an_error(signed_in, seat, later):
    response = signed_in.post(f"{DATE}?enrollment={seat.enrollment_id}", {})
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_another_users_enrolment_is_a_404_for_the_date_change(client, seat):
    client.force_login(UserFactory(group_applicant=True))
    assert client.get(DATE, {"enrollment": seat.enrollment_id}).status_code == 404
