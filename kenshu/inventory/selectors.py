"""Reads of inventory, scoped to who may see them.

- A group applicant: its purchases with their counts (``items_of``), one purchase
  (``item_of``) and its seats (``seats_of``), the learners it may assign to
  (``assignable_learners``), its group (``group_learners``), the preview of a purchase
  (``purchase_preview``).
- Staff: every purchase (``items_for_staff``), one purchase (``item_for_staff``); the
  views check the permission.

Every list costs a fixed number of queries, whatever its length.
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)

from kenshu.accounts import policy
from kenshu.accounts.models import User
from kenshu.accounts.policy import Action
from kenshu.billing.models import Invoice
from kenshu.billing.services import LineSpec, due_date_for, tax_breakdown
from kenshu.cancellation.quoting import TierWindow
from kenshu.cancellation.selectors import policy_tiers_for
from kenshu.catalog.models import Course, Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import DomainError
from kenshu.enrollments.elearning import elearning_start_date
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.schedule import cancellation_windows
from kenshu.enrollments.seats import seats_left
from kenshu.enrollments.services.checks import session_refusal

from .models import InventoryItem, Seat
from .services.learners import LEARNER_TYPES


def _with_counts(qs: QuerySet[InventoryItem]) -> QuerySet[InventoryItem]:
    return qs.annotate(
        assigned_count=Count("seats", filter=Q(seats__state=Seat.State.ASSIGNED)),
        unassigned_count=Count("seats", filter=Q(seats__state=Seat.State.UNASSIGNED)),
        cancelled_count=Count("seats", filter=Q(seats__state=Seat.State.CANCELLED)),
    )


def items_of(*, user) -> QuerySet[InventoryItem]:
    """``user``'s purchases, newest first, with course, session, order and seat counts."""
    return _with_counts(
        InventoryItem.objects.filter(applicant=user).select_related("course", "session", "order")
    ).order_by("-purchased_at", "-pk")


def item_of(*, user, pk: int) -> InventoryItem:
    """One purchase of ``user`` with its counts and invoices (``DoesNotExist`` for
    anyone else's, as if it did not exist)."""
    if not user.is_authenticated:
        raise InventoryItem.DoesNotExist(pk)
    return (
        _with_counts(
            InventoryItem.objects.filter(applicant=user).select_related(
                "course", "session", "order", "organisation", "applicant"
            )
        )
        .prefetch_related(
            Prefetch(
                "order__invoices",
                queryset=Invoice.objects.filter(kind=Invoice.Kind.INVOICE).order_by("pk"),
                to_attr="main_invoices",
            )
        )
        .get(pk=pk)
    )


def seats_of(*, item: InventoryItem) -> QuerySet[Seat]:
    """The seats of ``item`` with their learner and enrolment, in order."""
    return Seat.objects.filter(item=item).select_related("learner", "enrollment").order_by("pk")


def next_unassigned_seat(*, item: InventoryItem) -> Seat | None:
    return Seat.objects.filter(item=item, state=Seat.State.UNASSIGNED).order_by("pk").first()


def _live_enrollment_of(item: InventoryItem):
    live = Enrollment.objects.filter(learner=OuterRef("pk"), state__in=Enrollment.LIVE_STATES)
    if item.session_id:
        return Exists(live.filter(session_id=item.session_id))
    return Exists(live.filter(course_id=item.course_id, session__isnull=True))


def group_members(*, item: InventoryItem) -> QuerySet[User]:
    """Who may hold a seat of ``item``: its applicant and the active learners of the
    purchase's organisation (R-TYPE-3)."""
    return User.objects.filter(
        Q(pk=item.applicant_id)
        | Q(organisation_id=item.organisation_id, user_type__in=LEARNER_TYPES, is_active=True)
    ).order_by("last_name_kana", "first_name_kana", "pk")


def assignable_learners(*, item: InventoryItem) -> list[User]:
    """Who may take a seat of ``item`` now: the applicant and the active learners of the
    purchase's organisation, without those who hold a seat of it already (one query)."""
    return list(
        group_members(item=item)
        .annotate(holds_seat=_live_enrollment_of(item))
        .filter(holds_seat=False)
    )


def group_learners(*, applicant) -> QuerySet[User]:
    """The learners of ``applicant``'s organisation, with ``has_password`` and their
    enrolments (course and session), by kana: two queries for any number of rows."""
    if not applicant.organisation_id:
        return User.objects.none()
    return (
        User.objects.filter(organisation_id=applicant.organisation_id, user_type__in=LEARNER_TYPES)
        .annotate(
            invitation_pending=ExpressionWrapper(
                Q(password__startswith=UNUSABLE_PASSWORD_PREFIX), output_field=BooleanField()
            )
        )
        .prefetch_related(
            Prefetch(
                "enrollments",
                queryset=Enrollment.objects.select_related("course", "session").order_by(
                    "-applied_at", "-pk"
                ),
                to_attr="all_enrollments",
            )
        )
        .order_by("last_name_kana", "first_name_kana", "pk")
    )


