"""seat_assign (割当て: R-APPLY-2, R-APPLY-1, R-ELEARN-2, DOMAIN.md §8): a seat goes to a
learner of the applicant's group (or the applicant itself) as an enrolment paid by the
purchase; one learner holds at most one seat per session; the learner is emailed with a
copy to the applicant, and gets the scheduled emails of a self-application."""

import datetime as dt

import pytest
from django.core import mail

from kenshu.audit.models import AuditEntry
from kenshu.core import time as ktime
from kenshu.core.testing import CourseFactory, SessionFactory, UserFactory, make_staff
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.services import enrollment_apply
from kenshu.inventory.exceptions import (
    AssignmentClosed,
    EmailOfAnotherOrganisation,
    LearnerHoldsSeat,
    NotInGroup,
    SeatNotUnassigned,
)
from kenshu.inventory.models import Assignment, Seat
from kenshu.inventory.services import inventory_purchase, seat_assign, seat_assign_colleague
from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import outbox_dispatch_due

pytestmark = pytest.mark.django_db

JST = ktime.TOKYO


def first_seat(item):
    return item.seats.order_by("pk").first()


def test_r_apply_2_the_assigned_learner_gets_an_enrolment_paid_by_the_purchase(
    applicant, colleague, item
):
    seat = first_seat(item)
    enrollment = seat_assign(actor=applicant, seat=seat, learner=colleague)

    assert enrollment.learner == colleague and enrollment.applicant == applicant
    assert enrollment.source == Enrollment.Source.INVENTORY
    assert enrollment.state == Enrollment.State.APPLIED
    assert enrollment.session == item.session and enrollment.course == item.course
    assert enrollment.order == item.order and enrollment.fee == 50_000
    assert enrollment.cancellation_tiers == item.cancellation_tiers
    seat.refresh_from_db()
    assert seat.state == Seat.State.ASSIGNED
    assert (seat.learner, seat.enrollment) == (colleague, enrollment)
    (assignment,) = Assignment.objects.filter(seat=seat)
    assert assignment.learner == colleague and assignment.assigned_by == applicant
    assert assignment.ended_at is None
    assert AuditEntry.objects.filter(action="seat.assigned", actor=applicant).count() == 1


def test_r_apply_3_assigning_does_not_take_another_seat_of_the_session(applicant, colleague, item):
    from kenshu.enrollments.seats import seats_taken

    seat_assign(actor=applicant, seat=first_seat(item), learner=colleague)
    assert seats_taken([item.session_id])[item.session_id] == 3


def test_the_applicant_may_take_a_seat_of_its_own_purchase(applicant, item):
    enrollment = seat_assign(actor=applicant, seat=first_seat(item), learner=applicant)
    assert enrollment.learner == applicant
    assert OutboxEmail.objects.filter(template="seat_assigned").count() == 1  # no copy to self


def test_r_mail_the_learner_is_emailed_with_a_copy_to_the_applicant(applicant, colleague, item):
    enrollment = seat_assign(actor=applicant, seat=first_seat(item), learner=colleague)

    rows = OutboxEmail.objects.filter(template="seat_assigned").order_by("pk")
    assert [(r.to_email, r.context["is_copy"]) for r in rows] == [
        (colleague.email, False),
        (applicant.email, True),
    ]
    assert all(r.related == enrollment for r in rows)

    outbox_dispatch_due()
    to_learner = [m for m in mail.outbox if m.to == [colleague.email]]
    to_applicant = [m for m in mail.outbox if m.to == [applicant.email]]
    (learner_mail,) = [m for m in to_learner if "ILC1234" in m.subject]
    (copy,) = [m for m in to_applicant if "写し" in m.subject]
    assert "受講のご案内" in learner_mail.subject
    assert "鈴木 人事" in learner_mail.body and "株式会社サンプル" in learner_mail.body
    assert "高橋 学" in copy.subject and item.number in copy.body


