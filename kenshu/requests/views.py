"""The customer's request pages (R-TYPE-4, R-CANCEL-2, R-APPLY-5, R-ACCT-5): thin
views over the services.

Every request form first asks whether the user's type may ask at all (learners are
told whom to ask, and a POST from them is refused with 403); then it fetches the
seat, purchase or enrolment scoped to the user (another user's id is a 404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenshu.accounts import policy
from kenshu.accounts.policy import Action
from kenshu.cancellation.services import cancellation_preview
from kenshu.core import time as ktime
from kenshu.core.exceptions import DomainError
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.models import InventoryItem, Seat

from . import selectors, services
from .forms import (
    CancellationRequestForm,
    DateChangeRequestForm,
    LearnerChangeRequestForm,
    TypeChangeRequestForm,
)
from .models import CancellationRequest, DateChangeRequest, LearnerChangeRequest, RequestState
from .services.cancellation import resolve_target

#: Requests per page of "My requests".
MY_REQUESTS_PER_PAGE = 20


def _received(request, created) -> None:
    messages.success(
        request,
        _(
            "We have received your request (No. %(id)s) and sent you a "
            "confirmation email. Our staff will contact you."
        )
        % {"id": created.pk},
    )


def _pk(value: str) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    if pk < 1:
        raise Http404
    return pk


def _choose(request, template: str):
    """No seat, purchase or enrolment given: the page says where to choose one (a POST
    without one is a 404)."""
    if request.method == "POST":
        raise Http404
    return render(request, template, {"choose": True})


def _problem(request, template: str, context: dict, problem: str):
    """Nothing can be asked about the target: say why (a POST is a 404)."""
    if request.method == "POST":
        raise Http404
    return render(request, template, {**context, "problem": problem})


def _already_open(request, template: str, context: dict):
    """An open request exists already: show it (a POST goes back to My requests)."""
    if request.method == "POST":
        messages.info(request, _("This request has been sent already."))
        return redirect("requests:my_requests")
    return render(request, template, context)


def _submit(request, form, create):
    """A bound ``form``: when valid, ``create(cleaned_data)`` (one service call); a
    refusal becomes a form error (``None`` returned: render the form again), success
    a message and the redirect to My requests (PRG)."""
    if not form.is_valid():
        return None
    try:
        created = create(form.cleaned_data)
    except DomainError as exc:
        form.add_error(None, str(exc))
        return None
    _received(request, created)
    return redirect("requests:my_requests")


def _refuse(request, template: str, action: Action, context=None):
    """The user's type may not ask: say why and whom to ask; a POST is a 403."""
    reason = policy.refusal_reason(request.user, action)
    if request.method == "POST":
        raise PermissionDenied(reason)
    return render(request, template, {"refusal": reason, **(context or {})})


@login_required
@require_http_methods(["GET", "POST"])
def type_change_request(request):
    """種別変更依頼 (R-TYPE-4): a corporate user asks to become a group applicant.

    Users whose type may not ask see why, and no form; a POST from them is
    refused (403) before anything is read from it.
    """
    user = request.user
    if not policy.can(user, Action.REQUEST_TYPE_CHANGE):
        return _refuse(request, "requests/type_change_request.html", Action.REQUEST_TYPE_CHANGE)

    initial = TypeChangeRequestForm.initial_for(user)
    if request.method == "POST":
        form = TypeChangeRequestForm(request.POST, initial=initial)
        done = _submit(
            request,
            form,
            lambda data: services.type_change_request_create(
                actor=user,
                company_name=data["company_name"],
                full_name=data["full_name"],
                message=data["message"],
            ),
        )
        if done:
            return done
        open_request = None
    else:
        open_request = selectors.open_type_change_request_of(user=user)
        form = None if open_request else TypeChangeRequestForm(initial=initial)
    return render(
        request,
        "requests/type_change_request.html",
        {"form": form, "open_request": open_request},
    )


# --- 申し込みキャンセル依頼 (R-CANCEL-2) -------------------------------------------------------


