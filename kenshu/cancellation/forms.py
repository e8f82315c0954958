"""Forms of the cancellation pages (format only; the services check the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kenshu.core.forms import BootstrapFormMixin


class CancelConfirmForm(BootstrapFormMixin, forms.Form):
    """The customer confirms cancelling an enrolment, as previewed on ``computed_for``."""

    computed_for = forms.DateField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    confirm = forms.BooleanField(
        label=_("I have read the cancellation fee above and want to cancel."),
        required=True,
        error_messages={"required": _("Please tick the box to confirm the cancellation.")},
    )


class ClosureYearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)


class ClosureAddForm(BootstrapFormMixin, forms.Form):
    """One closure day, or a range (e.g. 12/29 to 1/3)."""

    start = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("Last day"),
        required=False,
        help_text=_("For a range such as 12/29 to 1/3. Leave empty to close one day."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=100,
        required=False,
        help_text=_("e.g. New-year holidays"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The last day cannot be before the first day."))
        return data


class ConfirmForm(BootstrapFormMixin, forms.Form):
    confirm = forms.BooleanField(label=_("Yes, remove this closure day."), required=True)
