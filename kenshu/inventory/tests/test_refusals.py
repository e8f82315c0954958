"""What a group applicant cannot do (R-TYPE, R-CANCEL-1, issue 5 §6): cancel inventory or
unassign a seat. A forged POST to the customer URLs or to the staff inventory URLs is
refused with 403 and written to the audit trail, for every user type."""

import pytest

from kenshu.accounts import roles
from kenshu.accounts.models import User
from kenshu.audit.models import AuditEntry
from kenshu.core.testing import UserFactory, make_staff
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.models import Seat
from kenshu.inventory.services import seat_assign

pytestmark = pytest.mark.django_db

USER_TYPES = [
    User.UserType.INDIVIDUAL,
    User.UserType.CORPORATE,
    User.UserType.GROUP_APPLICANT,
    User.UserType.GROUP_LEARNER,
    User.UserType.PARTNER_LEARNER,
]


@pytest.fixture
def assigned(applicant, colleague, item):
    seat = item.seats.order_by("pk").first()
    seat_assign(actor=applicant, seat=seat, learner=colleague)
    return seat


def unchanged(item):
    assert item.seats.filter(state=Seat.State.CANCELLED).count() == 0
    assert item.seats.filter(state=Seat.State.ASSIGNED).count() == 1
    assert Enrollment.objects.filter(state="applied").count() == 1


def test_the_purchasing_group_applicant_cannot_cancel_its_inventory(client, applicant, assigned):
    item = assigned.item
    client.force_login(applicant)
    response = client.post(f"/account/inventory/{item.pk}/cancel/")
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action="inventory.cancel_refused")
    assert entry.actor == applicant and entry.target_id == str(item.pk)
    assert entry.data["user_type"] == "group_applicant"
    unchanged(item)


def test_the_purchasing_group_applicant_cannot_unassign_a_seat(client, applicant, assigned):
    client.force_login(applicant)
    response = client.post(f"/account/inventory/{assigned.item_id}/seats/{assigned.pk}/unassign/")
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action="inventory.unassign_refused")
    assert entry.actor == applicant and entry.target_id == str(assigned.pk)
    unchanged(assigned.item)


@pytest.mark.parametrize("user_type", USER_TYPES)
def test_a_forged_cancellation_post_is_refused_and_audited_for_every_user_type(
    client, assigned, user_type
):
    user = UserFactory(user_type=user_type)
    client.force_login(user)
    assert client.post(f"/account/inventory/{assigned.item_id}/cancel/").status_code == 403
    assert AuditEntry.objects.filter(action="inventory.cancel_refused", actor=user).count() == 1
    unchanged(assigned.item)


def test_the_cancellation_url_answers_no_get(client, applicant, item):
    client.force_login(applicant)
    assert client.get(f"/account/inventory/{item.pk}/cancel/").status_code == 405


STAFF_POSTS = [
    ("/staff/inventory/{item}/unassign/", {"seat": "{seat}", "reason": "x"}),
    ("/staff/inventory/{item}/reassign/", {"seat": "{seat}", "user_id": "group-admin"}),
    (
        "/staff/inventory/{item}/reduce/",
        {"count": "1", "contact_date": "2026-01-05", "reason": "x"},
    ),
    ("/staff/inventory/purchase/", {"applicant": "group-admin", "session": "1", "quantity": "1"}),
]


def fill(template, assigned):
    return template.format(item=assigned.item_id, seat=assigned.pk)


@pytest.mark.parametrize(("path", "data"), STAFF_POSTS, ids=[p for p, _d in STAFF_POSTS])
@pytest.mark.parametrize("user_type", USER_TYPES)
def test_a_forged_post_to_the_staff_inventory_pages_is_refused_and_audited(
    client, assigned, path, data, user_type
):
    user = UserFactory(user_type=user_type)
    client.force_login(user)
    response = client.post(fill(path, assigned), {k: fill(v, assigned) for k, v in data.items()})
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action="inventory.staff_action_refused")
    assert entry.actor == user and entry.data["path"] == fill(path, assigned)
    unchanged(assigned.item)


@pytest.mark.parametrize(("path", "data"), STAFF_POSTS[:2], ids=["unassign", "reassign"])
def test_staff_without_the_permission_are_refused_and_audited(client, assigned, path, data):
    accountant = make_staff(roles.ACCOUNTING)
    client.force_login(accountant)
    response = client.post(fill(path, assigned), {k: fill(v, assigned) for k, v in data.items()})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(
        action="inventory.staff_action_refused", actor=accountant
    ).exists()
    unchanged(assigned.item)


def test_a_visitor_posting_to_staff_pages_is_sent_to_log_in(client, assigned):
    response = client.post(f"/staff/inventory/{assigned.item_id}/unassign/", {"seat": assigned.pk})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    unchanged(assigned.item)