def _may_ask_about_enrollments(user) -> bool:
    return policy.can(user, Action.REQUEST_INVENTORY_CHANGE) or policy.can(
        user, Action.CANCEL_OWN_ENROLLMENT
    )


def _preview(*, seat=None, item=None, enrollment=None, contact_date):
    """The fee if the request is processed, computed for ``contact_date`` (R-CANCEL-5)."""
    if enrollment is not None:
        return cancellation_preview(enrollment=enrollment, contact_date=contact_date)
    seats = [seat] if seat is not None else selectors.live_seats_of(item)
    return cancellation_preview(seats=seats, contact_date=contact_date)


@login_required
@require_http_methods(["GET", "POST"])
def cancellation_request(request):
    """/requests/cancellation/?seat=<id> | ?item=<id> (a whole purchase) | ?enrollment=<id>.

    A group applicant asks staff to cancel seats of its own inventory (it cannot cancel
    them itself, R-CANCEL-1); anyone who applied for itself may also ask about its own
    enrolment (it could cancel that on the web at once). The contact date is today.
    """
    template = "requests/cancellation_request.html"
    user = request.user
    given = {
        name: request.GET[name] for name in ("seat", "item", "enrollment") if name in request.GET
    }
    if len(given) > 1:
        raise Http404
    if not _may_ask_about_enrollments(user) or (
        given
        and "enrollment" not in given
        and not policy.can(user, Action.REQUEST_INVENTORY_CHANGE)
    ):
        return _refuse(request, template, Action.REQUEST_INVENTORY_CHANGE)
    if not given:
        return _choose(request, template)

    ((name, raw),) = given.items()
    pk = _pk(raw)
    try:
        if name == "seat":
            item, seat, enrollment = resolve_target(requester=user, seat=Seat(pk=pk))
        elif name == "item":
            item, seat, enrollment = resolve_target(requester=user, item=InventoryItem(pk=pk))
        else:
            item, seat, enrollment = resolve_target(requester=user, enrollment=Enrollment(pk=pk))
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    except DomainError as exc:  # nothing left to cancel
        return _problem(request, template, {}, str(exc))
    if item is not None and not policy.can(user, Action.REQUEST_INVENTORY_CHANGE):
        return _refuse(request, template, Action.REQUEST_INVENTORY_CHANGE)

    open_request = _open_cancellation_request(item=item, seat=seat, enrollment=enrollment)
    context = {
        "item": item,
        "seat": seat,
        "enrollment": enrollment,
        "whole_purchase": item is not None and seat is None,
        "seats": selectors.live_seats_of(item) if item is not None and seat is None else [seat],
        "contact_date": ktime.tokyo_date(),
        "open_request": open_request,
    }
    if open_request is not None:
        return _already_open(request, template, context)

    if request.method == "POST":
        form = CancellationRequestForm(request.POST)
        done = _submit(
            request,
            form,
            lambda data: services.cancellation_request_create(
                actor=user,
                item=item if seat is None else None,
                seat=seat,
                enrollment=enrollment,
                message=data["message"],
                **form.texts(),
            ),
        )
        if done:
            return done
    else:
        form = CancellationRequestForm(
            initial=selectors.cancellation_prefill(seat=seat, item=item, enrollment=enrollment)
        )
    context["form"] = form
    context["preview"] = _preview(
        seat=seat,
        item=item if seat is None else None,
        enrollment=enrollment,
        contact_date=context["contact_date"],
    )
    return render(request, template, context)


def _open_cancellation_request(*, item, seat, enrollment):
    requests = CancellationRequest.objects.filter(state=RequestState.OPEN)
    if seat is not None:
        return (
            requests.filter(seat=seat).first()
            or requests.filter(item=item, seat__isnull=True).first()
        )
    if item is not None:
        return requests.filter(item=item).order_by("pk").first()
    return requests.filter(enrollment=enrollment).first()


