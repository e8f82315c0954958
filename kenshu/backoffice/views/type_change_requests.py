from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenshu.accounts.models import User
from kenshu.backoffice.access import require_perms, staff_required
from kenshu.backoffice.forms import RequestQueueFilterForm, TypeChangeDecisionForm
from kenshu.core.exceptions import DomainError
from kenshu.requests import selectors as request_selectors
from kenshu.requests.models import TypeChangeRequest
from kenshu.requests.services import type_change_request_decide

REQUESTS_PER_PAGE = 50


def _user_type_label(value: str) -> str:
    try:
        return User.UserType(value).label
    except ValueError:
        return value


@staff_required("requests.view_typechangerequest")
@require_http_methods(["GET"])
def type_change_request_list(request):
    """/staff/requests/type-change/: the queue, open first by contact date, with age."""
    form = RequestQueueFilterForm(request.GET or None)
    state = form.cleaned_data.get("state", "") if form.is_valid() else ""
    page = Paginator(
        request_selectors.type_change_request_queue(state=state), REQUESTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "backoffice/type_change_request_list.html", {"form": form, "page": page})


@staff_required("requests.view_typechangerequest")
@require_http_methods(["GET", "POST"])
def type_change_request_detail(request, pk: int):
    """/staff/requests/type-change/<pk>/: the request; approve or reject it
    (``requests.decide_typechangerequest``). A decided request shows its decision."""
    try:
        type_change = request_selectors.type_change_request_for_staff(pk=pk)
    except TypeChangeRequest.DoesNotExist as exc:
        raise Http404 from exc
    staff = request.user
    may_decide = staff.has_perm("requests.decide_typechangerequest")

    if request.method == "POST":
        require_perms(staff, "requests.decide_typechangerequest")
        form = TypeChangeDecisionForm(request.POST)
        if form.is_valid():
            try:
                decided = type_change_request_decide(
                    actor=staff,
                    request=type_change,
                    approve=form.approve,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                type_change = request_selectors.type_change_request_for_staff(pk=pk)
                if not type_change.is_open:  # decided meanwhile: show it as it is now
                    messages.error(request, str(exc))
                    return redirect("backoffice:type_change_request_detail", pk=pk)
                form.add_error(None, str(exc))
            else:
                if form.approve:
                    text = _(
                        "Request No. %(id)s approved: %(name)s is now a corporate-group "
                        "applicant. The decision has been emailed."
                    )
                else:
                    text = _("Request No. %(id)s rejected. The reason has been emailed.")
                messages.success(request, text % {"id": decided.pk, "name": decided.user})
                return redirect("backoffice:type_change_request_list")
    else:
        form = TypeChangeDecisionForm() if may_decide else None

    return render(
        request,
        "backoffice/type_change_request_detail.html",
        {
            "item": type_change,
            "requested_type_label": _user_type_label(type_change.requested_type),
            "form": form if type_change.is_open else None,
        },
    )
