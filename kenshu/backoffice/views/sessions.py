"""Sessions in the staff area (DOMAIN.md §11): the list with fill rates, a session's
roster with attendance, roster exports, and the decisions to hold (開催決定) or
cancel (中止) a session, each confirmed first.

Seeing sessions and rosters needs ``catalog.view_session`` and
``enrollments.view_enrollment`` (every role); marking attendance
``enrollments.change_enrollment`` (reception, administrator); deciding
``catalog.change_session`` (administrator).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenshu.backoffice import exports
from kenshu.backoffice.access import staff_required
from kenshu.backoffice.forms import (
    AttendanceForm,
    ExportForm,
    SessionCancelForm,
    SessionConfirmForm,
    SessionFilterForm,
)
from kenshu.backoffice.rosters import roster_header, roster_rows
from kenshu.backoffice.selectors import sessions as selectors
from kenshu.catalog import services as catalog_services
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import DomainError
from kenshu.core.time import tokyo_date
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.services import attendance

from .messages import attendance_error, session_decision_error

SESSIONS_PER_PAGE = 50
ROSTER_PER_PAGE = 200
VIEW_PERMS = ("catalog.view_session", "enrollments.view_enrollment")
DECIDE_PERM = catalog_services.DECIDE_PERMISSION
CANCEL_PERM = "catalog.change_session"


def _session_or_404(pk: int) -> Session:
    try:
        return selectors.session_for_staff(pk=pk)
    except Session.DoesNotExist as exc:
        raise Http404 from exc


def _filter_form(request) -> SessionFilterForm:
    """The list's filters; with none given, sessions from today (Asia/Tokyo) on."""
    fields = SessionFilterForm.base_fields
    if any(name in request.GET for name in fields):
        return SessionFilterForm(request.GET)
    return SessionFilterForm({"date_from": tokyo_date().isoformat()})


