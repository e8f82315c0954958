"""日程変更 (R-APPLY-5): the applicant asks to move an enrolment to another session of the
same course; staff move it with ``enrollment_move`` when seats allow. Capacity stays
right on both sessions (R-APPLY-3), whether the seat is self-applied or from inventory."""

import datetime as dt

import pytest
from django.core import mail

from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice
from kenshu.core.exceptions import Conflict, DomainError, InvalidState, NotPermitted
from kenshu.core.testing import SessionFactory, UserFactory
from kenshu.enrollments.models import Enrollment, WaitingListEntry
from kenshu.enrollments.seats import seats_taken
from kenshu.enrollments.services import enrollment_apply, waiting_list_join
from kenshu.enrollments.services.move import enrollment_move
from kenshu.inventory.models import InventoryItem, Seat
from kenshu.notifications.models import OutboxEmail
from kenshu.requests.models import DateChangeRequest, RequestState
from kenshu.requests.services import (
    date_change_request_create,
    date_change_request_process,
    request_reject,
)

from .conftest import seats_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def later(session):
    """Another session of the same course, two weeks later, 3 seats."""
    return SessionFactory(
        course=session.course,
        starts_at=session.starts_at + dt.timedelta(days=14),
        ends_at=session.ends_at + dt.timedelta(days=14),
        deadline=session.deadline + dt.timedelta(days=14),
        capacity=3,
    )


@pytest.fixture
def customer(db):
    return UserFactory(corporate=True, email="kojin@example.jp")


@pytest.fixture
def own(customer, session, django_capture_on_commit_callbacks):
    """``customer``'s own (self-applied) enrolment of ``session``."""
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enrollment_apply(actor=customer, session=session)
    mail.outbox.clear()
    return enrollment


def fill(session, n=None):
    for _i in range(
        n if n is not None else session.capacity - seats_taken([session.pk])[session.pk]
    ):
        enrollment_apply(actor=UserFactory(), session=session)


# --- asking ----------------------------------------------------------------------------------


