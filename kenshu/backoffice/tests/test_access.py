"""Who may use each staff page and action: deny unless a rule allows.

Every page and POST action of /staff/: anonymous visitors go to the login page,
customers (not staff) get 403, and staff get 403 unless their role holds the
permission. The expectations are written out by hand from the roles (受付
reception, 経理 accounting, 管理者 administrator, and staff with no role yet):
reception decides type-change requests (R-TYPE-4), accounting does not; only
administrators decide to hold or cancel a session; reception and administrators mark
attendance and resend emails; accounting and administrators read the audit trail.
"""

import re

import pytest
from django.core import mail

from kenshu.accounts import roles
from kenshu.accounts.models import User
from kenshu.catalog.models import Session
from kenshu.core.testing import (
    NO_ROLE,
    SessionFactory,
    UserFactory,
    make_staff,
    make_type_change_request,
)
from kenshu.notifications.models import OutboxEmail
from kenshu.requests.models import RequestState

pytestmark = pytest.mark.django_db

#: The staff personas: a role group, or none at all.
RECEPTION, ACCOUNTING, ADMINISTRATOR = roles.RECEPTION, roles.ACCOUNTING, roles.ADMINISTRATOR
ROLES = [RECEPTION, ACCOUNTING, ADMINISTRATOR, NO_ROLE]

#: (method, path template, roles allowed[, status for them]). {user}, {request},
#: {session}, {email} are filled in. Allowed staff get 200 (a POST without data shows
#: the form's errors or its confirmation step), or the given status (a redirect).
PAGES = [
    ("GET", "/staff/", {RECEPTION, ACCOUNTING, ADMINISTRATOR, NO_ROLE}),
    ("GET", "/staff/users/", {RECEPTION, ACCOUNTING, ADMINISTRATOR}),
    ("GET", "/staff/users/{user}/", {RECEPTION, ACCOUNTING, ADMINISTRATOR}),
    ("POST", "/staff/users/{user}/", {RECEPTION, ADMINISTRATOR}),
    ("GET", "/staff/people/", {RECEPTION, ACCOUNTING, ADMINISTRATOR}, 302),
    ("GET", "/staff/organisations/", {RECEPTION, ACCOUNTING, ADMINISTRATOR}),
    ("GET", "/staff/requests/type-change/", {RECEPTION, ADMINISTRATOR}),
    ("GET", "/staff/requests/type-change/{request}/", {RECEPTION, ADMINISTRATOR}),
    ("POST", "/staff/requests/type-change/{request}/", {RECEPTION, ADMINISTRATOR}),
    ("GET", "/staff/sessions/", {RECEPTION, ACCOUNTING, ADMINISTRATOR}),
    ("GET", "/staff/sessions/export/", {RECEPTION, ACCOUNTING, ADMINISTRATOR}),
    ("GET", "/staff/sessions/{session}/", {RECEPTION, ACCOUNTING, ADMINISTRATOR}),
    ("GET", "/staff/sessions/{session}/export/", {RECEPTION, ACCOUNTING, ADMINISTRATOR}),
    ("POST", "/staff/sessions/{session}/attendance/", {RECEPTION, ADMINISTRATOR}),
    ("GET", "/staff/sessions/{session}/confirm/", {ADMINISTRATOR}),
    ("POST", "/staff/sessions/{session}/confirm/", {ADMINISTRATOR}),
    ("GET", "/staff/sessions/{session}/cancel/", {ADMINISTRATOR}),
    ("POST", "/staff/sessions/{session}/cancel/", {ADMINISTRATOR}),
    ("GET", "/staff/elearning/", {RECEPTION, ACCOUNTING, ADMINISTRATOR}),
    ("POST", "/staff/elearning/", {RECEPTION, ADMINISTRATOR}, 302),
    ("GET", "/staff/emails/", {RECEPTION, ACCOUNTING, ADMINISTRATOR}),
    ("GET", "/staff/emails/{email}/", {RECEPTION, ACCOUNTING, ADMINISTRATOR}),
    ("POST", "/staff/emails/{email}/resend/", {RECEPTION, ADMINISTRATOR}),
    ("GET", "/staff/audit/", {ACCOUNTING, ADMINISTRATOR}),
]
PAGES = [(*page, 200) if len(page) == 3 else page for page in PAGES]

