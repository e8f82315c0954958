from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenshu.accounts.models import User
from kenshu.accounts.services import user_type_change
from kenshu.backoffice import selectors
from kenshu.backoffice.access import require_perms, staff_required
from kenshu.backoffice.forms import UserSearchForm, UserTypeChangeForm
from kenshu.backoffice.selectors import people
from kenshu.core.exceptions import DomainError

USERS_PER_PAGE = 50


@staff_required("accounts.view_user")
@require_http_methods(["GET"])
def user_list(request):
    """/staff/users/: search by user ID, email, name, kana, company; filter by type."""
    form = UserSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organisation = None
    if filters.get("organisation"):
        organisation = selectors.organisation_for_staff(pk=filters["organisation"])
    users = selectors.users_search(
        q=filters.get("q", ""),
        user_type=filters.get("user_type", ""),
        organisation_id=filters.get("organisation"),
    )
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/user_list.html",
        {"form": form, "page": page, "organisation": organisation},
    )


@staff_required("accounts.view_user")
@require_http_methods(["GET", "POST"])
def user_detail(request, pk: int):
    """/staff/users/<pk>/: everything about a user; with ``accounts.change_user``, a
    direct change of type and organisation (confirmed first, audited, user emailed)."""
    try:
        user = selectors.user_for_staff(pk=pk)
    except User.DoesNotExist as exc:
        raise Http404 from exc
    staff = request.user
    may_change = staff.has_perm("accounts.change_user")
    confirming = False

    if request.method == "POST":
        require_perms(staff, "accounts.change_user")
        form = UserTypeChangeForm(request.POST, user=user)
        if form.is_valid():
            if not form.cleaned_data["confirmed"]:
                confirming = True  # show what will change; nothing is saved yet
            else:
                try:
                    user_type_change(
                        actor=staff,
                        user=user,
                        user_type=form.cleaned_data["user_type"],
                        organisation=form.cleaned_data["organisation"],
                        reason=form.cleaned_data["reason"],
                    )
                except DomainError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(
                        request,
                        _("The user type of %(name)s is now %(type)s. The user has been emailed.")
                        % {"name": user, "type": form.new_type_label},
                    )
                    return redirect("backoffice:user_detail", pk=user.pk)
    else:
        form = UserTypeChangeForm(user=user) if may_change else None

    requests = selectors.type_change_requests_about(user=user)
    return render(
        request,
        "backoffice/user_detail.html",
        {
            "profile": user,
            "form": form,
            "confirming": confirming,
            "type_change_requests": requests,
            **_person_context(staff, user),
            "audit_entries": (
                selectors.audit_entries_about(user=user, requests=requests)
                if staff.has_perm("audit.view_auditentry")
                else None
            ),
            "emails": (
                selectors.emails_to(user=user)
                if staff.has_perm("notifications.view_outboxemail")
                else None
            ),
        },
    )


def _person_context(staff, user: User) -> dict:
    """Everything else about the person (reception helpers, DOMAIN.md §11), each part
    only for staff allowed to see it (``None`` hides it)."""
    return {
        "enrollments": (
            people.person_enrollments(user=user)
            if staff.has_perm("enrollments.view_enrollment")
            else None
        ),
        "purchases": (
            people.person_purchases(user=user)
            if staff.has_perm("inventory.view_inventoryitem")
            else None
        ),
        "other_requests": people.person_requests(staff=staff, user=user),
        "invoices": (
            people.person_invoices(user=user) if staff.has_perm("billing.view_invoice") else None
        ),
    }
