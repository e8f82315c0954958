"""Reads of the catalogue, scoped to what anyone may see (published courses)."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Course, Session


def upcoming_sessions(*, limit: int = 10) -> QuerySet[Session]:
    """The next sessions of published courses that have not started and are not cancelled."""
    return (
        Session.objects.filter(course__is_published=True, starts_at__gte=timezone.now())
        .exclude(state=Session.State.CANCELLED)
        .select_related("course")
        .order_by("starts_at", "pk")[:limit]
    )


def published_elearning_courses(*, limit: int | None = None) -> QuerySet[Course]:
    """Published e-learning courses by course code (``limit`` caps a summary list)."""
    courses = Course.objects.filter(is_published=True, delivery=Course.Delivery.ELEARNING).order_by(
        "code"
    )
    return courses[:limit] if limit is not None else courses


@dataclass(frozen=True)
class NewsItem:
    """One notice of the home page's news block."""

    title: str | Promise
    body: str | Promise


#: The home page's notices. Fixed text for now; staff-edited news can replace
#: this selector without touching the view or the template.
SITE_NEWS = (
    NewsItem(
        title=_("Our registration system has been renewed"),
        body=_(
            "Member information from the former system has been migrated. If you used the "
            "former system, check your user ID with “Forgot your user ID?” and set a new "
            "password with “Forgot your password?”."
        ),
    ),
    NewsItem(
        title=_("Start date of e-learning courses"),
        body=_(
            "E-learning access starts 7 days after your application (10 days for partner "
            "courses). For seats bought for others, it starts 7 days after the seat is "
            "assigned (10 days for partner courses)."
        ),
    ),
)


def site_news() -> tuple[NewsItem, ...]:
    return SITE_NEWS
