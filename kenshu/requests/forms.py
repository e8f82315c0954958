"""Forms of the request pages (customer and staff): format checks only; the rules
live in the services."""

import datetime as dt

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kenshu.accounts.validators import normalise_kana, validate_kana
from kenshu.core import time as ktime
from kenshu.core.forms import BootstrapFormMixin


def message_field(help_text=None) -> forms.CharField:
    return forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=help_text,
    )


class StrippedMixin:
    """Every text field stripped of surrounding spaces."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str):
                cleaned[name] = value.strip()
        return cleaned


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


class CancellationRequestForm(StrippedMixin, BootstrapFormMixin, forms.Form):
    """申し込みキャンセル依頼 (R-CANCEL-2): what the customer writes, prefilled from the
    seat, purchase or enrolment and kept as sent. The contact date is not a field: it
    is the day the request is sent."""

    course_code = forms.CharField(label=_("Course code"), max_length=20)
    course_title = forms.CharField(label=_("Course name"), max_length=200)
    session_date = forms.CharField(label=_("Session date"), max_length=100, required=False)
    company_name = forms.CharField(label=_("Company name"), max_length=200, required=False)
    learner_name = forms.CharField(label=_("Learner name"), max_length=200, required=False)
    message = message_field(
        help_text=_("The reason for the cancellation, or anything our staff should know.")
    )

    TEXT_FIELDS = ("course_code", "course_title", "session_date", "company_name", "learner_name")

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.TEXT_FIELDS}


class LearnerChangeRequestForm(StrippedMixin, BootstrapFormMixin, forms.Form):
    """受講者変更 (R-APPLY-5): a learner of the group, or a new colleague."""

    WHO_EXISTING = "existing"
    WHO_NEW = "new"

    who = forms.ChoiceField(
        label=_("New learner"),
        choices=[
            (WHO_EXISTING, _("A learner of my group")),
            (WHO_NEW, _("A new colleague (an account is created and invited)")),
        ],
        widget=forms.RadioSelect,
        initial=WHO_EXISTING,
    )
    learner = forms.ModelChoiceField(
        label=_("Learner of your group"),
        queryset=None,
        required=False,
        empty_label=_("(choose)"),
    )
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    last_name_kana = forms.CharField(label=_("Family name (kana)"), max_length=150, required=False)
    first_name_kana = forms.CharField(label=_("Given name (kana)"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email address"), required=False)
    message = message_field()

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learner"].queryset = colleagues
        self.fields["learner"].label_from_instance = lambda u: (
            f"{u.full_name or u.username} ({u.username})"
        )

    def clean_last_name_kana(self) -> str:
        return self._kana("last_name_kana")

    def clean_first_name_kana(self) -> str:
        return self._kana("first_name_kana")

    def _kana(self, name: str) -> str:
        value = normalise_kana(self.cleaned_data.get(name, ""))
        validate_kana(value)
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("who") == self.WHO_EXISTING:
            if not cleaned.get("learner"):
                self.add_error("learner", _("Please choose the new learner."))
        elif cleaned.get("who") == self.WHO_NEW:
            for name in ("last_name", "first_name", "email"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Please enter this for the new colleague."))
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        if data["who"] == self.WHO_EXISTING:
            return {"new_learner": data["learner"]}
        return {
            "last_name": data["last_name"],
            "first_name": data["first_name"],
            "last_name_kana": data["last_name_kana"],
            "first_name_kana": data["first_name_kana"],
            "email": data["email"],
        }


def session_label(choice) -> str:
    """「2026年6月15日 10:00 東京本社 研修室A — 残り3席」"""
    session = choice.session
    starts = formats.date_format(ktime.to_tokyo(session.starts_at), "DATETIME_FORMAT")
    place = session.venue or _("Online")
    if choice.seats_left:
        left = ngettext("%(n)d seat left", "%(n)d seats left", choice.seats_left) % {
            "n": choice.seats_left
        }
    else:
        left = _("full")
    return f"{starts} {place} — {left}"


class DateChangeRequestForm(StrippedMixin, BootstrapFormMixin, forms.Form):
    """日程変更 (R-APPLY-5): another session of the same course (seats left shown), or
    the dates the customer would prefer."""

    session = forms.TypedChoiceField(
        label=_("Move to"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    preferred_dates = forms.CharField(
        label=_("Preferred dates"),
        max_length=300,
        required=False,
        help_text=_("If none of the sessions suits you, tell us the dates you would prefer."),
    )
    message = message_field()

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.session_choices = {c.session.pk: c for c in choices}
        self.fields["session"].choices = [
            (c.session.pk, session_label(c)) for c in choices if c.seats_left
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("session") and not cleaned.get("preferred_dates") and not self.errors:
            raise forms.ValidationError(
                _("Please choose a session, or tell us the dates you would prefer.")
            )
        return cleaned

    @property
    def chosen_session(self):
        pk = self.cleaned_data.get("session")
        return self.session_choices[pk].session if pk else None


# --- staff -----------------------------------------------------------------------------------


class RequestQueueFilterForm(BootstrapFormMixin, forms.Form):
    """The staff queue: one kind or all (of those the role may see), one state or all."""

    kind = forms.ChoiceField(label=_("Request"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, kinds, **kwargs):
        from .models import RequestState

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All requests"))] + [
            (kind.value, kind.label) for kind in kinds
        ]
        self.fields["state"].choices = [("", _("All states")), *RequestState.choices]


class CustomerSearchForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Customer"),
        max_length=200,
        required=False,
        help_text=_("User ID or email address (exact), or a part of the name."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class StaffCancellationEntryForm(StrippedMixin, BootstrapFormMixin, forms.Form):
    """Staff enter a cancellation request received by email or phone (R-CANCEL-2): the
    customer's seat, purchase or enrolment, the day it came in, and what was asked."""

    target = forms.ChoiceField(label=_("What to cancel"), widget=forms.RadioSelect)
    contact_date = forms.DateField(
        label=_("Contact date"),
        help_text=_(
            "The day the email or call came in (today or earlier). The fee is computed "
            "for this day."
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    course_code = forms.CharField(
        label=_("Course code"),
        max_length=20,
        required=False,
        help_text=_("Leave the texts empty to take them from the seat or enrolment."),
    )
    course_title = forms.CharField(label=_("Course name"), max_length=200, required=False)
    session_date = forms.CharField(label=_("Session date"), max_length=100, required=False)
    company_name = forms.CharField(label=_("Company name"), max_length=200, required=False)
    learner_name = forms.CharField(label=_("Learner name"), max_length=200, required=False)
    message = message_field(help_text=_("What the customer wrote or said."))

    TEXT_FIELDS = CancellationRequestForm.TEXT_FIELDS

    def __init__(self, *args, targets: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets

    def clean_contact_date(self) -> dt.date:
        day = self.cleaned_data["contact_date"]
        today = ktime.tokyo_date()
        if day > today:
            raise forms.ValidationError(
                _("The contact date cannot be in the future (today is %(today)s).")
                % {"today": formats.date_format(today, "DATE_FORMAT")}
            )
        return day

    def texts(self) -> dict[str, str | None]:
        """The texts staff typed; empty ones are taken from the target (None)."""
        return {name: (self.cleaned_data[name] or None) for name in self.TEXT_FIELDS}


class ProcessForm(BootstrapFormMixin, forms.Form):
    """Process a request, after a confirmation step (``confirmed``)."""

    note = forms.CharField(
        label=_("Note to the customer"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text=_("Optional. It is sent to the customer with the result."),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class DateChangeProcessForm(ProcessForm):
    session = forms.TypedChoiceField(label=_("Move to"), coerce=int, widget=forms.RadioSelect)

    field_order = ["session", "note", "confirmed"]

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.session_choices = {c.session.pk: c for c in choices}
        self.fields["session"].choices = [(c.session.pk, session_label(c)) for c in choices]

    @property
    def chosen_session(self):
        return self.session_choices[self.cleaned_data["session"]].session


class RejectForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Required. It is sent to the customer in the decision email."),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Please give the reason for the rejection."))
        return reason
