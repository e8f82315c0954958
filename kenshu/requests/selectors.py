"""Reads of requests, scoped to who may see them.

- A customer sees its own requests (``requests_of``).
- Staff with ``requests.view_typechangerequest`` see the queue
  (``type_change_request_queue``); the view checks the permission.
"""

from django.db.models import Case, DateField, F, IntegerField, QuerySet, Value, When

from .models import RequestState, TypeChangeRequest


def requests_of(*, user) -> QuerySet[TypeChangeRequest]:
    """``user``'s own requests (type-change for now), newest first."""
    return TypeChangeRequest.objects.filter(user=user).order_by("-created_at", "-pk")


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
