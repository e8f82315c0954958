"""Sessions, their fill and their rosters, for the staff area (DOMAIN.md §11).

Every count is a correlated subquery on the session row (``with_fill``), so a page
of sessions costs one query whatever the number of enrolments, seats and
waiting-list entries; a roster's payment state comes from subqueries on the
invoice of the order that paid the place (the enrolment's own order, or the
inventory purchase's).

Counts (``with_fill``):

- ``enrolled``: enrolments applied for oneself that are not cancelled (applied,
  attended, absent, completed): before the session these are the live ones;
- ``seats_assigned`` / ``seats_unassigned``: live inventory seats;
- ``offered``: open waiting-list offers (each holds a seat until it expires);
- ``waiting``: waiting-list entries still waiting;
- ``taken`` = enrolled + seats assigned + seats unassigned + offered: for a session
  that has not started, exactly ``kenshu.enrollments.seats.seats_taken``.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
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

from kenshu.billing.models import Invoice
from kenshu.catalog.models import Course, Session
from kenshu.core.time import tokyo_date, tokyo_datetime
from kenshu.enrollments.models import Enrollment, WaitingListEntry
from kenshu.inventory.models import InventoryItem, Seat

from .text import kana_variants
from .text import search_terms as _search_terms


def _count(queryset: QuerySet, group_by: str):
    """``COUNT(*)`` of ``queryset`` (already filtered on ``OuterRef``), 0 when none."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_fill(sessions: QuerySet[Session], *, now: dt.datetime | None = None) -> QuerySet:
    """``sessions`` annotated with their fill (see the module), in the same query."""
    now = now or timezone.now()
    enrolled = _count(
        Enrollment.objects.filter(session=OuterRef("pk"), source=Enrollment.Source.SELF).exclude(
            state=Enrollment.State.CANCELLED
        ),
        "session",
    )
    seats = Seat.objects.filter(item__session=OuterRef("pk"))
    assigned = _count(seats.filter(state=Seat.State.ASSIGNED), "item__session")
    unassigned = _count(seats.filter(state=Seat.State.UNASSIGNED), "item__session")
    entries = WaitingListEntry.objects.filter(session=OuterRef("pk"))
    offered = _count(
        entries.filter(state=WaitingListEntry.State.OFFERED, offer_expires_at__gt=now), "session"
    )
    waiting = _count(entries.filter(state=WaitingListEntry.State.WAITING), "session")
    return sessions.annotate(
        enrolled=enrolled,
        seats_assigned=assigned,
        seats_unassigned=unassigned,
        offered=offered,
        waiting=waiting,
    ).annotate(taken=F("enrolled") + F("seats_assigned") + F("seats_unassigned") + F("offered"))


def fill_percent(taken: int, capacity: int) -> int:
    """Seats taken as a whole percentage of the capacity (may exceed 100 after a cut)."""
    return round(100 * taken / capacity) if capacity else 0


@dataclass(frozen=True)
class SessionFilters:
    """What the session list is filtered by; every part optional. Dates are Asia/Tokyo
    calendar days of the session's start, both included."""

    q: str = ""  #: course code or title (each word)
    delivery: str = ""
    venue: str = ""
    state: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    course_id: int | None = None


def sessions_search(filters: SessionFilters, *, now: dt.datetime | None = None) -> QuerySet:
    """Sessions matching ``filters`` by start, each with its course, decider and fill."""
    sessions = Session.objects.select_related("course", "decided_by")
    for term in _search_terms(filters.q):
        sessions = sessions.filter(
            Q(course__code__icontains=term) | Q(course__title__icontains=term)
        )
    if filters.course_id:
        sessions = sessions.filter(course_id=filters.course_id)
    if filters.delivery:
        sessions = sessions.filter(course__delivery=filters.delivery)
    if filters.venue.strip():
        sessions = sessions.filter(venue__icontains=filters.venue.strip())
    if filters.state:
        sessions = sessions.filter(state=filters.state)
    if filters.date_from:
        sessions = sessions.filter(starts_at__gte=tokyo_datetime(filters.date_from))
    if filters.date_to:
        sessions = sessions.filter(
            starts_at__lt=tokyo_datetime(filters.date_to + dt.timedelta(days=1))
        )
    return with_fill(sessions, now=now).order_by("starts_at", "pk")


def session_for_staff(*, pk: int) -> Session:
    """One session with its course, decider and fill (raises ``Session.DoesNotExist``)."""
    return with_fill(Session.objects.select_related("course", "decided_by")).get(pk=pk)


# --- rosters ------------------------------------------------------------------------------

#: Payment states shown on a roster (overdue is derived from the due date).
PAID, UNPAID, OVERDUE, CREDITED, NO_INVOICE = "paid", "unpaid", "overdue", "credited", "none"


