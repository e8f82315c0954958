"""Everything about one person on one page (reception helpers, DOMAIN.md §11): the
enrolments it holds or applied for, its inventory purchases, its requests of every
kind and its invoices. Each list is one query (the latest ``limit`` rows) and its
total is one more, whatever the person's history."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q

from kenshu.accounts.models import User
from kenshu.billing.models import Invoice
from kenshu.billing.services import invoice_is_overdue
from kenshu.core.time import tokyo_date
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.models import InventoryItem, Seat
from kenshu.requests.models import (
    CancellationRequest,
    DateChangeRequest,
    LearnerChangeRequest,
    RequestKind,
)

from .sessions import mark_payment_states, with_invoice

#: Rows of each list on a person's page.
PERSON_LIMIT = 50


@dataclass(frozen=True)
class Listing:
    rows: list
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


def _listing(queryset, limit: int) -> Listing:
    rows = list(queryset[:limit])
    total = len(rows) if len(rows) < limit else queryset.count()
    return Listing(rows=rows, total=total)


def person_enrollments(*, user: User, limit: int = PERSON_LIMIT) -> Listing:
    """Enrolments where ``user`` is the learner or the applicant, latest first, each
    with its source, state and payment state."""
    enrollments = with_invoice(
        Enrollment.objects.filter(Q(learner=user) | Q(applicant=user)).select_related(
            "course", "session", "learner", "applicant"
        ),
        F("order_id"),
    ).order_by("-applied_at", "-pk")
    listing = _listing(enrollments, limit)
    mark_payment_states(listing.rows)
    return listing


def person_purchases(*, user: User, limit: int = PERSON_LIMIT) -> Listing:
    """Inventory purchases ``user`` made as group applicant, with their seat counts."""
    items = with_invoice(
        InventoryItem.objects.filter(applicant=user)
        .select_related("course", "session")
        .annotate(
            assigned=Count("seats", filter=Q(seats__state=Seat.State.ASSIGNED)),
            unassigned=Count("seats", filter=Q(seats__state=Seat.State.UNASSIGNED)),
            cancelled=Count("seats", filter=Q(seats__state=Seat.State.CANCELLED)),
        ),
        F("order_id"),
    ).order_by("-purchased_at", "-pk")
    listing = _listing(items, limit)
    mark_payment_states(listing.rows)
    return listing


@dataclass(frozen=True)
class PersonRequest:
    kind: str
    kind_label: str
    pk: int
    contact_date: dt.date
    state: str
    state_label: str
    summary: str
    created_at: dt.datetime


def person_requests(*, staff, user: User, limit: int = PERSON_LIMIT) -> list[PersonRequest] | None:
    """Cancellation, learner-change and date-change requests made by ``user`` or about its
    places, of the kinds ``staff`` may see (type-change requests have their own list)."""
    kinds = [
        (
            RequestKind.CANCELLATION,
            CancellationRequest.objects.filter(
                Q(requester=user) | Q(enrollment__learner=user) | Q(seat__learner=user)
            ),
            lambda r: f"{r.course_code} {r.course_title} {r.learner_name}".strip(),
        ),
        (
            RequestKind.LEARNER_CHANGE,
            LearnerChangeRequest.objects.filter(
                Q(requester=user) | Q(seat__learner=user) | Q(new_learner=user)
            ),
            lambda r: f"{r.current_learner_name} → {r.new_learner_name}",
        ),
        (
            RequestKind.DATE_CHANGE,
            DateChangeRequest.objects.filter(Q(requester=user) | Q(enrollment__learner=user)),
            lambda r: r.preferred_dates,
        ),
    ]
    rows = []
    shown = False
    for kind, queryset, summary in kinds:
        if not staff.has_perm(f"requests.view_{queryset.model._meta.model_name}"):
            continue
        shown = True
        for request in queryset.distinct().order_by("-created_at", "-pk")[:limit]:
            rows.append(
                PersonRequest(
                    kind=kind,
                    kind_label=str(kind.label),
                    pk=request.pk,
                    contact_date=request.contact_date,
                    state=request.state,
                    state_label=request.get_state_display(),
                    summary=summary(request),
                    created_at=request.created_at,
                )
            )
    if not shown:
        return None
    return sorted(rows, key=lambda r: r.created_at, reverse=True)


def person_invoices(*, user: User, limit: int = PERSON_LIMIT) -> Listing:
    """Invoices, credit notes and fee invoices of the orders ``user`` placed."""
    listing = _listing(
        Invoice.objects.filter(order__buyer=user).order_by("-issued_on", "-pk"), limit
    )
    today = tokyo_date()
    for invoice in listing.rows:
        invoice.overdue = invoice_is_overdue(invoice, today)
    return listing
