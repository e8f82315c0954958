"""seat_unassign and seat_reassign (R-APPLY-5, R-TYPE, R-CANCEL-1): staff only. The
learner's enrolment is cancelled and its pending emails withdrawn; the seat goes back to
unassigned and stays bought; a learner change is one transaction."""

import pytest

from kenshu.accounts import roles
from kenshu.audit.models import AuditEntry
from kenshu.core.testing import UserFactory, make_staff
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.seats import seats_taken
from kenshu.inventory.exceptions import (
    InventoryNotCancellable,
    LearnerHoldsSeat,
    SameLearner,
    SeatNotAssigned,
)
from kenshu.inventory.models import Assignment, Seat
from kenshu.inventory.services import seat_assign, seat_reassign, seat_unassign
from kenshu.notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(applicant, colleague, item):
    seat = item.seats.order_by("pk").first()
    seat_assign(actor=applicant, seat=seat, learner=colleague)
    seat.refresh_from_db()
    return seat


@pytest.fixture
def clerk(db):
    return make_staff(roles.RECEPTION)


def test_r_apply_5_staff_unassign_a_seat_which_stays_bought(clerk, assigned, colleague):
    enrollment = assigned.enrollment
    session_id = assigned.item.session_id
    taken = seats_taken([session_id])[session_id]

    seat_unassign(actor=clerk, seat=assigned, reason="受講者の異動")

    assigned.refresh_from_db()
    enrollment.refresh_from_db()
    assert assigned.state == Seat.State.UNASSIGNED
    assert assigned.learner is None and assigned.enrollment is None
    assert enrollment.state == Enrollment.State.CANCELLED
    assert enrollment.cancelled_by == clerk and enrollment.cancelled_at is not None
    assert enrollment.cancellation_reason == "受講者の異動"
    assert seats_taken([session_id])[session_id] == taken  # the seat still holds capacity
    (assignment,) = Assignment.objects.filter(seat=assigned)
    assert assignment.ended_by == clerk and assignment.ended_at is not None
    entry = AuditEntry.objects.get(action="seat.unassigned")
    assert entry.actor == clerk and entry.data["learner"] == colleague.username


def test_unassigning_withdraws_the_pending_emails_of_the_enrolment(clerk, assigned):
    joining = OutboxEmail.objects.get(template="joining_instructions")
    assert joining.state == OutboxEmail.State.QUEUED
    seat_unassign(actor=clerk, seat=assigned)
    joining.refresh_from_db()
    assert joining.state == OutboxEmail.State.WITHDRAWN


@pytest.mark.parametrize("who", ["applicant", "colleague", "accountant"])
def test_r_type_the_group_applicant_and_others_cannot_unassign(who, assigned, applicant, colleague):
    actor = {
        "applicant": applicant,
        "colleague": colleague,
        "accountant": make_staff(roles.ACCOUNTING),
    }[who]
    with pytest.raises(InventoryNotCancellable) as error:
        seat_unassign(actor=actor, seat=assigned)
    assert "事務局" in str(error.value)
    assigned.refresh_from_db()
    assert assigned.state == Seat.State.ASSIGNED
    assert assigned.enrollment.state == Enrollment.State.APPLIED


def test_an_unassigned_seat_cannot_be_unassigned(clerk, item):
    with pytest.raises(SeatNotAssigned):
        seat_unassign(actor=clerk, seat=item.seats.first())


def test_r_apply_5_a_learner_change_gives_the_seat_to_the_new_learner_in_one_go(
    clerk, assigned, applicant, colleague
):
    newcomer = UserFactory(group_learner=True, organisation=applicant.organisation)
    old = assigned.enrollment

    enrollment = seat_reassign(actor=clerk, seat=assigned, learner=newcomer)

    assigned.refresh_from_db()
    old.refresh_from_db()
    assert old.state == Enrollment.State.CANCELLED
    assert enrollment.learner == newcomer and enrollment.order == assigned.item.order
    assert assigned.learner == newcomer and assigned.enrollment == enrollment
    assert Assignment.objects.filter(seat=assigned).count() == 2
    assert AuditEntry.objects.filter(action="seat.reassigned", actor=clerk).count() == 1
    assert OutboxEmail.objects.filter(template="seat_assigned", to_email=newcomer.email).exists()


def test_a_refused_learner_change_changes_nothing(clerk, assigned, applicant, item):
    other_seat = item.seats.order_by("pk")[1]
    newcomer = UserFactory(group_learner=True, organisation=applicant.organisation)
    seat_assign(actor=applicant, seat=other_seat, learner=newcomer)
    old = assigned.enrollment
    with pytest.raises(LearnerHoldsSeat):
        seat_reassign(actor=clerk, seat=assigned, learner=newcomer)
    assigned.refresh_from_db()
    old.refresh_from_db()
    assert old.state == Enrollment.State.APPLIED
    assert assigned.enrollment == old


def test_a_learner_change_to_the_same_learner_is_refused(clerk, assigned, colleague):
    with pytest.raises(SameLearner):
        seat_reassign(actor=clerk, seat=assigned, learner=colleague)


def test_the_group_applicant_cannot_change_the_learner_itself(assigned, applicant):
    with pytest.raises(InventoryNotCancellable):
        seat_reassign(actor=applicant, seat=assigned, learner=applicant)
