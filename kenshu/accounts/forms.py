"""Forms of the account pages: format checks only; rules live in services."""

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from captcha.fields import CaptchaField
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import User
from .validators import normalise_kana, validate_kana


class KanaField(forms.CharField):
    default_validators = [validate_kana]

    def to_python(self, value):
        return normalise_kana(super().to_python(value))


class NameFieldsMixin(forms.Form):
    last_name = forms.CharField(label=_("Family name"), max_length=150)
    first_name = forms.CharField(label=_("Given name"), max_length=150)
    last_name_kana = KanaField(label=_("Family name (kana)"), max_length=150)
    first_name_kana = KanaField(label=_("Given name (kana)"), max_length=150)


class SignupForm(NameFieldsMixin, AllauthSignupForm):
    """Self-registration as individual or corporate (R-ACCT-1)."""

    field_order = [
        "user_type",
        "last_name",
        "first_name",
        "last_name_kana",
        "first_name_kana",
        "email",
        "username",
        "password1",
        "password2",
        "company_name",
        "company_name_kana",
        "department",
        "accept_terms",
    ]

    user_type = forms.ChoiceField(
        label=_("Account type"),
        choices=[
            (User.UserType.INDIVIDUAL, _("Individual (個人)")),
            (User.UserType.CORPORATE, _("Corporate (法人)")),
        ],
        widget=forms.RadioSelect,
        initial=User.UserType.INDIVIDUAL,
    )
    company_name = forms.CharField(
        label=_("Company name"), max_length=200, required=False, help_text=_("Corporate only.")
    )
    company_name_kana = KanaField(label=_("Company name (kana)"), max_length=200, required=False)
    department = forms.CharField(label=_("Department"), max_length=200, required=False)
    accept_terms = forms.BooleanField(label=_("I accept the terms of use"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User ID (optional)")
        self.fields["username"].help_text = _(
            "Leave empty to use your email address as your user ID."
        )
        self.fields["email"].label = _("Email address")
        self.fields["accept_terms"].help_text = format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse_lazy("terms"),
            _("Read the terms of use"),
        )
        self.fields["accept_terms"].error_messages["required"] = _(
            "Please accept the terms of use to register."
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("username") and cleaned.get("email") and "username" not in self.errors:
            try:
                cleaned["username"] = get_adapter().clean_username(cleaned["email"])
            except ValidationError:
                self.add_error(
                    "username",
                    _(
                        "Your email address is already used as a user ID. "
                        "Please choose another user ID."
                    ),
                )
        if cleaned.get("user_type") == User.UserType.CORPORATE:
            if not cleaned.get("company_name", "").strip():
                self.add_error("company_name", _("Corporate accounts need a company name."))
            if not cleaned.get("department", "").strip():
                self.add_error("department", _("Corporate accounts need a department."))
        return cleaned

    def save(self, request):
        with transaction.atomic():
            return super().save(request)

    def signup(self, request, user):
        """allauth's hook after the user row exists: attach the organisation, audit."""
        from .services import user_registered

        user_registered(
            user=user,
            company_name=self.cleaned_data.get("company_name", ""),
            company_kana=self.cleaned_data.get("company_name_kana", ""),
        )


class ResetPasswordForm(AllauthResetPasswordForm):
    """Password reissue request (R-ACCT-4), with a CAPTCHA."""

    captcha = CaptchaField(label=_("Characters in the image"))


class ForgotUserIdForm(forms.Form):
    """ユーザーIDが分からない場合 (R-ACCT-3)."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    captcha = CaptchaField(label=_("Characters in the image"))

    def clean_email(self):
        return self.cleaned_data["email"].strip()


class ProfileForm(NameFieldsMixin, forms.Form):
    department = forms.CharField(label=_("Department"), max_length=200, required=False)


class TypeChangeRequestForm(forms.Form):
    """種別変更依頼 (R-TYPE-4): prefilled from the account."""

    user_id = forms.CharField(label=_("User ID"), disabled=True, required=False)
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    full_name = forms.CharField(label=_("Name"), max_length=200)
    message = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )


class TypeChangeDecisionForm(forms.Form):
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
        help_text=_("Required when rejecting; sent to the customer."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Please give the reason for the rejection."))
        return cleaned


class UserTypeChangeForm(forms.Form):
    """Staff change a user's type and organisation directly."""

    user_type = forms.ChoiceField(label=_("User type"), choices=User.UserType.choices)
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, **kwargs):
        from .models import Organisation

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name_kana", "name")


class LoginForm(AllauthLoginForm):
    """Login by user ID (R-ACCT-2)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("User ID")
        self.fields["login"].widget.attrs["placeholder"] = ""
        self.fields["password"].widget.attrs["placeholder"] = ""
        if "remember" in self.fields:
            self.fields["remember"].label = _("Stay logged in on this device")
