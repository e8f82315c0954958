"""The audit trail (DOMAIN.md §11): every staff action on money or people, searchable."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from kenshu.backoffice.access import staff_required
from kenshu.backoffice.forms import AuditFilterForm
from kenshu.backoffice.selectors import audit as selectors

ENTRIES_PER_PAGE = 50


@staff_required("audit.view_auditentry")
@require_http_methods(["GET", "HEAD"])
def audit_list(request):
    """/staff/audit/: by actor, action (prefix), target type and id, date range."""
    form = AuditFilterForm(request.GET or None, target_types=selectors.target_types())
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.AuditFilters(
        actor=data.get("q", ""),
        action=data.get("action", ""),
        target_type=data.get("target_type", ""),
        target_id=data.get("target_id", ""),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    page = Paginator(selectors.audit_search(filters), ENTRIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "backoffice/audit_list.html", {"form": form, "page": page})
