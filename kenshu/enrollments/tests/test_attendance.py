"""Attendance and completion recorded by staff (DOMAIN.md §11, §13):
applied → attended / absent (no-show) → completed; e-learning applied → completed."""

import datetime as dt

import pytest

from kenshu.accounts import roles
from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice, Refund
from kenshu.cancellation.services import enrollment_cancel
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import InvalidState, NotPermitted
from kenshu.core.testing import NO_ROLE, UserFactory, make_staff
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.services import enrollment_apply
from kenshu.enrollments.services.attendance import (
    enrollment_attendance_mark,
    enrollments_attendance_mark,
)

pytestmark = pytest.mark.django_db

S = Enrollment.State


def started(session: Session, *, days_ago: int = 1) -> Session:
    """Test set-up: the session began ``days_ago`` days ago."""
    starts = ktime.now() - dt.timedelta(days=days_ago)
    Session.objects.filter(pk=session.pk).update(
        starts_at=starts, ends_at=starts + dt.timedelta(hours=7), deadline=starts
    )
    session.refresh_from_db()
    return session


@pytest.fixture
def clerk(db):
    return make_staff(roles.RECEPTION)


@pytest.fixture
def place(learner, session, django_capture_on_commit_callbacks):
    """``learner``'s enrolment on ``session``, which has started since."""
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enrollment_apply(actor=learner, session=session)
    started(session)
    return enrollment


def test_staff_mark_a_learner_attended_once_the_session_has_started_and_it_is_audited(clerk, place):
    marked = enrollment_attendance_mark(actor=clerk, enrollment=place, state=S.ATTENDED)

    assert marked.state == S.ATTENDED
    assert marked.attendance_marked_at is not None
    assert marked.completed_on is None
    entry = AuditEntry.objects.get(action="enrollment.attendance_marked")
    assert entry.actor == clerk
    assert entry.target == place
    assert entry.data["from"] == S.APPLIED and entry.data["to"] == S.ATTENDED


