"""Reads of the catalogue, scoped to what anyone may see (published courses).

Every page costs a fixed number of queries, whatever the number of courses and
sessions: the catalogue search fetches one page of courses (each with the ids of
its next sessions, read through the ``(course, starts_at)`` index), those
sessions in one query and the seats left of every shown session in one
``seats_left`` call (docs/performance.md).
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kenshu.core.time import tokyo_date, tokyo_datetime
from kenshu.enrollments.elearning import elearning_start_date
from kenshu.enrollments.seats import seats_left, seats_taken

from .models import Course, Session

#: Courses per page of the catalogue search.
COURSES_PER_PAGE = 20
#: Sessions shown under each course of the catalogue search.
NEXT_SESSIONS_PER_COURSE = 3
#: Sessions per page of a course page.
SESSIONS_PER_PAGE = 20
#: The catalogue search counts a course's upcoming sessions up to this many; beyond, it
#: says "100+" (counting them all cost one course of 20,000 sessions 5 ms a page).
UPCOMING_COUNT_CAP = 100
#: Consumption tax, percent (DOMAIN.md §9): shown beside the tax-exclusive fee.
TAX_RATE_PERCENT = 10
#: States in which a session takes applications (R-APPLY-4).
BOOKABLE_STATES = (Session.State.OPEN, Session.State.CONFIRMED)


def fee_with_tax(fee: int) -> int:
    """The fee with 10 % consumption tax, rounded down (yen)."""
    return fee + fee * TAX_RATE_PERCENT // 100


def elearning_lead_days(*, is_partner: bool) -> int:
    """R-ELEARN-1: the days from applying to the start of e-learning access (7; partner
    courses 10), read from the rule itself so that the page and the rule agree."""
    today = tokyo_date()
    return (elearning_start_date(today, is_partner=is_partner) - today).days


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


# --- the catalogue search (/courses/) ----------------------------------------------------


@dataclass(frozen=True)
class CatalogueQuery:
    """What a visitor searches for; every part optional (DOMAIN.md §3, §14).

    ``date_from``/``date_to`` are Asia/Tokyo calendar days (both included) of a
    session's start; ``venue`` is part of a session's venue. A course matches
    when one of its upcoming, not cancelled sessions matches all of the session
    parts at once. ``available``: only courses with a session that takes
    applications and has a seat left, or e-learning courses.
    """

    q: str = ""
    code: str = ""
    delivery: str = ""
    partner: bool | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    venue: str = ""
    available: bool = False

    @property
    def about_sessions(self) -> bool:
        return bool(self.date_from or self.date_to or self.venue)


def search_terms(text: str) -> list[set[str]]:
    """The words of a search box, each as typed and NFKC-folded (full-width letters,
    digits and spaces as half-width): ``"ＩＬＣ　基礎"`` → ``[{"ＩＬＣ", "ILC"}, {"基礎"}]``."""
    return [{word, unicodedata.normalize("NFKC", word)} for word in (text or "").split()]


def normalise_code(code: str) -> str:
    """A course code as stored: half-width capitals, no surrounding spaces."""
    return unicodedata.normalize("NFKC", code or "").strip().upper()


def _upcoming_q(now: dt.datetime) -> Q:
    """Sessions that have not started and are not cancelled."""
    return Q(starts_at__gte=now) & ~Q(state=Session.State.CANCELLED)


def _session_q(query: CatalogueQuery, now: dt.datetime) -> Q:
    """The session parts of ``query``: upcoming, not cancelled, in the date range, at the venue."""
    condition = _upcoming_q(now)
    if query.date_from:
        condition &= Q(starts_at__gte=tokyo_datetime(query.date_from))
    if query.date_to:
        condition &= Q(starts_at__lt=tokyo_datetime(query.date_to + dt.timedelta(days=1)))
    if query.venue.strip():
        condition &= Q(venue__icontains=query.venue.strip())
    return condition


def _bookable_q(now: dt.datetime) -> Q:
    """Sessions that take applications now, seats aside (R-APPLY-4)."""
    return Q(state__in=BOOKABLE_STATES, deadline__gt=now, starts_at__gt=now)


def _courses_matching(query: CatalogueQuery, now: dt.datetime) -> QuerySet[Course]:
    """Published courses matching every part of ``query`` but ``available``."""
    courses = Course.objects.filter(is_published=True)
    for variants in search_terms(query.q):
        condition = Q()
        for word in variants:
            condition |= (
                Q(code__icontains=word) | Q(title__icontains=word) | Q(summary__icontains=word)
            )
        courses = courses.filter(condition)
    if query.code.strip():
        courses = courses.filter(code__icontains=normalise_code(query.code))
    if query.delivery:
        courses = courses.filter(delivery=query.delivery)
    if query.partner is not None:
        courses = courses.filter(is_partner=query.partner)
    if query.about_sessions:
        courses = courses.filter(
            Exists(Session.objects.filter(_session_q(query, now), course=OuterRef("pk")))
        )
    return courses


def _available_sessions(
    courses: QuerySet[Course], query: CatalogueQuery, now: dt.datetime
) -> dict[int, list[int]]:
    """{course id: ids of its sessions matching ``query`` that take applications and have a
    seat left, by start} (seats counted by enrollments.seats, R-APPLY-3)."""
    rows = list(
        Session.objects.filter(_session_q(query, now), _bookable_q(now), course__in=courses)
        .order_by("starts_at", "pk")
        .values_list("pk", "course_id", "capacity")
    )
    taken = seats_taken(pk for pk, _course, _capacity in rows)
    available: dict[int, list[int]] = {}
    for pk, course, capacity in rows:
        if capacity > taken.get(pk, 0):
            available.setdefault(course, []).append(pk)
    return available


#: The annotations holding the ids of a course's next sessions on the catalogue page.
_NEXT_SESSION_FIELDS = tuple(f"next_session_{n}" for n in range(NEXT_SESSIONS_PER_COURSE))


def _next_session_ids(query: CatalogueQuery, now: dt.datetime) -> dict[str, Subquery]:
    """The ids of a course's first, second, … next sessions matching ``query``, as
    annotations of the course query: each one probe of the ``(course, starts_at)`` index,
    however many sessions the course has (a window over all of them costs more)."""
    sessions = (
        Session.objects.filter(_session_q(query, now), course=OuterRef("pk"))
        .order_by("starts_at", "pk")
        .values("pk")
    )
    return {
        name: Subquery(sessions[n : n + 1], output_field=IntegerField())
        for n, name in enumerate(_NEXT_SESSION_FIELDS)
    }


def catalogue_search(*, query: CatalogueQuery, page_number=None) -> Page:
    """One page of published courses matching ``query``, by course code.

    Each course on the page carries ``next_sessions`` (its next matching sessions,
    each with ``seats_left`` and ``booking``) and ``upcoming_count`` (its upcoming,
    not cancelled sessions; ``UPCOMING_COUNT_CAP + 1`` for more than the cap).
    """
    now = timezone.now()
    courses = _courses_matching(query, now)
    available = None
    if query.available:
        available = _available_sessions(courses, query, now)
        courses = courses.filter(Q(pk__in=set(available)) | Q(delivery=Course.Delivery.ELEARNING))
    upcoming = Session.objects.filter(_upcoming_q(now), course=OuterRef("pk")).order_by()
    upcoming_count = upcoming.values("course").annotate(n=Count("pk")).values("n")
    courses = courses.annotate(
        # More than the cap: one probe of the index (the count is not run at all).
        upcoming_count=Case(
            When(
                Exists(upcoming[UPCOMING_COUNT_CAP : UPCOMING_COUNT_CAP + 1]),
                then=Value(UPCOMING_COUNT_CAP + 1),
            ),
            default=Coalesce(Subquery(upcoming_count, output_field=IntegerField()), 0),
        )
    )
    if available is None:
        courses = courses.annotate(**_next_session_ids(query, now))
    page = Paginator(courses.order_by("code", "pk"), COURSES_PER_PAGE).get_page(page_number)
    page.object_list = list(page.object_list)

    next_ids = {}
    for course in page.object_list:
        if available is not None:
            ids = available.get(course.pk, [])[:NEXT_SESSIONS_PER_COURSE]
        else:
            ids = [getattr(course, name) for name in _NEXT_SESSION_FIELDS]
        next_ids[course.pk] = [pk for pk in ids if pk is not None]
    wanted = [pk for ids in next_ids.values() for pk in ids]
    sessions = {s.pk: s for s in Session.objects.filter(pk__in=wanted)} if wanted else {}
    for course in page.object_list:
        course.next_sessions = [sessions[pk] for pk in next_ids[course.pk] if pk in sessions]
        for session in course.next_sessions:
            session.course = course  # no query per row for session.course
    annotate_seats(
        [session for course in page.object_list for session in course.next_sessions], now=now
    )
    return page


# --- a course page (/courses/<code>/) ----------------------------------------------------


class Booking(StrEnum):
    """What a session offers a visitor now (R-APPLY-3, R-APPLY-4)."""

    AVAILABLE = "available"  # apply
    FULL = "full"  # join the waiting list
    CLOSED = "closed"  # deadline passed (or started, or held)
    CANCELLED = "cancelled"  # 中止


def booking_of(session: Session, *, seats: int, now: dt.datetime) -> Booking:
    if session.state == Session.State.CANCELLED:
        return Booking.CANCELLED
    if session.state not in BOOKABLE_STATES or session.deadline <= now or session.starts_at <= now:
        return Booking.CLOSED
    return Booking.AVAILABLE if seats > 0 else Booking.FULL


def annotate_seats(sessions: list[Session], *, now: dt.datetime | None = None) -> None:
    """Set ``seats_left`` and ``booking`` on each session: one ``seats_left`` call for all."""
    now = now or timezone.now()
    left = seats_left(sessions)
    for session in sessions:
        session.seats_left = left[session.pk]
        session.booking = booking_of(session, seats=session.seats_left, now=now)


def published_course(*, code: str) -> Course:
    """The published course with this code (raises ``Course.DoesNotExist``)."""
    return Course.objects.get(code=code, is_published=True)


def published_course_code(*, typed: str) -> str | None:
    """The code of the published course ``typed`` means (``ilc1234`` → ``ILC1234``), if any."""
    code = normalise_code(typed)
    return code if Course.objects.filter(code=code, is_published=True).exists() else None


def course_sessions(*, course: Course, page_number=None) -> Page:
    """One page of a course's sessions that have not started, cancelled ones included
    (shown as 中止), by start; each with ``seats_left`` and ``booking``."""
    now = timezone.now()
    sessions = Session.objects.filter(course=course, starts_at__gte=now).order_by("starts_at", "pk")
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(page_number)
    page.object_list = list(page.object_list)
    for session in page.object_list:
        session.course = course  # no query per row for session.course
    annotate_seats(page.object_list, now=now)
    return page


# --- the staff area (/staff/catalogue/) -------------------------------------------------


def courses_for_staff(
    *, q: str = "", delivery: str = "", published: bool | None = None
) -> QuerySet[Course]:
    """Every course (published or not) matching every word of ``q`` in code or title,
    with ``session_count``, by code."""
    courses = Course.objects.all()
    for variants in search_terms(q):
        condition = Q()
        for word in variants:
            condition |= Q(code__icontains=word) | Q(title__icontains=word)
        courses = courses.filter(condition)
    if delivery:
        courses = courses.filter(delivery=delivery)
    if published is not None:
        courses = courses.filter(is_published=published)
    session_count = (
        Session.objects.filter(course=OuterRef("pk"))
        .order_by()
        .values("course")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return courses.annotate(
        session_count=Coalesce(Subquery(session_count, output_field=IntegerField()), 0)
    ).order_by("code", "pk")


def course_for_staff(*, pk: int) -> Course:
    """Any course, published or not (raises ``Course.DoesNotExist``)."""
    return Course.objects.get(pk=pk)


def sessions_for_staff(*, course: Course, page_number=None, per_page: int = 50) -> Page:
    """One page of all of a course's sessions (past ones too), latest first, each with
    ``seats_left`` and ``seats_taken``."""
    sessions = Session.objects.filter(course=course).order_by("-starts_at", "-pk")
    page = Paginator(sessions, per_page).get_page(page_number)
    page.object_list = list(page.object_list)
    now = timezone.now()
    taken = seats_taken(session.pk for session in page.object_list)
    for session in page.object_list:
        session.course = course
        session.seats_taken = taken[session.pk]
        session.seats_left = max(session.capacity - session.seats_taken, 0)
        session.booking = booking_of(session, seats=session.seats_left, now=now)
    return page


def session_for_staff(*, pk: int) -> Session:
    """Any session with its course (raises ``Session.DoesNotExist``)."""
    return Session.objects.select_related("course").get(pk=pk)


# --- the home page's news -------------------------------------------------------------


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