def _filters(form: SessionFilterForm) -> selectors.SessionFilters:
    if not form.is_valid():
        return selectors.SessionFilters(date_from=tokyo_date())
    data = form.cleaned_data
    return selectors.SessionFilters(
        q=data["q"],
        delivery=data["delivery"],
        venue=data["venue"],
        state=data["state"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )


@staff_required(*VIEW_PERMS)
@require_http_methods(["GET", "HEAD"])
def session_list(request):
    """/staff/sessions/: sessions by date with their fill; filters; the range export."""
    form = _filter_form(request)
    page = Paginator(selectors.sessions_search(_filters(form)), SESSIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/sessions/session_list.html",
        {"form": form, "page": page},
    )


def _roster_context(request, session: Session, *, attendance_form=None) -> dict:
    include_cancelled = request.GET.get("cancelled") == "1"
    roster = selectors.roster_enrollments(
        session_ids=[session.pk], include_cancelled=include_cancelled
    )
    page = Paginator(roster, ROSTER_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.mark_payment_states(page.object_list)
    started = session.starts_at <= ktime.now()
    return {
        "session": session,
        "page": page,
        "include_cancelled": include_cancelled,
        "cancelled_count": selectors.cancelled_count(session=session),
        "purchases": selectors.unassigned_purchases(session=session),
        "fill": selectors.fill_percent(session.taken, session.capacity),
        "started": started,
        "may_mark": started and request.user.has_perm(attendance.PERMISSION),
        "may_decide": request.user.has_perm(DECIDE_PERM),
        "attendance_form": attendance_form,
    }


@staff_required(*VIEW_PERMS)
@require_http_methods(["GET", "HEAD"])
def session_detail(request, pk: int):
    """/staff/sessions/<id>/: the session, its fill and its roster (learner, organisation,
    applicant, source, state, payment), unassigned inventory seats, the actions."""
    session = _session_or_404(pk)
    return render(
        request, "backoffice/sessions/session_detail.html", _roster_context(request, session)
    )


@staff_required(*VIEW_PERMS, attendance.PERMISSION)
@require_http_methods(["POST"])
def session_attendance(request, pk: int):
    """Mark the ticked learners of a roster attended, absent or completed (one
    transaction: all or none), then back to the roster."""
    session = _session_or_404(pk)
    ids = list(
        Enrollment.objects.filter(session=session)
        .exclude(state=Enrollment.State.CANCELLED)
        .values_list("pk", flat=True)
    )
    form = AttendanceForm(request.POST, enrollment_ids=ids)
    if form.is_valid():
        chosen = selectors.enrollments_by_pk(pks=form.cleaned_data["enrollment"], session=session)
        try:
            changed = attendance.enrollments_attendance_mark(
                actor=request.user, enrollments=chosen, state=form.cleaned_data["state"]
            )
        except DomainError as exc:
            messages.error(request, attendance_error(exc))
        else:
            label = dict(form.fields["state"].choices)[form.cleaned_data["state"]]
            messages.success(
                request,
                _("%(count)s learner(s) marked “%(state)s”.")
                % {"count": len(changed), "state": label},
            )
        return redirect("backoffice:session_detail", pk=session.pk)
    context = _roster_context(request, session, attendance_form=form)
    return render(request, "backoffice/sessions/session_detail.html", context, status=200)


# --- exports ------------------------------------------------------------------------------


def _file_response(request, *, header, rows, name: str) -> HttpResponse:
    form = ExportForm(request.GET)
    form.is_valid()
    fmt = form.cleaned_data.get("format") or ExportForm.CSV
    if fmt == ExportForm.XLSX:
        content = exports.xlsx_bytes(header, rows, title=_("Roster"))
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"{name}.xlsx"
    else:
        encoding = form.cleaned_data.get("encoding") or exports.UTF8_BOM
        content = exports.csv_bytes(header, rows, encoding=encoding)
        charset = "shift_jis" if encoding == exports.CP932 else "utf-8"
        response = HttpResponse(content, content_type=f"text/csv; charset={charset}")
        filename = f"{name}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _safe(text: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in text)


@staff_required(*VIEW_PERMS)
@require_http_methods(["GET"])
def session_export(request, pk: int):
    """/staff/sessions/<id>/export/?format=csv|xlsx&encoding=utf-8-sig|cp932: the roster."""
    session = _session_or_404(pk)
    enrollments = selectors.roster_enrollments(session_ids=[session.pk])
    day = tokyo_date(session.starts_at)
    return _file_response(
        request,
        header=roster_header(),
        rows=roster_rows(enrollments.iterator(), today=tokyo_date()),
        name=f"roster-{_safe(session.course.code)}-{day:%Y%m%d}-{session.pk}",
    )


@staff_required(*VIEW_PERMS)
@require_http_methods(["GET"])
def session_range_export(request):
    """/staff/sessions/export/?<the list's filters>&format=…: the rosters of every
    session the list shows (all pages), in one file."""
    form = _filter_form(request)
    filters = _filters(form)
    sessions = selectors.sessions_search(filters).values("pk")
    enrollments = selectors.roster_enrollments(session_ids=sessions)
    start = f"{filters.date_from:%Y%m%d}" if filters.date_from else "all"
    end = f"{filters.date_to:%Y%m%d}" if filters.date_to else "all"
    return _file_response(
        request,
        header=roster_header(),
        rows=roster_rows(enrollments.iterator(), today=tokyo_date()),
        name=f"rosters-{start}-{end}",
    )


# --- decisions ----------------------------------------------------------------------------


@staff_required(*VIEW_PERMS, DECIDE_PERM)
@require_http_methods(["GET", "POST"])
def session_confirm(request, pk: int):
    """/staff/sessions/<id>/confirm/: 開催決定. Shows who will be emailed; a POST
    shows the confirmation, a confirmed POST decides (then back to the session)."""
    session = _session_or_404(pk)
    confirming = False
    if request.method == "POST":
        form = SessionConfirmForm(request.POST)
        if form.is_valid():
            if not form.cleaned_data["confirmed"]:
                confirming = True
            else:
                try:
                    catalog_services.session_confirm(
                        actor=request.user, session=session, reason=form.cleaned_data["reason"]
                    )
                except DomainError as exc:
                    messages.error(request, session_decision_error(exc))
                else:
                    messages.success(
                        request,
                        _(
                            "The session will be held (開催決定). Its learners and "
                            "applicants have been emailed."
                        ),
                    )
                return redirect("backoffice:session_detail", pk=session.pk)
    else:
        form = SessionConfirmForm()
    return render(
        request,
        "backoffice/sessions/session_confirm.html",
        {
            "session": session,
            "form": form,
            "confirming": confirming,
            "recipients": catalog_services.session_recipients(session),
            "open": session.state == Session.State.OPEN,
        },
    )


def _cancellation_services():
    """The provider's cancellation (R-CANCEL-6), or None while it is not installed."""
    try:
        from kenshu.cancellation import services
    except ImportError:
        return None
    if not hasattr(services, "session_cancel"):
        return None
    return services


@staff_required(*VIEW_PERMS, CANCEL_PERM)
@require_http_methods(["GET", "POST"])
def session_cancel(request, pk: int):
    """/staff/sessions/<id>/cancel/: 中止 with full refunds (R-CANCEL-6). Shows who will
    be emailed and refunded; the reason is required; a confirmed POST cancels."""
    session = _session_or_404(pk)
    services = _cancellation_services()
    if services is None:
        messages.error(request, _("Cancelling a session is not available yet."))
        return redirect("backoffice:session_detail", pk=session.pk)
    confirming = False
    if request.method == "POST":
        form = SessionCancelForm(request.POST)
        if form.is_valid():
            if not form.cleaned_data["confirmed"]:
                confirming = True
            else:
                try:
                    services.session_cancel(
                        actor=request.user, session=session, reason=form.cleaned_data["reason"]
                    )
                except DomainError as exc:
                    messages.error(request, session_decision_error(exc))
                else:
                    messages.success(
                        request,
                        _(
                            "The session has been cancelled (中止). Everyone is refunded in "
                            "full and has been emailed."
                        ),
                    )
                return redirect("backoffice:session_detail", pk=session.pk)
    else:
        form = SessionCancelForm()
    preview = services.session_cancel_preview(session=session)
    return render(
        request,
        "backoffice/sessions/session_cancel.html",
        {
            "session": session,
            "form": form,
            "confirming": confirming,
            "preview": preview,
            "cancellable": session.state in (Session.State.OPEN, Session.State.CONFIRMED),
        },
    )
