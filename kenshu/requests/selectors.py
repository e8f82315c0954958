"""Reads of requests, scoped to who may see them.

- A customer sees its own requests of every kind (``requests_of``) and may ask
  about its own inventory and enrolments only (``own_seat``, ``own_purchase``,
  ``own_enrollment``: another user's id is ``DoesNotExist`` → 404).
- Staff see the queue of the kinds their role may view (``request_queue``); the
  views check the permissions.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.utils import formats
from django.utils.translation import gettext as _

from kenshu.accounts.models import User
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.seats import seats_taken
from kenshu.inventory.models import InventoryItem, Seat

from .models import (
    CancellationRequest,
    DateChangeRequest,
    LearnerChangeRequest,
    RequestKind,
    RequestState,
    TypeChangeRequest,
)

#: The model of each kind of request.
MODELS = {
    RequestKind.TYPE_CHANGE: TypeChangeRequest,
    RequestKind.CANCELLATION: CancellationRequest,
    RequestKind.LEARNER_CHANGE: LearnerChangeRequest,
    RequestKind.DATE_CHANGE: DateChangeRequest,
}

#: The permission to see each kind in the staff queue.
VIEW_PERMISSION = {
    RequestKind.TYPE_CHANGE: "requests.view_typechangerequest",
    RequestKind.CANCELLATION: "requests.view_cancellationrequest",
    RequestKind.LEARNER_CHANGE: "requests.view_learnerchangerequest",
    RequestKind.DATE_CHANGE: "requests.view_datechangerequest",
}

#: Group learners (and partner learners) an applicant assigns seats to (R-TYPE-3).
LEARNER_TYPES = (User.UserType.GROUP_LEARNER, User.UserType.PARTNER_LEARNER)


# --- what a customer may ask about --------------------------------------------------------


def own_seat(*, user, pk) -> Seat:
    """A live seat of ``user``'s own inventory (raises ``Seat.DoesNotExist``)."""
    return Seat.objects.select_related(
        "item__course", "item__session", "item__organisation", "learner", "enrollment"
    ).get(pk=pk, item__applicant=user, state__in=Seat.LIVE_STATES)


def own_purchase(*, user, pk) -> InventoryItem:
    """One of ``user``'s own purchases (raises ``InventoryItem.DoesNotExist``)."""
    return InventoryItem.objects.select_related("course", "session", "organisation").get(
        pk=pk, applicant=user
    )


def own_enrollment(*, user, pk) -> Enrollment:
    """A live enrolment ``user`` may ask about: one it applied for itself, or one
    assigned from its own inventory (raises ``Enrollment.DoesNotExist``)."""
    return Enrollment.objects.select_related(
        "course", "session", "learner", "learner__organisation", "applicant"
    ).get(
        Q(source=Enrollment.Source.SELF, learner=user) | Q(source=Enrollment.Source.INVENTORY),
        pk=pk,
        applicant=user,
        state__in=Enrollment.LIVE_STATES,
    )


def live_seats_of(item: InventoryItem) -> list[Seat]:
    return list(
        Seat.objects.filter(item=item, state__in=Seat.LIVE_STATES)
        .select_related("learner")
        .order_by("pk")
    )


def session_date_text(session: Session | None, *, access_starts_on: dt.date | None = None) -> str:
    """The session's start (Asia/Tokyo) as the customer reads it, or e-learning."""
    if session is not None:
        return formats.date_format(ktime.to_tokyo(session.starts_at), "DATETIME_FORMAT")
    if access_starts_on is not None:
        return _("E-learning (access from %(date)s)") % {
            "date": formats.date_format(access_starts_on, "DATE_FORMAT")
        }
    return _("E-learning")


def cancellation_prefill(
    *, seat: Seat | None = None, item: InventoryItem | None = None, enrollment=None
) -> dict[str, str]:
    """What the cancellation form shows first (R-CANCEL-2): course code and name, the
    session date, the company and the learner(s), taken from the seat, purchase or
    enrolment."""
    if seat is not None:
        item = seat.item
    if item is not None:
        if seat is not None:
            learners = [seat.learner] if seat.learner_id else []
        else:
            learners = [s.learner for s in live_seats_of(item) if s.learner_id]
        starts = None
        if seat is not None and seat.enrollment_id and not item.session_id:
            starts = seat.enrollment.access_starts_on
        return {
            "course_code": item.course.code,
            "course_title": item.course.title,
            "session_date": session_date_text(item.session, access_starts_on=starts),
            "company_name": item.organisation.name if item.organisation_id else "",
            "learner_name": "、".join(
                learner.full_name or learner.username for learner in learners
            ),
        }
    learner = enrollment.learner
    organisation = learner.organisation if learner.organisation_id else None
    return {
        "course_code": enrollment.course.code,
        "course_title": enrollment.course.title,
        "session_date": session_date_text(
            enrollment.session, access_starts_on=enrollment.access_starts_on
        ),
        "company_name": organisation.name if organisation else "",
        "learner_name": learner.full_name or learner.username,
    }


