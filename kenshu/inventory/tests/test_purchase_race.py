"""R-APPLY-3 on PostgreSQL with real threads (each its own connection): self-applications
and inventory purchases racing for the same session never exceed its capacity; bulk
assignments racing for the same seats never give one seat twice.

Skipped on SQLite (its writers are serialised by the database lock anyway).
"""

import threading
from collections import Counter

import pytest
from django.db import connection

from kenshu.billing.models import Invoice
from kenshu.core.exceptions import Busy
from kenshu.core.testing import OrganisationFactory, SessionFactory, UserFactory
from kenshu.enrollments.exceptions import AlreadyApplied, SessionFull
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.seats import seats_taken
from kenshu.enrollments.services import enrollment_apply
from kenshu.inventory.exceptions import (
    LearnerHoldsSeat,
    NoSeatsLeft,
    NotEnoughSeats,
    SeatNotUnassigned,
)
from kenshu.inventory.models import InventoryItem, Seat
from kenshu.inventory.services import inventory_purchase, seat_assign

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REFUSALS = {
    SessionFull: "full",
    NoSeatsLeft: "full",
    NotEnoughSeats: "not enough",
    AlreadyApplied: "already",
    LearnerHoldsSeat: "already",
    SeatNotUnassigned: "taken",
    Busy: "busy",
}


def race(calls):
    """Run each callable in its own thread, released together; return the outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            call()
            outcomes[index] = "ok"
        except tuple(REFUSALS) as exc:
            outcomes[index] = REFUSALS[type(exc)]
        except Exception as exc:  # reported by the assertions on the outcomes
            outcomes[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_r_apply_3_self_applications_and_purchases_racing_never_exceed_the_capacity():
    session = SessionFactory(capacity=12)
    organisation = OrganisationFactory()
    buyers = [UserFactory(group_applicant=True, organisation=organisation) for _ in range(10)]
    learners = [UserFactory() for _ in range(20)]
    calls = [
        lambda user=user: inventory_purchase(actor=user, session=session, quantity=3)
        for user in buyers
    ] + [lambda user=user: enrollment_apply(actor=user, session=session) for user in learners]

    outcomes = race(calls)

    assert set(outcomes) <= {"ok", "full", "not enough"}, outcomes
    bought = Seat.objects.filter(item__session=session).count()
    applied = Enrollment.objects.filter(session=session, state="applied").count()
    assert bought + applied <= 12
    assert seats_taken([session.pk])[session.pk] == bought + applied
    purchases = Counter(outcomes[:10])["ok"]
    applications = Counter(outcomes[10:])["ok"]
    assert bought == 3 * purchases and applied == applications
    assert bought + applied >= 10  # every refusal came when fewer than 3 seats were left
    # one invoice per successful order, numbered without gaps
    numbers = sorted(
        int(n.rsplit("-", 1)[1])
        for n in Invoice.objects.filter(kind="invoice").values_list("number", flat=True)
    )
    assert numbers == list(range(1, purchases + applications + 1))
    assert InventoryItem.objects.count() == purchases


def test_r_apply_3_the_last_seats_go_to_exactly_one_racer():
    session = SessionFactory(capacity=5)
    organisation = OrganisationFactory()
    buyers = [UserFactory(group_applicant=True, organisation=organisation) for _ in range(8)]
    outcomes = race(
        [
            lambda user=user: inventory_purchase(actor=user, session=session, quantity=5)
            for user in buyers
        ]
        + [lambda: enrollment_apply(actor=UserFactory(), session=session) for _ in range(8)]
    )
    assert set(outcomes) <= {"ok", "full", "not enough"}, outcomes
    assert seats_taken([session.pk])[session.pk] <= 5
    assert Seat.objects.filter(item__session=session).count() in {0, 5}


def test_two_applicants_racing_to_assign_the_same_seat_give_it_once(applicant, colleague, session):
    item = inventory_purchase(actor=applicant, session=session, quantity=1)
    seat = item.seats.get()
    others = [
        UserFactory(group_learner=True, organisation=applicant.organisation) for _ in range(6)
    ]
    outcomes = race(
        [lambda user=user: seat_assign(actor=applicant, seat=seat, learner=user) for user in others]
    )
    assert Counter(outcomes) == {"ok": 1, "taken": 5}, outcomes
    assert Enrollment.objects.filter(session=session).count() == 1


def test_one_learner_racing_for_two_seats_gets_one(applicant, colleague, session):
    item = inventory_purchase(actor=applicant, session=session, quantity=6)
    seats = list(item.seats.all())
    outcomes = race(
        [
            lambda seat=seat: seat_assign(actor=applicant, seat=seat, learner=colleague)
            for seat in seats
        ]
    )
    assert Counter(outcomes) == {"ok": 1, "already": 5}, outcomes
    assert Enrollment.objects.filter(learner=colleague, state="applied").count() == 1
