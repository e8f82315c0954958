"""Money (DOMAIN.md §9, ARCHITECTURE.md §1, §7, §8): orders, qualified invoices,
credit notes, fee invoices and payments.

- ``tax_breakdown`` and ``due_date_for`` are pure rules.
- ``order_place`` records what a customer bought and issues its invoice.
- ``invoice_issue`` issues an invoice, a credit note or a cancellation-fee invoice
  with the next number of its series, without gaps: the series counter row is
  locked and bumped in the caller's transaction, so a rollback takes the number
  back with everything else. That lock is held until the caller commits and every
  invoice of the series waits for it: callers issue the invoice as the last thing
  before they commit (``order_create`` + ``order_invoice`` let them write the rest
  of their work first; ``order_place`` is both at once).
- ``payment_record`` records money received; the invoice is paid once payments
  reach its total.

Every service runs in one ``transaction.atomic()`` (joining the caller's), writes
its audit entry there, and sends no email: the caller's email (e.g. the
application acceptance) links to the invoice. The order services join without a
savepoint of their own (an error there rolls the caller's transaction back as a
whole); ``invoice_issue`` keeps one, so that a caller may catch a refused credit
note and go on.
"""

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from kenshu.audit.services import audit_log
from kenshu.core.exceptions import DomainError, InvalidState, NotPermitted
from kenshu.core.locking import bounded_lock_wait, lock_rows
from kenshu.core.time import tokyo_date

from .models import (
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Order,
    OrderLine,
    Payment,
    PaymentMethod,
)
from .selectors import credited_amount, paid_amount

#: The prefix of each kind's number series: "INV-2026-000001".
SERIES_PREFIX = {
    Invoice.Kind.INVOICE: "INV",
    Invoice.Kind.CREDIT_NOTE: "CRN",
    Invoice.Kind.FEE_INVOICE: "FEE",
}
NUMBER_DIGITS = 6


# --- pure rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class LineSpec:
    """One line to bill: tax-exclusive JPY unit price, quantity, tax rate in percent."""

    description: str
    unit_price: int
    quantity: int = 1
    tax_rate: int = 10

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity


class TaxSubtotal(NamedTuple):
    """The tax-exclusive base of one tax rate on one invoice, and its tax."""

    rate: int
    base: int
    tax: int


class _Line(Protocol):
    unit_price: int
    quantity: int
    tax_rate: int


def tax_breakdown(lines: Iterable[_Line]) -> list[TaxSubtotal]:
    """Per tax rate (highest first): the summed base and its tax, rounded down once.

    Consumption tax is computed once per invoice per rate, never per line
    (DOMAIN.md §9): 333 + 333 + 334 at 10 % is 1,000 → 100, not 33 + 33 + 33.
    A credit note's negative base gives the negative of the same rounding
    (rounded towards zero), so crediting a whole invoice mirrors it exactly.
    Works on ``LineSpec``, ``OrderLine`` and ``InvoiceLine`` alike.
    """
    bases: dict[int, int] = {}
    for line in lines:
        bases[line.tax_rate] = bases.get(line.tax_rate, 0) + line.unit_price * line.quantity
    result = []
    for rate in sorted(bases, reverse=True):
        base = bases[rate]
        tax = abs(base) * rate // 100
        result.append(TaxSubtotal(rate=rate, base=base, tax=tax if base >= 0 else -tax))
    return result


def due_date_for(issued_on: dt.date) -> dt.date:
    """The default payment due date: the last day of the month after ``issued_on``."""
    year, month = (
        (issued_on.year + 1, 1)
        if issued_on.month == 12
        else (
            issued_on.year,
            issued_on.month + 1,
        )
    )
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def invoice_is_overdue(invoice: Invoice, today: dt.date | None = None) -> bool:
    """Overdue is derived, never stored (DOMAIN.md §13): issued, unpaid, past its due date."""
    today = today or tokyo_date()
    return (
        invoice.state == Invoice.State.ISSUED
        and invoice.due_on is not None
        and invoice.due_on < today
    )


def _check_lines(lines: list[LineSpec]) -> None:
    """Format of the lines other services pass in: a programming error if wrong."""
    if not lines:
        raise ValueError("an invoice needs at least one line")
    for line in lines:
        if line.unit_price < 0 or line.quantity < 1 or line.tax_rate < 0:
            raise ValueError(f"bad invoice line: {line!r}")
        if not line.description.strip():
            raise ValueError("an invoice line needs a description")


def _check_order(lines: list[LineSpec], payment_method: str) -> None:
    _check_lines(lines)
    if payment_method not in PaymentMethod.values:
        raise ValueError(f"unknown payment method {payment_method!r}")


# --- orders and invoices ----------------------------------------------------------------


