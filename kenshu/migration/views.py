"""/staff/migration/: the migrated members for staff review (R-MIGRATE-2), each with its
legacy data beside its new account; staff correct the type or organisation and mark the
member reviewed (POST, audited)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenshu.backoffice.access import require_perms, staff_required
from kenshu.core.exceptions import DomainError

from . import selectors
from .forms import AccountChangeForm, LegacyMemberSearchForm, ReviewMarkForm
from .models import LegacyMember
from .parsing import MEMBER_COLUMNS
from .services import legacy_member_account_change, legacy_member_review_mark

MEMBERS_PER_PAGE = 50
VIEW = "migration.view_legacymember"


@staff_required(VIEW)
@require_http_methods(["GET"])
def legacy_member_list(request):
    form = LegacyMemberSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    members = selectors.legacy_members_search(
        q=filters.get("q", ""), state=filters.get("state") or selectors.TO_REVIEW
    )
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_reasons(page.object_list)
    return render(request, "migration/legacy_member_list.html", {"form": form, "page": page})


@staff_required(VIEW)
@require_http_methods(["GET", "POST"])
def legacy_member_detail(request, pk: int):
    try:
        member = selectors.legacy_member_for_staff(pk=pk)
    except LegacyMember.DoesNotExist as exc:
        raise Http404 from exc
    staff = request.user
    change_form = review_form = None
    if staff.has_perm("accounts.change_user"):
        change_form = AccountChangeForm(initial={"user_type": member.user.user_type})
    if staff.has_perm("migration.change_legacymember") and member.needs_review:
        review_form = ReviewMarkForm()

    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "change":
                require_perms(staff, VIEW, "accounts.change_user")
                change_form = AccountChangeForm(request.POST)
                if change_form.is_valid():
                    legacy_member_account_change(
                        actor=staff, legacy_member=member, **change_form.cleaned_data
                    )
                    messages.success(
                        request, _("The account of %(id)s was changed.") % {"id": member}
                    )
                    return redirect("migration_staff:legacy_member_detail", pk=member.pk)
            elif action == "review":
                require_perms(staff, VIEW, "migration.change_legacymember")
                review_form = ReviewMarkForm(request.POST)
                if review_form.is_valid():
                    legacy_member_review_mark(
                        actor=staff, legacy_member=member, note=review_form.cleaned_data["note"]
                    )
                    messages.success(request, _("%(id)s is marked as reviewed.") % {"id": member})
                    return redirect("migration_staff:legacy_member_list")
            else:
                raise Http404
        except DomainError as exc:
            form = change_form if action == "change" else review_form
            form.add_error(None, str(exc))

    legacy = [(column, member.data.get(column, "")) for column in MEMBER_COLUMNS]
    return render(
        request,
        "migration/legacy_member_detail.html",
        {
            "member": member,
            "profile": member.user,
            "legacy": legacy,
            "bookings": selectors.legacy_bookings_of(member=member),
            "change_form": change_form,
            "review_form": review_form,
        },
    )
