"""Billing pages: the customer's invoices (My Account) and the staff's invoice screens.

Customers: ``/account/invoices/`` lists the invoices of their orders;
``/account/invoices/<number>/pdf/`` serves one as a PDF to its buyer or to staff
with ``billing.view_invoice`` (anyone else gets a 404, as if it did not exist).

Staff (``/staff/invoices/``, ``billing.view_invoice``): the list, filtered by
state (overdue derived) and searched; the detail with its payments
(``billing.view_payment``) and the "record payment" form (``billing.add_payment``).

Refunds (``/staff/invoices/refunds/``, ``billing.view_refund``): the list by state;
"mark paid out" (``billing.pay_out_refund``) asks for the date and a confirmation.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenshu.backoffice.access import require_perms, staff_required
from kenshu.core.exceptions import DomainError
from kenshu.core.time import tokyo_date

from . import selectors
from .forms import InvoiceSearchForm, PaymentForm, RefundFilterForm, RefundPayOutForm
from .models import Invoice, Refund
from .pdf import invoice_pdf as render_invoice_pdf
from .refunds import PAY_OUT_PERMISSION, refund_pay_out
from .services import invoice_is_overdue, payment_record, tax_breakdown

MY_INVOICES_PER_PAGE = 20
STAFF_INVOICES_PER_PAGE = 50
STAFF_REFUNDS_PER_PAGE = 50


def _page_with_overdue(queryset, per_page: int, number):
    """A page of invoices, each marked ``overdue`` as of today (Asia/Tokyo)."""
    page = Paginator(queryset, per_page).get_page(number)
    page.object_list = list(page.object_list)
    today = tokyo_date()
    for invoice in page.object_list:
        invoice.overdue = invoice_is_overdue(invoice, today)
    return page


@login_required
@require_http_methods(["GET"])
def my_invoices(request):
    """My Account → invoices: the invoices of the user's orders, newest first."""
    page = _page_with_overdue(
        selectors.invoices_of_buyer(user=request.user),
        MY_INVOICES_PER_PAGE,
        request.GET.get("page"),
    )
    return render(request, "billing/my_invoices.html", {"page": page})


@login_required
@require_http_methods(["GET"])
def invoice_pdf(request, number: str):
    """The invoice as a PDF, shown in the browser (saved as ``<number>.pdf``)."""
    try:
        invoice = selectors.invoice_for_viewer(user=request.user, number=number)
    except Invoice.DoesNotExist as exc:
        raise Http404 from exc
    response = HttpResponse(render_invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"{invoice.number}.pdf"
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response


@staff_required("billing.view_invoice")
@require_http_methods(["GET"])
def staff_invoice_list(request):
    """/staff/invoices/: every invoice, by state (issued, paid, overdue, credited), searched."""
    form = InvoiceSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = _page_with_overdue(
        selectors.invoices_for_staff(state=filters.get("state", ""), q=filters.get("q", "")),
        STAFF_INVOICES_PER_PAGE,
        request.GET.get("page"),
    )
    return render(request, "backoffice/billing/invoice_list.html", {"form": form, "page": page})


@staff_required("billing.view_invoice")
@require_http_methods(["GET", "POST"])
def staff_invoice_detail(request, number: str):
    """/staff/invoices/<number>/: the invoice, its payments, credit notes and fee
    invoices; with ``billing.add_payment``, a form to record a payment received."""
    try:
        invoice = selectors.invoice_for_staff(number=number)
    except Invoice.DoesNotExist as exc:
        raise Http404 from exc
    staff = request.user
    payable = invoice.kind != Invoice.Kind.CREDIT_NOTE and invoice.state == Invoice.State.ISSUED
    paid = selectors.paid_amount(invoice)
    credited = selectors.credited_amount(invoice)  # from the prefetched corrections

    if request.method == "POST":
        require_perms(staff, "billing.add_payment")
        form = PaymentForm(request.POST)
        if form.is_valid():
            try:
                payment_record(actor=staff, invoice=invoice, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("A payment of ¥%(amount)s was recorded against %(number)s.")
                    % {"amount": f"{form.cleaned_data['amount']:,}", "number": invoice.number},
                )
                return redirect("billing_staff:invoice_detail", number=invoice.number)
    elif payable and staff.has_perm("billing.add_payment"):
        form = PaymentForm(
            initial={"amount": invoice.total - paid - credited, "received_on": tokyo_date()}
        )
    else:
        form = None

    return render(
        request,
        "backoffice/billing/invoice_detail.html",
        {
            "invoice": invoice,
            "overdue": invoice_is_overdue(invoice),
            "breakdown": tax_breakdown(invoice.lines.all()),
            "paid": paid,
            "credited": credited,
            "outstanding": invoice.total - paid - credited if payable else 0,
            "payments": (
                invoice.payments.all() if staff.has_perm("billing.view_payment") else None
            ),
            "form": form,
        },
    )


@staff_required("billing.view_refund")
@require_http_methods(["GET"])
def staff_refund_list(request):
    """/staff/invoices/refunds/: every refund, by state (pending, paid out), newest first."""
    form = RefundFilterForm(request.GET or None)
    state = form.cleaned_data.get("state", "") if form.is_valid() else ""
    page = Paginator(selectors.refunds_for_staff(state=state), STAFF_REFUNDS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/billing/refund_list.html",
        {"form": form, "page": page, "may_pay_out": request.user.has_perm(PAY_OUT_PERMISSION)},
    )


@staff_required("billing.view_refund", PAY_OUT_PERMISSION)
@require_http_methods(["GET", "POST"])
def staff_refund_pay_out(request, pk: int):
    """/staff/invoices/refunds/<id>/pay-out/: confirm that a pending refund was paid out
    (the date and a confirmation), then back to the list."""
    try:
        refund = selectors.refund_for_staff(pk=pk)
    except Refund.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        form = RefundPayOutForm(request.POST)
        if form.is_valid():
            try:
                refund_pay_out(
                    actor=request.user,
                    refund=refund,
                    paid_out_on=form.cleaned_data["paid_out_on"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("The refund of ¥%(amount)s (%(number)s) is recorded as paid out.")
                    % {"amount": f"{refund.amount:,}", "number": refund.credit_note.number},
                )
                return redirect("billing_staff:refund_list")
    else:
        form = RefundPayOutForm(initial={"paid_out_on": tokyo_date()})
    return render(
        request, "backoffice/billing/refund_pay_out.html", {"refund": refund, "form": form}
    )
