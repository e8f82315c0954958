"""Reads of billing, scoped to who may see them (ARCHITECTURE.md §2)."""

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet, Sum

from kenshu.core.time import tokyo_date

from .models import Invoice, Order, Payment, Refund

#: The filters of the staff list: the stored states, and overdue (derived).
STAFF_STATE_FILTERS = ("issued", "paid", "overdue", "credited")


def invoices_of_buyer(*, user) -> QuerySet[Invoice]:
    """The invoices, credit notes and fee invoices of the orders ``user`` placed."""
    if not user.is_authenticated:
        return Invoice.objects.none()
    return Invoice.objects.filter(order__buyer=user).order_by("-issued_on", "-pk")


def invoice_of_order(order: Order) -> Invoice:
    """The invoice issued when ``order`` was placed (not its credit notes or fees)."""
    return order.invoices.get(kind=Invoice.Kind.INVOICE)


def may_view_invoice(user, invoice: Invoice) -> bool:
    """The buyer of the invoice's order, or active staff with ``billing.view_invoice``."""
    if not user.is_authenticated or not user.is_active:
        return False
    if invoice.order.buyer_id == user.pk:
        return True
    return user.is_staff and user.has_perm("billing.view_invoice")


def invoice_for_viewer(*, user, number: str) -> Invoice:
    """The invoice ``number`` with its lines, if ``user`` may see it.

    Raises ``Invoice.DoesNotExist`` otherwise, as if it did not exist, so that
    nobody learns which numbers are in use.
    """
    invoice = (
        Invoice.objects.select_related("order", "original")
        .prefetch_related("lines")
        .get(number=number)
    )
    if not may_view_invoice(user, invoice):
        raise Invoice.DoesNotExist(number)
    return invoice


def invoices_for_staff(
    *, state: str = "", q: str = "", today: dt.date | None = None
) -> QuerySet[Invoice]:
    """Every invoice, optionally of one state (``STAFF_STATE_FILTERS``) and matching
    each word of ``q`` in its number, recipient, organisation or email."""
    qs = Invoice.objects.all()
    if state == "overdue":
        qs = qs.filter(state=Invoice.State.ISSUED, due_on__lt=today or tokyo_date())
    elif state == "issued":  # awaiting payment: credit notes are issued but never paid
        qs = qs.filter(state=Invoice.State.ISSUED).exclude(kind=Invoice.Kind.CREDIT_NOTE)
    elif state:
        qs = qs.filter(state=state)
    for word in q.split():
        qs = qs.filter(
            Q(number__icontains=word)
            | Q(recipient_name__icontains=word)
            | Q(recipient_organisation__icontains=word)
            | Q(recipient_email__icontains=word)
        )
    return qs.order_by("-issued_on", "-pk")


def invoice_for_staff(*, number: str) -> Invoice:
    """One invoice with everything its staff page shows (raises ``DoesNotExist``)."""
    return (
        Invoice.objects.select_related("order__buyer", "original")
        .prefetch_related(
            "lines",
            Prefetch("payments", queryset=Payment.objects.select_related("recorded_by")),
            Prefetch("corrections", queryset=Invoice.objects.order_by("issued_on", "pk")),
            Prefetch("refunds", queryset=Refund.objects.select_related("credit_note")),
        )
        .get(number=number)
    )


#: The filters of the staff refund list.
REFUND_STATE_FILTERS = (Refund.State.PENDING, Refund.State.PAID_OUT)


def refunds_for_staff(*, state: str = "") -> QuerySet[Refund]:
    """Every refund (optionally of one state), newest first, with what the list shows."""
    qs = Refund.objects.select_related(
        "invoice__order__buyer", "credit_note", "created_by", "paid_out_by"
    )
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-pk")


def refund_for_staff(*, pk: int) -> Refund:
    """One refund with its invoice, credit note and payer (raises ``DoesNotExist``)."""
    return Refund.objects.select_related(
        "invoice__order__buyer", "credit_note", "created_by", "paid_out_by"
    ).get(pk=pk)


def paid_amount(invoice: Invoice) -> int:
    """The sum of the payments recorded against ``invoice`` (uses a prefetch if present)."""
    cache = getattr(invoice, "_prefetched_objects_cache", {})
    if "payments" in cache:
        return sum(payment.amount for payment in cache["payments"])
    return invoice.payments.aggregate(total=Sum("amount"))["total"] or 0


def credited_amount(invoice: Invoice) -> int:
    """How much of ``invoice`` its credit notes have credited, tax included, as a
    positive amount (uses a prefetch of ``corrections`` if present)."""
    cache = getattr(invoice, "_prefetched_objects_cache", {})
    if "corrections" in cache:
        return -sum(
            note.total for note in cache["corrections"] if note.kind == Invoice.Kind.CREDIT_NOTE
        )
    return -(
        invoice.corrections.filter(kind=Invoice.Kind.CREDIT_NOTE).aggregate(total=Sum("total"))[
            "total"
        ]
        or 0
    )
