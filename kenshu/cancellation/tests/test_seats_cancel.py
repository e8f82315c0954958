"""seats_cancel (R-CANCEL-2, R-CANCEL-3): staff cancel inventory seats, charged as of
the contact date; the purchase's invoice is credited seat by seat; the applicant and
the learners are emailed; a group applicant can never do it."""

import datetime as dt

import pytest

from kenshu.accounts import roles
from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice, Refund
from kenshu.cancellation.selectors import quote_for
from kenshu.cancellation.services import SeatAlreadyCancelled, seats_cancel
from kenshu.core.exceptions import DomainError, NotPermitted
from kenshu.core.testing import SessionFactory, make_staff
from kenshu.core.time import tokyo_date
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.models import Assignment, Seat
from kenshu.notifications.models import OutboxEmail

from .helpers import buy_seats, first_day_after_business_days, invoice_of, pay

pytestmark = pytest.mark.django_db


def test_R_CANCEL_3_a_request_made_on_D_and_processed_on_D_plus_5_is_charged_as_of_D(
    group_applicant, accountant
):
    contact = tokyo_date() - dt.timedelta(days=5)  # D; staff process it today, D + 5
    first_day = first_day_after_business_days(8, contact=contact)  # on D: free
    session = SessionFactory(starts_on=first_day, course__fee=40_000)
    item = buy_seats(group_applicant, session, 2, days_ago=30)
    today_rate = quote_for(
        tiers=item.cancellation_tiers, first_day=first_day, contact_date=tokyo_date(), amount=1
    ).rate
    if today_rate == 0:  # only when D..today were all closed days (new-year closure)
        pytest.skip("no business day between D and today")

    outcome = seats_cancel(
        actor=accountant, seats=list(item.seats.all()), contact_date=contact, reason="依頼 #1"
    )

    assert (outcome.fee, outcome.fee_rate, outcome.contact_date) == (0, 0, contact)
    assert outcome.fee_invoices == []
    assert set(Seat.objects.values_list("state", flat=True)) == {"cancelled"}


def test_R_CANCEL_3_the_same_request_processed_today_would_cost_the_tier_of_today(
    group_applicant, accountant
):
    session = SessionFactory(starts_on=first_day_after_business_days(5), course__fee=40_000)
    item = buy_seats(group_applicant, session, 2)

    outcome = seats_cancel(
        actor=accountant, seats=list(item.seats.all()), contact_date=tokyo_date()
    )

    assert (outcome.fee, outcome.fee_rate) == (40_000, 50)  # 2 × 20,000
    (fee_invoice,) = outcome.fee_invoices
    assert (fee_invoice.subtotal, fee_invoice.tax, fee_invoice.total) == (40_000, 4_000, 44_000)
    assert [(line.unit_price, line.quantity) for line in fee_invoice.lines.all()] == [(20_000, 2)]


def test_one_seat_of_a_paid_three_seat_purchase_is_credited_alone(
    group_applicant, group_learner, accountant
):
    session = SessionFactory(starts_on=first_day_after_business_days(5))
    item = buy_seats(group_applicant, session, 3, assign_to=[group_learner], unit_fee=33_333)
    invoice = invoice_of(item.order)
    assert invoice.total == 109_998  # 99,999 + 9,999
    pay(invoice, accountant)
    assigned = item.seats.get(state="assigned")

    outcome = seats_cancel(actor=accountant, seats=[assigned], contact_date=tokyo_date())

    # Credit note: the seat at its price, 33,333 + 3,333 tax = 36,666.
    (credit_note,) = outcome.credit_notes
    assert (credit_note.subtotal, credit_note.tax, credit_note.total) == (-33_333, -3_333, -36_666)
    assert [(line.unit_price, line.quantity) for line in credit_note.lines.all()] == [(-33_333, 1)]
    # Fee 50 %: 16,666 + 1,666 tax = 18,332, settled from what was paid.
    (fee_invoice,) = outcome.fee_invoices
    assert (fee_invoice.subtotal, fee_invoice.tax, fee_invoice.total) == (16_666, 1_666, 18_332)
    assert fee_invoice.state == Invoice.State.PAID
    # Refund = paid for the seat − fee = 36,666 − 18,332.
    (refund,) = outcome.refunds
    assert (refund.amount, refund.invoice, refund.credit_note) == (18_334, invoice, credit_note)
    assert refund.state == Refund.State.PENDING
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.PAID  # two seats still billed on it
    assert set(item.seats.values_list("state", flat=True)) == {"cancelled", "unassigned"}


