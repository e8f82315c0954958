"""inventory_purchase (R-APPLY-2, R-APPLY-3, R-APPLY-4, R-TYPE): a group applicant buys N
seats for others; the seats count against the capacity at once; the order and its
qualified invoice are made as for a self-application; refusals save nothing."""

import datetime as dt

import pytest

from kenshu.accounts import roles
from kenshu.accounts.models import User
from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice, Order
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import NotPermitted
from kenshu.core.testing import CourseFactory, SessionFactory, UserFactory, make_staff
from kenshu.enrollments.exceptions import ApplicationClosed, CourseNotOpen, SessionCancelled
from kenshu.enrollments.seats import seats_taken
from kenshu.enrollments.services import enrollment_apply
from kenshu.inventory.exceptions import (
    NoSeatsLeft,
    NotAGroupApplicant,
    NotEnoughSeats,
    QuantityTooLarge,
    QuantityTooSmall,
)
from kenshu.inventory.models import InventoryItem, Seat
from kenshu.inventory.services import inventory_purchase
from kenshu.notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db


def nothing_saved():
    assert InventoryItem.objects.count() == 0
    assert Seat.objects.count() == 0
    assert Order.objects.count() == 0
    assert Invoice.objects.count() == 0
    assert not OutboxEmail.objects.filter(template="inventory_purchased").exists()


def test_r_apply_2_a_group_applicant_buys_three_seats_with_an_order_and_one_invoice(
    applicant, session
):
    item = inventory_purchase(actor=applicant, session=session, quantity=3)

    assert item.applicant == applicant and item.organisation == applicant.organisation
    assert item.course == session.course and item.session == session
    assert item.quantity == 3 and item.unit_fee == 50_000
    assert item.purchased_by is None
    assert [s.state for s in item.seats.all()] == ["unassigned"] * 3
    assert item.cancellation_tiers and item.cancellation_tiers[0]["unit"] == "business_days"
    order = item.order
    assert order.buyer == applicant
    (line,) = order.lines.all()
    assert (line.unit_price, line.quantity) == (50_000, 3)
    assert line.description.startswith("ILC1234 ビジネス文書研修")
    invoice = order.invoices.get()
    assert (invoice.subtotal, invoice.tax, invoice.total) == (150_000, 15_000, 165_000)
    assert AuditEntry.objects.filter(action="inventory.purchased", actor=applicant).count() == 1


def test_r_apply_3_the_seats_count_against_the_capacity_at_once_assigned_or_not(applicant, session):
    enrollment_apply(actor=UserFactory(), session=session)
    inventory_purchase(actor=applicant, session=session, quantity=4)
    assert seats_taken([session.pk])[session.pk] == 5


def test_r_mail_the_purchase_email_goes_to_the_applicant_with_the_invoice(applicant, session):
    item = inventory_purchase(actor=applicant, session=session, quantity=2)
    email = OutboxEmail.objects.get(template="inventory_purchased")
    invoice = item.order.invoices.get()
    assert email.to_email == applicant.email
    assert email.related == item
    assert email.context["invoice_number"] == invoice.number
    assert email.context["invoice_path"] == f"/account/invoices/{invoice.number}/pdf/"
    assert email.context["quantity"] == 2 and email.context["total"] == 110_000
    assert [t["rate"] for t in email.context["tiers"]] == [0, 50, 100]


def test_an_elearning_course_is_bought_by_course_without_capacity(applicant, elearning):
    item = inventory_purchase(actor=applicant, course=elearning, quantity=25)
    assert item.session is None and item.seats.count() == 25
    assert item.cancellation_tiers[0]["unit"] == "calendar_days"
    assert "eラーニング" in item.order.lines.get().description


@pytest.mark.parametrize("quantity", [0, -1, None, "abc"])
def test_a_quantity_below_one_is_refused_and_nothing_is_saved(applicant, session, quantity):
    with pytest.raises(QuantityTooSmall) as error:
        inventory_purchase(actor=applicant, session=session, quantity=quantity)
    assert "1席以上" in str(error.value)
    nothing_saved()


