"""The money rule of a cancellation (DOMAIN.md §9, R-CANCEL-5): a credit note of the
cancelled lines, a fee invoice for the fee, and for a paid invoice a refund of what was
paid minus the fee; figures checked by hand; nothing issued is edited in place.
refund_pay_out: staff with billing.pay_out_refund; the payer is emailed."""

import datetime as dt

import pytest
from django.forms.models import model_to_dict

from kenshu.accounts import roles
from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice, InvoiceLine, Payment, Refund
from kenshu.billing.refunds import refund_pay_out, settlement_apply, settlement_plan
from kenshu.billing.services import LineSpec, order_create, order_place, payment_record
from kenshu.core.exceptions import DomainError, InvalidState, NotPermitted
from kenshu.core.testing import make_staff
from kenshu.core.time import tokyo_date
from kenshu.notifications.models import OutboxEmail

from .helpers import place

pytestmark = pytest.mark.django_db

SEAT = LineSpec("ILC1234 ビジネス文書研修 2026/06/15", 33_333)
FEE_50 = LineSpec("キャンセル料(50%) ILC1234", 16_666)


@pytest.fixture
def three_seats(sato):
    """3 seats at 33,333: 99,999 + tax 9,999 (rounded down once) = 109,998."""
    order = order_place(buyer=sato, lines=[LineSpec(SEAT.description, 33_333, 3)])
    return order.invoices.get()


def pay(invoice, accountant, amount=None):
    return payment_record(
        actor=accountant,
        invoice=invoice,
        amount=amount or invoice.total,
        received_on=tokyo_date(),
        method=Payment.Method.BANK_TRANSFER,
    )


def snapshot(invoice):
    """Everything of an issued invoice but its state, and its lines."""
    fields = model_to_dict(invoice, exclude=["state"])
    lines = list(InvoiceLine.objects.filter(invoice=invoice).values())
    return fields, lines


def test_an_unpaid_invoice_gets_a_credit_note_and_a_fee_invoice_and_no_refund(three_seats, sato):
    assert three_seats.total == 109_998
    settlement = settlement_apply(
        actor=sato, original=three_seats, credit_lines=[SEAT], fee_lines=[FEE_50]
    )
    note, fee = settlement.credit_note, settlement.fee_invoice
    # 33,333 × 10 % = 3,333.3 → 3,333
    assert (note.subtotal, note.tax, note.total) == (-33_333, -3_333, -36_666)
    assert note.original == three_seats
    # 16,666 × 10 % = 1,666.6 → 1,666
    assert (fee.subtotal, fee.tax, fee.total) == (16_666, 1_666, 18_332)
    assert (fee.kind, fee.original, fee.state) == ("fee_invoice", three_seats, "issued")
    assert settlement.refund is None and settlement.offset_payment is None
    three_seats.refresh_from_db()
    assert three_seats.state == Invoice.State.ISSUED  # 2 seats still owed


def test_a_paid_invoice_refunds_what_was_paid_minus_the_fee(three_seats, sato, accountant):
    pay(three_seats, accountant)
    plan = settlement_plan(original=three_seats, credit_lines=[SEAT], fee_lines=[FEE_50])
    assert (plan.credit_total, plan.fee_total, plan.refund) == (36_666, 18_332, 18_334)

    settlement = settlement_apply(
        actor=accountant, original=three_seats, credit_lines=[SEAT], fee_lines=[FEE_50]
    )

    refund = settlement.refund
    assert refund.amount == 36_666 - 18_332 == 18_334
    assert (refund.invoice, refund.credit_note, refund.state) == (
        three_seats,
        settlement.credit_note,
        Refund.State.PENDING,
    )
    # The fee is paid from what the customer had paid: an offset, not a new debt.
    offset = settlement.offset_payment
    assert (offset.method, offset.amount, offset.invoice) == (
        "offset",
        18_332,
        settlement.fee_invoice,
    )
    assert Invoice.objects.get(pk=settlement.fee_invoice.pk).state == Invoice.State.PAID
    assert AuditEntry.objects.filter(action="refund.created", target_id=str(refund.pk)).exists()


def test_a_free_cancellation_of_a_paid_invoice_refunds_all_of_it(sato, accountant):
    invoice = place(sato, 50_000)
    pay(invoice, accountant)
    settlement = settlement_apply(
        actor=accountant, original=invoice, credit_lines=[LineSpec("研修 1", 50_000)]
    )
    assert settlement.refund.amount == 55_000
    assert settlement.fee_invoice is None
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.CREDITED


def test_a_full_fee_on_a_paid_invoice_refunds_nothing(sato, accountant):
    invoice = place(sato, 50_000)
    pay(invoice, accountant)
    settlement = settlement_apply(
        actor=accountant,
        original=invoice,
        credit_lines=[LineSpec("研修 1", 50_000)],
        fee_lines=[LineSpec("キャンセル料(100%)", 50_000)],
    )
    assert settlement.refund is None
    assert settlement.offset_payment.amount == 55_000
    assert Invoice.objects.get(pk=settlement.fee_invoice.pk).state == Invoice.State.PAID