# --- 受講者変更 (R-APPLY-5) ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def learner_change_request(request):
    """/requests/learner-change/?seat=<id>: a group applicant asks staff to give an
    assigned seat of its own inventory to another learner of its group, or to a new
    colleague."""
    template = "requests/learner_change_request.html"
    user = request.user
    if not policy.can(user, Action.REQUEST_INVENTORY_CHANGE):
        return _refuse(request, template, Action.REQUEST_INVENTORY_CHANGE)
    if "seat" not in request.GET:
        return _choose(request, template)
    try:
        seat = selectors.own_seat(user=user, pk=_pk(request.GET["seat"]))
    except Seat.DoesNotExist as exc:
        raise Http404 from exc
    context = {"seat": seat, "item": seat.item}
    if seat.state != Seat.State.ASSIGNED:
        return _problem(
            request,
            template,
            context,
            _("This seat is not assigned to anyone: you can assign it yourself in My inventory."),
        )
    open_request = LearnerChangeRequest.objects.filter(seat=seat, state=RequestState.OPEN).first()
    if open_request is not None:
        return _already_open(request, template, {**context, "open_request": open_request})

    colleagues = selectors.colleagues_of(user).exclude(pk=seat.learner_id)
    if request.method == "POST":
        form = LearnerChangeRequestForm(request.POST, colleagues=colleagues)
        done = _submit(
            request,
            form,
            lambda data: services.learner_change_request_create(
                actor=user, seat=seat, message=data["message"], **form.service_kwargs()
            ),
        )
        if done:
            return done
    else:
        form = LearnerChangeRequestForm(colleagues=colleagues)
    return render(request, template, {**context, "form": form})


# --- 日程変更 (R-APPLY-5) -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def date_change_request(request):
    """/requests/date-change/?enrollment=<id>: move an enrolment to another session of
    the same course — a group applicant for the enrolments of its seats, anyone who
    applied for itself for its own."""
    template = "requests/date_change_request.html"
    user = request.user
    if not _may_ask_about_enrollments(user):
        return _refuse(request, template, Action.REQUEST_INVENTORY_CHANGE)
    if "enrollment" not in request.GET:
        return _choose(request, template)
    try:
        enrollment = selectors.own_enrollment(user=user, pk=_pk(request.GET["enrollment"]))
    except Enrollment.DoesNotExist as exc:
        raise Http404 from exc
    needed = (
        Action.REQUEST_INVENTORY_CHANGE
        if enrollment.source == Enrollment.Source.INVENTORY
        else Action.CANCEL_OWN_ENROLLMENT
    )
    if not policy.can(user, needed):
        return _refuse(request, template, needed)
    context = {"enrollment": enrollment}
    if enrollment.session_id is None:
        return _problem(
            request, template, context, _("An e-learning enrolment has no date to change.")
        )
    open_request = DateChangeRequest.objects.filter(
        enrollment=enrollment, state=RequestState.OPEN
    ).first()
    if open_request is not None:
        return _already_open(request, template, {**context, "open_request": open_request})

    choices = selectors.other_sessions_for(enrollment)
    if request.method == "POST":
        form = DateChangeRequestForm(request.POST, choices=choices)
        done = _submit(
            request,
            form,
            lambda data: services.date_change_request_create(
                actor=user,
                enrollment=enrollment,
                target_session=form.chosen_session,
                preferred_dates=data["preferred_dates"],
                message=data["message"],
            ),
        )
        if done:
            return done
    else:
        form = DateChangeRequestForm(choices=choices)
    return render(request, template, {**context, "form": form, "choices": choices})


# --- My requests (R-ACCT-5) ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def my_requests(request):
    """My Account → requests (R-ACCT-5): the user's own requests of every kind, with
    their states, contact dates and decisions."""
    page = Paginator(selectors.requests_of(user=request.user), MY_REQUESTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "requests/my_requests.html",
        {
            "page": page,
            "can_request_type_change": policy.can(request.user, Action.REQUEST_TYPE_CHANGE),
        },
    )
