"""Who may use each staff page and action of /staff/requests/: deny unless a rule allows.

Anonymous visitors go to the login page, customers get 403, and staff get 403 unless
their role holds the permission (kenshu/accounts/roles.py): reception views and enters
cancellation requests and decides learner and date changes; accounting views and
processes cancellation requests; administrators do everything.
"""

import pytest
from django.core import mail

from kenshu.accounts import roles
from kenshu.accounts.models import User
from kenshu.core.testing import NO_ROLE, UserFactory, make_staff
from kenshu.inventory.models import Seat
from kenshu.requests.models import RequestState
from kenshu.requests.services import (
    cancellation_request_create,
    date_change_request_create,
    learner_change_request_create,
)

from .conftest import seats_of

pytestmark = pytest.mark.django_db

RECEPTION, ACCOUNTING, ADMINISTRATOR = roles.RECEPTION, roles.ACCOUNTING, roles.ADMINISTRATOR
ROLES = [RECEPTION, ACCOUNTING, ADMINISTRATOR, NO_ROLE]

#: (method, path template, roles allowed). {cancellation}, {learner}, {date}, {customer}.
PAGES = [
    ("GET", "/staff/requests/", {RECEPTION, ACCOUNTING, ADMINISTRATOR}),
    ("GET", "/staff/requests/cancellation/new/", {RECEPTION, ADMINISTRATOR}),
    ("POST", "/staff/requests/cancellation/new/?customer={customer}", {RECEPTION, ADMINISTRATOR}),
    ("GET", "/staff/requests/cancellation/{cancellation}/", {RECEPTION, ACCOUNTING, ADMINISTRATOR}),
    ("POST", "/staff/requests/cancellation/{cancellation}/", {ACCOUNTING, ADMINISTRATOR}),
    ("GET", "/staff/requests/learner-change/{learner}/", {RECEPTION, ADMINISTRATOR}),
    ("POST", "/staff/requests/learner-change/{learner}/", {RECEPTION, ADMINISTRATOR}),
    ("GET", "/staff/requests/date-change/{date}/", {RECEPTION, ADMINISTRATOR}),
    ("POST", "/staff/requests/date-change/{date}/", {RECEPTION, ADMINISTRATOR}),
]
PAGE_IDS = [f"{method} {path}" for method, path, _allowed in PAGES]


@pytest.fixture
def targets(applicant, item, colleague2):
    seat = seats_of(item)[0]
    return {
        "customer": applicant.pk,
        "cancellation": cancellation_request_create(actor=applicant, seat=seat).pk,
        "learner": learner_change_request_create(
            actor=applicant, seat=seat, new_learner=colleague2
        ).pk,
        "date": date_change_request_create(
            actor=applicant, enrollment=seat.enrollment, preferred_dates="来月"
        ).pk,
    }


def call(client, method: str, path: str, targets):
    url = path.format(**targets)
    # An empty POST: allowed staff get the page back (errors or the confirmation step).
    return url, (client.get(url) if method == "GET" else client.post(url, {}))


@pytest.mark.parametrize(("method", "path", "allowed"), PAGES, ids=PAGE_IDS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, targets, method, path, allowed):
    url, response = call(client, method, path, targets)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=" + url.split("?")[0])


@pytest.mark.parametrize(("method", "path", "allowed"), PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize(
    "user_type", [User.UserType.GROUP_APPLICANT, User.UserType.CORPORATE, User.UserType.INDIVIDUAL]
)
def test_customers_are_refused_with_403(client, targets, method, path, allowed, user_type):
    client.force_login(UserFactory(user_type=user_type))
    _url, response = call(client, method, path, targets)
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "path", "allowed"), PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize("role", ROLES)
def test_staff_may_use_a_page_only_with_the_permission_of_their_role(
    client, targets, method, path, allowed, role
):
    client.force_login(make_staff(role))
    _url, response = call(client, method, path, targets)
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize(
    ("role", "path", "may"),
    [
        (RECEPTION, "/staff/requests/cancellation/{cancellation}/", False),
        (ACCOUNTING, "/staff/requests/cancellation/{cancellation}/", True),
        (ADMINISTRATOR, "/staff/requests/cancellation/{cancellation}/", True),
        (RECEPTION, "/staff/requests/learner-change/{learner}/", True),
        (ADMINISTRATOR, "/staff/requests/learner-change/{learner}/", True),
        (RECEPTION, "/staff/requests/date-change/{date}/", True),
        (ADMINISTRATOR, "/staff/requests/date-change/{date}/", True),
    ],
)
def test_a_confirmed_rejection_works_only_for_the_roles_that_decide(
    client, targets, role, path, may, django_capture_on_commit_callbacks
):
    client.force_login(make_staff(role))
    url = path.format(**targets)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "reject", "reason": "理由", "confirmed": "1"})
    assert response.status_code == (302 if may else 403)
    page = client.get(url)
    assert page.context["item"].state == (RequestState.REJECTED if may else RequestState.OPEN)
    assert len(mail.outbox) == (1 if may else 0)


def test_the_queue_shows_each_role_only_the_kinds_it_may_view(client, targets):
    client.force_login(make_staff(ACCOUNTING))
    kinds = {row.kind for row in client.get("/staff/requests/").context["page"].object_list}
    assert kinds == {"cancellation"}
    client.force_login(make_staff(RECEPTION))
    kinds = {row.kind for row in client.get("/staff/requests/").context["page"].object_list}
    assert kinds == {"cancellation", "learner_change", "date_change"}


def test_every_staff_url_of_requests_is_covered_by_these_tests():
    from kenshu.requests import staff_urls

    covered = {path.split("?")[0] for _method, path, _allowed in PAGES}
    for pattern in staff_urls.urlpatterns:
        route = "/staff/requests/" + str(pattern.pattern)
        assert any(
            route.replace("<int:pk>", "{x}")
            == p.replace("{cancellation}", "{x}")
            .replace("{learner}", "{x}")
            .replace("{date}", "{x}")
            for p in covered
        ), route


def test_seat_still_assigned_after_the_refused_posts(client, targets):
    client.force_login(make_staff(RECEPTION))
    client.post(
        "/staff/requests/cancellation/{cancellation}/".format(**targets),
        {"action": "process", "confirmed": "1"},
    )
    assert Seat.objects.filter(state=Seat.State.CANCELLED).count() == 0