def test_seat_by_seat_the_credit_notes_add_up_to_the_invoice_to_the_yen(sato, accountant):
    order = order_place(buyer=sato, lines=[LineSpec("研修", 1_005, 3)])
    invoice = order.invoices.get()
    assert (invoice.subtotal, invoice.tax, invoice.total) == (3_015, 301, 3_316)
    pay(invoice, accountant)
    seat = LineSpec("研修", 1_005)
    notes = []
    for _ in range(3):
        notes.append(settlement_apply(actor=accountant, original=invoice, credit_lines=[seat]))
        invoice.refresh_from_db()
        assert invoice.state == (Invoice.State.CREDITED if len(notes) == 3 else Invoice.State.PAID)
    # 100 + 100 tax rounded down; the last takes the rest of the invoice's tax: 101.
    assert [n.credit_note.tax for n in notes] == [-100, -100, -101]
    assert sum(n.credit_note.total for n in notes) == -3_316
    assert sum(n.refund.amount for n in notes) == 3_316
    with pytest.raises(InvalidState):
        settlement_apply(actor=accountant, original=invoice, credit_lines=[seat])


def test_a_second_cancellation_counts_the_first_refund_and_offset(three_seats, accountant):
    pay(three_seats, accountant)
    first = settlement_apply(
        actor=accountant, original=three_seats, credit_lines=[SEAT], fee_lines=[FEE_50]
    )
    second = settlement_apply(actor=accountant, original=three_seats, credit_lines=[SEAT])
    assert first.refund.amount == 18_334
    assert second.refund.amount == 36_666  # the second seat, free
    third = settlement_apply(actor=accountant, original=three_seats, credit_lines=[SEAT])
    assert third.refund.amount == 36_666
    # Paid 109,998 = refunds 91,666 + the fee 18,332 kept.
    assert 18_334 + 36_666 + 36_666 + 18_332 == 109_998


def test_nothing_issued_is_edited_in_place(three_seats, accountant):
    pay(three_seats, accountant)
    before = snapshot(three_seats)
    settlement = settlement_apply(
        actor=accountant, original=three_seats, credit_lines=[SEAT], fee_lines=[FEE_50]
    )
    note_before = snapshot(settlement.credit_note)
    settlement_apply(actor=accountant, original=three_seats, credit_lines=[SEAT, SEAT])
    three_seats.refresh_from_db()
    settlement.credit_note.refresh_from_db()
    assert snapshot(three_seats) == before
    assert snapshot(settlement.credit_note) == note_before
    assert Invoice.objects.filter(kind="credit_note").count() == 2


def test_an_order_not_invoiced_yet_gets_only_its_fee_invoice(sato):
    order = order_create(buyer=sato, lines=[SEAT])
    settlement = settlement_apply(
        actor=sato, original=None, order=order, credit_lines=[], fee_lines=[FEE_50]
    )
    assert settlement.credit_note is None
    assert (settlement.fee_invoice.order, settlement.fee_invoice.original) == (order, None)
    assert settlement.fee_invoice.total == 18_332


# --- refund_pay_out ------------------------------------------------------------------


@pytest.fixture
def refund(sato, accountant):
    invoice = place(sato, 50_000)
    pay(invoice, accountant)
    return settlement_apply(
        actor=accountant, original=invoice, credit_lines=[LineSpec("研修 1", 50_000)]
    ).refund


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(roles.RECEPTION, False), (roles.ACCOUNTING, True), (roles.ADMINISTRATOR, True)],
)
def test_staff_with_billing_pay_out_refund_mark_a_refund_paid_out(refund, role, allowed):
    staff = make_staff(role)
    if allowed:
        refund_pay_out(actor=staff, refund=refund, paid_out_on=tokyo_date())
        refund.refresh_from_db()
        assert (refund.state, refund.paid_out_by, refund.paid_out_on) == (
            "paid_out",
            staff,
            tokyo_date(),
        )
    else:
        with pytest.raises(NotPermitted):
            refund_pay_out(actor=staff, refund=refund, paid_out_on=tokyo_date())
        refund.refresh_from_db()
        assert refund.state == "pending"


def test_the_payer_is_emailed_when_the_refund_is_paid_out_and_it_is_audited(
    refund, accountant, sato
):
    assert not OutboxEmail.objects.filter(template="refund_issued").exists()
    refund_pay_out(actor=accountant, refund=refund, paid_out_on=tokyo_date())
    (email,) = OutboxEmail.objects.filter(template="refund_issued")
    assert email.to_email == sato.email
    assert email.context["amount"] == 55_000
    assert email.context["credit_note_number"] == refund.credit_note.number
    entry = AuditEntry.objects.get(action="refund.paid_out")
    assert (entry.actor, entry.data["amount"]) == (accountant, 55_000)


def test_a_refund_is_paid_out_once(refund, accountant):
    refund_pay_out(actor=accountant, refund=refund, paid_out_on=tokyo_date())
    with pytest.raises(InvalidState):
        refund_pay_out(actor=accountant, refund=refund, paid_out_on=tokyo_date())
    assert OutboxEmail.objects.filter(template="refund_issued").count() == 1


@pytest.mark.parametrize("days", [1, -3])
def test_a_paid_out_date_in_the_future_or_before_the_refund_is_refused(refund, accountant, days):
    with pytest.raises(DomainError):
        refund_pay_out(
            actor=accountant, refund=refund, paid_out_on=tokyo_date() + dt.timedelta(days=days)
        )
    refund.refresh_from_db()
    assert refund.state == "pending"
