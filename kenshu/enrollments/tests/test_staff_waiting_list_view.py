"""/staff/sessions/<id>/waiting-list/: staff see the list in order and move entries up
or down (enrollments.change_waitinglistentry); others get 403."""

import pytest

from kenshu.accounts import roles
from kenshu.audit.models import AuditEntry
from kenshu.core.testing import SessionFactory, UserFactory, make_staff
from kenshu.enrollments.models import WaitingListEntry
from kenshu.enrollments.services import enrollment_apply, waiting_list_join

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(db):
    session = SessionFactory(capacity=1, course__code="WL200")
    enrollment_apply(actor=UserFactory(), session=session)
    users = [UserFactory(last_name=name, first_name="様") for name in ("青木", "井上", "上田")]
    for user in users:
        waiting_list_join(actor=user, session=session)
    return session, users


def url(session):
    return f"/staff/sessions/{session.pk}/waiting-list/"


def test_reception_sees_the_waiting_list_in_order(client, waiting):
    session, _users = waiting
    client.force_login(make_staff(roles.RECEPTION))
    response = client.get(url(session))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("青木") < html.index("井上") < html.index("上田")
    assert "WL200" in html and "上へ" in html


def test_reception_moves_an_entry_up_and_the_move_is_audited(client, waiting):
    session, users = waiting
    clerk = make_staff(roles.RECEPTION)
    client.force_login(clerk)
    entry = WaitingListEntry.objects.get(user=users[2])
    response = client.post(url(session), {"entry": entry.pk, "direction": "up"})
    assert response.status_code == 302
    order = list(
        WaitingListEntry.objects.filter(session=session)
        .order_by("position", "pk")
        .values_list("user_id", flat=True)
    )
    assert order == [users[0].pk, users[2].pk, users[1].pk]
    assert AuditEntry.objects.get(action="waiting_list.moved").actor == clerk


def test_accounting_may_not_see_or_move_the_list(client, waiting):
    session, users = waiting
    client.force_login(make_staff(roles.ACCOUNTING))
    assert client.get(url(session)).status_code == 403
    entry = WaitingListEntry.objects.get(user=users[2])
    assert client.post(url(session), {"entry": entry.pk, "direction": "up"}).status_code == 403


def test_a_customer_gets_403_and_a_visitor_the_login_page(client, waiting):
    session, _ = waiting
    assert client.get(url(session)).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url(session)).status_code == 403


def test_an_unknown_session_is_not_found(client):
    client.force_login(make_staff(roles.RECEPTION))
    assert client.get("/staff/sessions/999999/waiting-list/").status_code == 404
