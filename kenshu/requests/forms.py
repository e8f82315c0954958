"""Forms of the customer's request pages: format checks only; rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kenshu.core.forms import BootstrapFormMixin


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
