"""The staff pages of requests, mounted at /staff/requests/ (DOMAIN.md §11 "request
queues with the contact date"; R-CANCEL-2, R-CANCEL-3, R-APPLY-5).

- ``request_queue``: every kind the role may see, filtered by kind and state, open
  first by contact date, with their age.
- ``cancellation_request_new``: staff enter a request received by email or phone.
- ``*_request_detail``: one request; process it or reject it with a reason, each
  after a confirmation step. A refusal from the service leaves the request open.

Every view is guarded by ``staff_required`` with the kind's view permission; the
POST actions also need the kind's decide (or add) permission (kenshu/accounts/roles.py).
"""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenshu.accounts.models import User
from kenshu.backoffice.access import require_perms, staff_required
from kenshu.core.exceptions import DomainError
from kenshu.core.time import tokyo_date
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.models import InventoryItem, Seat

from . import selectors, services
from .forms import (
    CustomerSearchForm,
    DateChangeProcessForm,
    ProcessForm,
    RejectForm,
    RequestQueueFilterForm,
    StaffCancellationEntryForm,
)
from .models import (
    CancellationRequest,
    DateChangeRequest,
    LearnerChangeRequest,
    RequestKind,
    RequestState,
)
from .services.cancellation import seats_to_cancel
from .services.common import DECIDE_PERMISSION

REQUESTS_PER_PAGE = 50
CUSTOMERS_SHOWN = 20


@staff_required()
@require_http_methods(["GET"])
def request_queue(request):
    """/staff/requests/: the queue of every kind the role may see (tabs per kind,
    filter by state), open first by contact date with the days waited."""
    kinds = selectors.visible_kinds(request.user)
    if not kinds:
        raise PermissionDenied
    form = RequestQueueFilterForm(request.GET or None, kinds=kinds)
    kind = state = ""
    if form.is_valid():
        kind, state = form.cleaned_data["kind"], form.cleaned_data["state"]
    selected = [RequestKind(kind)] if kind else kinds
    page = Paginator(
        selectors.request_queue(kinds=selected, state=state), REQUESTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "requests/staff/request_queue.html",
        {
            "form": form,
            "page": page,
            "kind": kind,
            "state": state,
            "tabs": [
                (k.value, k.label, count)
                for k, count in zip(
                    kinds, selectors.open_request_counts(kinds).values(), strict=True
                )
            ],
        },
    )


# --- one request: process or reject ----------------------------------------------------------


def _decided_meanwhile(item) -> bool:
    return not type(item).objects.filter(pk=item.pk, state=RequestState.OPEN).exists()


def _run_confirmed(request, *, item, form, step: str, context: dict, run, done: str):
    """A valid process / reject ``form``: without ``confirmed`` it shows the
    confirmation ``step``; with it, ``run()`` (one service call). Success is a message
    and a redirect; a refusal a form error, or — when the request was decided
    meanwhile — a message and a redirect. Returns the redirect or ``None``."""
    if not form.cleaned_data["confirmed"]:
        context["confirming"] = step
        return None
    try:
        run()
    except DomainError as exc:
        if _decided_meanwhile(item):
            messages.error(request, str(exc))
            return redirect(request.path)
        form.add_error(None, str(exc))
        return None
    messages.success(request, done)
    return redirect(request.path)


def _decide(request, *, item, kind: RequestKind, process, make_process_form):
    """Handle the process / reject POST of a request page.

    Returns ``(response, context)``: a redirect when done, else the forms (with their
    errors, or the confirmation step) for the page."""
    staff = request.user
    may_decide = staff.has_perm(DECIDE_PERMISSION[kind])
    context = {"may_decide": may_decide, "confirming": ""}
    process_form = reject_form = None
    if request.method == "POST":
        require_perms(staff, DECIDE_PERMISSION[kind])
        if not item.is_open:  # decided meanwhile (another tab, a colleague)
            messages.error(request, _("This request has already been decided."))
            return redirect(request.path), context
        response = None
        if request.POST.get("action") == "reject":
            reject_form = RejectForm(request.POST)
            if reject_form.is_valid():
                response = _run_confirmed(
                    request,
                    item=item,
                    form=reject_form,
                    step="reject",
                    context=context,
                    run=lambda: services.request_reject(
                        actor=staff, request=item, reason=reject_form.cleaned_data["reason"]
                    ),
                    done=_("Request No. %(id)s rejected. The reason has been emailed.")
                    % {"id": item.pk},
                )
        else:
            process_form = make_process_form(request.POST)
            if process_form.is_valid():
                response = _run_confirmed(
                    request,
                    item=item,
                    form=process_form,
                    step="process",
                    context=context,
                    run=lambda: process(process_form),
                    done=_(
                        "Request No. %(id)s processed. The customer has been emailed the result."
                    )
                    % {"id": item.pk},
                )
        if response is not None:
            return response, context
    if item.is_open and may_decide:
        context["process_form"] = process_form or make_process_form(None)
        context["reject_form"] = reject_form or RejectForm()
    return None, context