def test_a_customer_asks_to_move_its_own_enrolment_to_a_session_with_seats(
    customer, own, later, django_capture_on_commit_callbacks, outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        request = date_change_request_create(actor=customer, enrollment=own, target_session=later)
    assert request.state == RequestState.OPEN
    assert (request.target_session, request.from_session) == (later, own.session)
    assert len(outbox()) == 2  # requester and staff queue
    assert AuditEntry.objects.filter(action="request.date_change.created").count() == 1


def test_a_group_applicant_asks_for_the_enrolment_of_its_seat_with_preferred_dates(applicant, item):
    enrollment = seats_of(item)[0].enrollment
    request = date_change_request_create(
        actor=applicant, enrollment=enrollment, preferred_dates="7月の平日"
    )
    assert request.target_session is None and request.preferred_dates == "7月の平日"


def test_a_session_or_preferred_dates_is_needed(customer, own):
    with pytest.raises(InvalidState):
        date_change_request_create(actor=customer, enrollment=own)


def test_a_full_session_or_one_of_another_course_cannot_be_asked_for(customer, own, later):
    fill(later)
    with pytest.raises(Conflict):
        date_change_request_create(actor=customer, enrollment=own, target_session=later)
    with pytest.raises(InvalidState):
        date_change_request_create(actor=customer, enrollment=own, target_session=SessionFactory())
    assert DateChangeRequest.objects.count() == 0


def test_another_users_enrolment_is_not_found(own, later):
    with pytest.raises(Enrollment.DoesNotExist):
        date_change_request_create(actor=UserFactory(), enrollment=own, target_session=later)


def test_a_group_learner_cannot_ask_its_applicant_does(item, colleague, later):
    enrollment = seats_of(item)[0].enrollment
    with pytest.raises((NotPermitted, Enrollment.DoesNotExist)):
        date_change_request_create(actor=colleague, enrollment=enrollment, target_session=later)


def test_one_open_request_per_enrolment(customer, own, later):
    date_change_request_create(actor=customer, enrollment=own, target_session=later)
    with pytest.raises(Conflict):
        date_change_request_create(actor=customer, enrollment=own, preferred_dates="いつでも")


# --- processing: enrollment_move -----------------------------------------------------------------


def test_R_APPLY_5_a_self_applied_enrolment_moves_and_both_sessions_count_right(
    customer, own, session, later, reception, django_capture_on_commit_callbacks
):
    request = date_change_request_create(actor=customer, enrollment=own, target_session=later)
    before = seats_taken([session.pk, later.pk])
    invoices = Invoice.objects.count()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        done = date_change_request_process(actor=reception, request=request)

    done.refresh_from_db()
    assert done.state == RequestState.DONE and done.moved_to == later
    own.refresh_from_db()
    assert own.session == later and own.is_live
    after = seats_taken([session.pk, later.pk])
    assert after[session.pk] == before[session.pk] - 1
    assert after[later.pk] == before[later.pk] + 1
    assert Invoice.objects.count() == invoices  # same course: no fee difference
    entry = AuditEntry.objects.get(action="enrollment.moved")
    assert entry.data["from_session"] == session.pk and entry.data["to_session"] == later.pk
    assert OutboxEmail.objects.filter(
        template="enrollment_moved", to_email="kojin@example.jp"
    ).exists()
    assert OutboxEmail.objects.filter(template="request_decided").count() == 1


def test_the_joining_instructions_follow_the_new_date(customer, own, later, reception):
    old = OutboxEmail.objects.get(template="joining_instructions", related_id=str(own.pk))
    enrollment_move(actor=reception, enrollment=own, session=later)
    old.refresh_from_db()
    assert old.state in (OutboxEmail.State.WITHDRAWN, OutboxEmail.State.SENT)
    new = OutboxEmail.objects.filter(
        template="joining_instructions", related_id=str(own.pk)
    ).exclude(pk=old.pk)
    (queued,) = new
    assert queued.context["session_id"] == later.pk


def test_an_inventory_seat_moves_with_its_enrolment_and_capacity_stays_right(
    applicant, item, session, later, colleague, reception
):
    seat = seats_of(item)[0]
    before = seats_taken([session.pk, later.pk])
    enrollment_move(actor=reception, enrollment=seat.enrollment, session=later)

    seat.refresh_from_db()
    assert seat.item.session == later and seat.item.quantity == 1
    assert seat.item.applicant == applicant and seat.item.order_id == item.order_id
    assert seat.item.unit_fee == item.unit_fee
    assert seat.state == Seat.State.ASSIGNED and seat.enrollment.session == later
    after = seats_taken([session.pk, later.pk])
    assert after[session.pk] == before[session.pk] - 1
    assert after[later.pk] == before[later.pk] + 1
    # The original purchase keeps its other (unassigned) seat on the first session.
    assert [s.state for s in seats_of(item)] == [Seat.State.UNASSIGNED]
    assert InventoryItem.objects.filter(order=item.order).count() == 2


def test_R_APPLY_5_refused_when_the_target_is_full_and_nothing_changes(
    customer, own, session, later, reception
):
    request = date_change_request_create(actor=customer, enrollment=own, target_session=later)
    fill(later)
    with pytest.raises(Conflict):
        date_change_request_process(actor=reception, request=request)
    own.refresh_from_db()
    request.refresh_from_db()
    assert own.session == session and request.is_open
    assert not AuditEntry.objects.filter(action="enrollment.moved").exists()


def test_refused_for_a_session_of_another_course(own, reception):
    with pytest.raises(InvalidState):
        enrollment_move(actor=reception, enrollment=own, session=SessionFactory())


def test_refused_when_the_learner_is_already_on_the_target(customer, own, later, reception):
    other_course_day = later
    enrollment_apply(actor=customer, session=other_course_day)
    with pytest.raises(Conflict):
        enrollment_move(actor=reception, enrollment=own, session=later)


def test_only_staff_who_change_enrolments_move_them(own, later, accountant, customer):
    for actor in (accountant, customer):
        with pytest.raises(NotPermitted):
            enrollment_move(actor=actor, enrollment=own, session=later)


def test_the_freed_seat_is_offered_to_the_waiting_list(customer, own, session, later, reception):
    fill(session)
    waiting = UserFactory()
    entry = waiting_list_join(actor=waiting, session=session)
    enrollment_move(actor=reception, enrollment=own, session=later)
    entry.refresh_from_db()
    assert entry.state == WaitingListEntry.State.OFFERED


def test_a_closed_target_session_is_refused(own, later, reception):
    later.state = later.State.CANCELLED
    later.save()
    with pytest.raises(DomainError):
        enrollment_move(actor=reception, enrollment=own, session=later)


def test_a_date_change_is_rejected_with_a_reason(customer, own, later, reception):
    request = date_change_request_create(actor=customer, enrollment=own, target_session=later)
    request_reject(actor=reception, request=request, reason="満席のため")
    request.refresh_from_db()
    assert request.state == RequestState.REJECTED
    own.refresh_from_db()
    assert own.session_id != later.pk
