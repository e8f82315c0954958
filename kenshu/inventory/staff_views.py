"""Staff pages of inventory (R-APPLY-5, DOMAIN.md §11), under /staff/inventory/.

- ``/staff/inventory/``: every purchase, searched, paginated.
- ``/staff/inventory/<id>/``: one purchase seat by seat; unassign a seat, give a seat
  to another learner (受講者変更, also assigns an unassigned seat), cancel unassigned
  seats (``kenshu.cancellation.services.seats_cancel``: frees the session's seats,
  offers them to the waiting list, settles the money).
- ``/staff/inventory/purchase/``: buy seats on a group applicant's behalf.

Every POST is checked against the permission before anything is read; a POST
without it is refused with 403 and audited (``inventory.staff_action_refused``).
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kenshu.accounts.models import User
from kenshu.backoffice.access import is_staff_member, staff_required
from kenshu.catalog.models import Course, Session
from kenshu.core.exceptions import DomainError

from . import selectors, services
from .forms import (
    ProxyPurchaseForm,
    ReassignForm,
    ReduceSeatsForm,
    StaffItemSearchForm,
    UnassignForm,
)
from .models import InventoryItem, Seat
from .services.assign import STAFF_PERMISSION
from .services.purchase import PROXY_PERMISSION

VIEW_PERMISSION = "inventory.view_inventoryitem"
#: Cancelling seats issues credit notes and fee invoices: the permission that
#: ``kenshu.cancellation.services.seats_cancel`` asks for (accounting, administrators).
REDUCE_PERMISSION = "requests.decide_cancellationrequest"
STAFF_ITEMS_PER_PAGE = 50
STAFF_SEATS_PER_PAGE = 50


def staff_post_required(*perms: str):
    """``staff_required(*perms)``, and a POST of anyone logged in without them is audited
    before it is refused (403)."""

    def decorator(view):
        guarded = staff_required(*perms)(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if (
                request.method == "POST"
                and user.is_authenticated
                and not (is_staff_member(user) and user.has_perms(perms))
            ):
                services.inventory_action_refused(
                    actor=user, action="staff_action", path=request.path, item_id=kwargs.get("pk")
                )
                raise PermissionDenied
            return guarded(request, *args, **kwargs)

        wrapper.staff_permissions = perms
        return wrapper

    return decorator


@staff_required(VIEW_PERMISSION)
@require_http_methods(["GET"])
def item_list(request):
    form = StaffItemSearchForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    page = Paginator(selectors.items_for_staff(q=q), STAFF_ITEMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/inventory/item_list.html",
        {"form": form, "page": page, "may_buy": request.user.has_perm(PROXY_PERMISSION)},
    )


def _item_or_404(pk: int) -> InventoryItem:
    try:
        return selectors.item_for_staff(pk=pk)
    except InventoryItem.DoesNotExist as exc:
        raise Http404 from exc


def _render_detail(request, item: InventoryItem, *, status: int = 200, **forms):
    page = Paginator(selectors.seats_of(item=item), STAFF_SEATS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/inventory/item_detail.html",
        {
            "item": item,
            "page": page,
            "invoice": next(iter(item.order.main_invoices), None) if item.order_id else None,
            "may_change": request.user.has_perm(STAFF_PERMISSION),
            "may_reduce": request.user.has_perm(REDUCE_PERMISSION),
            "reduce_form": forms.get(
                "reduce_form", ReduceSeatsForm(unassigned=item.unassigned_count)
            ),
            "reassign_form": forms.get("reassign_form"),
            "unassign_form": forms.get("unassign_form"),
        },
        status=status,
    )


@staff_required(VIEW_PERMISSION)
@require_http_methods(["GET"])
def item_detail(request, pk: int):
    return _render_detail(request, _item_or_404(pk))


def _seat_of(item: InventoryItem, pk: int) -> Seat:
    try:
        return Seat.objects.get(pk=pk, item=item)
    except Seat.DoesNotExist as exc:
        raise Http404 from exc


@staff_post_required(VIEW_PERMISSION, STAFF_PERMISSION)
@require_POST
def seat_unassign(request, pk: int):
    item = _item_or_404(pk)
    form = UnassignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose a seat."))
        return _render_detail(request, item, status=400, unassign_form=form)
    seat = _seat_of(item, form.cleaned_data["seat"])
    learner = seat.learner
    try:
        services.seat_unassign(actor=request.user, seat=seat, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Seat %(seat)s is unassigned; the enrolment of %(name)s is cancelled.")
            % {"seat": seat, "name": learner},
        )
    return redirect("inventory_staff:item_detail", pk=item.pk)


@staff_post_required(VIEW_PERMISSION, STAFF_PERMISSION)
@require_POST
def seat_reassign(request, pk: int):
    item = _item_or_404(pk)
    form = ReassignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please enter the new learner's user ID."))
        return _render_detail(request, item, status=400, reassign_form=form)
    seat = _seat_of(item, form.cleaned_data["seat"])
    learner = User.objects.filter(username=form.cleaned_data["user_id"].strip()).first()
    if learner is None:
        messages.error(
            request,
            _("No user has the user ID %(user_id)s.") % {"user_id": form.cleaned_data["user_id"]},
        )
        return redirect("inventory_staff:item_detail", pk=item.pk)
    try:
        services.seat_reassign(actor=request.user, seat=seat, learner=learner)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Seat %(seat)s now belongs to %(name)s; they have been emailed.")
            % {"seat": seat, "name": learner},
        )
    return redirect("inventory_staff:item_detail", pk=item.pk)


def _seats_cancel_service():
    """``kenshu.cancellation.services.seats_cancel`` (the cancellation app's)."""
    from kenshu.cancellation.services import seats_cancel

    return seats_cancel


@staff_post_required(VIEW_PERMISSION, REDUCE_PERMISSION)
@require_POST
def seats_reduce(request, pk: int):
    """Cancel N unassigned seats of the purchase (the most recently created first)."""
    item = _item_or_404(pk)
    form = ReduceSeatsForm(request.POST, unassigned=item.unassigned_count)
    if not form.is_valid():
        return _render_detail(request, item, status=400, reduce_form=form)
    count = form.cleaned_data["count"]
    seats = list(
        Seat.objects.filter(item=item, state=Seat.State.UNASSIGNED).order_by("-pk")[:count]
    )
    try:
        _seats_cancel_service()(
            actor=request.user,
            seats=seats,
            contact_date=form.cleaned_data["contact_date"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(count)s unassigned seats of %(number)s have been cancelled.")
            % {"count": len(seats), "number": item.number},
        )
    return redirect("inventory_staff:item_detail", pk=item.pk)


@staff_post_required(PROXY_PERMISSION)
@require_http_methods(["GET", "POST"])
def proxy_purchase(request):
    """Buy seats on a group applicant's behalf (the applicant gets the invoice)."""
    form = ProxyPurchaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        buyer = User.objects.filter(username=data["applicant"].strip()).first()
        session = course = None
        if data["session"]:
            session = Session.objects.select_related("course").filter(pk=data["session"]).first()
        else:
            course = Course.objects.filter(code=data["course"].strip()).first()
        if buyer is None:
            form.add_error("applicant", _("No user has this user ID."))
        elif data["session"] and session is None:
            form.add_error("session", _("No session has this ID."))
        elif data["course"] and course is None:
            form.add_error("course", _("No course has this code."))
        else:
            try:
                item = services.inventory_purchase(
                    actor=request.user,
                    buyer=buyer,
                    session=session,
                    course=course,
                    quantity=data["quantity"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Purchase %(number)s has been made for %(name)s; the invoice is emailed.")
                    % {"number": item.number, "name": buyer},
                )
                return redirect("inventory_staff:item_detail", pk=item.pk)
    return render(
        request,
        "backoffice/inventory/proxy_purchase.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