def colleagues_of(user) -> QuerySet[User]:
    """Who may hold a seat ``user`` bought (R-TYPE-3): itself and the active group and
    partner learners of its organisation, by kana."""
    group = Q(pk=user.pk)
    if user.organisation_id:
        group |= Q(
            organisation_id=user.organisation_id, user_type__in=LEARNER_TYPES, is_active=True
        )
    return User.objects.filter(group).order_by("last_name_kana", "first_name_kana", "pk")


@dataclass(frozen=True)
class SessionChoice:
    session: Session
    seats_left: int


def other_sessions_for(enrollment: Enrollment, *, now: dt.datetime | None = None):
    """The other sessions of the enrolment's course still taking applications, later
    than now, with the seats left (for a date change): one query for the sessions,
    one for the seats."""
    now = now or ktime.now()
    sessions = list(
        Session.objects.filter(
            course_id=enrollment.course_id,
            state__in=[Session.State.OPEN, Session.State.CONFIRMED],
            deadline__gt=now,
        )
        .exclude(pk=enrollment.session_id)
        .select_related("course")
        .order_by("starts_at", "pk")
    )
    taken = seats_taken(s.pk for s in sessions)
    return [SessionChoice(s, max(s.capacity - taken.get(s.pk, 0), 0)) for s in sessions]


# --- a customer's own requests --------------------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    """One request of any kind, as the lists show it (from ``request_rows``)."""

    kind: str
    pk: int
    state: str
    contact_date: dt.date
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decision_reason: str
    requester_name: str
    requester_username: str
    company: str
    subject: str
    entered_by_staff: bool

    @property
    def kind_label(self) -> str:
        return RequestKind(self.kind).label

    @property
    def state_label(self) -> str:
        return RequestState(self.state).label

    @property
    def is_open(self) -> bool:
        return self.state == RequestState.OPEN

    @property
    def age_days(self) -> int:
        return (ktime.tokyo_date() - self.contact_date).days

    @property
    def subject_label(self) -> str:
        """What the request is about; for a type change, the type asked for."""
        if self.kind == RequestKind.TYPE_CHANGE:
            try:
                return User.UserType(self.subject).label
            except ValueError:
                return self.subject
        return self.subject

    @property
    def staff_url(self) -> str:
        from .services.common import staff_path

        return staff_path(self.kind, self.pk)


_TEXT = CharField()


