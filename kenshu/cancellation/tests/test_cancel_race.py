"""Cancelling under concurrency, on PostgreSQL (real threads, real row locks): a place is
cancelled once and credited once however many try at the same time, and a freed seat
goes to exactly one person waiting while others race to apply for it.

Skipped on SQLite (its writers are serialised by the database lock anyway).
"""

import threading
from collections import Counter

import pytest
from django.db import connection

from kenshu.billing.models import Invoice
from kenshu.cancellation.services import (
    AlreadyCancelled,
    SeatAlreadyCancelled,
    enrollment_cancel,
    seats_cancel,
)
from kenshu.core.testing import SessionFactory, UserFactory, make_staff
from kenshu.core.time import tokyo_date
from kenshu.enrollments.exceptions import SessionFull
from kenshu.enrollments.models import Enrollment, WaitingListEntry
from kenshu.enrollments.seats import seats_taken
from kenshu.enrollments.services import enrollment_apply, waiting_list_join

from .helpers import apply, buy_seats

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(calls):
    """Run each callable in its own thread, all released at once; return the outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            call()
            outcomes[index] = "done"
        except (AlreadyCancelled, SeatAlreadyCancelled):
            outcomes[index] = "already"
        except SessionFull:
            outcomes[index] = "full"
        except Exception as exc:  # reported by the assertion on the outcomes
            outcomes[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_ten_simultaneous_cancellations_of_one_enrolment_cancel_and_credit_it_once():
    learner = UserFactory()
    enrollment = apply(learner, SessionFactory())
    staff = make_staff("accounting")
    calls = [lambda: enrollment_cancel(actor=learner, enrollment=enrollment) for _ in range(5)]
    calls += [lambda: enrollment_cancel(actor=staff, enrollment=enrollment) for _ in range(5)]

    outcomes = race(calls)

    assert Counter(outcomes) == {"done": 1, "already": 9}, outcomes
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1
    assert Enrollment.objects.get(pk=enrollment.pk).state == Enrollment.State.CANCELLED


def test_overlapping_seat_cancellations_cancel_each_seat_once():
    applicant = UserFactory(group_applicant=True)
    item = buy_seats(applicant, SessionFactory(), 4)
    seats = list(item.seats.order_by("pk"))
    accountant = make_staff("accounting")
    batches = [seats[:2], seats[1:3], seats[2:], seats[::-1]]

    outcomes = race(
        [
            lambda batch=batch: seats_cancel(
                actor=accountant, seats=batch, contact_date=tokyo_date()
            )
            for batch in batches
        ]
    )

    assert "done" in outcomes and set(outcomes) <= {"done", "already"}, outcomes
    # A batch with a seat already cancelled is refused as a whole: the seats cancelled
    # are exactly those of the batches that went through, which never overlap.
    done = [
        set(batch) for batch, outcome in zip(batches, outcomes, strict=True) if outcome == "done"
    ]
    assert sum(len(batch) for batch in done) == len(set().union(*done))
    cancelled = set(item.seats.filter(state="cancelled"))
    assert cancelled == set().union(*done)
    credited = [
        line.quantity
        for note in Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE)
        for line in note.lines.all()
    ]
    assert sum(credited) == len(cancelled)  # each seat credited once


def test_a_freed_seat_goes_to_the_first_person_waiting_not_to_a_racing_applicant():
    session = SessionFactory(capacity=1)
    holder = UserFactory()
    enrollment = apply(holder, session)
    waiting = UserFactory()
    waiting_list_join(actor=waiting, session=session)
    racers = [UserFactory() for _ in range(10)]

    outcomes = race(
        [lambda: enrollment_cancel(actor=holder, enrollment=enrollment)]
        + [lambda user=user: enrollment_apply(actor=user, session=session) for user in racers]
    )

    assert outcomes[0] == "done"
    assert set(outcomes[1:]) == {"full"}, outcomes
    assert WaitingListEntry.objects.get(user=waiting).state == WaitingListEntry.State.OFFERED
    assert seats_taken([session.pk])[session.pk] == 1
