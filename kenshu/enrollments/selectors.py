"""Reads of enrolments and the waiting list, scoped to who may see them.

- Anyone: the sessions and e-learning courses open to applications
  (``session_for_apply``, ``elearning_course_for_apply``).
- A logged-in user: what applying would cost and whether it may
  (``apply_preview``), its own enrolments (``enrollments_of``) and orders
  (``order_of_buyer``), its waiting-list entries.
- Staff: a session's waiting list (``waiting_list_for_staff``); the view checks
  the permission.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from kenshu.accounts import policy
from kenshu.accounts.policy import Action
from kenshu.billing.models import Invoice, Order
from kenshu.billing.services import LineSpec, due_date_for, tax_breakdown
from kenshu.cancellation.quoting import TierWindow
from kenshu.cancellation.selectors import policy_tiers_for
from kenshu.catalog.models import Course, Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import DomainError

from .elearning import elearning_access_window
from .exceptions import AlreadyApplied
from .models import Enrollment, WaitingListEntry
from .schedule import cancellation_windows
from .seats import seats_taken
from .services.checks import has_live_enrollment, session_refusal

OPEN_ENTRY_STATES = (WaitingListEntry.State.WAITING, WaitingListEntry.State.OFFERED)


def session_for_apply(*, pk: int) -> Session:
    """A session of a published classroom or live course (raises ``Session.DoesNotExist``)."""
    return (
        Session.objects.select_related("course")
        .exclude(course__delivery=Course.Delivery.ELEARNING)
        .get(pk=pk, course__is_published=True)
    )


def elearning_course_for_apply(*, code: str) -> Course:
    """A published e-learning course by code (raises ``Course.DoesNotExist``)."""
    return Course.objects.get(code=code, is_published=True, delivery=Course.Delivery.ELEARNING)


@dataclass
class ApplyPreview:
    """What the confirmation page shows: the price, the dates, the cancellation tiers
    with their dates, and whether (and why not) the user may apply now."""

    course: Course
    session: Session | None
    first_day: dt.date  #: the session's first day, or the e-learning access start date
    access_ends_on: dt.date | None
    fee: int
    tax: int
    total: int
    tax_rate: int
    due_on: dt.date
    windows: list[TierWindow] = field(default_factory=list)
    #: R-TYPE-2: why the user may not apply at all (and whom to ask), or "".
    refusal: str = ""
    #: Why this session takes no application now (cancelled, closed, applied), or None.
    blocked: DomainError | None = None
    full: bool = False
    seats_left: int | None = None
    waiting_entry: WaitingListEntry | None = None
    holds_offer: bool = False

    @property
    def may_apply(self) -> bool:
        return not self.refusal and self.blocked is None and not self.full

    @property
    def may_join_waiting_list(self) -> bool:
        return (
            not self.refusal and self.blocked is None and self.full and self.waiting_entry is None
        )

    @property
    def is_elearning(self) -> bool:
        return self.session is None


def apply_preview(
    *, user, session: Session | None = None, course: Course | None = None, now=None
) -> ApplyPreview:
    """The confirmation of applying for ``session`` (or the e-learning ``course``)."""
    now = now or ktime.now()
    today = ktime.tokyo_date(now)
    course = session.course if session is not None else course
    access_ends_on = None
    if session is not None:
        first_day = ktime.tokyo_date(session.starts_at)
    else:
        first_day, access_ends_on = elearning_access_window(
            today, is_partner=course.is_partner, access_days=course.access_days
        )
    (subtotal,) = tax_breakdown([LineSpec(course.code, course.fee)])
    preview = ApplyPreview(
        course=course,
        session=session,
        first_day=first_day,
        access_ends_on=access_ends_on,
        fee=course.fee,
        tax=subtotal.tax,
        total=subtotal.base + subtotal.tax,
        tax_rate=subtotal.rate,
        due_on=due_date_for(today),
        windows=cancellation_windows(tiers=policy_tiers_for(course.delivery), first_day=first_day),
    )
    if user.is_authenticated and not policy.can(user, Action.APPLY_FOR_SELF):
        preview.refusal = policy.refusal_reason(user, Action.APPLY_FOR_SELF)
    if session is None:
        if user.is_authenticated and has_live_enrollment(learner=user, course=course):
            preview.blocked = AlreadyApplied()
        return preview
    preview.blocked = session_refusal(session, now=now)
    if preview.blocked is None and user.is_authenticated:
        if has_live_enrollment(learner=user, session=session):
            preview.blocked = AlreadyApplied()
        else:
            preview.waiting_entry = waiting_entry_of(user=user, session=session)
    entry = preview.waiting_entry
    preview.holds_offer = bool(
        entry is not None
        and entry.state == WaitingListEntry.State.OFFERED
        and entry.offer_expires_at
        and entry.offer_expires_at > now
    )
    taken = seats_taken([session.pk])[session.pk] - (1 if preview.holds_offer else 0)
    preview.seats_left = max(session.capacity - taken, 0)
    preview.full = taken >= session.capacity
    return preview


def waiting_entry_of(*, user, session: Session) -> WaitingListEntry | None:
    """``user``'s open (waiting or offered) entry for ``session``, if any."""
    return (
        WaitingListEntry.objects.filter(session=session, user=user, state__in=OPEN_ENTRY_STATES)
        .order_by("pk")
        .first()
    )