def order_place(
    *,
    buyer,
    lines: list[LineSpec],
    payment_method: str = PaymentMethod.INVOICE,
    issued_on: dt.date | None = None,
) -> Order:
    """Record an order of ``buyer`` with its lines, and issue its invoice.

    Runs inside the caller's transaction (the application or purchase): if that
    rolls back, the order, the invoice and its number go with it. Audits
    ``order.placed`` (and ``invoice.issued``). Sends no email. The invoice is
    ``order.invoices.get()`` (or ``selectors.invoice_of_order``).

    ``order_create`` then ``order_invoice`` do the same in two steps, for a caller
    with more to write in between (the invoice number's lock is then held for less).
    """
    _check_order(lines, payment_method)  # before the transaction: nothing to undo
    with transaction.atomic(savepoint=False):
        order = order_create(buyer=buyer, lines=lines, payment_method=payment_method)
        order_invoice(order=order, lines=lines, issued_on=issued_on)
    return order


def order_create(
    *, buyer, lines: list[LineSpec], payment_method: str = PaymentMethod.INVOICE
) -> Order:
    """Record an order of ``buyer`` with its lines, not invoiced yet: the caller issues
    its invoice with ``order_invoice`` in the same transaction (``order_place``)."""
    _check_order(lines, payment_method)
    with transaction.atomic(savepoint=False):
        order = Order.objects.create(buyer=buyer, payment_method=payment_method)
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                description=line.description,
                unit_price=line.unit_price,
                quantity=line.quantity,
                tax_rate=line.tax_rate,
            )
            for line in lines
        )
    return order


def order_invoice(
    *, order: Order, lines: list[LineSpec], issued_on: dt.date | None = None
) -> Invoice:
    """Issue the invoice of ``order`` (from ``order_create``, with the same ``lines``)
    and audit ``order.placed``. Takes the invoice number: call it last before commit."""
    with transaction.atomic(savepoint=False):
        invoice = invoice_issue(order=order, lines=lines, issued_on=issued_on, actor=order.buyer)
        audit_log(
            actor=order.buyer,
            action="order.placed",
            target=order,
            data={
                "number": order.number,
                "payment_method": order.payment_method,
                "invoice": invoice.number,
                "total": invoice.total,
            },
        )
    return invoice


def invoice_issue(
    *,
    order: Order,
    lines: list[LineSpec],
    kind: str = Invoice.Kind.INVOICE,
    original: Invoice | None = None,
    issued_on: dt.date | None = None,
    actor=None,
) -> Invoice:
    """Issue an invoice, credit note or fee invoice for ``order``, numbered without gaps.

    - ``lines`` are given with positive prices. A credit note stores them negated
      (it gives money back) and must refer to the ``original`` invoice (or fee
      invoice) of the same order. It may credit part of it (e.g. one seat of
      three): together the credit notes of an invoice never exceed its base per
      tax rate. Its tax is computed on its own lines, rounded down, except that
      the note which credits the last of a rate's base takes the rest of that
      rate's tax, so that the credit notes of an invoice add up to it to the yen.
      The original becomes ``credited`` once all of it is credited (before that,
      ``paid`` when the payments cover what is left). A fee invoice may refer to
      the invoice whose cancellation it charges for.
    - The number is the next of the kind's series for the issue year
      ("INV-2026-000001", "CRN-…", "FEE-…"), taken from its ``InvoiceCounter``
      row under a lock held until the caller's transaction ends.
    - Issuer (settings) and recipient (the buyer's name, organisation, email; a
      credit note's are the original's) are copied at issue; nothing changes later.
    - Invoices and fee invoices are due at the end of the following month; one
      with nothing to pay (a ¥0 total) is ``paid`` from the start.

    Audits ``invoice.issued`` (``actor`` None means the system).
    """
    _check_lines(lines)
    kind = Invoice.Kind(kind)
    issued_on = issued_on or tokyo_date()
    credit_note = kind == Invoice.Kind.CREDIT_NOTE
    if credit_note and original is None:
        raise ValueError("a credit note must refer to its original invoice")
    if not credit_note and original is not None:
        if kind == Invoice.Kind.INVOICE:
            raise ValueError("only credit notes and fee invoices refer to an original")
        if original.order_id != order.pk:
            raise ValueError("the original invoice belongs to another order")
    # A credit note may be refused (InvalidState) once in the transaction: it gets a
    # savepoint of its own, so that a caller may catch that and go on. An invoice or
    # fee invoice joins the caller's transaction without one (two round trips fewer
    # while the number's lock is held); past the checks above only a database error
    # or Busy can stop it, and the caller's transaction then rolls back as a whole.
    with transaction.atomic(savepoint=credit_note):
        if credit_note:
            original, credit = _lock_creditable(original, order=order, lines=lines)
            lines = [
                LineSpec(line.description, -line.unit_price, line.quantity, line.tax_rate)
                for line in lines
            ]
            breakdown = credit.breakdown
        else:
            breakdown = tax_breakdown(lines)
        subtotal = sum(item.base for item in breakdown)
        tax = sum(item.tax for item in breakdown)
        if credit_note:
            recipient = {
                "recipient_name": original.recipient_name,
                "recipient_organisation": original.recipient_organisation,
                "recipient_email": original.recipient_email,
            }
        else:
            buyer = order.buyer
            organisation = buyer.organisation if buyer.organisation_id else None
            recipient = {
                "recipient_name": buyer.full_name or buyer.get_username(),
                "recipient_organisation": organisation.name if organisation else "",
                "recipient_email": buyer.email,
            }
        invoice = Invoice(
            kind=kind,
            # Nothing to pay (a free course): paid at once, so never overdue.
            state=(
                Invoice.State.PAID
                if subtotal + tax == 0 and kind != Invoice.Kind.CREDIT_NOTE
                else Invoice.State.ISSUED
            ),
            order=order,
            original=original,
            issued_on=issued_on,
            due_on=None if kind == Invoice.Kind.CREDIT_NOTE else due_date_for(issued_on),
            issuer_name=settings.KENSHU_PROVIDER_NAME,
            registration_number=settings.KENSHU_INVOICE_REGISTRATION_NUMBER,
            subtotal=subtotal,
            tax=tax,
            total=subtotal + tax,
            **recipient,
        )
        invoice_lines = [
            InvoiceLine(
                invoice=invoice,
                description=line.description,
                unit_price=line.unit_price,
                quantity=line.quantity,
                tax_rate=line.tax_rate,
                amount=line.amount,
            )
            for line in lines
        ]
        # Everything is ready: from the number on, the series is locked until commit.
        invoice.number = _next_number(kind, issued_on.year)
        invoice.save(force_insert=True)
        for line in invoice_lines:
            line.invoice = invoice  # the saved invoice's id
        InvoiceLine.objects.bulk_create(invoice_lines)
        if kind == Invoice.Kind.CREDIT_NOTE:
            _after_credit(original, credit)
        audit_log(
            actor=actor,
            action="invoice.issued",
            target=invoice,
            data={
                "kind": kind.value,
                "order": order.number,
                "original": original.number if original else None,
                "subtotal": subtotal,
                "tax": tax,
                "total": invoice.total,
            },
        )
    return invoice


