"""Who may use each page of /staff/catalogue/: deny unless a rule allows.

Anonymous visitors go to the login page, customers get 403, staff get 403
unless their role holds the permission: administrators hold catalog.*,
reception and accounting only view (kenshu.accounts.roles).
"""

import pytest

from kenshu.accounts import roles
from kenshu.accounts.models import User
from kenshu.core.testing import NO_ROLE, SessionFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db

RECEPTION, ACCOUNTING, ADMINISTRATOR = roles.RECEPTION, roles.ACCOUNTING, roles.ADMINISTRATOR
ROLES = [RECEPTION, ACCOUNTING, ADMINISTRATOR, NO_ROLE]
VIEWERS = {RECEPTION, ACCOUNTING, ADMINISTRATOR}

#: (method, path template, roles allowed). {course} and {session} are filled in.
PAGES = [
    ("GET", "/staff/catalogue/", VIEWERS),
    ("GET", "/staff/catalogue/courses/{course}/", VIEWERS),
    ("GET", "/staff/catalogue/courses/new/", {ADMINISTRATOR}),
    ("POST", "/staff/catalogue/courses/new/", {ADMINISTRATOR}),
    ("GET", "/staff/catalogue/courses/{course}/edit/", {ADMINISTRATOR}),
    ("POST", "/staff/catalogue/courses/{course}/edit/", {ADMINISTRATOR}),
    ("GET", "/staff/catalogue/courses/{course}/sessions/new/", {ADMINISTRATOR}),
    ("POST", "/staff/catalogue/courses/{course}/sessions/new/", {ADMINISTRATOR}),
    ("GET", "/staff/catalogue/sessions/{session}/edit/", {ADMINISTRATOR}),
    ("POST", "/staff/catalogue/sessions/{session}/edit/", {ADMINISTRATOR}),
]
PAGE_IDS = [f"{method} {path}" for method, path, _allowed in PAGES]


@pytest.fixture
def session():
    return SessionFactory()


def call(client, method: str, path: str, session):
    url = path.format(course=session.course_id, session=session.pk)
    # An empty POST: allowed staff get the form back with errors, nothing changes.
    return url, (client.get(url) if method == "GET" else client.post(url, {}))


@pytest.mark.parametrize(("method", "path", "allowed"), PAGES, ids=PAGE_IDS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, session, method, path, allowed):
    url, response = call(client, method, path, session)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize(("method", "path", "allowed"), PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize("user_type", [User.UserType.INDIVIDUAL, User.UserType.GROUP_APPLICANT])
def test_customers_are_refused_with_403(client, session, method, path, allowed, user_type):
    client.force_login(UserFactory(user_type=user_type))
    _url, response = call(client, method, path, session)
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "path", "allowed"), PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize("role", ROLES)
def test_staff_may_use_a_page_only_with_the_permission_of_their_role(
    client, session, method, path, allowed, role
):
    client.force_login(make_staff(role))
    _url, response = call(client, method, path, session)
    assert response.status_code == (200 if role in allowed else 403)


def test_reception_sees_no_create_or_edit_buttons(client, reception, session):
    client.force_login(reception)
    listing = client.get("/staff/catalogue/").content.decode()
    detail = client.get(f"/staff/catalogue/courses/{session.course_id}/").content.decode()
    assert "/staff/catalogue/courses/new/" not in listing
    assert "/edit/" not in detail
    assert "/sessions/new/" not in detail


def test_administrators_see_the_create_and_edit_buttons(client, administrator, session):
    client.force_login(administrator)
    listing = client.get("/staff/catalogue/").content.decode()
    detail = client.get(f"/staff/catalogue/courses/{session.course_id}/").content.decode()
    assert 'href="/staff/catalogue/courses/new/"' in listing
    assert f'href="/staff/catalogue/courses/{session.course_id}/edit/"' in detail
    assert f'href="/staff/catalogue/courses/{session.course_id}/sessions/new/"' in detail
    assert f'href="/staff/catalogue/sessions/{session.pk}/edit/"' in detail


def test_an_unknown_course_or_session_is_not_found(client, administrator):
    client.force_login(administrator)
    assert client.get("/staff/catalogue/courses/999999/").status_code == 404
    assert client.get("/staff/catalogue/courses/999999/edit/").status_code == 404
    assert client.get("/staff/catalogue/sessions/999999/edit/").status_code == 404