def _rows(kind: RequestKind, requests: QuerySet) -> QuerySet:
    """``requests`` of ``kind`` as rows of the same columns, for a ``UNION ALL``.

    Every column is an annotation added in one ``annotate()`` in the same order for
    every kind, so that the combined query lines the columns up."""
    if kind == RequestKind.TYPE_CHANGE:
        subject = F("requested_type")
        company = F("company_name")
    elif kind == RequestKind.CANCELLATION:
        subject = Concat(F("course_code"), Value(" "), F("course_title"), output_field=_TEXT)
        company = F("company_name")
    elif kind == RequestKind.LEARNER_CHANGE:
        subject = Concat(
            F("seat__item__course__code"),
            Value(" "),
            F("seat__item__course__title"),
            Value(" → "),
            F("new_learner_name"),
            output_field=_TEXT,
        )
        company = F("requester__organisation__name")
    else:
        subject = Concat(
            F("enrollment__course__code"),
            Value(" "),
            F("enrollment__course__title"),
            output_field=_TEXT,
        )
        company = F("requester__organisation__name")
    columns = {
        "r_kind": Value(kind.value, output_field=_TEXT),
        "r_pk": F("pk"),
        "r_state": F("state"),
        "r_contact_date": F("contact_date"),
        "r_created_at": F("created_at"),
        "r_decided_at": F("decided_at"),
        "r_reason": F("decision_reason"),
        "r_last_name": F("requester__last_name"),
        "r_first_name": F("requester__first_name"),
        "r_username": F("requester__username"),
        "r_company": Coalesce(company, Value(""), output_field=_TEXT),
        "r_subject": subject,
        "r_entered": Case(
            When(entered_by__isnull=False, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        # The queue's order: open first by contact date, then decided, newest first.
        "r_open_first": Case(
            When(state=RequestState.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "r_open_contact": Case(
            When(state=RequestState.OPEN, then=F("contact_date")),
            default=Value(dt.date(1, 1, 1)),
            output_field=DateField(),
        ),
    }
    return requests.order_by().annotate(**columns).values(*columns)


def _combine(parts: list[QuerySet]) -> QuerySet:
    if len(parts) == 1:
        return parts[0]
    return parts[0].union(*parts[1:], all=True)


def _to_row(values: dict) -> RequestRow:
    return RequestRow(
        kind=values["r_kind"],
        pk=values["r_pk"],
        state=values["r_state"],
        contact_date=_as_date(values["r_contact_date"]),
        created_at=values["r_created_at"],
        decided_at=values["r_decided_at"],
        decision_reason=values["r_reason"] or "",
        requester_name=f"{values['r_last_name'] or ''} {values['r_first_name'] or ''}".strip(),
        requester_username=values["r_username"],
        company=values["r_company"] or "",
        subject=values["r_subject"] or "",
        entered_by_staff=bool(values["r_entered"]),
    )


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


class RowList:
    """A sliceable, countable list of ``RequestRow`` over a combined query, for the
    paginator: ``count()`` is one query, a page is one query."""

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [_to_row(values) for values in self.queryset[index]]
        return _to_row(self.queryset[index])


def requests_of(*, user) -> RowList:
    """``user``'s own requests of every kind, newest first (My requests, R-ACCT-5)."""
    parts = [_rows(kind, model.objects.filter(requester=user)) for kind, model in MODELS.items()]
    return RowList(_combine(parts).order_by("-r_created_at", "-r_pk"))


def visible_kinds(user) -> list[RequestKind]:
    """The kinds of request ``user`` (staff) may see in the queue."""
    return [kind for kind, perm in VIEW_PERMISSION.items() if user.has_perm(perm)]


def request_queue(*, kinds: list[RequestKind], state: str = "") -> RowList:
    """The staff queue over ``kinds``: open requests first, the oldest contact date
    first (with their age); then the decided ones, most recently decided first.
    ``state`` narrows it to one state. Two queries a page, whatever the rows."""
    parts = []
    for kind in kinds:
        requests = MODELS[kind].objects.all()
        if state:
            requests = requests.filter(state=state)
        parts.append(_rows(kind, requests))
    if not parts:
        return RowList(_rows(RequestKind.CANCELLATION, CancellationRequest.objects.none()))
    return RowList(
        _combine(parts).order_by(
            "r_open_first", "r_open_contact", "-r_decided_at", "r_created_at", "r_pk"
        )
    )


def open_request_counts(kinds: list[RequestKind]) -> dict[str, int]:
    """Open requests per kind (the queue's tabs)."""
    return {
        kind.value: MODELS[kind].objects.filter(state=RequestState.OPEN).count() for kind in kinds
    }


# --- the staff pages of one request ----------------------------------------------------------


def cancellation_request_for_staff(*, pk) -> CancellationRequest:
    return CancellationRequest.objects.select_related(
        "requester",
        "requester__organisation",
        "entered_by",
        "decided_by",
        "item__course",
        "item__session",
        "item__order",
        "seat__learner",
        "seat__enrollment",
        "enrollment__course",
        "enrollment__session",
        "enrollment__learner",
        "credit_note",
        "fee_invoice",
    ).get(pk=pk)


def learner_change_request_for_staff(*, pk) -> LearnerChangeRequest:
    return LearnerChangeRequest.objects.select_related(
        "requester",
        "requester__organisation",
        "entered_by",
        "decided_by",
        "seat__item__course",
        "seat__item__session",
        "seat__learner",
        "new_learner",
        "assigned_learner",
    ).get(pk=pk)


def date_change_request_for_staff(*, pk) -> DateChangeRequest:
    return DateChangeRequest.objects.select_related(
        "requester",
        "requester__organisation",
        "entered_by",
        "decided_by",
        "enrollment__course",
        "enrollment__session",
        "enrollment__learner",
        "target_session",
        "from_session",
        "moved_to",
    ).get(pk=pk)


# --- type-change requests (R-TYPE-4) ---------------------------------------------------------


def open_type_change_request_of(*, user) -> TypeChangeRequest | None:
    """``user``'s open type-change request, if any (there is at most one)."""
    return TypeChangeRequest.objects.filter(user=user, state=RequestState.OPEN).first()


def type_change_request_queue(*, state: str = "") -> QuerySet[TypeChangeRequest]:
    """The staff queue: open requests first, oldest contact date first; then the
    decided ones, most recently decided first. ``state`` narrows it to one state."""
    requests = TypeChangeRequest.objects.select_related("user", "user__organisation")
    if state:
        requests = requests.filter(state=state)
    return requests.annotate(
        open_first=Case(
            When(state=RequestState.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        open_contact_date=Case(
            When(state=RequestState.OPEN, then=F("contact_date")),
            default=None,
            output_field=DateField(),
        ),
    ).order_by(
        "open_first",
        F("open_contact_date").asc(nulls_last=True),
        F("decided_at").desc(nulls_last=True),
        "created_at",
        "pk",
    )


def type_change_request_for_staff(*, pk: int) -> TypeChangeRequest:
    """One request with everything its staff page shows (raises DoesNotExist)."""
    return TypeChangeRequest.objects.select_related(
        "user", "user__organisation", "requester", "entered_by", "decided_by"
    ).get(pk=pk)


def open_type_change_requests(*, limit: int = 10) -> list[TypeChangeRequest]:
    """The oldest open requests (the dashboard)."""
    return list(
        TypeChangeRequest.objects.filter(state=RequestState.OPEN)
        .select_related("user", "user__organisation")
        .order_by("contact_date", "created_at", "pk")[:limit]
    )


def open_type_change_request_count() -> int:
    return TypeChangeRequest.objects.filter(state=RequestState.OPEN).count()
