"""Forms of the staff area: format checks only; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kenshu.accounts.models import Organisation, User
from kenshu.catalog.models import Course, Session
from kenshu.core.forms import BootstrapFormMixin
from kenshu.notifications.models import OutboxEmail
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


# --- sessions, rosters, attendance ---------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateRangeMixin:
    """``date_from`` ≤ ``date_to`` when both are given."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return cleaned


class SessionFilterForm(DateRangeMixin, BootstrapFormMixin, forms.Form):
    """The session list's filters (also the date range of a roster export)."""

    q = search_field(help_text=_("Course code or title."))
    delivery = forms.ChoiceField(
        label=_("Delivery"),
        choices=[
            ("", _("All deliveries")),
            (Course.Delivery.CLASSROOM, Course.Delivery.CLASSROOM.label),
            (Course.Delivery.LIVE, Course.Delivery.LIVE.label),
        ],
        required=False,
    )
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All states")), *Session.State.choices], required=False
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)


class ExportForm(forms.Form):
    """The file a roster export writes."""

    CSV, XLSX = "csv", "xlsx"
    format = forms.ChoiceField(
        label=_("File"),
        choices=[(CSV, _("CSV")), (XLSX, _("Excel (XLSX)"))],
        initial=CSV,
        required=False,
    )
    encoding = forms.ChoiceField(
        label=_("CSV encoding"),
        choices=[
            ("utf-8-sig", _("UTF-8 with BOM (Excel, recommended)")),
            ("cp932", _("Shift_JIS (CP932) for older tools")),
        ],
        initial="utf-8-sig",
        required=False,
    )

    def clean_format(self) -> str:
        return self.cleaned_data.get("format") or self.CSV

    def clean_encoding(self) -> str:
        return self.cleaned_data.get("encoding") or "utf-8-sig"


class SessionConfirmForm(BootstrapFormMixin, forms.Form):
    """開催決定: an optional internal note, then a confirmation step."""

    reason = forms.CharField(
        label=_("Note (internal)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text=_("Kept in the audit log and on the session; not part of the email."),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()


class SessionCancelForm(BootstrapFormMixin, forms.Form):
    """中止: the reason (sent to the customers), then a confirmation step."""

    reason = forms.CharField(
        label=_("Reason for cancelling"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("It is sent to every learner and applicant in the cancellation email."),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()


class AttendanceForm(forms.Form):
    """Mark the ticked enrolments of a roster (or of an e-learning course)."""

    state = forms.ChoiceField(
        label=_("Mark as"),
        choices=[
            ("attended", _("Attended")),
            ("absent", _("Absent (no-show)")),
            ("completed", _("Completed")),
        ],
    )
    enrollment = forms.TypedMultipleChoiceField(
        label=_("Learners"),
        coerce=int,
        error_messages={"required": _("Please tick at least one learner.")},
    )

    def __init__(self, *args, enrollment_ids, states=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollment"].choices = [(pk, pk) for pk in enrollment_ids]
        if states is not None:
            self.fields["state"].choices = [
                c for c in self.fields["state"].choices if c[0] in states
            ]


class ElearningFilterForm(BootstrapFormMixin, forms.Form):
    q = search_field(help_text=_("Learner's user ID, name, kana or company."))
    course = forms.ModelChoiceField(
        label=_("E-learning course"), queryset=Course.objects.none(), required=False
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[
            ("", _("All states")),
            ("applied", _("Not completed")),
            ("completed", _("Completed")),
        ],
        required=False,
    )

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
        self.fields["course"].label_from_instance = lambda c: f"{c.code} {c.title}"


# --- the email log and the audit trail ----------------------------------------------------


class EmailFilterForm(BootstrapFormMixin, forms.Form):
    q = search_field(help_text=_("Part of the recipient's email address."))
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All states")), *OutboxEmail.State.choices],
        required=False,
    )
    template = forms.ChoiceField(label=_("Template"), required=False)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", _("All templates"))] + [(t, t) for t in templates]


class EmailResendForm(forms.Form):
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class AuditFilterForm(DateRangeMixin, BootstrapFormMixin, forms.Form):
    q = search_field(
        help_text=_("Who did it: user ID or name (“-” for actions of the system itself).")
    )
    action = forms.CharField(
        label=_("Action"),
        max_length=100,
        required=False,
        help_text=_("The start of the action name, e.g. “enrollment.” or “invoice.issued”."),
    )
    target_type = forms.ChoiceField(label=_("About"), required=False)
    target_id = forms.CharField(label=_("Its ID"), max_length=64, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def __init__(self, *args, target_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_type"].choices = [("", _("Anything"))] + [
            (value, f"{label} ({value})") for value, label in target_types
        ]


class PersonSearchForm(forms.Form):
    q = forms.CharField(max_length=200, required=False)
