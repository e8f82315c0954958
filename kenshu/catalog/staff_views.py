"""Staff manage the catalogue at /staff/catalogue/ (DOMAIN.md §11).

Viewing needs ``catalog.view_course`` (and ``catalog.view_session`` for the
sessions); creating and editing need the matching ``add_``/``change_``
permission (administrators hold them all; reception and accounting only view).
Views are thin: the forms check the format, ``services`` save and audit.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenshu.backoffice.access import staff_required
from kenshu.core.exceptions import DomainError

from . import selectors, services
from .forms import CourseForm, SessionForm, StaffCourseSearchForm
from .models import Course, Session

COURSES_PER_PAGE = 50

#: DomainError codes shown beside a field rather than above the form.
FIELD_OF_ERROR = {"capacity_below_seats_taken": "capacity", "course_has_sessions": "delivery"}


def _course_or_404(pk: int) -> Course:
    try:
        return selectors.course_for_staff(pk=pk)
    except Course.DoesNotExist as exc:
        raise Http404 from exc


def _session_or_404(pk: int) -> Session:
    try:
        return selectors.session_for_staff(pk=pk)
    except Session.DoesNotExist as exc:
        raise Http404 from exc


def _add_domain_error(form, exc: DomainError) -> None:
    field = FIELD_OF_ERROR.get(exc.code)
    form.add_error(field if field in form.fields else None, str(exc))


@staff_required("catalog.view_course")
@require_http_methods(["GET", "HEAD"])
def course_list(request):
    """/staff/catalogue/: every course, searchable by code or title, paginated."""
    form = StaffCourseSearchForm(request.GET or None)
    valid = form.is_valid()
    courses = selectors.courses_for_staff(
        q=form.cleaned_data.get("q", "") if valid else "",
        delivery=form.cleaned_data.get("delivery", "") if valid else "",
        published=form.published_flag if valid else None,
    )
    page = Paginator(courses, COURSES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "backoffice/catalog/course_list.html", {"form": form, "page": page})


@staff_required("catalog.add_course")
@require_http_methods(["GET", "POST"])
def course_create(request):
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_save(actor=request.user, course=form.instance)
        except DomainError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(
                request, _("The course %(code)s has been created.") % {"code": course.code}
            )
            return redirect("catalog_staff:course_detail", pk=course.pk)
    return render(request, "backoffice/catalog/course_form.html", {"form": form, "course": None})


@staff_required("catalog.view_course", "catalog.view_session")
@require_http_methods(["GET", "HEAD"])
def course_detail(request, pk: int):
    """A course's facts and all its sessions (latest first) with seats taken."""
    course = _course_or_404(pk)
    page = selectors.sessions_for_staff(course=course, page_number=request.GET.get("page"))
    return render(
        request,
        "backoffice/catalog/course_detail.html",
        {"course": course, "page": page, "fee_with_tax": selectors.fee_with_tax(course.fee)},
    )


@staff_required("catalog.view_course", "catalog.change_course")
@require_http_methods(["GET", "POST"])
def course_edit(request, pk: int):
    course = _course_or_404(pk)
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_save(actor=request.user, course=form.instance)
        except DomainError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(
                request, _("The course %(code)s has been saved.") % {"code": course.code}
            )
            return redirect("catalog_staff:course_detail", pk=course.pk)
    return render(
        request,
        "backoffice/catalog/course_form.html",
        {"form": form, "course": _course_or_404(pk)},
    )


@staff_required("catalog.view_course", "catalog.add_session")
@require_http_methods(["GET", "POST"])
def session_create(request, course_pk: int):
    course = _course_or_404(course_pk)
    if not course.has_sessions:
        messages.error(request, _("E-learning courses have no sessions."))
        return redirect("catalog_staff:course_detail", pk=course.pk)
    form = SessionForm(request.POST or None, instance=Session(course=course), course=course)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_save(actor=request.user, session=form.instance)
        except DomainError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(request, _("The session has been created."))
            return redirect("catalog_staff:course_detail", pk=course.pk)
    return render(
        request,
        "backoffice/catalog/session_form.html",
        {"form": form, "course": course, "session": None},
    )


@staff_required("catalog.view_session", "catalog.change_session")
@require_http_methods(["GET", "POST"])
def session_edit(request, pk: int):
    session = _session_or_404(pk)
    course = session.course
    form = SessionForm(request.POST or None, instance=session, course=course)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_save(actor=request.user, session=form.instance)
        except DomainError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(request, _("The session has been saved."))
            return redirect("catalog_staff:course_detail", pk=course.pk)
    return render(
        request,
        "backoffice/catalog/session_form.html",
        {"form": form, "course": course, "session": _session_or_404(pk)},
    )
