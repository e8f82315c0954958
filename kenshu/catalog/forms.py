"""Forms of the catalogue: format checks only; the rules across rows live in services.py."""

import datetime as dt

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenshu.core.forms import BootstrapFormMixin
from kenshu.core.time import TOKYO

from .models import Course, Session
from .selectors import CatalogueQuery, normalise_code

#: Dates outside these years are refused with a message (far dates would overflow
#: the conversion to UTC).
MIN_YEAR = 2000
MAX_YEAR = 2199

DATE_INVALID = _("Enter a date such as 2026-05-11.")
CHOICE_INVALID = _("Choose one of the options.")


def _check_year(value: dt.date | dt.datetime | None) -> None:
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise forms.ValidationError(
            _("Enter a date between %(min)s and %(max)s."),
            code="out_of_range",
            params={"min": MIN_YEAR, "max": MAX_YEAR},
        )


class CheckboxInput(forms.CheckboxInput):
    """A checkbox sent as ``name=1``; ``0``, ``false`` or nothing mean unchecked.

    (Named like Django's so that its ``widget_type`` stays "checkbox" for
    includes/field.html.)
    """

    def __init__(self, attrs=None):
        super().__init__(attrs={"value": "1", **(attrs or {})})

    def value_from_datadict(self, data, files, name) -> bool:
        return str(data.get(name, "")).strip().lower() in {"1", "true", "on", "yes"}