def _next_number(kind: Invoice.Kind, year: int) -> str:
    """The next number of the kind's series for ``year``: its counter row is locked and
    bumped in one statement, and stays locked until the caller's transaction ends."""
    series = f"{SERIES_PREFIX[kind]}-{year}"
    number = _bump_counter(series)
    if number is None:  # the series' first number: make its counter, then bump it
        InvoiceCounter.objects.get_or_create(series=series)
        number = _bump_counter(series)
    return f"{series}-{number:0{NUMBER_DIGITS}d}"


def _bump_counter(series: str) -> int | None:
    """``last_number + 1`` of the series' counter (None when it has no counter yet),
    waiting for its row lock at most ``DEFAULT_LOCK_TIMEOUT_MS`` (else ``Busy``)."""
    table = connection.ops.quote_name(InvoiceCounter._meta.db_table)
    with bounded_lock_wait(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1 "  # noqa: S608 - quoted name
            "WHERE series = %s RETURNING last_number",
            [series],
        )
        row = cursor.fetchone()
    return row[0] if row else None


class _Credit(NamedTuple):
    """What a credit note credits: its (negative) subtotals per rate, and whether
    the original is credited in full with it."""

    breakdown: list[TaxSubtotal]
    completes: bool


def credit_breakdown(original: Invoice, lines: Iterable[_Line]) -> _Credit:
    """The subtotals per rate (negative) of a credit note of ``lines`` (positive
    prices) against ``original``, after the credit notes it already has.

    Tax per rate is the lines' base × rate rounded down; the note that credits the
    last of a rate's base takes what is left of that rate's tax instead (so that the
    notes together mirror the original to the yen). Raises ``InvalidState``
    (``credit_exceeds_invoice``) when a rate's base would be credited beyond the
    original's. Two queries (the original's lines, the earlier notes' lines).
    """
    original_rates = {item.rate: item for item in tax_breakdown(original.lines.all())}
    credited_base: dict[int, int] = {}
    credited_tax: dict[int, int] = {}
    earlier = Invoice.objects.filter(original=original, kind=Invoice.Kind.CREDIT_NOTE)
    for note in earlier.prefetch_related("lines"):
        for item in tax_breakdown(note.lines.all()):
            credited_base[item.rate] = credited_base.get(item.rate, 0) - item.base
            credited_tax[item.rate] = credited_tax.get(item.rate, 0) - item.tax
    result = []
    for item in tax_breakdown(lines):
        whole = original_rates.get(item.rate)
        left_base = (whole.base if whole else 0) - credited_base.get(item.rate, 0)
        if item.base > left_base:
            credited = sum(-note.total for note in earlier)
            amount = sum(i.base + i.tax for i in tax_breakdown(lines))
            raise InvalidState(
                _(
                    "Invoice %(number)s cannot be credited ¥%(amount)s: only ¥%(left)s of it "
                    "is left to credit."
                ),
                code="credit_exceeds_invoice",
                number=original.number,
                amount=f"{amount:,}",
                left=f"{original.total - credited:,}",
            )
        tax = item.tax
        if whole is not None and item.base == left_base:  # the last of this rate
            tax = whole.tax - credited_tax.get(item.rate, 0)
        credited_base[item.rate] = credited_base.get(item.rate, 0) + item.base
        result.append(TaxSubtotal(rate=item.rate, base=-item.base, tax=-tax))
    completes = all(
        credited_base.get(rate, 0) == whole.base for rate, whole in original_rates.items()
    )
    return _Credit(breakdown=result, completes=completes)