def waiting_rank(entry: WaitingListEntry) -> int:
    """1 for the first person waiting (offered entries are not counted)."""
    return (
        WaitingListEntry.objects.filter(
            session_id=entry.session_id,
            state=WaitingListEntry.State.WAITING,
            position__lt=entry.position,
        ).count()
        + 1
    )


def enrollments_of(*, user) -> QuerySet[Enrollment]:
    """``user``'s enrolments as learner, newest first, with course, session and the
    invoices of their orders (three queries for any number of rows)."""
    return (
        Enrollment.objects.filter(learner=user)
        .select_related("course", "session", "order")
        .prefetch_related(
            Prefetch(
                "order__invoices",
                queryset=Invoice.objects.filter(kind=Invoice.Kind.INVOICE).order_by("pk"),
                to_attr="main_invoices",
            )
        )
        .order_by("-applied_at", "-pk")
    )


def order_number_to_pk(number: str) -> int | None:
    """``A00000012`` → 12; anything else → None."""
    if len(number) < 2 or number[0] != "A" or not number[1:].isdigit():
        return None
    return int(number[1:])


def order_of_buyer(*, user, number: str) -> Order:
    """The order ``number`` placed by ``user``, with its enrolments and invoices
    (raises ``Order.DoesNotExist`` for anyone else's, as if it did not exist)."""
    pk = order_number_to_pk(number)
    if pk is None or not user.is_authenticated:
        raise Order.DoesNotExist(number)
    return Order.objects.prefetch_related(
        Prefetch(
            "enrollments",
            queryset=Enrollment.objects.select_related("course", "session").order_by("pk"),
        ),
        Prefetch(
            "invoices",
            queryset=Invoice.objects.filter(kind=Invoice.Kind.INVOICE).order_by("pk"),
        ),
    ).get(pk=pk, buyer=user)


def waiting_list_for_staff(*, session: Session) -> list[WaitingListEntry]:
    """Every entry of ``session``'s waiting list: open ones first by position, then
    the closed ones (accepted, expired, withdrawn), most recent first."""
    entries = list(
        WaitingListEntry.objects.filter(session=session)
        .select_related("user", "user__organisation")
        .order_by("position", "pk")
    )
    open_entries = [e for e in entries if e.state in OPEN_ENTRY_STATES]
    closed = sorted(
        (e for e in entries if e.state not in OPEN_ENTRY_STATES),
        key=lambda e: (e.offered_at or e.created_at, e.pk),
        reverse=True,
    )
    return open_entries + closed


def session_for_staff(*, pk: int) -> Session:
    """One session with its course (raises ``Session.DoesNotExist``)."""
    return Session.objects.select_related("course").get(pk=pk)
