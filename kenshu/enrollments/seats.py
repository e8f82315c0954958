"""How many seats of a session are taken (R-APPLY-3), in one place.

Taken = live enrolments applied for oneself + waiting-list offers still open
(an offer holds its seat) + live inventory seats, assigned or not (registered
by the inventory app through ``register_seat_counter``; an enrolment assigned
from inventory is counted through its inventory seat, never twice).

Callers that are about to take a seat must hold the session's row lock
(``kenshu.core.locking.lock_rows``) while they count, so that the count and
the insert are one step for every other writer.
"""

from collections import Counter
from collections.abc import Callable, Iterable

from django.db.models import Count, QuerySet
from django.utils import timezone

#: Given session ids, a queryset of rows ``{"session_id": …, "n": …}``.
SeatCounter = Callable[[list[int]], QuerySet]
_extra_counters: list[SeatCounter] = []


def register_seat_counter(counter: SeatCounter) -> None:
    """Add a source of taken seats (e.g. the inventory app's live seats): a function
    returning a ``values("session_id").annotate(n=Count(...))``-shaped queryset, which
    is joined to the others in the one ``UNION ALL`` query."""
    if counter not in _extra_counters:
        _extra_counters.append(counter)


def _counts(session_ids: list[int]) -> dict[int, int]:
    """Live enrolments applied for oneself, open waiting-list offers and every
    registered source (live inventory seats), per session, in one query (``UNION
    ALL`` of the counts): applying counts while it holds the session's lock, so
    every round trip saved there counts."""
    from .models import Enrollment, WaitingListEntry

    enrolled = (
        Enrollment.objects.filter(
            session_id__in=session_ids,
            state__in=Enrollment.LIVE_STATES,
            source=Enrollment.Source.SELF,
        )
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
    )
    offered = (
        WaitingListEntry.objects.filter(
            session_id__in=session_ids,
            state=WaitingListEntry.State.OFFERED,
            offer_expires_at__gt=timezone.now(),
        )
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
    )
    extra = [counter(session_ids) for counter in _extra_counters]
    total: Counter[int] = Counter()
    for row in enrolled.union(offered, *extra, all=True):
        total[row["session_id"]] += row["n"]
    return total


def seats_taken(session_ids: Iterable[int]) -> dict[int, int]:
    """Taken seats per session id (every id present, 0 when none)."""
    ids = sorted(set(session_ids))
    if not ids:
        return {}
    total: Counter[int] = Counter({pk: 0 for pk in ids})
    total.update(_counts(ids))
    return dict(total)


def seats_left(sessions) -> dict[int, int]:
    """Seats left per session (never below 0), for sessions already fetched."""
    sessions = list(sessions)
    taken = seats_taken(s.pk for s in sessions)
    return {s.pk: max(s.capacity - taken.get(s.pk, 0), 0) for s in sessions}
