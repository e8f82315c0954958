"""Forms of the migration's staff pages: format checks only; the rules are in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kenshu.accounts.models import User
from kenshu.core.forms import BootstrapFormMixin

from . import selectors


class LegacyMemberSearchForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        help_text=_("Legacy member ID, user ID, email address, name, kana or company name."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    state = forms.ChoiceField(
        label=_("Show"),
        choices=[
            (selectors.TO_REVIEW, _("To review")),
            (selectors.REVIEWED, _("Reviewed")),
            (selectors.INDIVIDUAL, _("Handled individually")),
            (selectors.ALL, _("All migrated members")),
        ],
        required=False,
    )


class AccountChangeForm(BootstrapFormMixin, forms.Form):
    """Correct a migrated member's type and/or organisation."""

    user_type = forms.ChoiceField(label=_("User type"), choices=User.UserType.choices)
    company_name = forms.CharField(
        label=_("Company name"),
        max_length=200,
        required=False,
        help_text=_(
            "Leave empty to keep the current organisation. An organisation of the same name "
            "(full/half-width and spaces ignored) is used, or a new one is made."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Kept in the audit log."),
    )

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()


class ReviewMarkForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was checked or changed (optional)."),
    )
