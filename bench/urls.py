"""The site's URLs plus the benchmark baselines (mounted only by bench/bench_web.py,
through KENSHU_ROOT_URLCONF=bench.urls)."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from kenshu.catalog.models import Session
from kenshu.core.locking import lock_rows
from kenshu.enrollments.models import Enrollment

ROWS = engines["django"].from_string(
    "<!doctype html><html><body><table>{% for s in rows %}<tr><td>{{ s.course.code }}</td>"
    "<td>{{ s.course.title }}</td><td>{{ s.starts_at|date:'Y-m-d H:i' }}</td>"
    "<td>{{ s.venue }}</td><td>{{ s.capacity }}</td></tr>{% endfor %}</table></body></html>"
)


def baseline_rows(request, n: int):
    """A bare page: ``n`` session rows from one query, rendered by a template."""
    rows = list(Session.objects.select_related("course").order_by("starts_at", "pk")[:n])
    return HttpResponse(ROWS.render({"rows": rows}))


@login_required
@require_POST
def baseline_locked_insert(request, pk: int):
    """A bare locked insert: lock the session row, count, insert an enrolment."""
    with transaction.atomic():
        (session,) = lock_rows(Session.objects.all(), [pk])
        taken = Enrollment.objects.filter(session=session, state="applied").count()
        if taken >= session.capacity:
            return HttpResponse("full", status=409)
        Enrollment.objects.create(
            learner=request.user,
            applicant=request.user,
            course_id=session.course_id,
            session=session,
            fee=0,
            applied_at=timezone.now(),
        )
    return HttpResponse("ok")


urlpatterns = [
    path("bench/rows/<int:n>/", baseline_rows),
    path("bench/insert/<int:pk>/", baseline_locked_insert),
    path("", include("config.urls")),
]
