"""Forms of the inventory pages: format checks only; the services check the rules."""

import datetime as dt

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from kenshu.accounts.forms import NameFieldsMixin
from kenshu.backoffice.forms import search_field
from kenshu.core.forms import BootstrapFormMixin
from kenshu.core.time import tokyo_date

from .bulkfile import MAX_FILE_BYTES
from .services.purchase import MAX_QUANTITY


class QuantityForm(BootstrapFormMixin, forms.Form):
    """How many seats to buy (R-APPLY-2); at most the seats left (R-APPLY-3)."""

    quantity = forms.IntegerField(
        label=_("Number of seats"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        error_messages={
            "min_value": _("Please buy at least one seat."),
            "required": _("Please enter the number of seats."),
            "invalid": _("Please enter the number of seats as a whole number."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, seats_left: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats_left = seats_left
        if seats_left is not None:
            self.fields["quantity"].widget.attrs["max"] = max(seats_left, 1)
            self.fields["quantity"].help_text = _("Seats left: %(left)s.") % {"left": seats_left}

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if self.seats_left is not None and quantity > self.seats_left:
            raise forms.ValidationError(
                _("Only %(left)s seats are left in this session: please buy %(left)s or fewer."),
                params={"left": self.seats_left},
                code="not_enough_seats",
            )
        return quantity


class LearnerChoiceForm(BootstrapFormMixin, forms.Form):
    """Assign a seat to an existing learner of the group (or to oneself)."""

    learner = forms.TypedChoiceField(label=_("Learner"), coerce=int)

    def __init__(self, *args, learners=(), applicant=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose a learner"))]
        for user in learners:
            label = f"{user.full_name or user.username}({user.username})"
            if applicant is not None and user.pk == applicant.pk:
                label = _("%(name)s (yourself)") % {"name": label}
            choices.append((user.pk, label))
        self.fields["learner"].choices = choices


class ColleagueForm(BootstrapFormMixin, NameFieldsMixin, forms.Form):
    """A colleague by name, kana and email: an account is created when it has none."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    username = forms.CharField(
        label=_("User ID"),
        max_length=150,
        required=False,
        help_text=_("Optional. Leave empty to use the email address as the user ID."),
    )

    field_order = ["last_name", "first_name", "last_name_kana", "first_name_kana", "email"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "last_name": data["last_name"],
            "first_name": data["first_name"],
            "last_name_kana": data["last_name_kana"],
            "first_name_kana": data["first_name_kana"],
            "email": data["email"],
            "username": data["username"] or None,
        }


class BulkUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File of learners (CSV or Excel .xlsx)"),
        help_text=_(
            "Columns: 氏名, フリガナ, メールアドレス and, optionally, ユーザーID. "
            "CSV in UTF-8 or Shift_JIS."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(mb)s MB at most)."),
                params={"mb": MAX_FILE_BYTES // (1024 * 1024)},
            )
        return upload


class BulkConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


class InvitationPasswordForm(BootstrapFormMixin, SetPasswordForm):
    """The invited learner's first password (Django's validators)."""


# --- staff ---------------------------------------------------------------------------------


class StaffItemSearchForm(BootstrapFormMixin, forms.Form):
    q = search_field(
        help_text=_("Purchase number, applicant (user ID, name, kana, email), company or course.")
    )


class UnassignForm(BootstrapFormMixin, forms.Form):
    seat = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ReassignForm(BootstrapFormMixin, forms.Form):
    """受講者変更: the new learner by user ID."""

    seat = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    user_id = forms.CharField(label=_("New learner's user ID"), max_length=150)


class ReduceSeatsForm(BootstrapFormMixin, forms.Form):
    """Cancel some unassigned seats of a purchase (R-CANCEL-2, R-CANCEL-3)."""

    count = forms.IntegerField(label=_("Unassigned seats to cancel"), min_value=1)
    contact_date = forms.DateField(
        label=_("Contact date"),
        help_text=_("The day the customer asked for the cancellation (it sets the fee)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, unassigned: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.unassigned = unassigned
        self.fields["count"].max_value = unassigned or None
        self.fields["count"].widget.attrs["max"] = unassigned
        self.fields["contact_date"].initial = tokyo_date()

    def clean_count(self):
        count = self.cleaned_data["count"]
        if count > self.unassigned:
            raise forms.ValidationError(
                _("This purchase has only %(n)s unassigned seats."), params={"n": self.unassigned}
            )
        return count

    def clean_contact_date(self):
        day: dt.date = self.cleaned_data["contact_date"]
        if day > tokyo_date():
            raise forms.ValidationError(_("The contact date cannot be in the future."))
        return day


class ProxyPurchaseForm(BootstrapFormMixin, forms.Form):
    """Staff buy seats on a group applicant's behalf (purchase by proxy)."""

    applicant = forms.CharField(label=_("Group applicant's user ID"), max_length=150)
    session = forms.IntegerField(
        label=_("Session ID"),
        required=False,
        min_value=1,
        help_text=_("For a classroom or live course. Leave empty for e-learning."),
    )
    course = forms.CharField(
        label=_("E-learning course code"),
        max_length=20,
        required=False,
        help_text=_("For an e-learning course only."),
    )
    quantity = QuantityForm.base_fields["quantity"]

    def clean(self):
        data = super().clean()
        if bool(data.get("session")) == bool(data.get("course")):
            raise forms.ValidationError(_("Give either a session ID or an e-learning course code."))
        return data