def _request_page(
    request,
    *,
    item,
    kind: RequestKind,
    template: str,
    process,
    make_process_form=ProcessForm,
    extra=dict,
):
    """One request's staff page: the process / reject POST (``_decide``), else the page
    with ``item`` and ``extra()`` (computed only when the page is shown)."""
    response, context = _decide(
        request, item=item, kind=kind, process=process, make_process_form=make_process_form
    )
    if response is not None:
        return response
    context.update({"item": item, **extra()})
    return render(request, template, context)


@staff_required("requests.view_cancellationrequest")
@require_http_methods(["GET", "POST"])
def cancellation_request_detail(request, pk: int):
    """/staff/requests/cancellation/<pk>/: the request as sent, the quote **as of the
    contact date** (R-CANCEL-3), and — with ``requests.decide_cancellationrequest`` —
    process (cancel and refund) or reject."""
    try:
        item = selectors.cancellation_request_for_staff(pk=pk)
    except CancellationRequest.DoesNotExist as exc:
        raise Http404 from exc
    return _request_page(
        request,
        item=item,
        kind=RequestKind.CANCELLATION,
        template="requests/staff/cancellation_request_detail.html",
        process=lambda form: services.cancellation_request_process(
            actor=request.user, request=item, note=form.cleaned_data["note"]
        ),
        extra=lambda: {
            "seats": seats_to_cancel(item) if item.is_open and item.item_id else [],
            "quote": services.cancellation_request_quote(request=item) if item.is_open else None,
        },
    )


@staff_required("requests.view_learnerchangerequest")
@require_http_methods(["GET", "POST"])
def learner_change_request_detail(request, pk: int):
    """/staff/requests/learner-change/<pk>/: process = the seat goes to the new learner
    (a new colleague's account is created and invited); or reject."""
    try:
        item = selectors.learner_change_request_for_staff(pk=pk)
    except LearnerChangeRequest.DoesNotExist as exc:
        raise Http404 from exc
    return _request_page(
        request,
        item=item,
        kind=RequestKind.LEARNER_CHANGE,
        template="requests/staff/learner_change_request_detail.html",
        process=lambda form: services.learner_change_request_process(
            actor=request.user, request=item, note=form.cleaned_data["note"]
        ),
    )


@staff_required("requests.view_datechangerequest")
@require_http_methods(["GET", "POST"])
def date_change_request_detail(request, pk: int):
    """/staff/requests/date-change/<pk>/: process = move the enrolment to a session of
    the same course (the one asked for by default) when a seat allows; or reject."""
    try:
        item = selectors.date_change_request_for_staff(pk=pk)
    except DateChangeRequest.DoesNotExist as exc:
        raise Http404 from exc
    choices = selectors.other_sessions_for(item.enrollment) if item.is_open else []

    def make_form(data):
        initial = {"session": item.target_session_id} if item.target_session_id else {}
        return DateChangeProcessForm(data, choices=choices, initial=initial)

    return _request_page(
        request,
        item=item,
        kind=RequestKind.DATE_CHANGE,
        template="requests/staff/date_change_request_detail.html",
        process=lambda form: services.date_change_request_process(
            actor=request.user,
            request=item,
            session=form.chosen_session,
            note=form.cleaned_data["note"],
        ),
        make_process_form=make_form,
        extra=lambda: {"choices": choices},
    )


# --- staff enter a cancellation request (email, phone) ---------------------------------------


def _customers_matching(query: str):
    query = query.strip()
    if not query:
        return []
    people = User.objects.filter(is_staff=False).select_related("organisation")
    exact = list(
        people.filter(Q(username__iexact=query) | Q(email__iexact=query))[:CUSTOMERS_SHOWN]
    )
    if exact:
        return exact
    return list(
        people.filter(
            Q(last_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name_kana__icontains=query)
            | Q(organisation__name__icontains=query)
        ).order_by("last_name_kana", "pk")[:CUSTOMERS_SHOWN]
    )


