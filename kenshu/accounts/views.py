"""Kenshu's own account pages; django-allauth serves login, signup, verification and
password reissue (their templates are under kenshu/templates/account/).

- My Account (R-ACCT-5, R-TYPE-1) and the profile form.
- Forgot user ID (R-ACCT-3): the page does the same work for a known and an
  unknown address (it only queues a task; the lookup happens in the task), so
  that neither its answer nor its timing tells whether an address is registered.
- The terms of use.
"""

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenshu.core.exceptions import DomainError

from .forms import ForgotUserIdForm, ProfileForm
from .policy import Action, can
from .services import user_profile_update
from .tasks import remind_user_ids

PROFILE_FIELDS = ("last_name", "first_name", "last_name_kana", "first_name_kana", "department")


@login_required
def my_account(request):
    """My Account: profile, links to change it, the sections later issues fill in,
    and the user type in words at the bottom (R-ACCT-5, R-TYPE-1)."""
    user = request.user
    return render(
        request,
        "accounts/my_account.html",
        {
            "profile": user,
            "may_buy_for_others": can(user, Action.BUY_FOR_OTHERS),
            "may_request_type_change": can(user, Action.REQUEST_TYPE_CHANGE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    """Change name, kana and department (R-ACCT-5); the email has its own page."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                user_profile_update(
                    actor=user,
                    user=user,
                    **{name: form.cleaned_data[name] for name in PROFILE_FIELDS},
                )
            except ValidationError as error:
                _add_model_errors(form, error)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your profile has been updated."))
                return redirect("accounts:my_account")
    else:
        form = ProfileForm(initial={name: getattr(user, name) for name in PROFILE_FIELDS})
    return render(request, "accounts/profile_form.html", {"form": form})


def _add_model_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


@require_http_methods(["GET", "POST"])
def forgot_user_id(request):
    """ユーザーIDが分からない場合 (R-ACCT-3): email + CAPTCHA → the user IDs by email."""
    if request.method == "POST":
        form = ForgotUserIdForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            # Per IP and per address (settings.ACCOUNT_RATE_LIMITS["forgot_user_id"]).
            if not ratelimit.consume(request, action="forgot_user_id", key=email.lower()):
                form.add_error(
                    None,
                    _(
                        "You have asked too many times. For your security, please wait a "
                        "while (up to an hour) and try again."
                    ),
                )
                return render(request, "accounts/forgot_user_id.html", {"form": form}, status=429)
            # Always queued, known address or not: the task looks it up and emails
            # only a known one, so the page does the same work either way.
            remind_user_ids.enqueue(email, translation.get_language() or settings.LANGUAGE_CODE)
            return redirect("forgot_user_id_done")
    else:
        form = ForgotUserIdForm()
    return render(request, "accounts/forgot_user_id.html", {"form": form})


def forgot_user_id_done(request):
    """The same answer for every address: where the email comes from, and what to do
    if nothing arrives (register anew)."""
    return render(
        request,
        "accounts/forgot_user_id_done.html",
        {"noreply_email": settings.KENSHU_NOREPLY_EMAIL},
    )


def terms(request):
    """The terms of use (利用規約) accepted at registration."""
    return render(request, "accounts/terms.html")
