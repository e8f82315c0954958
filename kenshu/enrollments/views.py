"""Applying for oneself and My Account → enrolments (DOMAIN.md §4, §14): thin views.

- ``/apply/session/<id>/`` and ``/apply/course/<code>/``: GET shows the
  confirmation (price, dates, cancellation tiers, payment method) or why the
  user may not apply; POST applies and redirects to the completion page
  (post/redirect/get). A refusal goes back to the confirmation with its message.
- ``/apply/session/<id>/waiting-list/`` (POST): join the waiting list of a full
  session; ``…/waiting-list/withdraw/`` (POST): leave it.
- ``/apply/done/<order number>/``: the completion page (the buyer's only).
- ``/apply/session/<id>/calendar.ics``: the session as an iCalendar file.
- ``/account/enrollments/``: the user's enrolments, paginated, each with its "cancel"
  button or the reason there is none (``/account/enrollments/<id>/cancel/`` is
  ``kenshu.cancellation.views``).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kenshu.accounts import policy
from kenshu.accounts.policy import Action
from kenshu.billing.models import Order
from kenshu.billing.services import tax_breakdown
from kenshu.cancellation.checks import customer_cancel_refusal
from kenshu.catalog.models import Course, Session
from kenshu.core.exceptions import DomainError

from . import selectors, services
from .ics import session_ics

#: Enrolments per page of My Account → enrolments.
MY_ENROLLMENTS_PER_PAGE = 20


def _session_or_404(pk: int) -> Session:
    try:
        return selectors.session_for_apply(pk=pk)
    except Session.DoesNotExist as exc:
        raise Http404 from exc


def _refuse_post_unless_allowed(user) -> None:
    """A forged POST from a user who may not apply: 403 before anything is read."""
    if not policy.can(user, Action.APPLY_FOR_SELF):
        raise PermissionDenied(policy.refusal_reason(user, Action.APPLY_FOR_SELF))


@login_required
@require_http_methods(["GET", "POST"])
def apply_session(request, pk: int):
    """Apply for a classroom or live session (R-APPLY-1)."""
    if request.method == "POST":
        # The service locks the session and reads it (with its course) in one
        # statement: no read before it here. A session that does not exist or is not
        # open is refused with its message, and the confirmation page says 404.
        return _apply(request, session_id=pk)
    return _apply(request, session=_session_or_404(pk))


@login_required
@require_http_methods(["GET", "POST"])
def apply_course(request, code: str):
    """Apply for an e-learning course (R-APPLY-1, R-ELEARN-1)."""
    try:
        course = selectors.elearning_course_for_apply(code=code)
    except Course.DoesNotExist:
        # A classroom or live course is applied for by session: show its course page.
        if Course.objects.filter(code=code, is_published=True).exists():
            return redirect(f"/courses/{code}/")
        raise Http404 from None
    return _apply(request, course=course)


def _apply(
    request,
    *,
    session: Session | None = None,
    course: Course | None = None,
    session_id: int | None = None,
):
    user = request.user
    if request.method == "POST":
        _refuse_post_unless_allowed(user)
        try:
            enrollment = services.enrollment_apply(
                actor=user, session=session, course=course, session_id=session_id
            )
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect(request.path)
        return redirect("enrollments:apply_done", number=enrollment.order.number)
    preview = selectors.apply_preview(user=user, session=session, course=course)
    return render(request, "enrollments/apply_confirm.html", {"preview": preview})


@login_required
@require_POST
def waiting_list_join(request, pk: int):
    """Join the waiting list of a full session."""
    session = _session_or_404(pk)
    _refuse_post_unless_allowed(request.user)
    try:
        entry = services.waiting_list_join(actor=request.user, session=session)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "You are on the waiting list (No. %(rank)s). When a seat frees, we will "
                "email you and hold it for you for %(hours)s hours."
            )
            % {
                "rank": selectors.waiting_rank(entry),
                "hours": services.waiting_list.offer_hours(),
            },
        )
    return redirect("enrollments:apply_session", pk=session.pk)


@login_required
@require_POST
def waiting_list_withdraw(request, pk: int):
    """Leave the waiting list of a session (an offered seat goes to the next person)."""
    session = _session_or_404(pk)
    entry = selectors.waiting_entry_of(user=request.user, session=session)
    if entry is None:
        raise Http404
    try:
        services.waiting_list_withdraw(actor=request.user, entry=entry)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You have left the waiting list."))
    return redirect("enrollments:apply_session", pk=session.pk)


@login_required
@require_GET
def apply_done(request, number: str):
    """The completion page: application number, invoice, what happens next."""
    try:
        order = selectors.order_of_buyer(user=request.user, number=number)
    except Order.DoesNotExist as exc:
        raise Http404 from exc
    enrollments = list(order.enrollments.all())
    if not enrollments:
        raise Http404
    rates = tax_breakdown(order.lines.all())
    return render(
        request,
        "enrollments/apply_done.html",
        {
            "order": order,
            "enrollments": enrollments,
            "invoice": next(iter(order.invoices.all()), None),
            "tax_rate": rates[0].rate if len(rates) == 1 else None,
        },
    )


@login_required
@require_GET
def my_enrollments(request):
    """My Account → enrolments (R-ACCT-5): state, dates, e-learning access, invoice, and
    a "cancel" button where the user may cancel (R-CANCEL-1), or why not and whom to ask
    (``enrollment.cancel_refusal``; the applicant comes with the same query)."""
    user = request.user
    enrollments = selectors.enrollments_of(user=user).select_related("applicant__organisation")
    page = Paginator(enrollments, MY_ENROLLMENTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    now = timezone.now()
    for enrollment in page.object_list:
        enrollment.cancel_refusal = customer_cancel_refusal(
            user=user, enrollment=enrollment, now=now
        )
    return render(request, "enrollments/my_enrollments.html", {"page": page})


@require_GET
def session_calendar(request, pk: int):
    """The session as an .ics file (times in UTC), for the learner's calendar."""
    session = _session_or_404(pk)
    course = session.course
    site = settings.KENSHU_SITE_URL.rstrip("/")
    location = session.venue or session.online_url
    body = session_ics(
        uid=f"session-{session.pk}@{site.split('://', 1)[-1]}",
        summary=f"{course.code} {course.title}",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=location,
        description="\n".join(
            part for part in (settings.KENSHU_PROVIDER_NAME, session.online_url) if part
        ),
        url=f"{site}/courses/{course.code}/",
        stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    day = timezone.localtime(session.starts_at).date()
    response["Content-Disposition"] = f'attachment; filename="{course.code}-{day:%Y%m%d}.ics"'
    return response