def _lock_creditable(
    original: Invoice, *, order: Order, lines: list[LineSpec]
) -> tuple[Invoice, _Credit]:
    """Lock ``original`` and check that ``lines`` may still be credited against it."""
    (original,) = lock_rows(Invoice.objects.all(), [original.pk])
    if original.kind == Invoice.Kind.CREDIT_NOTE:
        raise InvalidState(_("A credit note cannot be credited."))
    if original.order_id != order.pk:
        raise ValueError("the original invoice belongs to another order")
    return original, credit_breakdown(original, lines)


def _after_credit(original: Invoice, credit: _Credit) -> None:
    """The original's state after a credit note (nothing else of it changes):
    ``credited`` when credited in full; ``paid`` when it was awaiting payment and
    the payments already cover what is left of it."""
    if credit.completes:
        state = Invoice.State.CREDITED
    elif original.state == Invoice.State.ISSUED and paid_amount(original) >= (
        original.total - credited_amount(original)
    ):
        state = Invoice.State.PAID
    else:
        return
    Invoice.objects.filter(pk=original.pk).update(state=state)
    original.state = state


# --- payments ---------------------------------------------------------------------------


def payment_record(
    *,
    actor,
    invoice: Invoice,
    amount: int,
    received_on: dt.date,
    method: str,
) -> Payment:
    """Record money received against ``invoice`` (staff with ``billing.add_payment``).

    Once the payments reach what is left of the invoice's total (its total less
    its credit notes) it becomes ``paid``. Refused with
    a ``DomainError``: a non-positive amount, more than is outstanding, a date in
    the future, a credit note, or an invoice that is already paid or credited.
    Audits ``payment.recorded``.
    """
    if not actor.has_perm("billing.add_payment"):
        raise NotPermitted()
    if method not in Payment.Method.values or method == Payment.Method.OFFSET:
        raise ValueError(f"not a payment method staff record: {method!r}")
    if amount <= 0:
        raise DomainError(_("The amount must be more than zero."), code="amount_not_positive")
    if received_on > tokyo_date():
        raise DomainError(
            _("The date received cannot be in the future."), code="received_in_future"
        )
    with transaction.atomic():
        (invoice,) = lock_rows(Invoice.objects.all(), [invoice.pk])
        if invoice.kind == Invoice.Kind.CREDIT_NOTE:
            raise InvalidState(_("A credit note is not paid by the customer."))
        if invoice.state == Invoice.State.CREDITED:
            raise InvalidState(
                _("Invoice %(number)s has been credited: no payment can be recorded."),
                number=invoice.number,
            )
        if invoice.state == Invoice.State.PAID:
            raise InvalidState(_("Invoice %(number)s is already paid."), number=invoice.number)
        outstanding = invoice.total - paid_amount(invoice) - credited_amount(invoice)
        if amount > outstanding:
            raise DomainError(
                _("¥%(amount)s is more than the ¥%(outstanding)s outstanding."),
                code="overpayment",
                amount=f"{amount:,}",
                outstanding=f"{outstanding:,}",
            )
        payment = Payment.objects.create(
            invoice=invoice,
            amount=amount,
            received_on=received_on,
            method=method,
            recorded_by=actor,
        )
        if amount == outstanding:
            Invoice.objects.filter(pk=invoice.pk).update(state=Invoice.State.PAID)
            invoice.state = Invoice.State.PAID
        audit_log(
            actor=actor,
            action="payment.recorded",
            target=invoice,
            data={
                "payment": payment.pk,
                "amount": amount,
                "received_on": received_on,
                "method": method,
                "outstanding": outstanding - amount,
                "state": invoice.state,
            },
        )
    payment.invoice = invoice
    return payment