def _targets_of(customer) -> list[tuple[str, str]]:
    """What the customer could ask to cancel: its live seats (one by one), its
    purchases (every live seat) and the live enrolments it applied for itself."""
    targets = []
    items = (
        InventoryItem.objects.filter(applicant=customer, seats__state__in=Seat.LIVE_STATES)
        .distinct()
        .select_related("course", "session")
        .order_by("-purchased_at", "-pk")
    )
    seats_by_item = {}
    for seat in (
        Seat.objects.filter(item__applicant=customer, state__in=Seat.LIVE_STATES)
        .select_related("learner")
        .order_by("pk")
    ):
        seats_by_item.setdefault(seat.item_id, []).append(seat)
    for item in items:
        when = selectors.session_date_text(item.session)
        seats = seats_by_item.get(item.pk, [])
        targets.append(
            (
                f"item:{item.pk}",
                _("Purchase %(number)s: %(code)s %(title)s, %(date)s — every live seat (%(n)s)")
                % {
                    "number": item.number,
                    "code": item.course.code,
                    "title": item.course.title,
                    "date": when,
                    "n": len(seats),
                },
            )
        )
        for seat in seats:
            holder = (
                seat.learner.full_name or seat.learner.username
                if seat.learner_id
                else _("unassigned")
            )
            targets.append(
                (
                    f"seat:{seat.pk}",
                    _("Seat %(seat)s of %(number)s (%(code)s, %(date)s): %(holder)s")
                    % {
                        "seat": seat.pk,
                        "number": item.number,
                        "code": item.course.code,
                        "date": when,
                        "holder": holder,
                    },
                )
            )
    for enrollment in (
        Enrollment.objects.filter(
            learner=customer,
            applicant=customer,
            source=Enrollment.Source.SELF,
            state__in=Enrollment.LIVE_STATES,
        )
        .select_related("course", "session")
        .order_by("-applied_at", "-pk")
    ):
        targets.append(
            (
                f"enrollment:{enrollment.pk}",
                _("Enrolment %(number)s: %(code)s %(title)s, %(date)s")
                % {
                    "number": enrollment.number,
                    "code": enrollment.course.code,
                    "title": enrollment.course.title,
                    "date": selectors.session_date_text(
                        enrollment.session, access_starts_on=enrollment.access_starts_on
                    ),
                },
            )
        )
    return targets


def _target_kwargs(value: str) -> dict:
    kind, _sep, pk = value.partition(":")
    model = {"item": InventoryItem, "seat": Seat, "enrollment": Enrollment}[kind]
    return {kind: model(pk=int(pk))}


@staff_required("requests.add_cancellationrequest")
@require_http_methods(["GET", "POST"])
def cancellation_request_new(request):
    """/staff/requests/cancellation/new/: enter a cancellation request received by email
    or phone (R-CANCEL-2): find the customer (user ID, email or name), choose its seat,
    purchase or enrolment, and give the day the request came in (never in the future)."""
    search = CustomerSearchForm(request.GET or None)
    customer = None
    if request.GET.get("customer"):
        try:
            customer = User.objects.select_related("organisation").get(
                pk=int(request.GET["customer"]), is_staff=False
            )
        except (ValueError, User.DoesNotExist) as exc:
            raise Http404 from exc
    elif request.method == "POST":
        raise Http404
    context = {"search": search, "customer": customer}
    if customer is None:
        query = search.cleaned_data["q"] if search.is_valid() else ""
        context["customers"] = _customers_matching(query)
        context["query"] = query
        return render(request, "requests/staff/cancellation_request_new.html", context)

    targets = _targets_of(customer)
    if request.method == "POST":
        form = StaffCancellationEntryForm(request.POST, targets=targets)
        if form.is_valid():
            try:
                created = services.cancellation_request_create(
                    actor=request.user,
                    requester=customer,
                    contact_date=form.cleaned_data["contact_date"],
                    message=form.cleaned_data["message"],
                    **_target_kwargs(form.cleaned_data["target"]),
                    **{k: v for k, v in form.texts().items() if v is not None},
                )
            except ObjectDoesNotExist:
                form.add_error("target", _("This is no longer the customer's to cancel."))
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Cancellation request No. %(id)s entered. The customer and the "
                        "staff queue have been emailed."
                    )
                    % {"id": created.pk},
                )
                return redirect(
                    reverse("requests_staff:cancellation_request_detail", args=[created.pk])
                )
    else:
        form = StaffCancellationEntryForm(targets=targets, initial={"contact_date": tokyo_date()})
    context.update({"form": form, "targets": targets})
    return render(request, "requests/staff/cancellation_request_new.html", context)