def group_learner_of(*, applicant, pk: int) -> User:
    """One learner of ``applicant``'s group (``DoesNotExist`` otherwise)."""
    return User.objects.get(
        pk=pk,
        organisation_id=applicant.organisation_id or -1,
        user_type__in=LEARNER_TYPES,
    )


# --- the purchase page --------------------------------------------------------------------


def session_for_purchase(*, pk: int) -> Session:
    """A session of a published classroom or live course (``Session.DoesNotExist``)."""
    return (
        Session.objects.select_related("course")
        .exclude(course__delivery=Course.Delivery.ELEARNING)
        .get(pk=pk, course__is_published=True)
    )


def elearning_course_for_purchase(*, code: str) -> Course:
    return Course.objects.get(code=code, is_published=True, delivery=Course.Delivery.ELEARNING)


@dataclass
class PurchasePreview:
    """What the purchase pages show: unit fee, quantity, tax, total, payment, the
    cancellation tiers with their dates, seats left, and whether (why not) one may buy."""

    course: Course
    session: Session | None
    first_day: dt.date  #: the session's first day, or an access start if assigned today
    quantity: int
    unit_fee: int
    subtotal: int
    tax: int
    total: int
    tax_rate: int
    due_on: dt.date
    windows: list[TierWindow] = field(default_factory=list)
    refusal: str = ""
    blocked: DomainError | None = None
    seats_left: int | None = None

    @property
    def may_buy(self) -> bool:
        return not self.refusal and self.blocked is None and self.seats_left != 0

    @property
    def is_elearning(self) -> bool:
        return self.session is None


def purchase_preview(
    *, user, session: Session | None = None, course: Course | None = None, quantity: int = 1
) -> PurchasePreview:
    now = ktime.now()
    today = ktime.tokyo_date(now)
    course = session.course if session is not None else course
    if session is not None:
        first_day = ktime.tokyo_date(session.starts_at)
    else:
        first_day = elearning_start_date(today, is_partner=course.is_partner)
    quantity = max(int(quantity or 1), 1)
    (sub,) = tax_breakdown([LineSpec(course.code, course.fee, quantity)])
    preview = PurchasePreview(
        course=course,
        session=session,
        first_day=first_day,
        quantity=quantity,
        unit_fee=course.fee,
        subtotal=sub.base,
        tax=sub.tax,
        total=sub.base + sub.tax,
        tax_rate=sub.rate,
        due_on=due_date_for(today),
        windows=cancellation_windows(tiers=policy_tiers_for(course.delivery), first_day=first_day),
    )
    if not policy.can(user, Action.BUY_FOR_OTHERS):
        preview.refusal = policy.refusal_reason(user, Action.BUY_FOR_OTHERS)
    if session is not None:
        preview.blocked = session_refusal(session, now=now)
        preview.seats_left = seats_left([session])[session.pk]
    return preview


# --- staff ----------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def items_for_staff(*, q: str = "") -> QuerySet[InventoryItem]:
    """Every purchase, newest first, searched by purchase number, applicant (user ID,
    name, kana, email), organisation or course (code, title)."""
    qs = InventoryItem.objects.select_related(
        "applicant", "organisation", "course", "session", "order", "purchased_by"
    )
    for word in _fold(q).split():
        condition = (
            Q(applicant__username__icontains=word)
            | Q(applicant__email__icontains=word)
            | Q(applicant__last_name__icontains=word)
            | Q(applicant__first_name__icontains=word)
            | Q(applicant__last_name_kana__icontains=word)
            | Q(applicant__first_name_kana__icontains=word)
            | Q(organisation__name__icontains=word)
            | Q(organisation__name_kana__icontains=word)
            | Q(course__code__icontains=word)
            | Q(course__title__icontains=word)
        )
        if word[:1] in "Pp" and word[1:].isdigit():
            condition |= Q(pk=int(word[1:]))
        qs = qs.filter(condition)
    return _with_counts(qs).order_by("-purchased_at", "-pk")


def item_for_staff(*, pk: int) -> InventoryItem:
    return (
        _with_counts(
            InventoryItem.objects.select_related(
                "applicant", "organisation", "course", "session", "order", "purchased_by"
            )
        )
        .prefetch_related(
            Prefetch(
                "order__invoices",
                queryset=Invoice.objects.filter(kind=Invoice.Kind.INVOICE).order_by("pk"),
                to_attr="main_invoices",
            )
        )
        .get(pk=pk)
    )


def group_applicants_for_staff(*, q: str) -> QuerySet[User]:
    """Group applicants matching ``q`` (user ID exactly, for the proxy purchase form)."""
    return User.objects.filter(
        username=q.strip(), user_type=User.UserType.GROUP_APPLICANT, is_active=True
    )
