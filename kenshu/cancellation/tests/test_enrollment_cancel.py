"""enrollment_cancel (R-CANCEL-1, R-CANCEL-3, R-CANCEL-4, R-CANCEL-5): who may cancel,
the fee per tier as of the contact date, the documents it makes, the audit entry."""

import datetime as dt

import pytest
from django.utils import timezone

from kenshu.accounts import roles
from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice
from kenshu.cancellation.selectors import quote_for
from kenshu.cancellation.services import (
    AlreadyCancelled,
    InventoryPlace,
    NotCancellable,
    enrollment_cancel,
)
from kenshu.core.exceptions import DomainError, NotPermitted
from kenshu.core.testing import CourseFactory, SessionFactory, UserFactory, make_staff
from kenshu.core.time import tokyo_date
from kenshu.enrollments.models import Enrollment
from kenshu.notifications.models import OutboxEmail

from .helpers import apply, buy_seats, first_day_after_business_days, invoice_of

pytestmark = pytest.mark.django_db


def session_in(business_days: int, **kwargs):
    return SessionFactory(
        starts_on=first_day_after_business_days(business_days), course__fee=50_000, **kwargs
    )


@pytest.mark.parametrize(
    ("business_days", "rate"),
    [(8, 0), (7, 50), (3, 50), (2, 100), (1, 100)],
)
def test_R_CANCEL_4_the_fee_follows_the_tier_of_the_business_days_before(
    learner, business_days, rate
):
    enrollment = apply(learner, session_in(business_days))

    outcome = enrollment_cancel(actor=learner, enrollment=enrollment)

    enrollment.refresh_from_db()
    assert enrollment.state == Enrollment.State.CANCELLED
    assert enrollment.cancellation_fee == 50_000 * rate // 100
    assert enrollment.cancellation_contact_date == tokyo_date()
    assert (outcome.fee, outcome.fee_rate) == (50_000 * rate // 100, rate)
    assert outcome.preview.days_before == business_days
    # The whole line is credited; a fee invoice only where a fee is due.
    (credit_note,) = outcome.credit_notes
    assert credit_note.total == -55_000
    if rate:
        (fee_invoice,) = outcome.fee_invoices
        assert fee_invoice.total == 50_000 * rate // 100 * 110 // 100
        assert fee_invoice.original == invoice_of(enrollment.order)
    else:
        assert outcome.fee_invoices == []


def test_R_CANCEL_4_e_learning_is_free_before_the_access_start_date(learner):
    enrollment = apply(learner, course=CourseFactory(elearning=True, fee=30_000))
    assert enrollment.access_starts_on > tokyo_date()

    outcome = enrollment_cancel(actor=learner, enrollment=enrollment)

    assert outcome.fee == 0
    assert outcome.fee_invoices == []


def test_R_CANCEL_4_e_learning_costs_the_whole_fee_from_the_access_start_date(learner):
    enrollment = apply(learner, course=CourseFactory(elearning=True, fee=30_000), days_ago=7)
    Enrollment.objects.filter(pk=enrollment.pk).update(access_starts_on=tokyo_date())

    outcome = enrollment_cancel(actor=learner, enrollment=enrollment)

    assert (outcome.fee, outcome.fee_rate) == (30_000, 100)
    assert outcome.fee_invoice.total == 33_000


def test_R_CANCEL_3_staff_record_a_contact_date_in_the_past_and_it_is_honoured(learner, accountant):
    first_day = first_day_after_business_days(4)  # today: 50 %
    contact = tokyo_date() - dt.timedelta(days=14)  # two weeks ago: at least 8 → free
    enrollment = apply(learner, SessionFactory(starts_on=first_day), days_ago=20)
    assert (
        quote_for(
            tiers=enrollment.cancellation_tiers,
            first_day=first_day,
            contact_date=tokyo_date(),
            amount=enrollment.fee,
        ).rate
        == 50
    )

    outcome = enrollment_cancel(
        actor=accountant, enrollment=enrollment, contact_date=contact, reason="電話で連絡あり"
    )

    enrollment.refresh_from_db()
    assert outcome.contact_date == contact
    assert (enrollment.cancellation_fee, enrollment.cancellation_contact_date) == (0, contact)
    assert enrollment.cancelled_by == accountant
    assert enrollment.cancellation_reason == "電話で連絡あり"
    assert outcome.fee_invoices == []


def test_a_contact_date_in_the_future_is_refused(learner, accountant, session):
    enrollment = apply(learner, session)
    with pytest.raises(DomainError) as refused:
        enrollment_cancel(
            actor=accountant,
            enrollment=enrollment,
            contact_date=tokyo_date() + dt.timedelta(days=1),
        )
    assert refused.value.code == "contact_date_in_future"
    assert Enrollment.objects.get(pk=enrollment.pk).is_live


def test_a_contact_date_before_the_application_is_refused(learner, accountant, session):
    enrollment = apply(learner, session, days_ago=3)
    with pytest.raises(DomainError) as refused:
        enrollment_cancel(
            actor=accountant,
            enrollment=enrollment,
            contact_date=tokyo_date() - dt.timedelta(days=10),
        )
    assert refused.value.code == "contact_date_before_purchase"


def test_a_customer_cannot_choose_its_contact_date(learner, session):
    enrollment = apply(learner, session, days_ago=10)
    with pytest.raises(NotPermitted):
        enrollment_cancel(
            actor=learner,
            enrollment=enrollment,
            contact_date=tokyo_date() - dt.timedelta(days=1),
        )
    assert Enrollment.objects.get(pk=enrollment.pk).is_live


def test_cancelling_twice_is_refused(learner, session):
    enrollment = apply(learner, session)
    enrollment_cancel(actor=learner, enrollment=enrollment)
    with pytest.raises(AlreadyCancelled):
        enrollment_cancel(actor=learner, enrollment=enrollment)
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1


def test_a_stale_object_is_read_again_under_the_lock(learner, session):
    enrollment = apply(learner, session)
    stale = Enrollment.objects.get(pk=enrollment.pk)
    enrollment_cancel(actor=learner, enrollment=enrollment)
    with pytest.raises(AlreadyCancelled):
        enrollment_cancel(actor=learner, enrollment=stale)


def test_nobody_cancels_someone_else_s_enrolment(learner, session):
    enrollment = apply(learner, session)
    with pytest.raises(NotPermitted):
        enrollment_cancel(actor=UserFactory(), enrollment=enrollment)
    assert Enrollment.objects.get(pk=enrollment.pk).is_live


def test_R_CANCEL_1_a_group_learner_is_refused_and_told_to_ask_its_applicant(
    group_applicant, group_learner, session
):
    item = buy_seats(group_applicant, session, 1, assign_to=[group_learner])
    enrollment = item.seats.get().enrollment

    with pytest.raises(NotPermitted) as refused:
        enrollment_cancel(actor=group_learner, enrollment=enrollment)

    assert "田中 課長" in str(refused.value)
    assert "株式会社グループ" in str(refused.value)
    assert Enrollment.objects.get(pk=enrollment.pk).is_live
    entry = AuditEntry.objects.get(action="enrollment.cancel_refused")
    assert (entry.actor, entry.data) == (group_learner, {"code": "ask_applicant"})


def test_R_CANCEL_1_a_group_applicant_cannot_cancel_its_own_inventory_seat(
    group_applicant, session
):
    item = buy_seats(group_applicant, session, 1, assign_to=[group_applicant])
    enrollment = item.seats.get().enrollment

    with pytest.raises(NotPermitted) as refused:
        enrollment_cancel(actor=group_applicant, enrollment=enrollment)

    assert refused.value.code == "inventory"
    assert Enrollment.objects.get(pk=enrollment.pk).is_live
    assert AuditEntry.objects.filter(action="enrollment.cancel_refused").count() == 1


def test_R_CANCEL_1_a_group_applicant_cancels_its_own_enrolment(group_applicant, session):
    enrollment = apply(group_applicant, session)
    enrollment_cancel(actor=group_applicant, enrollment=enrollment)
    assert Enrollment.objects.get(pk=enrollment.pk).state == Enrollment.State.CANCELLED


def test_staff_are_sent_to_the_seat_for_an_inventory_place(
    group_applicant, group_learner, session, accountant
):
    item = buy_seats(group_applicant, session, 1, assign_to=[group_learner])
    with pytest.raises(InventoryPlace):
        enrollment_cancel(actor=accountant, enrollment=item.seats.get().enrollment)


def test_a_customer_cannot_cancel_once_the_session_has_started(learner):
    session = SessionFactory(starts_on=tokyo_date() + dt.timedelta(days=3))
    enrollment = apply(learner, session)
    session.starts_at = timezone.now() - dt.timedelta(hours=1)
    session.deadline = session.starts_at - dt.timedelta(days=1)
    session.ends_at = timezone.now() + dt.timedelta(hours=5)
    session.save()
    with pytest.raises(NotCancellable) as refused:
        enrollment_cancel(actor=learner, enrollment=enrollment)
    assert refused.value.code == "started"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(roles.RECEPTION, False), (roles.ACCOUNTING, True), (roles.ADMINISTRATOR, True)],
)
def test_staff_who_process_cancellation_requests_cancel_any_enrolment(
    learner, session, role, allowed
):
    enrollment = apply(learner, session)
    staff = make_staff(role)
    if allowed:
        enrollment_cancel(actor=staff, enrollment=enrollment)
        assert Enrollment.objects.get(pk=enrollment.pk).cancelled_by == staff
    else:
        with pytest.raises(NotPermitted):
            enrollment_cancel(actor=staff, enrollment=enrollment)
        assert Enrollment.objects.get(pk=enrollment.pk).is_live


