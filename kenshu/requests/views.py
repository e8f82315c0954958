"""The customer's request pages (R-TYPE-4, R-ACCT-5): thin views over the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenshu.accounts import policy
from kenshu.accounts.policy import Action
from kenshu.core.exceptions import DomainError

from . import selectors, services
from .forms import TypeChangeRequestForm

#: Requests per page of "My requests".
MY_REQUESTS_PER_PAGE = 20


@login_required
@require_http_methods(["GET", "POST"])
def type_change_request(request):
    """種別変更依頼 (R-TYPE-4): a corporate user asks to become a group applicant.

    Users whose type may not ask see why, and no form; a POST from them is
    refused (403) before anything is read from it.
    """
    user = request.user
    if not policy.can(user, Action.REQUEST_TYPE_CHANGE):
        if request.method == "POST":
            raise PermissionDenied(policy.refusal_reason(user, Action.REQUEST_TYPE_CHANGE))
        return render(
            request,
            "requests/type_change_request.html",
            {"refusal": policy.refusal_reason(user, Action.REQUEST_TYPE_CHANGE)},
        )

    initial = TypeChangeRequestForm.initial_for(user)
    if request.method == "POST":
        form = TypeChangeRequestForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                created = services.type_change_request_create(
                    actor=user,
                    company_name=form.cleaned_data["company_name"],
                    full_name=form.cleaned_data["full_name"],
                    message=form.cleaned_data["message"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "We have received your request (No. %(id)s) and sent you a "
                        "confirmation email. Our staff will contact you."
                    )
                    % {"id": created.pk},
                )
                return redirect("requests:my_requests")
        open_request = None
    else:
        open_request = selectors.open_type_change_request_of(user=user)
        form = None if open_request else TypeChangeRequestForm(initial=initial)
    return render(
        request,
        "requests/type_change_request.html",
        {"form": form, "open_request": open_request},
    )


@login_required
@require_http_methods(["GET"])
def my_requests(request):
    """My Account → requests (R-ACCT-5): the user's own requests and their states."""
    page = Paginator(selectors.requests_of(user=request.user), MY_REQUESTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "requests/my_requests.html",
        {
            "page": page,
            "can_request_type_change": policy.can(request.user, Action.REQUEST_TYPE_CHANGE),
        },
    )