def test_a_quantity_above_the_seats_left_is_refused_with_how_many_are_left(applicant, session):
    for _ in range(7):
        enrollment_apply(actor=UserFactory(), session=session)
    with pytest.raises(NotEnoughSeats) as error:
        inventory_purchase(actor=applicant, session=session, quantity=4)
    assert "残りは3席" in str(error.value)
    assert InventoryItem.objects.count() == 0 and Seat.objects.count() == 0


def test_a_full_session_sells_no_seat(applicant):
    session = SessionFactory(capacity=1)
    enrollment_apply(actor=UserFactory(), session=session)
    with pytest.raises(NoSeatsLeft):
        inventory_purchase(actor=applicant, session=session, quantity=1)
    assert InventoryItem.objects.count() == 0


def test_an_elearning_purchase_is_bounded_by_the_largest_quantity(applicant, elearning):
    with pytest.raises(QuantityTooLarge):
        inventory_purchase(actor=applicant, course=elearning, quantity=501)
    nothing_saved()


def test_r_apply_4_a_cancelled_session_sells_nothing(applicant):
    session = SessionFactory(state=Session.State.CANCELLED)
    with pytest.raises(SessionCancelled):
        inventory_purchase(actor=applicant, session=session, quantity=1)
    nothing_saved()


def test_r_apply_4_a_session_past_its_deadline_sells_nothing(applicant):
    session = SessionFactory(deadline=ktime.now() - dt.timedelta(minutes=1))
    with pytest.raises(ApplicationClosed):
        inventory_purchase(actor=applicant, session=session, quantity=1)
    nothing_saved()


def test_an_unpublished_course_sells_nothing(applicant):
    session = SessionFactory(course__is_published=False)
    with pytest.raises(CourseNotOpen):
        inventory_purchase(actor=applicant, session=session, quantity=1)
    with pytest.raises(CourseNotOpen):
        inventory_purchase(
            actor=applicant, course=CourseFactory(elearning=True, is_published=False), quantity=1
        )
    nothing_saved()


@pytest.mark.parametrize(
    "user_type",
    [
        User.UserType.INDIVIDUAL,
        User.UserType.CORPORATE,
        User.UserType.GROUP_LEARNER,
        User.UserType.PARTNER_LEARNER,
    ],
)
def test_r_type_only_group_applicants_buy_for_others(session, user_type):
    with pytest.raises(NotPermitted):
        inventory_purchase(actor=UserFactory(user_type=user_type), session=session, quantity=1)
    nothing_saved()


def test_staff_buy_on_a_customers_behalf_and_the_customer_is_the_buyer(applicant, session):
    admin = make_staff(roles.ADMINISTRATOR)
    item = inventory_purchase(actor=admin, buyer=applicant, session=session, quantity=2)
    assert item.applicant == applicant and item.purchased_by == admin
    assert item.order.buyer == applicant
    assert item.order.invoices.get().recipient_name == applicant.full_name
    entry = AuditEntry.objects.get(action="inventory.purchased")
    assert entry.actor == admin and entry.data["by_proxy"] is True
    email = OutboxEmail.objects.get(template="inventory_purchased")
    assert email.to_email == applicant.email and email.context["by_proxy"] is True


def test_staff_without_the_permission_cannot_buy_on_a_customers_behalf(applicant, session):
    with pytest.raises(NotPermitted):
        inventory_purchase(
            actor=make_staff(roles.RECEPTION), buyer=applicant, session=session, quantity=1
        )
    nothing_saved()


def test_staff_cannot_buy_for_a_user_who_is_not_a_group_applicant(session):
    with pytest.raises(NotAGroupApplicant):
        inventory_purchase(
            actor=make_staff(roles.ADMINISTRATOR),
            buyer=UserFactory(corporate=True),
            session=session,
            quantity=1,
        )
    nothing_saved()