def test_the_cancellation_is_audited_with_the_quote(learner):
    enrollment = apply(learner, session_in(5))
    enrollment_cancel(actor=learner, enrollment=enrollment, reason="都合がつかない")
    entry = AuditEntry.objects.get(action="enrollment.cancelled")
    assert entry.actor == learner
    assert entry.target_id == str(enrollment.pk)
    assert entry.data["by"] == "customer"
    assert entry.data["contact_date"] == tokyo_date().isoformat()
    assert (entry.data["days_before"], entry.data["rate"], entry.data["fee"]) == (5, 50, 25_000)
    assert entry.data["reason"] == "都合がつかない"


def test_R_CANCEL_5_the_learner_is_emailed_the_fee_tier_and_date(learner):
    enrollment = apply(learner, session_in(5))
    enrollment_cancel(actor=learner, enrollment=enrollment)
    (email,) = OutboxEmail.objects.filter(template="cancellation_done")
    assert email.to_email == "ichiro@example.jp"
    assert email.context["fee"] == 25_000
    assert email.context["fee_total"] == 27_500
    assert email.context["rate"] == 50
    assert email.context["tier_label"] == "初日の7〜3営業日前"
    assert email.context["contact_date"] == tokyo_date().isoformat()
    notes = [doc["number"] for doc in email.context["credit_notes"]]
    assert notes == [f"CRN-{tokyo_date().year}-000001"]


