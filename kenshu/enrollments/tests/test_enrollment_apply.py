"""enrollment_apply (R-APPLY-1, R-APPLY-3, R-APPLY-4, R-ELEARN-1): who may apply,
what is refused with which message, and what one application writes."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice, Order
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.exceptions import NotPermitted
from kenshu.core.testing import CourseFactory, SessionFactory, UserFactory
from kenshu.enrollments.exceptions import (
    AlreadyApplied,
    ApplicationClosed,
    CourseNotOpen,
    SessionCancelled,
    SessionFull,
)
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.services import enrollment_apply
from kenshu.notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db


def fill(session, n):
    """``n`` other people applied for ``session``."""
    for _ in range(n):
        enrollment_apply(actor=UserFactory(), session=session)


# --- R-APPLY-1: who applies, once ------------------------------------------------------


@pytest.mark.parametrize("trait", ["individual", "corporate", "group_applicant"])
def test_r_apply_1_individual_corporate_and_group_applicant_users_apply_for_themselves(
    trait, session
):
    user = UserFactory(**({} if trait == "individual" else {trait: True}))
    enrollment = enrollment_apply(actor=user, session=session)
    assert enrollment.learner == user and enrollment.applicant == user
    assert enrollment.source == Enrollment.Source.SELF
    assert enrollment.state == Enrollment.State.APPLIED


@pytest.mark.parametrize("trait", ["group_learner", "partner_learner"])
def test_r_apply_1_group_and_partner_learners_may_not_apply_and_are_told_whom_to_ask(
    trait, session
):
    user = UserFactory(**{trait: True})
    applicant = UserFactory(group_applicant=True, organisation=user.organisation)
    with pytest.raises(NotPermitted) as refused:
        enrollment_apply(actor=user, session=session)
    assert applicant.full_name in str(refused.value)
    assert not Enrollment.objects.exists() and not Order.objects.exists()


def test_r_apply_1_a_second_application_for_the_same_session_is_refused(learner, session):
    enrollment_apply(actor=learner, session=session)
    with pytest.raises(AlreadyApplied) as refused:
        enrollment_apply(actor=learner, session=session)
    assert "既にお申し込み" in str(refused.value)
    assert Enrollment.objects.count() == 1 and Order.objects.count() == 1


def test_r_apply_1_a_second_application_for_the_same_elearning_course_is_refused(
    learner, elearning
):
    enrollment_apply(actor=learner, course=elearning)
    with pytest.raises(AlreadyApplied):
        enrollment_apply(actor=learner, course=elearning)
    assert Enrollment.objects.count() == 1


def test_r_apply_1_after_a_cancellation_the_learner_may_apply_again(learner, session):
    first = enrollment_apply(actor=learner, session=session)
    Enrollment.objects.filter(pk=first.pk).update(state=Enrollment.State.CANCELLED)
    second = enrollment_apply(actor=learner, session=session)
    assert second.pk != first.pk


def test_r_apply_1_the_database_constraint_turns_a_duplicate_into_already_applied(
    learner, session, monkeypatch
):
    """If the check before the insert missed a live enrolment (it cannot under the
    lock, but the constraint is the backstop), the IntegrityError is AlreadyApplied
    and nothing of the application is kept."""
    enrollment_apply(actor=learner, session=session)
    monkeypatch.setattr(
        "kenshu.enrollments.services.apply.has_live_enrollment", lambda **kwargs: False
    )
    with pytest.raises(AlreadyApplied):
        enrollment_apply(actor=learner, session=session)
    assert Order.objects.count() == 1 and Invoice.objects.count() == 1


# --- R-APPLY-4 and R-APPLY-3: each refusal with its own message --------------------------


def test_r_apply_4_applications_close_at_the_deadline(learner):
    session = SessionFactory(deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ApplicationClosed) as refused:
        enrollment_apply(actor=learner, session=session)
    assert str(refused.value) == "この日程の申込受付は締め切りました(申込期限を過ぎています)。"


def test_r_apply_4_a_cancelled_session_accepts_no_application(learner):
    session = SessionFactory(state=Session.State.CANCELLED)
    with pytest.raises(SessionCancelled) as refused:
        enrollment_apply(actor=learner, session=session)
    assert str(refused.value) == "この日程は中止となったため、お申し込みいただけません。"


def test_r_apply_3_a_full_session_is_refused_and_offers_the_waiting_list(learner):
    session = SessionFactory(capacity=2)
    fill(session, 2)
    with pytest.raises(SessionFull) as refused:
        enrollment_apply(actor=learner, session=session)
    assert "満席" in str(refused.value) and "キャンセル待ち" in str(refused.value)
    assert Enrollment.objects.filter(learner=learner).count() == 0


def test_the_three_refusals_have_three_different_messages_in_both_languages():
    for language in ("ja", "en"):
        with translation.override(language):
            messages = {str(e()) for e in (SessionFull, ApplicationClosed, SessionCancelled)}
        assert len(messages) == 3


def test_an_unpublished_course_takes_no_application(learner):
    session = SessionFactory(course__is_published=False)
    with pytest.raises(CourseNotOpen):
        enrollment_apply(actor=learner, session=session)


def test_an_elearning_course_is_applied_for_by_course_and_a_classroom_course_by_session(
    learner, session, elearning
):
    with pytest.raises(CourseNotOpen):
        enrollment_apply(actor=learner, course=session.course)
    with pytest.raises(ValueError):
        enrollment_apply(actor=learner)


# --- what an application writes ----------------------------------------------------------


def test_an_application_places_an_order_with_its_qualified_invoice(learner, session):
    enrollment = enrollment_apply(actor=learner, session=session)
    order = enrollment.order
    assert order.buyer == learner
    (line,) = order.lines.all()
    day = ktime.tokyo_date(session.starts_at)
    assert line.description == f"ILC1234 ビジネス文書研修 {day:%Y/%m/%d}"
    assert line.unit_price == 50_000
    invoice = order.invoices.get()
    assert (invoice.subtotal, invoice.tax, invoice.total) == (50_000, 5_000, 55_000)
    assert enrollment.fee == 50_000


def test_an_application_keeps_the_cancellation_tiers_in_force(learner, session):
    enrollment = enrollment_apply(actor=learner, session=session)
    assert [t["rate"] for t in enrollment.cancellation_tiers] == [0, 50, 100]
    assert {t["unit"] for t in enrollment.cancellation_tiers} == {"business_days"}


@pytest.mark.parametrize("delivery", ["classroom", "live"])
def test_the_tiers_read_with_the_session_s_lock_are_the_policy_in_force(learner, delivery):
    """The tiers come with the locking statement: the same as ``policy_tiers_for``, for
    the policy as migrated, as staff changed it, and without rows (the defaults)."""
    from kenshu.cancellation.models import CancellationPolicy, CancellationTier
    from kenshu.cancellation.selectors import policy_tiers_for

    def applied():
        session = SessionFactory(**{f"course__{delivery}": True} if delivery == "live" else {})
        return enrollment_apply(actor=UserFactory(), session=session).cancellation_tiers

    assert applied() == policy_tiers_for(delivery)
    policy = CancellationPolicy.objects.get(delivery=delivery)
    CancellationTier.objects.filter(policy=policy, rate=50).update(min_days_before=5, rate=30)
    CancellationTier.objects.create(policy=policy, min_days_before=2, rate=80)
    changed = applied()
    assert changed == policy_tiers_for(delivery)
    assert [(t["min_days_before"], t["rate"]) for t in changed] == [
        (8, 0),
        (5, 30),
        (2, 80),
        (0, 100),
    ]
    CancellationTier.objects.filter(policy=policy).delete()
    assert (
        applied()
        == policy_tiers_for(delivery)
        == [
            {"min_days_before": 8, "rate": 0, "unit": "business_days"},
            {"min_days_before": 3, "rate": 50, "unit": "business_days"},
            {"min_days_before": 0, "rate": 100, "unit": "business_days"},
        ]
    )


def test_an_application_is_audited(learner, session):
    enrollment = enrollment_apply(actor=learner, session=session)
    entry = AuditEntry.objects.get(action="enrollment.applied")
    assert entry.actor == learner
    assert entry.target_id == str(enrollment.pk)
    assert entry.data["order"] == enrollment.order.number


def test_r_elearn_1_an_elearning_application_gets_its_access_dates(learner):
    course = CourseFactory(elearning=True, access_days=90)
    enrollment = enrollment_apply(actor=learner, course=course)
    today = ktime.tokyo_date()
    assert enrollment.session is None
    assert enrollment.access_starts_on == today + dt.timedelta(days=7)
    assert enrollment.access_ends_on == today + dt.timedelta(days=7 + 89)
    assert [t["unit"] for t in enrollment.cancellation_tiers] == ["calendar_days"] * 2


def test_r_elearn_1_a_partner_course_starts_10_days_after_the_application(learner):
    course = CourseFactory(elearning=True, partner=True)
    enrollment = enrollment_apply(actor=learner, course=course)
    assert enrollment.access_starts_on == ktime.tokyo_date() + dt.timedelta(days=10)


def test_r_elearn_1_the_start_date_follows_the_tokyo_date_of_the_application(learner, monkeypatch):
    """At 23:30 UTC on 27 January it is already 28 January in Tokyo: start 4 February."""
    monkeypatch.setattr(ktime, "now", lambda: dt.datetime(2026, 1, 27, 23, 30, tzinfo=dt.UTC))
    enrollment = enrollment_apply(actor=learner, course=CourseFactory(elearning=True))
    assert enrollment.access_starts_on == dt.date(2026, 2, 4)


def test_every_email_of_an_application_is_related_to_the_enrolment(learner, session):
    enrollment = enrollment_apply(actor=learner, session=session)
    emails = OutboxEmail.objects.filter(to_email=learner.email)
    assert sorted(e.template for e in emails) == ["application_accepted", "joining_instructions"]
    assert {e.related for e in emails} == {enrollment}