def test_an_assigned_seat_ends_its_assignment_and_cancels_its_enrolment(
    group_applicant, group_learner, accountant
):
    session = SessionFactory(starts_on=first_day_after_business_days(10))
    item = buy_seats(group_applicant, session, 2, assign_to=[group_learner])
    seat = item.seats.get(state="assigned")
    enrollment = seat.enrollment

    seats_cancel(actor=accountant, seats=[seat], contact_date=tokyo_date(), reason="依頼")

    seat.refresh_from_db()
    enrollment.refresh_from_db()
    assert (seat.state, seat.learner, seat.enrollment) == ("cancelled", None, None)
    assert seat.cancelled_at is not None
    assert enrollment.state == Enrollment.State.CANCELLED
    assert (enrollment.cancellation_fee, enrollment.cancelled_by) == (0, accountant)
    assignment = Assignment.objects.get(seat=seat)
    assert (assignment.ended_by, assignment.enrollment) == (accountant, enrollment)
    assert assignment.ended_at is not None


def test_the_applicant_and_the_learner_are_emailed(group_applicant, group_learner, accountant):
    session = SessionFactory(starts_on=first_day_after_business_days(5))
    item = buy_seats(group_applicant, session, 2, assign_to=[group_learner])

    seats_cancel(actor=accountant, seats=list(item.seats.all()), contact_date=tokyo_date())

    emails = {e.to_email: e for e in OutboxEmail.objects.filter(template="cancellation_done")}
    assert set(emails) == {"tanaka@example.jp", "suzuki@example.jp"}
    to_applicant = emails["tanaka@example.jp"].context
    assert to_applicant["show_money"] is True
    assert len(to_applicant["places"]) == 2
    assert to_applicant["fee"] == 50_000  # 2 × 50 % of 50,000
    to_learner = emails["suzuki@example.jp"].context
    assert to_learner["show_money"] is False
    assert "fee" not in to_learner
    assert [p["learner"] for p in to_learner["places"]] == ["鈴木 花子"]


def test_the_cancellation_is_audited_per_purchase_with_the_request(group_applicant, accountant):
    session = SessionFactory(starts_on=first_day_after_business_days(10))
    item = buy_seats(group_applicant, session, 2)

    class Request:
        pk = 42

    seats_cancel(
        actor=accountant,
        seats=list(item.seats.all()),
        contact_date=tokyo_date(),
        request=Request(),
    )

    entry = AuditEntry.objects.get(action="inventory.seats_cancelled")
    assert (entry.actor, entry.target_id) == (accountant, str(item.pk))
    assert entry.data["request"] == 42
    assert entry.data["contact_date"] == tokyo_date().isoformat()
    assert sorted(entry.data["seats"]) == sorted(item.seats.values_list("pk", flat=True))


def test_a_cancelled_seat_cannot_be_cancelled_again(group_applicant, accountant, session):
    item = buy_seats(group_applicant, session, 1)
    seats_cancel(actor=accountant, seats=list(item.seats.all()), contact_date=tokyo_date())
    with pytest.raises(SeatAlreadyCancelled):
        seats_cancel(actor=accountant, seats=list(item.seats.all()), contact_date=tokyo_date())
    assert Invoice.objects.filter(kind="credit_note").count() == 1


def test_a_contact_date_before_the_purchase_is_refused(group_applicant, accountant, session):
    item = buy_seats(group_applicant, session, 1, days_ago=2)
    with pytest.raises(DomainError) as refused:
        seats_cancel(
            actor=accountant,
            seats=list(item.seats.all()),
            contact_date=tokyo_date() - dt.timedelta(days=5),
        )
    assert refused.value.code == "contact_date_before_purchase"
    assert item.seats.get().state == "unassigned"


def test_seats_of_two_purchases_are_settled_on_each_invoice(group_applicant, accountant, session):
    first = buy_seats(group_applicant, session, 2)
    second = buy_seats(group_applicant, session, 1)
    seats = [first.seats.first(), second.seats.get()]

    outcome = seats_cancel(actor=accountant, seats=seats, contact_date=tokyo_date())

    assert {note.original for note in outcome.credit_notes} == {
        invoice_of(first.order),
        invoice_of(second.order),
    }
    assert invoice_of(second.order).state == Invoice.State.CREDITED  # its only seat
    assert invoice_of(first.order).state == Invoice.State.ISSUED  # one of its two seats


def test_a_group_applicant_can_never_cancel_its_inventory(group_applicant, session):
    item = buy_seats(group_applicant, session, 1)
    with pytest.raises(NotPermitted):
        seats_cancel(actor=group_applicant, seats=list(item.seats.all()), contact_date=tokyo_date())
    assert item.seats.get().state == "unassigned"
    entry = AuditEntry.objects.get(action="inventory.cancel_refused")
    assert entry.actor == group_applicant


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(roles.RECEPTION, False), (roles.ACCOUNTING, True), (roles.ADMINISTRATOR, True)],
)
def test_only_staff_who_process_cancellation_requests_cancel_seats(
    group_applicant, session, role, allowed
):
    item = buy_seats(group_applicant, session, 1)
    staff = make_staff(role)
    if allowed:
        seats_cancel(actor=staff, seats=list(item.seats.all()), contact_date=tokyo_date())
        assert item.seats.get().state == "cancelled"
    else:
        with pytest.raises(NotPermitted):
            seats_cancel(actor=staff, seats=list(item.seats.all()), contact_date=tokyo_date())
        assert item.seats.get().state == "unassigned"
