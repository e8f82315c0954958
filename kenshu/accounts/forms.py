"""Forms of the account pages: format checks only; rules live in services."""

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import User
from .validators import normalise_kana, validate_kana


class AccessibleCaptchaInput(CaptchaTextInput):
    """The CAPTCHA image with a Japanese (or English) text alternative, not "captcha"."""

    template_name = "accounts/widgets/captcha.html"
    # One label and one input to type into: not a fieldset, so that Django links
    # the help text and the errors to the input (aria-describedby).
    use_fieldset = False


def captcha_field() -> CaptchaField:
    return CaptchaField(
        label=_("Characters in the image"),
        widget=AccessibleCaptchaInput(),
        error_messages={
            "invalid": _(
                "The characters do not match the image. Please type the characters of "
                "the new image."
            ),
            "required": _("Please type the characters shown in the image."),
        },
    )


class KanaField(forms.CharField):
    default_validators = [validate_kana]

    def to_python(self, value):
        return normalise_kana(super().to_python(value))


class NameFieldsMixin(forms.Form):
    last_name = forms.CharField(label=_("Family name"), max_length=150)
    first_name = forms.CharField(label=_("Given name"), max_length=150)
    last_name_kana = KanaField(label=_("Family name (kana)"), max_length=150)
    first_name_kana = KanaField(label=_("Given name (kana)"), max_length=150)


AUTOCOMPLETE = {
    "last_name": "family-name",
    "first_name": "given-name",
    "email": "email",
    "username": "username",
    "company_name": "organization",
}


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
        # Labels are always shown: no placeholders repeating them.
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        for name, autocomplete in AUTOCOMPLETE.items():
            if name in self.fields:
                self.fields[name].widget.attrs["autocomplete"] = autocomplete

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("username") and cleaned.get("email") and "username" not in self.errors:
            try:
                cleaned["username"] = get_adapter().clean_username(cleaned["email"])
            except ValidationError as exc:
                if getattr(exc, "code", None) == "username_taken":
                    message = _(
                        "Your email address is already used as a user ID. "
                        "Please choose another user ID."
                    )
                else:
                    message = _(
                        "Your email address cannot be used as a user ID (%(reason)s). "
                        "Please choose a user ID."
                    ) % {"reason": " ".join(exc.messages)}
                self.add_error("username", message)
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

    captcha = captcha_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Email address")
        self.fields["email"].widget.attrs.pop("placeholder", None)

    def clean_email(self):
        """Every active account registered to the address gets a link.

        allauth alone looks in verified addresses first (and then skips accounts
        whose address is not verified) and compares the user's email exactly. So a
        migrated member (no verified address yet, its address perhaps in capitals)
        sharing an address with a newer verified account, or typing it in another
        case, would get nothing (R-ACCT-4, R-MIGRATE-1).
        """
        email = super().clean_email()
        known = {user.pk for user in self.users}
        self.users = list(self.users) + [
            user
            for user in User.objects.filter(email__iexact=email.strip(), is_active=True)
            if user.pk not in known
        ]
        return email


class ForgotUserIdForm(forms.Form):
    """ユーザーIDが分からない場合 (R-ACCT-3)."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    captcha = captcha_field()

    def clean_email(self):
        return self.cleaned_data["email"].strip()


class ProfileForm(NameFieldsMixin, forms.Form):
    department = forms.CharField(label=_("Department"), max_length=200, required=False)


class LoginForm(AllauthLoginForm):
    """Login by user ID (R-ACCT-2)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("User ID")
        self.fields["login"].widget.attrs["placeholder"] = ""
        self.fields["password"].widget.attrs["placeholder"] = ""
        # The page links "forgot your user ID?" and "forgot your password?" itself.
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            self.fields["remember"].label = _("Stay logged in on this device")
