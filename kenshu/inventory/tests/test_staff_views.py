"""/staff/inventory/ (R-APPLY-5, DOMAIN.md §11): every purchase, searched and paginated
at a pinned query count; a purchase seat by seat; unassign, learner change, cancelling
unassigned seats (through the cancellation app's ``seats_cancel``), buying on a
customer's behalf. Every staff action is audited."""

import re

import pytest

from kenshu.accounts import roles
from kenshu.audit.models import AuditEntry
from kenshu.core.testing import (
    NO_ROLE,
    OrganisationFactory,
    SessionFactory,
    UserFactory,
    make_staff,
)
from kenshu.core.time import tokyo_date
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.seats import seats_taken
from kenshu.inventory.models import InventoryItem, Seat
from kenshu.inventory.services import inventory_purchase, seat_assign

pytestmark = pytest.mark.django_db

URL = "/staff/inventory/"


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def assigned(applicant, colleague, item):
    seat = item.seats.order_by("pk").first()
    seat_assign(actor=applicant, seat=seat, learner=colleague)
    return seat


@pytest.mark.parametrize(
    ("role", "status"),
    [(roles.RECEPTION, 200), (roles.ACCOUNTING, 200), (roles.ADMINISTRATOR, 200), (NO_ROLE, 403)],
)
def test_staff_with_the_view_permission_see_the_list(client, item, role, status):
    client.force_login(make_staff(role))
    assert client.get(URL).status_code == status
    assert client.get(f"{URL}{item.pk}/").status_code == status


def test_customers_get_403_on_the_staff_pages(client, applicant, item):
    client.force_login(applicant)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{item.pk}/").status_code == 403


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("group-admin", True),
        ("鈴木", True),
        ("サンプル", True),
        ("ILC1234", True),
        ("文書", True),
        ("zzz", False),
    ],
)
def test_the_list_is_searched_by_applicant_organisation_and_course(
    client, reception, item, query, found
):
    client.force_login(reception)
    rows = list(client.get(URL, {"q": query}).context["page"].object_list)
    assert rows == ([item] if found else [])


def test_the_list_is_searched_by_purchase_number(client, reception, item):
    client.force_login(reception)
    assert list(client.get(URL, {"q": item.number}).context["page"].object_list) == [item]


@pytest.mark.parametrize("purchases", [2, 15])
def test_the_list_costs_the_same_number_of_queries_for_few_and_many_rows(
    client, reception, django_assert_num_queries, purchases
):
    for _ in range(purchases):
        buyer = UserFactory(group_applicant=True, organisation=OrganisationFactory())
        inventory_purchase(actor=buyer, session=SessionFactory(), quantity=2)
    client.force_login(reception)
    # session, user, the user's and its groups' permissions, count, page
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert len(response.context["page"].object_list) == purchases


