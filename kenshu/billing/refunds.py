"""Settling a cancellation, and refunds (DOMAIN.md §9, §13; R-CANCEL-5, R-CANCEL-6).

The money rule of a cancellation, for one original invoice:

1. **Credit note** (``CRN-``): the cancelled lines are credited in full, at their
   original price, by a credit note referring to the original invoice. Part of an
   invoice may be credited (one seat of three); the original becomes ``credited``
   only once all of it is (``invoice_issue``).
2. **Fee invoice** (``FEE-``): where a cancellation fee is due, a fee invoice for it
   (tax computed on its own lines, rounded down) referring to the original.
3. **Refund**: the money the provider holds beyond what the original still asks
   after the credit (payments − refunds and offsets already made − what is left to
   pay of the original) pays the fee first (a ``Payment`` of method ``offset`` on
   the fee invoice, which is then paid) and the rest is a ``Refund`` (``pending``)
   of the original invoice with the credit note. When the original was paid in
   full, the refund is thus what was paid for the cancelled lines minus the fee.
   Nothing is refunded from an invoice not yet paid: the credit note lowers what is
   owed, and the fee invoice is due at the end of the following month.
4. **An order not invoiced yet** (an application's invoice is issued just after it
   commits, ``kenshu.enrollments.services.completion``; a cancellation that comes
   first means it never is): nothing to credit; a fee, if due, is a fee invoice of
   the order referring to no original.

``settlement_plan`` computes all of that without writing (the previews show it);
``settlement_apply`` writes it, in the caller's transaction. ``refund_pay_out``
records that staff paid a refund out, and emails the payer (``refund_issued``).
Nothing issued is edited in place: each step is a document or a record.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kenshu.audit.services import audit_log
from kenshu.core.exceptions import DomainError, InvalidState, NotPermitted
from kenshu.core.locking import lock_rows
from kenshu.core.time import tokyo_date
from kenshu.notifications.services import email_queue

from .models import Invoice, Order, Payment, Refund
from .selectors import credited_amount, paid_amount
from .services import LineSpec, credit_breakdown, invoice_issue, tax_breakdown

PAY_OUT_PERMISSION = "billing.pay_out_refund"


@dataclass(frozen=True)
class SettlementPlan:
    """What settling a cancellation against ``original`` will issue (amounts in yen;
    credit amounts positive). ``original`` is None for an order not invoiced yet:
    only a fee invoice, if any."""

    order: Order
    original: Invoice | None
    credit_lines: tuple[LineSpec, ...]
    fee_lines: tuple[LineSpec, ...]
    credit_subtotal: int
    credit_tax: int
    fee_subtotal: int
    fee_tax: int
    #: Payments received on the original so far.
    paid: int
    #: Money held beyond what the original still asks once credited (0 if unpaid).
    held: int
    #: The part of the fee paid from ``held`` (an ``offset`` payment).
    offset: int
    #: What is paid back (a ``Refund``): ``held - offset``.
    refund: int

    @property
    def credit_total(self) -> int:
        return self.credit_subtotal + self.credit_tax

    @property
    def fee_total(self) -> int:
        return self.fee_subtotal + self.fee_tax

    @property
    def fee_to_pay(self) -> int:
        """What the customer still has to pay of the fee invoice."""
        return self.fee_total - self.offset

    @property
    def documents(self) -> tuple[str, ...]:
        """``credit_note``, ``fee_invoice``, ``refund``: what will be made."""
        made = ["credit_note"] if self.credit_lines else []
        if self.fee_lines:
            made.append("fee_invoice")
        if self.refund:
            made.append("refund")
        return tuple(made)


@dataclass(frozen=True)
class Settlement:
    """What ``settlement_apply`` made."""

    plan: SettlementPlan
    credit_note: Invoice | None
    fee_invoice: Invoice | None
    offset_payment: Payment | None
    refund: Refund | None


def _positive(lines: Iterable[LineSpec]) -> tuple[LineSpec, ...]:
    return tuple(line for line in lines if line.unit_price > 0)


def settlement_plan(
    *,
    original: Invoice | None,
    credit_lines: Iterable[LineSpec],
    fee_lines: Iterable[LineSpec] = (),
    order: Order | None = None,
) -> SettlementPlan:
    """The documents and amounts of cancelling ``credit_lines`` of ``original`` with
    the fee ``fee_lines`` (lines of ¥0 are left out), as of now. Writes nothing.
    ``original`` None: the ``order`` has no invoice yet; nothing is credited.

    Raises ``InvalidState`` (``credit_exceeds_invoice``) when the lines are no longer
    there to credit (credited already).
    """
    fee_lines = _positive(fee_lines)
    fee_breakdown = tax_breakdown(fee_lines)
    fee_subtotal = sum(item.base for item in fee_breakdown)
    fee_tax = sum(item.tax for item in fee_breakdown)
    if original is None:
        if order is None:
            raise ValueError("give the original invoice or the order")
        return SettlementPlan(
            order=order,
            original=None,
            credit_lines=(),
            fee_lines=fee_lines,
            credit_subtotal=0,
            credit_tax=0,
            fee_subtotal=fee_subtotal,
            fee_tax=fee_tax,
            paid=0,
            held=0,
            offset=0,
            refund=0,
        )
    credit_lines = tuple(credit_lines)
    if not credit_lines:
        raise ValueError("nothing to credit")
    credit = credit_breakdown(original, credit_lines)
    credit_subtotal = -sum(item.base for item in credit.breakdown)
    credit_tax = -sum(item.tax for item in credit.breakdown)

    paid = paid_amount(original)
    held = 0
    if paid:
        refunded = original.refunds.aggregate(total=Sum("amount"))["total"] or 0
        offsets = (
            Payment.objects.filter(
                invoice__original=original,
                invoice__kind=Invoice.Kind.FEE_INVOICE,
                method=Payment.Method.OFFSET,
            ).aggregate(total=Sum("amount"))["total"]
            or 0
        )
        owed_after = original.total - credited_amount(original) - (credit_subtotal + credit_tax)
        held = max(0, paid - refunded - offsets - owed_after)
    offset = min(held, fee_subtotal + fee_tax)
    return SettlementPlan(
        order=original.order,
        original=original,
        credit_lines=credit_lines,
        fee_lines=fee_lines,
        credit_subtotal=credit_subtotal,
        credit_tax=credit_tax,
        fee_subtotal=fee_subtotal,
        fee_tax=fee_tax,
        paid=paid,
        held=held,
        offset=offset,
        refund=held - offset,
    )


def settlement_apply(
    *,
    actor,
    original: Invoice | None,
    credit_lines: Iterable[LineSpec],
    fee_lines: Iterable[LineSpec] = (),
    reason: str = "",
    issued_on: dt.date | None = None,
    order: Order | None = None,
) -> Settlement:
    """Issue the credit note, the fee invoice, the offset payment and the refund of
    ``settlement_plan`` (recomputed under the original's lock), in the caller's
    transaction. ``actor``: who cancelled (the customer, or staff). Audits
    ``invoice.issued`` per document, ``payment.offset`` and ``refund.created``.

    Takes invoice numbers (their series' lock is held until commit): call it as late
    as possible in the caller's transaction.
    """
    issued_on = issued_on or tokyo_date()
    with transaction.atomic(savepoint=False):
        credit_note = fee_invoice = offset_payment = refund = None
        if original is not None:  # its row only (FOR UPDATE of a join would lock the order)
            (original,) = lock_rows(Invoice.objects.all(), [original.pk])
        plan = settlement_plan(
            original=original, credit_lines=credit_lines, fee_lines=fee_lines, order=order
        )
        if original is not None:
            credit_note = invoice_issue(
                order=original.order,
                lines=list(plan.credit_lines),
                kind=Invoice.Kind.CREDIT_NOTE,
                original=original,
                issued_on=issued_on,
                actor=actor,
            )
        if plan.fee_lines:
            fee_invoice = invoice_issue(
                order=plan.order,
                lines=list(plan.fee_lines),
                kind=Invoice.Kind.FEE_INVOICE,
                original=original,
                issued_on=issued_on,
                actor=actor,
            )
            if plan.offset:
                offset_payment = Payment.objects.create(
                    invoice=fee_invoice,
                    amount=plan.offset,
                    received_on=issued_on,
                    method=Payment.Method.OFFSET,
                    recorded_by=actor,
                )
                if plan.offset == fee_invoice.total:
                    Invoice.objects.filter(pk=fee_invoice.pk).update(state=Invoice.State.PAID)
                    fee_invoice.state = Invoice.State.PAID
                audit_log(
                    actor=actor,
                    action="payment.offset",
                    target=fee_invoice,
                    data={
                        "payment": offset_payment.pk,
                        "amount": plan.offset,
                        "from_invoice": original.number if original else None,
                        "state": fee_invoice.state,
                    },
                )
        if plan.refund:
            refund = Refund.objects.create(
                invoice=original,
                credit_note=credit_note,
                amount=plan.refund,
                reason=reason[:300],
                created_by=actor,
            )
            audit_log(
                actor=actor,
                action="refund.created",
                target=refund,
                data={
                    "invoice": original.number,
                    "credit_note": credit_note.number,
                    "amount": plan.refund,
                    "paid": plan.paid,
                    "fee_total": plan.fee_total,
                    "reason": refund.reason,
                },
            )
    return Settlement(
        plan=plan,
        credit_note=credit_note,
        fee_invoice=fee_invoice,
        offset_payment=offset_payment,
        refund=refund,
    )


# --- paying refunds out -------------------------------------------------------------------


def refund_pay_out(*, actor, refund: Refund, paid_out_on: dt.date) -> Refund:
    """Staff (``billing.pay_out_refund``) record that ``refund`` was paid out on
    ``paid_out_on``: ``pending`` → ``paid_out``. Audits ``refund.paid_out`` and emails
    the payer (the buyer of the original invoice's order) ``refund_issued``.

    "Refund issued" (DOMAIN.md §8: "payer, when staff issue it") is this moment: the
    money has left. The amount to come is already in the cancellation email, sent
    when the refund was created.

    Refused: without the permission (``NotPermitted``), a date in the future or before
    the refund was created, a refund already paid out (``InvalidState``).
    """
    if not (actor.is_active and actor.is_staff and actor.has_perm(PAY_OUT_PERMISSION)):
        raise NotPermitted()
    if paid_out_on > tokyo_date():
        raise DomainError(
            _("The date paid out cannot be in the future."), code="paid_out_in_future"
        )
    with transaction.atomic():
        lock_rows(Refund.objects.all(), [refund.pk])  # its row only, then what it refers to
        refund = Refund.objects.select_related("invoice__order__buyer", "credit_note").get(
            pk=refund.pk
        )
        if refund.state != Refund.State.PENDING:
            raise InvalidState(
                _("This refund was already paid out on %(date)s."),
                code="refund_paid_out",
                date=f"{refund.paid_out_on:%Y-%m-%d}",
            )
        if paid_out_on < tokyo_date(refund.created_at):
            raise DomainError(
                _("The date paid out cannot be before the refund was made (%(date)s)."),
                code="paid_out_before_created",
                date=f"{tokyo_date(refund.created_at):%Y-%m-%d}",
            )
        refund.state = Refund.State.PAID_OUT
        refund.paid_out_on = paid_out_on
        refund.paid_out_by = actor
        refund.save(update_fields=["state", "paid_out_on", "paid_out_by"])
        audit_log(
            actor=actor,
            action="refund.paid_out",
            target=refund,
            data={
                "invoice": refund.invoice.number,
                "credit_note": refund.credit_note.number,
                "amount": refund.amount,
                "paid_out_on": paid_out_on,
            },
        )
        payer = refund.invoice.order.buyer
        email_queue(
            template="refund_issued",
            to=payer.email,
            language=payer.language,
            context={
                "name": payer.full_name or payer.get_username(),
                "amount": refund.amount,
                "paid_out_on": paid_out_on.isoformat(),
                "invoice_number": refund.invoice.number,
                "credit_note_number": refund.credit_note.number,
                "credit_note_path": reverse(
                    "billing:invoice_pdf", kwargs={"number": refund.credit_note.number}
                ),
                "invoices_path": reverse("billing:my_invoices"),
            },
            related=refund,
            dedup_key=f"refund_issued:{refund.pk}",
        )
    return refund
