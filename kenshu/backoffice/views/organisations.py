from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from kenshu.backoffice import selectors
from kenshu.backoffice.access import staff_required
from kenshu.backoffice.forms import OrganisationSearchForm

ORGANISATIONS_PER_PAGE = 50


@staff_required("accounts.view_organisation")
@require_http_methods(["GET"])
def organisation_list(request):
    """/staff/organisations/: search by name or kana; member counts (one query)."""
    form = OrganisationSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = selectors.organisations_search(
        q=filters.get("q", ""), kind=filters.get("kind", "")
    )
    page = Paginator(organisations, ORGANISATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "backoffice/organisation_list.html", {"form": form, "page": page})