def test_completion_sets_the_completion_date_to_today_in_tokyo(clerk, place, monkeypatch):
    # 2026-05-20 23:30 UTC is already 21 May in Tokyo.
    late = dt.datetime(2026, 5, 20, 23, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(ktime, "now", lambda: late)
    started(place.session)
    marked = enrollment_attendance_mark(actor=clerk, enrollment=place, state=S.COMPLETED)
    assert marked.state == S.COMPLETED
    assert marked.completed_on == dt.date(2026, 5, 21)


def test_a_completion_date_can_be_given(clerk, place):
    marked = enrollment_attendance_mark(
        actor=clerk, enrollment=place, state=S.COMPLETED, completed_on=dt.date(2026, 4, 1)
    )
    assert marked.completed_on == dt.date(2026, 4, 1)
    assert AuditEntry.objects.get(action="enrollment.attendance_marked").data["completed_on"] == (
        "2026-04-01"
    )


def test_R_CANCEL_4_a_no_show_is_marked_absent_and_nothing_is_refunded(clerk, place):
    invoices_before = list(Invoice.objects.values_list("number", "state"))

    marked = enrollment_attendance_mark(actor=clerk, enrollment=place, state=S.ABSENT)

    assert marked.state == S.ABSENT
    assert list(Invoice.objects.values_list("number", "state")) == invoices_before
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()
    assert not Refund.objects.exists()


def test_a_mark_can_be_corrected_and_a_completion_undone(clerk, place):
    enrollment_attendance_mark(actor=clerk, enrollment=place, state=S.ABSENT)
    enrollment_attendance_mark(actor=clerk, enrollment=place, state=S.ATTENDED)
    enrollment_attendance_mark(actor=clerk, enrollment=place, state=S.COMPLETED)
    undone = enrollment_attendance_mark(actor=clerk, enrollment=place, state=S.ATTENDED)

    assert undone.state == S.ATTENDED
    assert undone.completed_on is None
    assert AuditEntry.objects.filter(action="enrollment.attendance_marked").count() == 4


@pytest.mark.parametrize(("first", "then"), [(S.ABSENT, S.COMPLETED), (S.COMPLETED, S.ABSENT)])
def test_an_absent_learner_cannot_be_completed_nor_a_completed_one_absent(
    clerk, place, first, then
):
    enrollment_attendance_mark(actor=clerk, enrollment=place, state=first)
    with pytest.raises(InvalidState) as refused:
        enrollment_attendance_mark(actor=clerk, enrollment=place, state=then)
    assert refused.value.code == "attendance_transition"
    place.refresh_from_db()
    assert place.state == first


def test_marking_the_same_state_again_changes_nothing(clerk, place):
    enrollment_attendance_mark(actor=clerk, enrollment=place, state=S.ATTENDED)
    changed = enrollments_attendance_mark(actor=clerk, enrollments=[place], state=S.ATTENDED)
    assert changed == []
    assert AuditEntry.objects.filter(action="enrollment.attendance_marked").count() == 1


def test_attendance_cannot_be_marked_before_the_session_starts(
    clerk, learner, session, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enrollment_apply(actor=learner, session=session)
    with pytest.raises(InvalidState) as refused:
        enrollment_attendance_mark(actor=clerk, enrollment=enrollment, state=S.ATTENDED)
    assert refused.value.code == "session_not_started"
    enrollment.refresh_from_db()
    assert enrollment.state == S.APPLIED


def test_a_cancelled_enrolment_cannot_be_marked(
    clerk, learner, session, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enrollment_apply(actor=learner, session=session)
        enrollment_cancel(actor=learner, enrollment=enrollment)
    started(session)
    with pytest.raises(InvalidState) as refused:
        enrollment_attendance_mark(actor=clerk, enrollment=enrollment, state=S.ATTENDED)
    assert refused.value.code == "enrollment_cancelled"


@pytest.mark.parametrize("role", [roles.ACCOUNTING, NO_ROLE])
def test_staff_without_the_change_permission_cannot_mark(place, role):
    with pytest.raises(NotPermitted):
        enrollment_attendance_mark(actor=make_staff(role), enrollment=place, state=S.ATTENDED)
    place.refresh_from_db()
    assert place.state == S.APPLIED


def test_a_customer_cannot_mark_even_its_own_enrolment(place, learner):
    with pytest.raises(NotPermitted):
        enrollment_attendance_mark(actor=learner, enrollment=place, state=S.COMPLETED)


def test_only_attended_absent_and_completed_are_marks(clerk, place):
    with pytest.raises(InvalidState) as refused:
        enrollment_attendance_mark(actor=clerk, enrollment=place, state=S.CANCELLED)
    assert refused.value.code == "not_a_mark"


def test_a_batch_is_marked_all_or_nothing(clerk, session, django_capture_on_commit_callbacks):
    learners = [UserFactory() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        places = [enrollment_apply(actor=u, session=session) for u in learners]
        enrollment_cancel(actor=learners[2], enrollment=places[2])
    started(session)

    with pytest.raises(InvalidState):
        enrollments_attendance_mark(actor=clerk, enrollments=places, state=S.ATTENDED)
    assert set(Enrollment.objects.values_list("state", flat=True)) == {S.APPLIED, S.CANCELLED}
    assert not AuditEntry.objects.filter(action="enrollment.attendance_marked").exists()

    changed = enrollments_attendance_mark(actor=clerk, enrollments=places[:2], state=S.ATTENDED)
    assert sorted(e.pk for e in changed) == sorted(p.pk for p in places[:2])


def test_e_learning_is_completed_once_access_has_begun(
    clerk, learner, elearning, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enrollment_apply(actor=learner, course=elearning)
    with pytest.raises(InvalidState) as early:
        enrollment_attendance_mark(actor=clerk, enrollment=enrollment, state=S.COMPLETED)
    assert early.value.code == "access_not_started"

    later = ktime.tokyo_datetime(enrollment.access_starts_on, 12)
    monkeypatch.setattr(ktime, "now", lambda: later)
    marked = enrollment_attendance_mark(actor=clerk, enrollment=enrollment, state=S.COMPLETED)
    assert marked.state == S.COMPLETED
    assert marked.completed_on == enrollment.access_starts_on


@pytest.mark.parametrize("state", [S.ATTENDED, S.ABSENT])
def test_e_learning_has_no_attendance(
    clerk, learner, elearning, django_capture_on_commit_callbacks, state
):
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enrollment_apply(actor=learner, course=elearning)
    with pytest.raises(InvalidState) as refused:
        enrollment_attendance_mark(actor=clerk, enrollment=enrollment, state=state)
    assert refused.value.code == "elearning_completion_only"
