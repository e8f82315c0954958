"""How many seats of a session are taken (R-APPLY-3), in one place.

Taken = live enrolments applied for oneself + waiting-list offers still open
(an offer holds its seat) + live inventory seats, assigned or not (registered
by the inventory app through ``register_seat_counter``; an enrolment assigned
from inventory is counted through its inventory seat, never twice).

Callers that are about to take a seat must hold the session's row lock
(``kenshu.core.locking.lock_rows``) while they count, so that the count and
the insert are one step for every other writer.
"""

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable

from django.db import connection
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
    every round trip saved there counts.

    The query's SQL is built by the ORM (``_counts_query``) once per number of ids
    and kept (``_compiled_counts``): building it cost more than running it."""
    compiled = _compiled_counts(connection.vendor, len(session_ids), tuple(_extra_counters))
    if compiled is None:  # a shape the cache cannot take: build it every time
        total: Counter[int] = Counter()
        for row in _counts_query(session_ids, timezone.now()):
            total[row["session_id"]] += row["n"]
        return total
    sql, slots = compiled
    now = timezone.now()
    adapted_now = connection.ops.adapt_datetimefield_value(now)
    params = [
        session_ids[value]
        if kind == "id"
        else (adapted_now if value else now)
        if kind == "now"
        else value
        for kind, value in slots
    ]
    total = Counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        at_id, at_n = names.index("session_id"), names.index("n")
        for row in cursor.fetchall():
            total[row[at_id]] += row[at_n]
    return total


#: Stand-ins the query is built with once, then replaced by the real values.
_LOOKS_LIKE_A_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SENTINEL_ID = -(10**15)
_SENTINEL_NOW = dt.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt.UTC)


@functools.lru_cache(maxsize=128)
def _compiled_counts(vendor: str, n: int, counters: tuple) -> tuple[str, list] | None:
    """``(sql, slots)`` of ``_counts_query`` for ``n`` session ids: the ORM builds it
    with stand-in ids and time, and each parameter becomes a slot — the i-th id, the
    time (as the backend takes it), or a constant. None (do not keep) if any parameter
    is neither a stand-in nor a plain constant (a counter with a time or id of its
    own), or a stand-in id is missing."""
    ids = [_SENTINEL_ID - k for k in range(n)]
    sql, params = _counts_query(ids, _SENTINEL_NOW).query.sql_with_params()
    # Some backends (SQLite) get the time as text already: the slot says so.
    adapted_now = connection.ops.adapt_datetimefield_value(_SENTINEL_NOW)
    slots, seen = [], set()
    for param in params:
        if isinstance(param, int) and not isinstance(param, bool) and param in ids:
            slots.append(("id", _SENTINEL_ID - param))
            seen.add(param)
        elif isinstance(param, dt.datetime) and param == _SENTINEL_NOW:
            slots.append(("now", False))
        elif isinstance(param, str) and param == adapted_now:
            slots.append(("now", True))
        elif isinstance(param, bool) or (isinstance(param, int) and param >= 0):
            slots.append(("const", param))
        elif isinstance(param, str) and not _LOOKS_LIKE_A_DATE.match(param):
            slots.append(("const", param))  # a state, a source (a date is text on SQLite)
        else:
            return None
    if len(seen) != n:
        return None
    return sql, slots


def _counts_query(session_ids: list[int], now: dt.datetime) -> QuerySet:
    """The ``UNION ALL`` of the counts, rows ``{"session_id": …, "n": …}``."""
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
            offer_expires_at__gt=now,
        )
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
    )
    extra = [counter(session_ids) for counter in _extra_counters]
    return enrolled.union(offered, *extra, all=True)


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