class CatalogueSearchForm(BootstrapFormMixin, forms.Form):
    """The catalogue search of /courses/ (query string of DOMAIN.md §14).

    ``from`` and ``to`` are Python keywords: those two fields are added to
    ``base_fields`` below the class.
    """

    q = forms.CharField(
        label=_("Keyword"),
        max_length=200,
        required=False,
        help_text=_("Part of the course code, title or summary, in Japanese or English."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    code = forms.CharField(
        label=_("Course code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    delivery = forms.ChoiceField(
        label=_("Delivery"),
        choices=[("", _("All delivery types")), *Course.Delivery.choices],
        required=False,
        error_messages={"invalid_choice": CHOICE_INVALID},
    )
    partner = forms.ChoiceField(
        label=_("Partner courses"),
        choices=[
            ("", _("Include partner courses")),
            ("1", _("Partner courses only")),
            ("0", _("No partner courses")),
        ],
        required=False,
        error_messages={"invalid_choice": CHOICE_INVALID},
    )
    venue = forms.CharField(
        label=_("Venue"),
        max_length=100,
        required=False,
        help_text=_("Part of the venue name, e.g. Tokyo or Osaka."),
    )
    available = forms.BooleanField(
        label=_("Only courses with seats left (e-learning included)"),
        required=False,
        widget=CheckboxInput,
    )

    field_order = ["q", "code", "delivery", "partner", "from", "to", "venue", "available"]
    #: The filters beyond the keyword (folded away on a phone unless used).
    MORE_FILTERS = field_order[1:]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end date must be on or after the start date."))
        return cleaned

    def query(self) -> CatalogueQuery:
        """The valid search as a ``CatalogueQuery`` (call after ``is_valid()``)."""
        data = self.cleaned_data
        partner = {"1": True, "0": False}.get(data.get("partner") or "")
        return CatalogueQuery(
            q=data.get("q", ""),
            code=data.get("code", ""),
            delivery=data.get("delivery", ""),
            partner=partner,
            date_from=data.get("from"),
            date_to=data.get("to"),
            venue=data.get("venue", ""),
            available=bool(data.get("available")),
        )


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d", "%Y/%m/%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[_check_year],
        error_messages={"invalid": DATE_INVALID},
    )


CatalogueSearchForm.base_fields["from"] = _date_field(_("Session date from"))
CatalogueSearchForm.base_fields["to"] = _date_field(_("Session date to"))
CatalogueSearchForm.base_fields = {
    name: CatalogueSearchForm.base_fields[name] for name in CatalogueSearchForm.field_order
}


# --- the staff area ---------------------------------------------------------------------


class StaffCourseSearchForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        help_text=_("Part of the course code or title."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    delivery = forms.ChoiceField(
        label=_("Delivery"),
        choices=[("", _("All delivery types")), *Course.Delivery.choices],
        required=False,
        error_messages={"invalid_choice": CHOICE_INVALID},
    )
    published = forms.ChoiceField(
        label=_("Publication"),
        choices=[("", _("Published or not")), ("1", _("Published")), ("0", _("Not published"))],
        required=False,
        error_messages={"invalid_choice": CHOICE_INVALID},
    )

    @property
    def published_flag(self) -> bool | None:
        return {"1": True, "0": False}.get(self.cleaned_data.get("published") or "")


class CourseForm(BootstrapFormMixin, forms.ModelForm):
    """Create or edit a course. The code is stored in half-width capitals."""

    class Meta:
        model = Course
        fields = [
            "code",
            "title",
            "summary",
            "delivery",
            "is_partner",
            "fee",
            "duration",
            "prerequisites",
            "access_days",
            "is_published",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "prerequisites": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "code": _("Unique, e.g. ILC1234: capital letters, digits and hyphens."),
            "fee": _("Tax excluded, in yen. The tax-included fee is shown beside it."),
            "access_days": _("E-learning only: the days of access from the start date."),
            "is_published": _("Published courses are shown in the catalogue to everyone."),
        }
        error_messages = {
            "code": {"unique": _("This course code is already used by another course.")},
        }

    def clean_code(self) -> str:
        return normalise_code(self.cleaned_data.get("code", ""))

    def clean_title(self) -> str:
        return self.cleaned_data.get("title", "").strip()


class TokyoDateTimeField(forms.DateTimeField):
    """A date and time typed and shown in Asia/Tokyo (``datetime-local`` input)."""

    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"]
    default_error_messages = {"invalid": _("Enter a date and time such as 2026-05-11 10:00.")}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        )
        super().__init__(**kwargs)
        self.validators.append(_check_year)

    def to_python(self, value):
        with timezone.override(TOKYO):
            return super().to_python(value)

    def prepare_value(self, value):
        with timezone.override(TOKYO):
            return super().prepare_value(value)


class SessionForm(BootstrapFormMixin, forms.ModelForm):
    """Create or edit a session of ``course``: dates in Asia/Tokyo, the venue (classroom)
    or the online link (live) its delivery needs. The state is not edited here:
    confirming and cancelling a session notify its learners (the sessions area)."""

    online_url = forms.URLField(
        label=Session._meta.get_field("online_url").verbose_name,
        max_length=200,
        required=False,
        assume_scheme="https",
        help_text=_("Required for live online courses."),
    )

    class Meta:
        model = Session
        fields = ["starts_at", "ends_at", "deadline", "venue", "online_url", "capacity"]
        field_classes = {
            "starts_at": TokyoDateTimeField,
            "ends_at": TokyoDateTimeField,
            "deadline": TokyoDateTimeField,
        }
        help_texts = {
            "starts_at": _("Japan time (Asia/Tokyo)."),
            "ends_at": _("Japan time (Asia/Tokyo)."),
            "deadline": _(
                "Japan time. Applications close at this time; it must be before the start."
            ),
            "venue": _("Required for classroom courses."),
            "capacity": _("At least 1. It cannot be lowered below the seats already taken."),
        }

    def __init__(self, *args, course: Course, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        capacity = self.fields["capacity"]
        capacity.validators.append(
            MinValueValidator(1, message=_("The capacity must be at least 1."))
        )
        capacity.widget.attrs["min"] = 1
        if course.delivery == Course.Delivery.CLASSROOM:
            self.fields["venue"].required = True
            self.fields["venue"].error_messages["required"] = _(
                "A classroom session needs a venue."
            )
        elif course.delivery == Course.Delivery.LIVE:
            self.fields["online_url"].required = True
            self.fields["online_url"].error_messages["required"] = _(
                "A live online session needs its online link."
            )

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at, deadline = (
            cleaned.get("starts_at"),
            cleaned.get("ends_at"),
            cleaned.get("deadline"),
        )
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The end must be after the start."))
        if starts_at and deadline and deadline >= starts_at:
            self.add_error("deadline", _("The application deadline must be before the start."))
        return cleaned
