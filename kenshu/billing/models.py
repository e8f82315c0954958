"""Money as records (DOMAIN.md §9, ARCHITECTURE.md §7): orders, qualified invoices,
payments. Amounts are tax-exclusive JPY integers; nothing is edited once issued."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PaymentMethod(models.TextChoices):
    """A choice, not a constant: a card provider can be added later."""

    INVOICE = "invoice", _("Invoice (bank transfer)")


class Order(models.Model):
    """What a customer bought in one application or purchase."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    payment_method = models.CharField(
        _("payment method"),
        max_length=20,
        choices=PaymentMethod.choices,
        default=PaymentMethod.INVOICE,
    )
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The application number shown to the customer (申込番号)."""
        return f"A{self.pk:08d}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(_("description"), max_length=300)
    unit_price = models.PositiveIntegerField(_("unit price (tax excluded)"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    tax_rate = models.PositiveSmallIntegerField(_("tax rate (%)"), default=10)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return self.description

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity


class InvoiceCounter(models.Model):
    """The last number used in a series; locked to hand out numbers without gaps."""

    series = models.CharField(max_length=20, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice number series")
        verbose_name_plural = _("invoice number series")

    def __str__(self) -> str:
        return f"{self.series}: {self.last_number}"


class Invoice(models.Model):
    """A qualified invoice (適格請求書), a credit note or a cancellation-fee invoice.

    Issuer, registration number and recipient are copied at issue; lines and totals
    never change afterwards. A credit note refers to the invoice it credits.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")
        FEE_INVOICE = "fee_invoice", _("Cancellation fee invoice")

    class State(models.TextChoices):
        ISSUED = "issued", _("Issued")
        PAID = "paid", _("Paid")
        CREDITED = "credited", _("Credited")

    number = models.CharField(_("invoice number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.ISSUED)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="invoices"
    )
    original = models.ForeignKey(
        "self",
        verbose_name=_("refers to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    issuer_name = models.CharField(_("issuer"), max_length=200)
    registration_number = models.CharField(_("registration number"), max_length=14)
    recipient_name = models.CharField(_("recipient"), max_length=300)
    recipient_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    recipient_email = models.EmailField(_("recipient email"), blank=True)
    subtotal = models.IntegerField(_("subtotal (tax excluded)"))
    tax = models.IntegerField(_("consumption tax"))
    total = models.IntegerField(_("total (tax included)"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.CheckConstraint(
                condition=Q(total=models.F("subtotal") + models.F("tax")),
                name="invoice_total_is_subtotal_plus_tax",
            ),
            models.CheckConstraint(
                condition=Q(registration_number__regex=r"^T[0-9]{13}$"),
                name="invoice_registration_number_format",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(_("description"), max_length=300)
    unit_price = models.IntegerField(_("unit price (tax excluded)"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    tax_rate = models.PositiveSmallIntegerField(_("tax rate (%)"), default=10)
    amount = models.IntegerField(_("amount (tax excluded)"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    """Money received against an invoice, recorded by staff."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CASH = "cash", _("Cash")
        OTHER = "other", _("Other")
        #: A cancellation fee settled from money already paid on the original invoice
        #: (recorded by the cancellation, never by hand: ``kenshu.billing.refunds``).
        OFFSET = "offset", _("Offset against the amount already paid")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    received_on = models.DateField(_("received on"))
    amount = models.PositiveIntegerField(_("amount"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.invoice.number} {self.amount}"


class Refund(models.Model):
    """返金: money owed back to the payer of ``invoice`` (DOMAIN.md §9, §13).

    Created with the credit note that cancels (part of) the invoice when the invoice
    had been paid; ``pending`` until staff mark it paid out. Never edited otherwise.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID_OUT = "paid_out", _("Paid out")

    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("original invoice"),
        on_delete=models.PROTECT,
        related_name="refunds",
    )
    credit_note = models.ForeignKey(
        Invoice,
        verbose_name=_("credit note"),
        on_delete=models.PROTECT,
        related_name="credit_refunds",
    )
    amount = models.PositiveIntegerField(_("amount (tax included)"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_out_on = models.DateField(_("paid out on"), null=True, blank=True)
    paid_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid out by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        permissions = [("pay_out_refund", _("Can mark refunds as paid out"))]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="refund_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.credit_note.number} {self.amount}"