def test_an_enrolment_whose_invoice_is_not_issued_yet_gets_a_fee_invoice_only(learner):
    """The application's invoice follows its commit (a task): a cancellation that comes
    first credits nothing, and charges the fee on a fee invoice of the order."""
    from kenshu.enrollments.services import enrollment_apply

    enrollment = enrollment_apply(actor=learner, session=session_in(5))
    Invoice.objects.filter(order=enrollment.order).delete()  # as if its task had not run

    outcome = enrollment_cancel(actor=learner, enrollment=enrollment)

    assert outcome.credit_notes == []
    (fee_invoice,) = outcome.fee_invoices
    assert (fee_invoice.total, fee_invoice.original, fee_invoice.order) == (
        27_500,
        None,
        enrollment.order,
    )


def test_R_CANCEL_4_a_contact_on_a_closed_day_counts_from_the_next_business_day(
    learner, accountant
):
    from kenshu.core.time import business_calendar

    calendar = business_calendar()
    saturday = tokyo_date() - dt.timedelta(days=(tokyo_date().weekday() - 5) % 7 or 7)
    monday = calendar.next_business_day(saturday)
    # From Monday: 7 business days (50 %); were Saturday counted, 8 (free).
    first_day = first_day_after_business_days(7, contact=monday)
    enrollment = apply(learner, SessionFactory(starts_on=first_day), days_ago=14)

    outcome = enrollment_cancel(actor=accountant, enrollment=enrollment, contact_date=saturday)

    assert outcome.contact_date == saturday
    assert (outcome.preview.days_before, outcome.fee_rate) == (7, 50)
