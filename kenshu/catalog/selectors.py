"""Reads of the catalogue, scoped to what anyone may see (published courses)."""

from django.db.models import QuerySet
from django.utils import timezone

from .models import Course, Session


def upcoming_sessions(*, limit: int = 10) -> QuerySet[Session]:
    """The next sessions of published courses that have not started and are not cancelled."""
    return (
        Session.objects.filter(course__is_published=True, starts_at__gte=timezone.now())
        .exclude(state=Session.State.CANCELLED)
        .select_related("course")
        .order_by("starts_at", "pk")[:limit]
    )


def published_elearning_courses() -> QuerySet[Course]:
    return Course.objects.filter(is_published=True, delivery=Course.Delivery.ELEARNING)
