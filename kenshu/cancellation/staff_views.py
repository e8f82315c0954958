"""Staff pages of the cancellation app, under /staff/cancellation/ (issue 6 items 1, 8).

- ``closures/`` (``core.view_closureday``): the closure days of a year;
  ``closures/add/`` (``core.add_closureday``): one day or a range (12/29–1/3);
  ``closures/<id>/remove/`` (``core.delete_closureday``): after a confirmation.
  Each change is audited by its service and counts for the next quote at once.
- ``policies/`` (``cancellation.view_cancellationpolicy``): the policy of each
  delivery type, read-only, with a link to its editor in the Django admin.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from kenshu.backoffice.access import staff_required
from kenshu.catalog.models import Course
from kenshu.core.exceptions import DomainError
from kenshu.core.models import ClosureDay
from kenshu.core.time import is_japanese_holiday, tokyo_date

from .forms import ClosureAddForm, ClosureYearForm, ConfirmForm
from .models import CancellationPolicy
from .quoting import Tier, tier_label
from .selectors import policy_tiers_for
from .services import closure_day_remove, closure_days_add
from .services.closures import ADD_PERMISSION, DELETE_PERMISSION

CLOSURES_PER_PAGE = 100


@staff_required("core.view_closureday")
@require_GET
def closure_list(request):
    """The closure days of ``?year=`` (default: this year, Asia/Tokyo)."""
    form = ClosureYearForm(request.GET or None)
    year = (form.cleaned_data.get("year") if form.is_valid() else None) or tokyo_date().year
    days = ClosureDay.objects.filter(date__year=year).order_by("date")
    page = Paginator(days, CLOSURES_PER_PAGE).get_page(request.GET.get("page"))
    for day in page.object_list:
        day.also_closed = day.date.weekday() >= 5 or is_japanese_holiday(day.date)
    return render(
        request,
        "backoffice/cancellation/closure_list.html",
        {
            "year": year,
            "page": page,
            "may_add": request.user.has_perm(ADD_PERMISSION),
            "may_remove": request.user.has_perm(DELETE_PERMISSION),
        },
    )


@staff_required("core.view_closureday", ADD_PERMISSION)
@require_http_methods(["GET", "POST"])
def closure_add(request):
    """Add one closure day or a range."""
    if request.method == "POST":
        form = ClosureAddForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                added = closure_days_add(
                    actor=request.user, start=data["start"], end=data["end"], reason=data["reason"]
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                days = ((data["end"] or data["start"]) - data["start"]).days + 1
                message = ngettext(
                    "%(added)s closure day added.", "%(added)s closure days added.", len(added)
                ) % {"added": len(added)}
                if len(added) < days:
                    message += " " + _("The other days were already closed.")
                messages.success(request, message)
                return redirect(
                    f"{reverse('cancellation_staff:closure_list')}?year={data['start'].year}"
                )
    else:
        form = ClosureAddForm()
    return render(request, "backoffice/cancellation/closure_add.html", {"form": form})


@staff_required("core.view_closureday", DELETE_PERMISSION)
@require_http_methods(["GET", "POST"])
def closure_remove(request, pk: int):
    """Confirm, then open the day again."""
    try:
        day = ClosureDay.objects.get(pk=pk)
    except ClosureDay.DoesNotExist as exc:
        raise Http404 from exc
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closure_day_remove(actor=request.user, closure_day=day)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(date)s is no longer a closure day.") % {"date": f"{day.date:%Y-%m-%d}"},
            )
            return redirect(f"{reverse('cancellation_staff:closure_list')}?year={day.date.year}")
    return render(
        request, "backoffice/cancellation/closure_remove.html", {"day": day, "form": form}
    )


@staff_required("cancellation.view_cancellationpolicy")
@require_GET
def policy_list(request):
    """Each delivery's tiers in force (the defaults when it has no row), read-only."""
    policies = {p.delivery: p for p in CancellationPolicy.objects.all()}
    units = dict(CancellationPolicy.Unit.choices)
    rows = []
    for delivery, label in Course.Delivery.choices:
        tiers = policy_tiers_for(delivery)
        rows.append(
            {
                "delivery": delivery,
                "label": label,
                "policy": policies.get(delivery),
                "unit": units.get(tiers[0]["unit"], tiers[0]["unit"]) if tiers else "",
                "tiers": [
                    {
                        "rate": tier["rate"],
                        "label": tier_label(tiers=tiers, tier=Tier.of(tier)),
                    }
                    for tier in tiers
                ],
            }
        )
    return render(
        request,
        "backoffice/cancellation/policy_list.html",
        {"rows": rows},
    )