def payment_state(invoice_state: str | None, due_on: dt.date | None, today: dt.date) -> str:
    """The payment state of a place from its order's invoice (``NO_INVOICE`` without one,
    e.g. seats carried over from the legacy system)."""
    if not invoice_state:
        return NO_INVOICE
    if invoice_state == Invoice.State.PAID:
        return PAID
    if invoice_state == Invoice.State.CREDITED:
        return CREDITED
    if due_on is not None and due_on < today:
        return OVERDUE
    return UNPAID


def with_invoice(queryset: QuerySet, order_field) -> QuerySet:
    """Annotate ``invoice_number``, ``invoice_state``, ``invoice_due_on``: the invoice
    (not a credit note or fee invoice) of the order ``order_field`` names."""
    invoice = Invoice.objects.filter(
        order_id=OuterRef("paying_order_id"), kind=Invoice.Kind.INVOICE
    ).order_by("pk")
    return queryset.annotate(paying_order_id=order_field).annotate(
        invoice_number=Subquery(invoice.values("number")[:1]),
        invoice_state=Subquery(invoice.values("state")[:1]),
        invoice_due_on=Subquery(invoice.values("due_on")[:1], output_field=DateField()),
    )


def roster_enrollments(*, session_ids, include_cancelled: bool = False) -> QuerySet[Enrollment]:
    """The enrolments of the sessions ``session_ids`` (ids or a values queryset) with
    learner, organisation, applicant, inventory seat and payment state, by session
    start then learner kana; cancelled ones only with ``include_cancelled`` (last)."""
    enrollments = Enrollment.objects.filter(session_id__in=session_ids)
    if not include_cancelled:
        enrollments = enrollments.exclude(state=Enrollment.State.CANCELLED)
    enrollments = with_invoice(
        enrollments.select_related(
            "session__course",
            "learner__organisation",
            "applicant__organisation",
            "seat__item",
        ),
        Coalesce(F("order_id"), F("seat__item__order_id")),
    )
    return enrollments.annotate(
        cancelled_last=Case(
            When(state=Enrollment.State.CANCELLED, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by(
        "session__starts_at",
        "session_id",
        "cancelled_last",
        "learner__last_name_kana",
        "learner__first_name_kana",
        "learner__username",
        "pk",
    )


def mark_payment_states(rows, *, today: dt.date | None = None) -> list:
    """Set ``payment`` on each fetched row (annotated by ``with_invoice``)."""
    today = today or tokyo_date()
    rows = list(rows)
    for row in rows:
        row.payment = payment_state(row.invoice_state, row.invoice_due_on, today)
    return rows


def unassigned_purchases(*, session: Session) -> list[InventoryItem]:
    """The inventory purchases of ``session`` with unassigned seats (``unassigned``
    count), with applicant, organisation and payment state."""
    items = (
        InventoryItem.objects.filter(session=session)
        .annotate(unassigned=Count("seats", filter=Q(seats__state=Seat.State.UNASSIGNED)))
        .filter(unassigned__gt=0)
        .select_related("applicant", "organisation")
        .order_by("purchased_at", "pk")
    )
    return mark_payment_states(with_invoice(items, F("order_id")))


def cancelled_count(*, session: Session) -> int:
    return Enrollment.objects.filter(session=session, state=Enrollment.State.CANCELLED).count()


# --- e-learning completion ----------------------------------------------------------------


def elearning_courses() -> QuerySet[Course]:
    return Course.objects.filter(delivery=Course.Delivery.ELEARNING).order_by("code")


def elearning_enrollments(*, course: Course, q: str = "", state: str = "") -> QuerySet:
    """The enrolments of the e-learning ``course`` (not cancelled), by access start,
    matching each word of ``q`` in the learner's user ID, name, kana or company."""
    enrollments = Enrollment.objects.filter(course=course, session__isnull=True).exclude(
        state=Enrollment.State.CANCELLED
    )
    if state:
        enrollments = enrollments.filter(state=state)
    for term in _search_terms(q):
        condition = (
            Q(learner__username__icontains=term)
            | Q(learner__email__icontains=term)
            | Q(learner__last_name__icontains=term)
            | Q(learner__first_name__icontains=term)
            | Q(learner__organisation__name__icontains=term)
        )
        for kana in kana_variants(term):
            condition |= Q(learner__last_name_kana__icontains=kana) | Q(
                learner__first_name_kana__icontains=kana
            )
        enrollments = enrollments.filter(condition)
    return enrollments.select_related("learner__organisation", "applicant").order_by(
        "access_starts_on", "learner__last_name_kana", "learner__first_name_kana", "pk"
    )


def enrollments_by_pk(*, pks, session: Session | None = None, course: Course | None = None):
    """The enrolments ``pks`` of ``session`` (or of the e-learning ``course``) only."""
    enrollments = Enrollment.objects.filter(pk__in=pks)
    if session is not None:
        enrollments = enrollments.filter(session=session)
    if course is not None:
        enrollments = enrollments.filter(course=course, session__isnull=True)
    return list(enrollments.order_by("pk"))
