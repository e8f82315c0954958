"""Forms of the staff area: format checks only; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kenshu.accounts.models import Organisation, User
from kenshu.core.forms import BootstrapFormMixin
from kenshu.requests.models import RequestState


def search_field(*, help_text) -> forms.CharField:
    """The one search box of a staff list (optional, type="search")."""
    return forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class UserSearchForm(BootstrapFormMixin, forms.Form):
    """One search box over user ID, email, name, kana and company; a type filter."""

    q = search_field(help_text=_("User ID, email address, name, kana or company name."))
    user_type = forms.ChoiceField(
        label=_("User type"),
        choices=[("", _("All types")), *User.UserType.choices],
        required=False,
    )
    organisation = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class OrganisationSearchForm(BootstrapFormMixin, forms.Form):
    q = search_field(help_text=_("Company name or its kana."))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *Organisation.Kind.choices],
        required=False,
    )


class RequestQueueFilterForm(BootstrapFormMixin, forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All states")), *RequestState.choices],
        required=False,
    )


class TypeChangeDecisionForm(BootstrapFormMixin, forms.Form):
    """Approve or reject a type-change request (R-TYPE-4)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Required when rejecting. It is sent to the customer in the decision email."),
    )

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("reason"):
            self.add_error("reason", _("Please give the reason for the rejection."))
        return cleaned

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class UserTypeChangeForm(BootstrapFormMixin, forms.Form):
    """Staff change a user's type and organisation directly (R-TYPE-4), after a
    confirmation step (``confirmed`` is set by the confirmation screen)."""

    user_type = forms.ChoiceField(label=_("New user type"), choices=User.UserType.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("(keep the current one)"),
        help_text=_(
            "Corporate users, group applicants and learners need one. "
            "Leave it as it is to keep the current organisation."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Kept in the audit log, e.g. “requested by phone on 5 May”."),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault(
            "initial", {"user_type": user.user_type, "organisation": user.organisation_id}
        )
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organisation"].queryset = Organisation.objects.order_by(
            "name_kana", "name", "pk"
        )

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()

    def clean(self):
        cleaned = super().clean()
        user_type = cleaned.get("user_type")
        if user_type is None or self.errors:
            return cleaned
        organisation = cleaned.get("organisation") or self.user.organisation
        if user_type in User.ORGANISATION_TYPES and organisation is None:
            self.add_error("organisation", _("This user type needs an organisation."))
        elif user_type == self.user.user_type and organisation == self.user.organisation:
            raise forms.ValidationError(
                _("Nothing would change: choose another type or organisation.")
            )
        return cleaned

    @property
    def new_organisation(self) -> Organisation | None:
        return self.cleaned_data.get("organisation") or self.user.organisation

    @property
    def new_type_label(self) -> str:
        return User.UserType(self.cleaned_data["user_type"]).label
