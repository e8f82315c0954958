"""payment_record: staff record money received; the invoice is paid when payments reach
its total (DOMAIN.md §9, §13). Overdue is derived from the due date."""

import datetime as dt

import pytest

from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice, Payment
from kenshu.billing.services import LineSpec, invoice_is_overdue, invoice_issue, payment_record
from kenshu.core.exceptions import DomainError, InvalidState, NotPermitted
from kenshu.core.time import tokyo_date

from .helpers import place

pytestmark = pytest.mark.django_db

BANK = Payment.Method.BANK_TRANSFER


@pytest.fixture
def invoice(sato):
    return place(sato, 30_000, 8_000, 8_000, 8_000, issued_on=dt.date(2026, 5, 11))  # 59,400


def record(actor, invoice, amount, **kwargs):
    kwargs.setdefault("received_on", tokyo_date())
    kwargs.setdefault("method", BANK)
    return payment_record(actor=actor, invoice=invoice, amount=amount, **kwargs)


def test_a_payment_of_the_total_makes_the_invoice_paid(accountant, invoice):
    payment = record(accountant, invoice, 59_400, received_on=dt.date(2026, 6, 20))
    assert (payment.amount, payment.received_on, payment.method, payment.recorded_by) == (
        59_400,
        dt.date(2026, 6, 20),
        BANK,
        accountant,
    )
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.PAID


def test_partial_payments_leave_the_invoice_issued_until_they_reach_the_total(accountant, invoice):
    record(accountant, invoice, 40_000)
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.ISSUED
    record(accountant, invoice, 19_400, method=Payment.Method.CASH)
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.PAID
    assert invoice.payments.count() == 2


def test_recording_a_payment_is_audited_with_the_actor(accountant, invoice):
    record(accountant, invoice, 40_000, received_on=dt.date(2026, 6, 20))
    entry = AuditEntry.objects.get(action="payment.recorded")
    assert entry.actor == accountant
    assert entry.target == invoice
    assert entry.data["amount"] == 40_000
    assert entry.data["received_on"] == "2026-06-20"
    assert entry.data["outstanding"] == 19_400
    assert entry.data["state"] == "issued"


def test_administrators_may_record_payments_too(administrator, invoice):
    record(administrator, invoice, 59_400)
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.PAID


def test_reception_may_not_record_a_payment(reception, invoice):
    with pytest.raises(NotPermitted):
        record(reception, invoice, 59_400)
    assert not Payment.objects.exists()
    assert not AuditEntry.objects.filter(action="payment.recorded").exists()


@pytest.mark.parametrize("amount", [0, -100])
def test_a_non_positive_amount_is_refused(accountant, invoice, amount):
    with pytest.raises(DomainError) as refused:
        record(accountant, invoice, amount)
    assert refused.value.code == "amount_not_positive"
    assert not Payment.objects.exists()


def test_more_than_the_outstanding_amount_is_refused(accountant, invoice):
    record(accountant, invoice, 50_000)
    with pytest.raises(DomainError) as refused:
        record(accountant, invoice, 9_401)
    assert refused.value.code == "overpayment"
    assert "9,400" in str(refused.value)
    assert Payment.objects.count() == 1


def test_a_date_received_in_the_future_is_refused(accountant, invoice):
    with pytest.raises(DomainError) as refused:
        record(accountant, invoice, 100, received_on=tokyo_date() + dt.timedelta(days=1))
    assert refused.value.code == "received_in_future"


def credit_all(invoice):
    """A credit note of every line of ``invoice``: it becomes credited."""
    return invoice_issue(
        order=invoice.order,
        lines=[
            LineSpec(line.description, line.unit_price, line.quantity, line.tax_rate)
            for line in invoice.lines.all()
        ],
        kind="credit_note",
        original=invoice,
    )


def test_a_credited_invoice_takes_no_payment(accountant, invoice):
    credit_all(invoice)
    with pytest.raises(InvalidState):
        record(accountant, invoice, 100)
    assert not Payment.objects.exists()


def test_a_partly_credited_invoice_is_paid_by_what_is_left_of_it(accountant, invoice):
    invoice_issue(
        order=invoice.order, lines=[LineSpec("研修", 30_000)], kind="credit_note", original=invoice
    )
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.ISSUED  # 33,000 of 59,400 credited: not all of it
    with pytest.raises(DomainError) as refused:
        record(accountant, invoice, 26_401)
    assert refused.value.code == "overpayment"
    record(accountant, invoice, 26_400)  # 59,400 - 33,000
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.PAID


def test_staff_never_record_an_offset_by_hand(accountant, invoice):
    with pytest.raises(ValueError):
        record(accountant, invoice, 100, method=Payment.Method.OFFSET)


def test_a_paid_invoice_takes_no_further_payment(accountant, invoice):
    record(accountant, invoice, 59_400)
    with pytest.raises(InvalidState):
        record(accountant, invoice, 1)


def test_a_credit_note_is_not_paid_by_the_customer(accountant, invoice):
    credit = invoice_issue(
        order=invoice.order, lines=[LineSpec("研修", 30_000)], kind="credit_note", original=invoice
    )
    with pytest.raises(InvalidState):
        record(accountant, credit, 100)


def test_the_state_is_read_again_under_the_lock_not_taken_from_a_stale_object(accountant, invoice):
    stale = Invoice.objects.get(pk=invoice.pk)
    record(accountant, invoice, 59_400)
    with pytest.raises(InvalidState):
        record(accountant, stale, 59_400)
    assert Payment.objects.count() == 1


# --- overdue (derived) -------------------------------------------------------------------

TODAY = dt.date(2026, 7, 1)


def test_an_unpaid_invoice_past_its_due_date_is_overdue(invoice):
    assert invoice.due_on == dt.date(2026, 6, 30)
    assert invoice_is_overdue(invoice, TODAY)


def test_an_invoice_is_not_overdue_on_its_due_date(invoice):
    assert not invoice_is_overdue(invoice, dt.date(2026, 6, 30))


def test_a_paid_invoice_is_never_overdue(accountant, invoice):
    record(accountant, invoice, 59_400)
    invoice.refresh_from_db()
    assert not invoice_is_overdue(invoice, TODAY)


def test_a_credited_invoice_and_a_credit_note_are_never_overdue(invoice):
    credit = credit_all(invoice)
    invoice.refresh_from_db()
    assert not invoice_is_overdue(invoice, TODAY)
    assert not invoice_is_overdue(credit, TODAY)