def test_the_joining_instructions_are_scheduled_as_for_a_self_application(
    applicant, colleague, item
):
    enrollment = seat_assign(actor=applicant, seat=first_seat(item), learner=colleague)
    email = OutboxEmail.objects.get(template="joining_instructions")
    first_day = ktime.tokyo_date(item.session.starts_at)
    assert email.to_email == colleague.email and email.related == enrollment
    assert email.send_after == ktime.tokyo_datetime(first_day - dt.timedelta(days=7), 9)


@pytest.mark.parametrize(
    ("assigned_at_utc", "partner", "starts_on"),
    [
        # 2026-01-27 08:30 JST → +7
        (dt.datetime(2026, 1, 26, 23, 30, tzinfo=dt.UTC), False, dt.date(2026, 2, 3)),
        # 2026-01-31 00:30 JST (still the 30th in UTC) → the Tokyo date counts
        (dt.datetime(2026, 1, 30, 15, 30, tzinfo=dt.UTC), False, dt.date(2026, 2, 7)),
        # across the month end in a leap year: 2028-02-25 → 03-03
        (dt.datetime(2028, 2, 25, 3, 0, tzinfo=dt.UTC), False, dt.date(2028, 3, 3)),
        # across the year end: 2026-12-28 → 2027-01-04, partner 2027-01-07
        (dt.datetime(2026, 12, 28, 3, 0, tzinfo=dt.UTC), False, dt.date(2027, 1, 4)),
        (dt.datetime(2026, 12, 28, 3, 0, tzinfo=dt.UTC), True, dt.date(2027, 1, 7)),
        # partner, across the month end: 2026-04-25 → 05-05
        (dt.datetime(2026, 4, 25, 3, 0, tzinfo=dt.UTC), True, dt.date(2026, 5, 5)),
    ],
)
def test_r_elearn_2_access_starts_on_the_assignment_date_plus_7_days_partner_10(
    applicant, colleague, monkeypatch, assigned_at_utc, partner, starts_on
):
    course = CourseFactory(elearning=True, is_partner=partner, access_days=90)
    item = inventory_purchase(actor=applicant, course=course, quantity=2)
    monkeypatch.setattr(ktime, "now", lambda: assigned_at_utc)

    enrollment = seat_assign(actor=applicant, seat=first_seat(item), learner=colleague)

    assert enrollment.access_starts_on == starts_on
    assert enrollment.access_ends_on == starts_on + dt.timedelta(days=89)
    access = OutboxEmail.objects.get(template="elearning_access_start")
    assert access.send_after == ktime.tokyo_datetime(starts_on, 9)
    assigned = OutboxEmail.objects.get(template="seat_assigned", to_email=colleague.email)
    assert assigned.context["access_starts_on"] == starts_on.isoformat()


def test_r_elearn_2_the_date_counts_from_the_assignment_not_the_purchase(
    applicant, colleague, monkeypatch
):
    monkeypatch.setattr(ktime, "now", lambda: dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC))
    item = inventory_purchase(actor=applicant, course=CourseFactory(elearning=True), quantity=1)
    monkeypatch.setattr(ktime, "now", lambda: dt.datetime(2026, 3, 20, 3, 0, tzinfo=dt.UTC))
    enrollment = seat_assign(actor=applicant, seat=first_seat(item), learner=colleague)
    assert enrollment.access_starts_on == dt.date(2026, 3, 27)


def test_r_apply_1_the_same_learner_twice_is_refused_with_a_clear_message(
    applicant, colleague, item
):
    first, second = item.seats.order_by("pk")[:2]
    seat_assign(actor=applicant, seat=first, learner=colleague)
    with pytest.raises(LearnerHoldsSeat) as error:
        seat_assign(actor=applicant, seat=second, learner=colleague)
    assert "高橋 学" in str(error.value) and "すでに" in str(error.value)
    second.refresh_from_db()
    assert second.state == Seat.State.UNASSIGNED
    assert Enrollment.objects.filter(learner=colleague).count() == 1
    assert Assignment.objects.count() == 1
    assert OutboxEmail.objects.filter(template="seat_assigned").count() == 2


