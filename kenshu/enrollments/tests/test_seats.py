"""seats_taken (R-APPLY-3): the one count of taken seats, with its query's SQL kept per
number of sessions (built by the ORM once, then run with the real ids and time)."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from kenshu.core.testing import SessionFactory, UserFactory
from kenshu.enrollments import seats
from kenshu.enrollments.models import Enrollment, WaitingListEntry
from kenshu.inventory.models import InventoryItem, Seat

pytestmark = pytest.mark.django_db


def enrol(session, *, state=Enrollment.State.APPLIED, source=Enrollment.Source.SELF):
    user = UserFactory()
    return Enrollment.objects.create(
        learner=user,
        applicant=user,
        course=session.course,
        session=session,
        source=source,
        state=state,
        fee=session.course.fee,
        applied_at=timezone.now(),
    )


def wait(session, *, state, expires_in=None):
    now = timezone.now()
    return WaitingListEntry.objects.create(
        session=session,
        user=UserFactory(),
        position=WaitingListEntry.objects.filter(session=session).count() + 1,
        state=state,
        offered_at=now if expires_in is not None else None,
        offer_expires_at=now + expires_in if expires_in is not None else None,
    )


def buy(session, *, states):
    applicant = UserFactory(group_applicant=True)
    item = InventoryItem.objects.create(
        applicant=applicant,
        organisation=applicant.organisation,
        course=session.course,
        session=session,
        quantity=len(states),
        unit_fee=session.course.fee,
        purchased_at=timezone.now(),
    )
    for state in states:
        if state == Seat.State.ASSIGNED:
            enrollment = enrol(session, source=Enrollment.Source.INVENTORY)
            Seat.objects.create(
                item=item, state=state, learner=enrollment.learner, enrollment=enrollment
            )
        else:
            Seat.objects.create(item=item, state=state)


@pytest.fixture
def sessions(db):
    """Three sessions with every kind of row that counts, or does not."""
    a, b, c = SessionFactory(), SessionFactory(), SessionFactory()
    enrol(a)
    enrol(a)
    enrol(a, state=Enrollment.State.CANCELLED)  # not counted
    wait(a, state=WaitingListEntry.State.OFFERED, expires_in=dt.timedelta(hours=5))
    wait(a, state=WaitingListEntry.State.OFFERED, expires_in=-dt.timedelta(minutes=1))  # expired
    wait(a, state=WaitingListEntry.State.WAITING)  # not counted
    buy(b, states=[Seat.State.UNASSIGNED, Seat.State.ASSIGNED, Seat.State.CANCELLED])
    enrol(b)
    return a, b, c


def test_r_apply_3_the_count_takes_live_enrolments_open_offers_and_live_inventory_seats(sessions):
    a, b, c = sessions
    # a: 2 live + 1 open offer; b: 2 live inventory seats (the assigned one's enrolment is
    # counted through its seat, not twice) + 1 live self enrolment; c: nothing.
    assert seats.seats_taken([a.pk, b.pk, c.pk]) == {a.pk: 3, b.pk: 3, c.pk: 0}
    assert seats.seats_taken([b.pk]) == {b.pk: 3}
    assert seats.seats_taken([]) == {}


@pytest.mark.parametrize("n", [1, 2, 3])
def test_the_kept_sql_counts_exactly_as_the_orm_query_built_each_time(sessions, n):
    ids = sorted(s.pk for s in sessions)[:n]
    compiled = seats._compiled_counts(connection.vendor, n, tuple(seats._extra_counters))
    assert compiled is not None  # the kept SQL is used, on SQLite and PostgreSQL
    expected = {pk: 0 for pk in ids}
    for row in seats._counts_query(ids, timezone.now()):
        expected[row["session_id"]] += row["n"]
    assert seats.seats_taken(ids) == expected


def test_the_kept_sql_uses_the_time_of_each_count_not_the_first(sessions):
    """An offer counts until it expires: the time is a parameter of every run."""
    a, _, _ = sessions
    assert seats.seats_taken([a.pk])[a.pk] == 3
    WaitingListEntry.objects.filter(session=a, state=WaitingListEntry.State.OFFERED).update(
        offer_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert seats.seats_taken([a.pk])[a.pk] == 2


def test_a_counter_with_a_value_of_its_own_is_built_every_time(sessions, monkeypatch):
    """A registered counter whose query carries a time (or an id) of its own cannot be
    kept: the count falls back to the ORM query, and stays right."""
    a, _, _ = sessions
    fixed = timezone.now() + dt.timedelta(days=365)

    def far_offers(session_ids):
        return (
            WaitingListEntry.objects.filter(session_id__in=session_ids, offered_at__lt=fixed)
            .order_by()
            .values("session_id")
            .annotate(n=seats.Count("pk"))
        )

    monkeypatch.setattr(seats, "_extra_counters", [*seats._extra_counters, far_offers])
    assert seats._compiled_counts(connection.vendor, 1, tuple(seats._extra_counters)) is None
    assert seats.seats_taken([a.pk])[a.pk] == 3 + 2  # plus a's two offers made so far
