"""E-learning completion recorded by staff (DOMAIN.md §11, §13): the enrolments of an
e-learning course, searchable, with a "completed" action on the ticked ones."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenshu.backoffice.access import require_perms, staff_required
from kenshu.backoffice.forms import AttendanceForm, ElearningFilterForm
from kenshu.backoffice.selectors import sessions as selectors
from kenshu.core.exceptions import DomainError
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.services import attendance

from .messages import attendance_error

ENROLLMENTS_PER_PAGE = 100


@staff_required("catalog.view_course", "enrollments.view_enrollment")
@require_http_methods(["GET", "POST"])
def elearning_completion(request):
    """/staff/elearning/?course=<id>: the course's enrolments (not cancelled) by access
    start; with ``enrollments.change_enrollment``, mark the ticked ones completed."""
    courses = selectors.elearning_courses()
    form = ElearningFilterForm(request.GET or None, courses=courses)
    filters = form.cleaned_data if form.is_valid() else {}
    course = filters.get("course")

    if request.method == "POST":
        require_perms(request.user, attendance.PERMISSION)
        if course is None:
            messages.error(request, _("Please choose a course first."))
        else:
            _complete(request, course)
        query = urlencode({k: v for k, v in request.GET.items() if v})
        return HttpResponseRedirect(f"{reverse('backoffice:elearning_completion')}?{query}")

    page = None
    if course is not None:
        enrollments = selectors.elearning_enrollments(
            course=course, q=filters.get("q", ""), state=filters.get("state", "")
        )
        page = Paginator(enrollments, ENROLLMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/elearning_completion.html",
        {
            "form": form,
            "course": course,
            "page": page,
            "may_mark": request.user.has_perm(attendance.PERMISSION),
        },
    )


def _complete(request, course) -> None:
    ids = list(
        Enrollment.objects.filter(course=course, session__isnull=True)
        .exclude(state=Enrollment.State.CANCELLED)
        .values_list("pk", flat=True)
    )
    form = AttendanceForm(request.POST, enrollment_ids=ids, states={"completed"})
    if not form.is_valid():
        errors = form.errors.get("enrollment") or form.errors.get("state") or []
        messages.error(request, " ".join(errors) or _("Please tick at least one learner."))
        return
    chosen = selectors.enrollments_by_pk(pks=form.cleaned_data["enrollment"], course=course)
    try:
        changed = attendance.enrollments_attendance_mark(
            actor=request.user, enrollments=chosen, state=Enrollment.State.COMPLETED
        )
    except DomainError as exc:
        messages.error(request, attendance_error(exc))
    else:
        messages.success(
            request, _("%(count)s learner(s) marked completed.") % {"count": len(changed)}
        )