PAGE_IDS = [f"{method} {path}" for method, path, _allowed, _status in PAGES]
PARAMS = ("method", "path", "allowed", "ok")


@pytest.fixture
def targets():
    """A corporate customer with an open type-change request; an open session; a sent
    email."""
    customer = UserFactory(corporate=True)
    return {
        "user": customer,
        "request": make_type_change_request(customer),
        "session": SessionFactory(),
        "email": OutboxEmail.objects.create(
            template="welcome", to_email=customer.email, state=OutboxEmail.State.SENT
        ),
    }


def call(client, method: str, path: str, targets):
    url = path.format(**{name: obj.pk for name, obj in targets.items()})
    # An empty POST: allowed staff get the form back with errors, nothing changes.
    return url, (client.get(url) if method == "GET" else client.post(url, {}))


@pytest.mark.parametrize(PARAMS, PAGES, ids=PAGE_IDS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, targets, method, path, allowed, ok):
    url, response = call(client, method, path, targets)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize(PARAMS, PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize(
    "user_type", [User.UserType.CORPORATE, User.UserType.GROUP_APPLICANT, User.UserType.INDIVIDUAL]
)
def test_customers_are_refused_with_403(client, targets, method, path, allowed, ok, user_type):
    client.force_login(UserFactory(user_type=user_type))
    _url, response = call(client, method, path, targets)
    assert response.status_code == 403


@pytest.mark.parametrize(PARAMS, PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize("role", ROLES)
def test_staff_may_use_a_page_only_with_the_permission_of_their_role(
    client, targets, method, path, allowed, ok, role
):
    client.force_login(make_staff(role))
    _url, response = call(client, method, path, targets)
    if role in allowed:
        assert response.status_code == ok
        if ok == 302:
            assert "/accounts/login/" not in response["Location"]
    else:
        assert response.status_code == 403


def test_a_superuser_who_is_not_staff_is_refused(client, targets):
    client.force_login(UserFactory(is_superuser=True))
    assert client.get("/staff/users/").status_code == 403


def test_accounting_cannot_decide_a_type_change_request_r_type_4(
    client, targets, django_capture_on_commit_callbacks
):
    client.force_login(make_staff(roles.ACCOUNTING))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/staff/requests/type-change/{targets['request'].pk}/", {"decision": "approve"}
        )
    assert response.status_code == 403
    targets["request"].refresh_from_db()
    assert targets["request"].state == RequestState.OPEN
    targets["user"].refresh_from_db()
    assert targets["user"].user_type == User.UserType.CORPORATE
    assert mail.outbox == []


def test_accounting_cannot_change_a_user_type(client, targets, django_capture_on_commit_callbacks):
    client.force_login(make_staff(roles.ACCOUNTING))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/staff/users/{targets['user'].pk}/",
            {"user_type": "group_applicant", "reason": "電話で依頼", "confirmed": "1"},
        )
    assert response.status_code == 403
    targets["user"].refresh_from_db()
    assert targets["user"].user_type == User.UserType.CORPORATE
    assert mail.outbox == []


def test_every_staff_url_is_covered_by_these_tests():
    from kenshu.backoffice import urls

    covered = {re.sub(r"\{\w+\}", "{x}", path) for _method, path, _allowed, _ok in PAGES}
    for pattern in urls.urlpatterns:
        route = "/staff/" + str(pattern.pattern).replace("<int:pk>", "{x}")
        assert route in covered, route


def test_reception_cannot_confirm_a_session_and_nothing_is_emailed(
    client, targets, django_capture_on_commit_callbacks
):
    client.force_login(make_staff(roles.RECEPTION))
    session = targets["session"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/sessions/{session.pk}/confirm/", {"confirmed": "1"})
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.state == Session.State.OPEN
    assert not OutboxEmail.objects.filter(template="session_confirmed").exists()


def test_accounting_cannot_resend_an_email(client, targets):
    client.force_login(make_staff(roles.ACCOUNTING))
    response = client.post(f"/staff/emails/{targets['email'].pk}/resend/", {"confirmed": "1"})
    assert response.status_code == 403
    assert OutboxEmail.objects.count() == 1
