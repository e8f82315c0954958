"""What the staff dashboard (/staff/) shows, each part only to staff allowed to see it.

Every figure is one grouped query, whatever the number of rows:

- today's and this week's (Monday to Sunday, Asia/Tokyo) sessions with their fill;
- open requests of each kind with the age of the oldest (its contact date);
- seats sold per month over the last 12 months (Asia/Tokyo): enrolments applied for
  oneself plus inventory seats bought, by the month of the application or purchase,
  leaving out those cancelled since;
- revenue per month: the tax-exclusive subtotals of the invoices, fee invoices and
  credit notes issued that month (credit notes are negative, so they subtract);
- fill rate by course: seats taken over capacity of the sessions (not cancelled)
  starting from the first of those 12 months up to 90 days ahead;
- failed emails and overdue invoices.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Min, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse

from kenshu.billing.models import Invoice
from kenshu.catalog.models import Session
from kenshu.core.time import TOKYO, tokyo_date, tokyo_datetime
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.models import Seat
from kenshu.notifications.models import OutboxEmail
from kenshu.requests.models import (
    CancellationRequest,
    DateChangeRequest,
    LearnerChangeRequest,
    RequestKind,
    RequestState,
    TypeChangeRequest,
)

from .sessions import SessionFilters, fill_percent, sessions_search

#: The staff request queues other than type change (kenshu.requests.staff_urls).
REQUEST_QUEUE_PATH = "/staff/requests/"
#: Sessions listed under "today" and "this week" at most (the list links to the rest).
SESSIONS_LIMIT = 30
#: Courses in the fill-rate chart at most.
FILL_COURSES_LIMIT = 15
#: Days ahead the fill-rate chart looks.
FILL_DAYS_AHEAD = 90
MONTHS = 12

REQUEST_MODELS = [
    (RequestKind.TYPE_CHANGE, TypeChangeRequest),
    (RequestKind.CANCELLATION, CancellationRequest),
    (RequestKind.LEARNER_CHANGE, LearnerChangeRequest),
    (RequestKind.DATE_CHANGE, DateChangeRequest),
]


@dataclass(frozen=True)
class RequestQueue:
    kind: str
    label: str
    count: int
    oldest_contact_date: dt.date | None
    url: str

    @property
    def age_days(self) -> int | None:
        if self.oldest_contact_date is None:
            return None
        return (tokyo_date() - self.oldest_contact_date).days


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date  #: the first day of the month
    seats: int
    revenue: int


@dataclass(frozen=True)
class CourseFill:
    course_id: int
    code: str
    title: str
    sessions: int
    capacity: int
    taken: int

    @property
    def percent(self) -> int:
        return fill_percent(self.taken, self.capacity)


@dataclass
class DashboardFigures:
    open_type_change_requests: int | None = None
    oldest_open_type_change_requests: list[TypeChangeRequest] = field(default_factory=list)
    failed_emails: int | None = None
    recent_failed_emails: list[OutboxEmail] = field(default_factory=list)
    request_queues: list[RequestQueue] | None = None
    today: dt.date | None = None
    week_start: dt.date | None = None
    week_end: dt.date | None = None
    today_sessions: list[Session] | None = None
    week_sessions: list[Session] | None = None
    overdue_invoices: int | None = None
    overdue_total: int = 0
    months: list[MonthFigures] | None = None
    course_fill: list[CourseFill] | None = None

    @property
    def shows_anything(self) -> bool:
        return any(
            value is not None
            for value in (
                self.open_type_change_requests,
                self.failed_emails,
                self.request_queues,
                self.today_sessions,
                self.overdue_invoices,
                self.months,
            )
        )


def month_starts(today: dt.date, months: int = MONTHS) -> list[dt.date]:
    """The first days of the last ``months`` months, the current one last."""
    year, month = today.year, today.month
    starts = []
    for _ in range(months):
        starts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _month_key(value) -> tuple[int, int]:
    if isinstance(value, dt.datetime):
        value = value.astimezone(TOKYO) if value.tzinfo else value
    return value.year, value.month


def monthly_figures(*, today: dt.date) -> list[MonthFigures]:
    """Seats sold and revenue per month over the last 12 months (see the module)."""
    months = month_starts(today)
    since = tokyo_datetime(months[0])
    seats: dict[tuple[int, int], int] = {}
    enrolled = (
        Enrollment.objects.filter(source=Enrollment.Source.SELF, applied_at__gte=since)
        .exclude(state=Enrollment.State.CANCELLED)
        .annotate(month=TruncMonth("applied_at", tzinfo=TOKYO))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    )
    bought = (
        Seat.objects.filter(item__purchased_at__gte=since)
        .exclude(state=Seat.State.CANCELLED)
        .annotate(month=TruncMonth("item__purchased_at", tzinfo=TOKYO))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    )
    for row in [*enrolled, *bought]:
        key = _month_key(row["month"])
        seats[key] = seats.get(key, 0) + row["n"]
    revenue = {
        _month_key(row["month"]): row["total"] or 0
        for row in Invoice.objects.filter(issued_on__gte=months[0])
        .annotate(month=TruncMonth("issued_on"))
        .order_by()
        .values("month")
        .annotate(total=Sum("subtotal"))
    }
    return [
        MonthFigures(
            month=start,
            seats=seats.get((start.year, start.month), 0),
            revenue=revenue.get((start.year, start.month), 0),
        )
        for start in months
    ]


def course_fill(*, today: dt.date, limit: int = FILL_COURSES_LIMIT) -> list[CourseFill]:
    """Fill rate per course over the sessions (not cancelled) from the first of the last
    12 months to 90 days ahead: the courses with the most capacity, by fill rate."""
    window = Session.objects.filter(
        starts_at__gte=tokyo_datetime(month_starts(today)[0]),
        starts_at__lt=tokyo_datetime(today + dt.timedelta(days=FILL_DAYS_AHEAD + 1)),
    ).exclude(state=Session.State.CANCELLED)
    courses = list(
        window.order_by()
        .values("course_id", "course__code", "course__title")
        .annotate(capacity=Sum("capacity"), sessions=Count("pk"))
        .order_by("-capacity", "course__code")[:limit]
    )
    ids = [row["course_id"] for row in courses]
    taken: dict[int, int] = {}
    enrolled = (
        Enrollment.objects.filter(
            session__in=window, session__course_id__in=ids, source=Enrollment.Source.SELF
        )
        .exclude(state=Enrollment.State.CANCELLED)
        .order_by()
        .values("session__course_id")
        .annotate(n=Count("pk"))
    )
    for row in enrolled:
        taken[row["session__course_id"]] = taken.get(row["session__course_id"], 0) + row["n"]
    seats = (
        Seat.objects.filter(
            item__session__in=window,
            item__session__course_id__in=ids,
            state__in=Seat.LIVE_STATES,
        )
        .order_by()
        .values("item__session__course_id")
        .annotate(n=Count("pk"))
    )
    for row in seats:
        key = row["item__session__course_id"]
        taken[key] = taken.get(key, 0) + row["n"]
    fills = [
        CourseFill(
            course_id=row["course_id"],
            code=row["course__code"],
            title=row["course__title"],
            sessions=row["sessions"],
            capacity=row["capacity"] or 0,
            taken=taken.get(row["course_id"], 0),
        )
        for row in courses
    ]
    return sorted(fills, key=lambda f: (-f.percent, f.code))


def request_queues(*, staff) -> list[RequestQueue] | None:
    """Open requests of each kind ``staff`` may see, with the oldest contact date."""
    queues = []
    for kind, model in REQUEST_MODELS:
        if not staff.has_perm(f"requests.view_{model._meta.model_name}"):
            continue
        figures = model.objects.filter(state=RequestState.OPEN).aggregate(
            count=Count("pk"), oldest=Min("contact_date")
        )
        url = (
            reverse("backoffice:type_change_request_list") + "?state=open"
            if kind == RequestKind.TYPE_CHANGE
            else REQUEST_QUEUE_PATH
        )
        queues.append(
            RequestQueue(
                kind=kind,
                label=kind.label,
                count=figures["count"],
                oldest_contact_date=figures["oldest"],
                url=url,
            )
        )
    return queues or None


def _sessions_between(start: dt.date, end: dt.date) -> list[Session]:
    return list(sessions_search(SessionFilters(date_from=start, date_to=end))[:SESSIONS_LIMIT])


def dashboard_figures(*, staff, oldest_limit: int = 10) -> DashboardFigures:
    """The dashboard of ``staff``: each part only with the permission of what it shows."""
    from kenshu.requests import selectors as request_selectors

    today = tokyo_date()
    figures = DashboardFigures(today=today)
    if staff.has_perm("requests.view_typechangerequest"):
        figures.open_type_change_requests = request_selectors.open_type_change_request_count()
        figures.oldest_open_type_change_requests = request_selectors.open_type_change_requests(
            limit=oldest_limit
        )
    figures.request_queues = request_queues(staff=staff)
    if staff.has_perm("notifications.view_outboxemail"):
        failed = OutboxEmail.objects.filter(state=OutboxEmail.State.FAILED)
        figures.failed_emails = failed.count()
        figures.recent_failed_emails = list(
            failed.only("pk", "created_at", "template", "to_email", "last_error", "state").order_by(
                "-created_at", "-pk"
            )[:5]
        )
    if staff.has_perm("catalog.view_session") and staff.has_perm("enrollments.view_enrollment"):
        figures.week_start = today - dt.timedelta(days=today.weekday())
        figures.week_end = figures.week_start + dt.timedelta(days=6)
        week = _sessions_between(figures.week_start, figures.week_end)
        figures.week_sessions = week
        figures.today_sessions = _sessions_between(today, today)
        figures.course_fill = course_fill(today=today)
    if staff.has_perm("billing.view_invoice"):
        overdue = Invoice.objects.filter(state=Invoice.State.ISSUED, due_on__lt=today).exclude(
            kind=Invoice.Kind.CREDIT_NOTE
        )
        totals = overdue.aggregate(count=Count("pk"), total=Sum("total"))
        figures.overdue_invoices = totals["count"]
        figures.overdue_total = totals["total"] or 0
        figures.months = monthly_figures(today=today)
    return figures
