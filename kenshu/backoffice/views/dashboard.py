from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from kenshu.backoffice import selectors
from kenshu.backoffice.access import staff_required


@staff_required()
@require_http_methods(["GET"])
def dashboard(request):
    """/staff/: open type-change requests with their age, failed emails, links.

    Every active staff member may open it; each part shows only to staff
    holding the permission of what it shows.
    """
    return render(
        request,
        "backoffice/dashboard.html",
        {"figures": selectors.dashboard_figures(staff=request.user)},
    )
