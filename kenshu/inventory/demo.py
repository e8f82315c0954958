"""Demo inventory for `make run`: the demo group applicant bought 3 seats and assigned one.

``load_inventory_demo(users)`` is called by ``kenshu.core.demo`` with the demo users by
user ID. It is idempotent: once ``group-admin`` has a purchase, it does nothing. The
purchase goes through the services, as a customer would make it.
"""

from django.db.models import Q

from kenshu.catalog.models import Course, Session
from kenshu.core import time as ktime
from kenshu.enrollments.seats import seats_left

from .models import InventoryItem

DEMO_QUANTITY = 3


def _demo_session() -> Session | None:
    """The first open classroom or live session, still taking applications, with room
    for the purchase."""
    sessions = list(
        Session.objects.filter(
            state=Session.State.OPEN,
            deadline__gt=ktime.now(),
            course__is_published=True,
        )
        .filter(
            Q(course__delivery=Course.Delivery.CLASSROOM) | Q(course__delivery=Course.Delivery.LIVE)
        )
        .select_related("course")
        .order_by("starts_at", "pk")[:50]
    )
    left = seats_left(sessions)
    return next((s for s in sessions if left[s.pk] >= DEMO_QUANTITY), None)


def load_inventory_demo(users: dict) -> int:
    """Purchase 3 seats as ``group-admin`` and assign one to ``group-learner``; returns
    how many purchases were created (0 when the demo purchase exists already)."""
    from .services import inventory_purchase, seat_assign

    applicant = users.get("group-admin")
    learner = users.get("group-learner")
    if applicant is None or InventoryItem.objects.filter(applicant=applicant).exists():
        return 0
    session = _demo_session()
    if session is None:
        return 0
    item = inventory_purchase(actor=applicant, session=session, quantity=DEMO_QUANTITY)
    if learner is not None:
        seat = item.seats.order_by("pk").first()
        seat_assign(actor=applicant, seat=seat, learner=learner)
    return 1
