"""Forms of billing: format checks only; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kenshu.core.forms import BootstrapFormMixin

from .models import Payment, Refund
from .selectors import REFUND_STATE_FILTERS, STAFF_STATE_FILTERS

#: The staff list's state filter: the stored states, and overdue (derived).
STATE_LABELS = {
    "issued": _("Issued (unpaid)"),
    "paid": _("Paid"),
    "overdue": _("Overdue"),
    "credited": _("Credited"),
}


class InvoiceSearchForm(BootstrapFormMixin, forms.Form):
    """The staff invoice list: one search box and a state filter (overdue is derived)."""

    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        help_text=_("Invoice number, recipient name, company or email address."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All states")), *((s, STATE_LABELS[s]) for s in STAFF_STATE_FILTERS)],
        required=False,
    )


class PaymentForm(BootstrapFormMixin, forms.Form):
    """Record a payment received against an invoice."""

    amount = forms.IntegerField(
        label=_("Amount received (yen)"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    received_on = forms.DateField(
        label=_("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    method = forms.ChoiceField(
        label=_("Method"),
        # An offset is recorded by a cancellation (kenshu.billing.refunds), never by hand.
        choices=[c for c in Payment.Method.choices if c[0] != Payment.Method.OFFSET],
        initial=Payment.Method.BANK_TRANSFER,
    )


class RefundFilterForm(BootstrapFormMixin, forms.Form):
    """The staff refund list: by state."""

    state = forms.ChoiceField(
        label=_("State"),
        choices=[
            ("", _("All states")),
            *((s.value, s.label) for s in Refund.State if s in REFUND_STATE_FILTERS),
        ],
        required=False,
    )


class RefundPayOutForm(BootstrapFormMixin, forms.Form):
    """Record that a refund was paid out (a confirmation is asked for)."""

    paid_out_on = forms.DateField(
        label=_("Paid out on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    confirm = forms.BooleanField(
        label=_("I confirm that this amount has been transferred to the customer."),
        required=True,
    )