@pytest.mark.parametrize("seats", [2, 30])
def test_the_detail_costs_the_same_number_of_queries_for_few_and_many_seats(
    client, reception, applicant, django_assert_num_queries, seats
):
    item = inventory_purchase(actor=applicant, session=SessionFactory(capacity=40), quantity=seats)
    for seat in item.seats.all()[: seats // 2]:
        learner = UserFactory(group_learner=True, organisation=applicant.organisation)
        seat_assign(actor=applicant, seat=seat, learner=learner)
    client.force_login(reception)
    # session, user, permissions (2), purchase, invoices, seat count, seats
    with django_assert_num_queries(8):
        response = client.get(f"{URL}{item.pk}/")
    assert len(response.context["page"].object_list) == seats


def test_the_detail_shows_the_seats_learners_and_actions(client, reception, assigned, colleague):
    client.force_login(reception)
    html = text(client.get(f"{URL}{assigned.item_id}/"))
    assert "高橋 学" in html and "group-learner" in html
    assert f"/staff/inventory/{assigned.item_id}/unassign/" in html
    assert f"/staff/inventory/{assigned.item_id}/reassign/" in html
    assert "未割当ての席をキャンセル" not in html  # reception does not settle money


def test_reception_unassigns_a_seat(client, reception, assigned):
    client.force_login(reception)
    response = client.post(
        f"{URL}{assigned.item_id}/unassign/", {"seat": assigned.pk, "reason": "異動"}, follow=True
    )
    assert "割当てを解除し" in text(response)
    assigned.refresh_from_db()
    assert assigned.state == Seat.State.UNASSIGNED
    assert Enrollment.objects.get().state == Enrollment.State.CANCELLED
    assert AuditEntry.objects.filter(action="seat.unassigned", actor=reception).exists()


def test_reception_changes_the_learner_of_a_seat(client, reception, assigned, applicant):
    newcomer = UserFactory(
        group_learner=True, organisation=applicant.organisation, username="newcomer"
    )
    client.force_login(reception)
    response = client.post(
        f"{URL}{assigned.item_id}/reassign/",
        {"seat": assigned.pk, "user_id": "newcomer"},
        follow=True,
    )
    assert f"{newcomer.full_name} に割り当て" in text(response)
    assigned.refresh_from_db()
    assert assigned.learner == newcomer
    assert AuditEntry.objects.filter(action="seat.reassigned", actor=reception).exists()


def test_a_learner_change_to_someone_outside_the_group_is_refused_clearly(
    client, reception, assigned
):
    UserFactory(group_learner=True, username="stranger")
    client.force_login(reception)
    response = client.post(
        f"{URL}{assigned.item_id}/reassign/",
        {"seat": assigned.pk, "user_id": "stranger"},
        follow=True,
    )
    assert "グループの受講者ではありません" in text(response)
    assigned.refresh_from_db()
    assert assigned.learner.username == "group-learner"


def test_r_apply_5_staff_cancel_unassigned_seats_which_frees_the_session(
    client, administrator, assigned
):
    item = assigned.item
    session_id = item.session_id
    client.force_login(administrator)
    response = client.post(
        f"{URL}{item.pk}/reduce/",
        {"count": 2, "contact_date": tokyo_date().isoformat(), "reason": "人数減"},
        follow=True,
    )
    assert response.status_code == 200
    assert item.seats.filter(state=Seat.State.CANCELLED).count() == 2
    assert item.seats.filter(state=Seat.State.ASSIGNED).count() == 1
    assert seats_taken([session_id])[session_id] == 1
    assert "キャンセルしました" in text(response)


def test_cancelling_more_seats_than_are_unassigned_is_refused(client, administrator, assigned):
    client.force_login(administrator)
    response = client.post(
        f"{URL}{assigned.item_id}/reduce/",
        {"count": 3, "contact_date": tokyo_date().isoformat(), "reason": "x"},
    )
    assert response.status_code == 400
    assert "未割当ての席は2席" in text(response)
    assert not Seat.objects.filter(state=Seat.State.CANCELLED).exists()


def test_an_administrator_buys_on_a_customers_behalf(client, administrator, applicant, session):
    client.force_login(administrator)
    response = client.post(
        f"{URL}purchase/",
        {"applicant": "group-admin", "session": session.pk, "quantity": 2},
    )
    item = InventoryItem.objects.get()
    assert response["Location"] == f"{URL}{item.pk}/"
    assert item.applicant == applicant and item.purchased_by == administrator


def test_the_proxy_purchase_form_explains_refusals(client, administrator, session, elearning):
    UserFactory(corporate=True, username="hojin")
    client.force_login(administrator)
    html = text(
        client.post(f"{URL}purchase/", {"applicant": "hojin", "session": session.pk, "quantity": 1})
    )
    assert "法人グループ申込者ではない" in html
    html = text(
        client.post(
            f"{URL}purchase/",
            {"applicant": "x", "session": session.pk, "course": elearning.code, "quantity": 1},
        )
    )
    assert "どちらか一方" in html
    assert not InventoryItem.objects.exists()


def test_reception_may_not_buy_on_a_customers_behalf(client, reception):
    client.force_login(reception)
    assert client.get(f"{URL}purchase/").status_code == 403


def test_the_staff_navigation_links_to_the_purchases(client, reception):
    client.force_login(reception)
    assert 'href="/staff/inventory/"' in client.get("/staff/").content.decode()
