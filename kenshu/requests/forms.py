"""Forms of the customer's request pages: format checks only; rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _


class BootstrapFormMixin:
    """Bootstrap 5 classes on the widgets (the templates render fields one by one)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class TypeChangeRequestForm(BootstrapFormMixin, forms.Form):
    """種別変更依頼 (R-TYPE-4): user ID, company and name, prefilled from the account."""

    user_id = forms.CharField(label=_("User ID"), disabled=True, required=False)
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    full_name = forms.CharField(label=_("Name"), max_length=200)
    message = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=_("Anything our staff should know, e.g. the colleagues you will apply for."),
    )

    @classmethod
    def initial_for(cls, user) -> dict[str, str]:
        """What the form shows first: taken from the account."""
        return {
            "user_id": user.username,
            "company_name": user.organisation.name if user.organisation_id else "",
            "full_name": user.full_name,
        }

    def clean_company_name(self) -> str:
        return self.cleaned_data["company_name"].strip()

    def clean_full_name(self) -> str:
        return self.cleaned_data["full_name"].strip()