def test_r_apply_1_a_learner_who_applied_for_the_session_already_holds_a_seat(applicant, item):
    own = applicant  # a group applicant may apply for itself …
    enrollment_apply(actor=own, session=item.session)
    with pytest.raises(LearnerHoldsSeat):  # … and then holds no inventory seat as well
        seat_assign(actor=applicant, seat=first_seat(item), learner=own)


def test_a_learner_of_another_organisation_is_refused(applicant, item):
    stranger = UserFactory(group_learner=True)
    with pytest.raises(NotInGroup):
        seat_assign(actor=applicant, seat=first_seat(item), learner=stranger)
    assert not Enrollment.objects.exists()


def test_another_applicant_cannot_assign_the_seats(item, colleague):
    from kenshu.core.exceptions import NotPermitted

    other = UserFactory(group_applicant=True, organisation=colleague.organisation)
    with pytest.raises(NotPermitted):
        seat_assign(actor=other, seat=first_seat(item), learner=colleague)


def test_an_assigned_seat_cannot_be_assigned_again(applicant, colleague, item):
    seat = first_seat(item)
    seat_assign(actor=applicant, seat=seat, learner=colleague)
    with pytest.raises(SeatNotUnassigned):
        seat_assign(actor=applicant, seat=seat, learner=applicant)


def test_after_the_deadline_only_staff_assign_until_the_first_day(applicant, colleague):
    session = SessionFactory(capacity=5)
    item = inventory_purchase(actor=applicant, session=session, quantity=2)
    session.deadline = ktime.now() - dt.timedelta(hours=1)
    session.save(update_fields=["deadline"])
    with pytest.raises(AssignmentClosed):
        seat_assign(actor=applicant, seat=first_seat(item), learner=colleague)
    from kenshu.accounts import roles

    enrollment = seat_assign(
        actor=make_staff(roles.RECEPTION), seat=first_seat(item), learner=colleague
    )
    assert enrollment.learner == colleague


def test_a_new_colleague_is_created_invited_and_assigned_in_one_go(applicant, item):
    enrollment = seat_assign_colleague(
        actor=applicant,
        seat=first_seat(item),
        last_name="山本",
        first_name="さくら",
        last_name_kana="ヤマモト",
        first_name_kana="サクラ",
        email="sakura@sample.example.jp",
    )
    learner = enrollment.learner
    assert learner.organisation == applicant.organisation and not learner.has_usable_password()
    templates = sorted(
        OutboxEmail.objects.filter(to_email="sakura@sample.example.jp").values_list(
            "template", flat=True
        )
    )
    assert templates == ["joining_instructions", "learner_invitation", "seat_assigned"]


def test_a_refused_colleague_assignment_creates_no_account(applicant, item):
    UserFactory(corporate=True, email="taro@other.example.jp")
    users_before = set(applicant.__class__.objects.values_list("pk", flat=True))
    with pytest.raises(EmailOfAnotherOrganisation):
        seat_assign_colleague(
            actor=applicant,
            seat=first_seat(item),
            last_name="他社",
            first_name="太郎",
            last_name_kana="タシャ",
            first_name_kana="タロウ",
            email="taro@other.example.jp",
        )
    assert set(applicant.__class__.objects.values_list("pk", flat=True)) == users_before
    assert not Enrollment.objects.exists()


def test_a_colleague_who_already_holds_a_seat_leaves_no_new_account_behind(
    applicant, item, colleague
):
    first, second = item.seats.order_by("pk")[:2]
    seat_assign_colleague(
        actor=applicant,
        seat=first,
        last_name="山本",
        last_name_kana="ヤマモト",
        email="sakura@sample.example.jp",
    )
    with pytest.raises(LearnerHoldsSeat):
        seat_assign_colleague(
            actor=applicant,
            seat=second,
            last_name="山本",
            last_name_kana="ヤマモト",
            email="sakura@sample.example.jp",
        )
    assert applicant.__class__.objects.filter(email="sakura@sample.example.jp").count() == 1
