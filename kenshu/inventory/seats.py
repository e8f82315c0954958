"""Live inventory seats per session, for ``kenshu.enrollments.seats`` (R-APPLY-3).

An inventory seat holds capacity while it is live (unassigned or assigned); the
enrolment of an assigned seat is counted here, through its seat, never twice.
"""

from django.db.models import Count, F, QuerySet


def live_inventory_seats(session_ids: list[int]) -> QuerySet:
    """Rows ``{"session_id", "n"}``: live seats per session (one part of the UNION)."""
    from .models import Seat

    return (
        Seat.objects.filter(item__session_id__in=session_ids, state__in=Seat.LIVE_STATES)
        .order_by()
        .values(session_id=F("item__session_id"))
        .annotate(n=Count("pk"))
    )
