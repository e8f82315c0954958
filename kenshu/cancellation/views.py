"""Cancelling one's own enrolment from My Account (R-CANCEL-1, R-CANCEL-5): thin views,
mounted by ``kenshu.enrollments.urls`` at their public paths.

- ``/account/enrollments/<id>/cancel/``: GET shows the preview (tier, rate, fee, tax,
  total, the documents it makes, "computed for <date>") or why the user may not cancel
  and whom to ask; POST (a confirmation box) cancels, then redirects to
- ``/account/enrollments/<id>/cancel/done/``: the enrolment cancelled, its fee and
  documents.

A forged POST by someone who may not cancel (a group learner, a group applicant's
inventory seat) is refused with 403 by the service, which audits it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kenshu.billing.models import Invoice, Refund
from kenshu.core import time as ktime
from kenshu.core.exceptions import DomainError, NotPermitted
from kenshu.enrollments.models import Enrollment

from .checks import customer_cancel_refusal
from .forms import CancelConfirmForm
from .selectors import enrollment_for_canceller, tier_schedule_for
from .services import cancellation_preview, enrollment_cancel


def _enrollment_or_404(request, pk: int) -> Enrollment:
    try:
        return enrollment_for_canceller(user=request.user, pk=pk)
    except Enrollment.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_cancel_page(request, pk: int):
    enrollment = _enrollment_or_404(request, pk)
    user = request.user
    now = ktime.now()
    today = ktime.tokyo_date(now)
    refusal = customer_cancel_refusal(user=user, enrollment=enrollment, now=now)

    if request.method == "POST":
        form = CancelConfirmForm(request.POST)
        if refusal is not None and not refusal.is_permission:
            messages.error(request, refusal.message)
            return redirect(request.path)
        if refusal is None and not form.is_valid():
            pass  # show the preview again with the form's errors
        elif refusal is None and form.cleaned_data["computed_for"] != today:
            messages.warning(
                request,
                _("The date has changed since the fee was shown: please check it again."),
            )
            return redirect(request.path)
        else:
            try:
                enrollment_cancel(
                    actor=user,
                    enrollment=enrollment,
                    reason=form.cleaned_data.get("reason", "") if refusal is None else "",
                )
            except NotPermitted as exc:
                raise PermissionDenied(str(exc)) from exc
            except DomainError as exc:
                messages.error(request, str(exc))
                return redirect(request.path)
            messages.success(request, _("Your application has been cancelled."))
            return redirect("enrollments:cancel_done", pk=enrollment.pk)
    else:
        form = CancelConfirmForm(initial={"computed_for": today})

    preview = windows = None
    if refusal is None:
        preview = cancellation_preview(enrollment=enrollment, contact_date=today)
        windows = tier_schedule_for(tiers=preview.tiers, first_day=preview.first_day)
    return render(
        request,
        "cancellation/cancel_confirm.html",
        {
            "enrollment": enrollment,
            "refusal": refusal,
            "preview": preview,
            "windows": windows,
            "form": form,
        },
    )


@login_required
@require_GET
def enrollment_cancel_done(request, pk: int):
    enrollment = _enrollment_or_404(request, pk)
    if enrollment.state != Enrollment.State.CANCELLED:
        return redirect("enrollments:cancel", pk=enrollment.pk)
    documents, refunds = [], []
    if enrollment.order_id and enrollment.applicant_id == request.user.pk:
        documents = list(
            Invoice.objects.filter(order_id=enrollment.order_id)
            .exclude(kind=Invoice.Kind.INVOICE)
            .order_by("pk")
        )
        refunds = list(Refund.objects.filter(invoice__order_id=enrollment.order_id).order_by("pk"))
    return render(
        request,
        "cancellation/cancel_done.html",
        {"enrollment": enrollment, "documents": documents, "refunds": refunds},
    )
