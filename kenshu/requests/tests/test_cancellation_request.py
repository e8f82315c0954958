"""申し込みキャンセル依頼 (R-CANCEL-2, R-CANCEL-3): made by a group applicant on the web or
entered by staff from an email or a call; processed (seats cancelled, documents issued,
fee as of the contact date) or rejected by staff; emails on receipt and on decision."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail

from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice
from kenshu.core.exceptions import Conflict, InvalidState, NotPermitted
from kenshu.core.testing import SessionFactory, UserFactory, inventory_buy
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.models import InventoryItem, Seat
from kenshu.notifications.models import OutboxEmail
from kenshu.requests.models import CancellationRequest, RequestState
from kenshu.requests.services import (
    cancellation_request_create,
    cancellation_request_process,
    cancellation_request_quote,
    request_reject,
)

from .conftest import seats_of

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return sorted(
        AuditEntry.objects.filter(action__startswith="request.").values_list("action", flat=True)
    )


@pytest.fixture
def seat(item):
    """The assigned seat of ``item``."""
    return seats_of(item)[0]


@pytest.fixture
def open_request(applicant, seat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = cancellation_request_create(actor=applicant, seat=seat, message="体調不良のため")
    mail.outbox.clear()
    return request


# --- the customer asks -----------------------------------------------------------------------


def test_r_cancel_2_a_group_applicant_asks_to_cancel_one_seat_prefilled_from_the_seat(
    applicant, seat, session, clock, django_capture_on_commit_callbacks, outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        request = cancellation_request_create(actor=applicant, seat=seat, message="体調不良のため")

    request.refresh_from_db()
    assert request.state == RequestState.OPEN
    assert request.requester == applicant and request.entered_by is None
    assert request.seat == seat and request.item == seat.item and request.enrollment is None
    assert request.contact_date == clock.today
    assert (request.course_code, request.course_title) == ("ILC1234", "ビジネス文書研修")
    assert request.company_name == "株式会社サンプル"
    assert request.learner_name == "高橋 学"
    assert request.session_date  # the session's start as the customer reads it
    assert request.message == "体調不良のため"
    assert actions() == ["request.cancellation.created"]
    # Received: the requester and the staff queue address.
    assert sorted(to for to, _subject in outbox()) == sorted(
        ["jinji@sample.example.jp", settings.KENSHU_STAFF_EMAIL]
    )
    to_staff = next(m for m in mail.outbox if m.to == [settings.KENSHU_STAFF_EMAIL])
    assert f"/staff/requests/cancellation/{request.pk}/" in to_staff.body
    assert "ILC1234" in to_staff.body and "高橋 学" in to_staff.body
    to_customer = next(m for m in mail.outbox if m.to == ["jinji@sample.example.jp"])
    assert "キャンセル依頼" in to_customer.subject and str(request.pk) in to_customer.subject


def test_the_texts_the_customer_corrected_are_kept_as_sent(applicant, seat):
    request = cancellation_request_create(
        actor=applicant,
        seat=seat,
        course_code="ILC1234",
        course_title="ビジネス文書研修(午後)",
        session_date="6月15日",
        company_name="株式会社サンプル 人事部",
        learner_name="高橋 学(代理)",
    )
    assert request.course_title == "ビジネス文書研修(午後)"
    assert request.session_date == "6月15日"
    assert request.company_name == "株式会社サンプル 人事部"
    assert request.learner_name == "高橋 学(代理)"


def test_a_whole_purchase_can_be_asked_for(applicant, item):
    request = cancellation_request_create(actor=applicant, item=item)
    assert request.is_whole_purchase
    assert request.learner_name == "高橋 学"  # the learners of its live seats


def test_an_enrolment_assigned_from_inventory_is_asked_for_as_its_seat(applicant, seat):
    request = cancellation_request_create(actor=applicant, enrollment=seat.enrollment)
    assert (request.seat, request.enrollment) == (seat, None)


def test_another_applicants_seat_is_not_found(seat, organisation):
    other = UserFactory(group_applicant=True, organisation=organisation)
    with pytest.raises(Seat.DoesNotExist):
        cancellation_request_create(actor=other, seat=seat)
    with pytest.raises(InventoryItem.DoesNotExist):
        cancellation_request_create(actor=other, item=seat.item)
    assert CancellationRequest.objects.count() == 0


@pytest.mark.parametrize(
    "user_type", ["group_learner", "partner_learner", "individual", "corporate"]
)
def test_only_group_applicants_ask_about_inventory(user_type, seat):
    with pytest.raises((NotPermitted, Seat.DoesNotExist)):
        cancellation_request_create(actor=UserFactory(user_type=user_type), seat=seat)
    assert CancellationRequest.objects.count() == 0


def test_a_second_open_request_for_the_same_seat_is_refused_with_a_clear_message(
    applicant, open_request, seat
):
    with pytest.raises(Conflict) as refused:
        cancellation_request_create(actor=applicant, seat=seat)
    assert f"No. {open_request.pk}" in str(refused.value) or str(open_request.pk) in str(
        refused.value
    )
    assert CancellationRequest.objects.count() == 1


def test_a_seat_and_its_whole_purchase_cannot_both_be_open(applicant, open_request, item):
    with pytest.raises(Conflict):
        cancellation_request_create(actor=applicant, item=item)
    open_request.state = RequestState.REJECTED
    open_request.save()
    whole = cancellation_request_create(actor=applicant, item=item)
    with pytest.raises(Conflict):
        cancellation_request_create(actor=applicant, seat=seats_of(item)[1])
    assert whole.is_open


def test_a_customer_cannot_choose_its_contact_date(applicant, seat):
    with pytest.raises(ValueError):
        cancellation_request_create(actor=applicant, seat=seat, contact_date=dt.date(2020, 1, 1))


# --- staff enter a request received by email or phone -----------------------------------------


def test_staff_enter_a_request_received_by_phone_with_its_past_contact_date(
    applicant, seat, reception, clock, django_capture_on_commit_callbacks, outbox
):
    clock.day(clock.today + dt.timedelta(days=3))  # bought 3 days ago, called yesterday
    yesterday = clock.today - dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        request = cancellation_request_create(
            actor=reception,
            requester=applicant,
            seat=seat,
            contact_date=yesterday,
            message="電話で受付",
        )
    assert request.requester == applicant
    assert request.entered_by == reception
    assert request.contact_date == yesterday
    assert sorted(to for to, _subject in outbox()) == sorted(
        ["jinji@sample.example.jp", settings.KENSHU_STAFF_EMAIL]
    )
    entry = AuditEntry.objects.get(action="request.cancellation.created")
    assert entry.actor == reception and entry.data["entered_by_staff"] is True


def test_staff_cannot_enter_a_contact_date_in_the_future(applicant, seat, reception, clock):
    with pytest.raises(InvalidState):
        cancellation_request_create(
            actor=reception,
            requester=applicant,
            seat=seat,
            contact_date=clock.today + dt.timedelta(days=1),
        )
    assert CancellationRequest.objects.count() == 0


def test_the_contact_date_cannot_be_before_the_purchase(applicant, seat, reception, clock):
    with pytest.raises(InvalidState):
        cancellation_request_create(
            actor=reception,
            requester=applicant,
            seat=seat,
            contact_date=clock.today - dt.timedelta(days=400),
        )


def test_accounting_may_not_enter_requests(applicant, seat, accountant):
    with pytest.raises(NotPermitted):
        cancellation_request_create(
            actor=accountant, requester=applicant, seat=seat, contact_date=dt.date.today()
        )


# --- R-CANCEL-3: the fee as of the contact date --------------------------------------------------


@pytest.mark.parametrize(
    ("contact", "rate_then", "processed", "rate_later"),
    [
        # Session Mon 2026-06-15. Wed 6/3 is 8 business days before (0 %); Mon 6/8, 5 (50 %).
        (dt.date(2026, 6, 3), 0, dt.date(2026, 6, 8), 50),
        # Mon 6/8: 50 %; Sat 6/13 counts from Mon 6/15, the first day: 100 %.
        (dt.date(2026, 6, 8), 50, dt.date(2026, 6, 13), 100),
    ],
)
def test_R_CANCEL_3_a_request_made_on_day_D_and_processed_on_D_plus_5_is_charged_as_of_D(
    contact,
    rate_then,
    processed,
    rate_later,
    applicant,
    colleague,
    accountant,
    clock,
    django_capture_on_commit_callbacks,
):
    assert (processed - contact).days == 5
    session = SessionFactory(
        starts_on=dt.date(2026, 6, 15), course__code="ILC2000", course__fee=50_000, capacity=5
    )
    clock.day(dt.date(2026, 5, 20))
    with django_capture_on_commit_callbacks(execute=True):
        item = inventory_buy(applicant, session, 1, assign_to=[colleague])
    seat = seats_of(item)[0]

    clock.day(contact)
    request = cancellation_request_create(actor=applicant, seat=seat)
    assert request.contact_date == contact

    clock.day(processed)
    quote = cancellation_request_quote(request=request)
    assert quote.computed_for == contact and quote.rate == rate_then
    with django_capture_on_commit_callbacks(execute=True):
        done = cancellation_request_process(actor=accountant, request=request)

    done.refresh_from_db()
    assert done.state == RequestState.DONE
    assert done.fee_rate == rate_then != rate_later
    assert done.fee == 50_000 * rate_then // 100
    seat.refresh_from_db()
    assert seat.state == Seat.State.CANCELLED
    enrollment = Enrollment.objects.get(learner=colleague, session=session)
    assert enrollment.state == Enrollment.State.CANCELLED
    assert enrollment.cancellation_contact_date == contact
    assert enrollment.cancellation_fee == done.fee
    # The documents: the purchase's invoice credited in full; the fee, if any, invoiced.
    assert done.credit_note.kind == Invoice.Kind.CREDIT_NOTE
    assert done.credit_note.subtotal == -50_000
    if rate_then:
        assert done.fee_invoice.kind == Invoice.Kind.FEE_INVOICE
        assert done.fee_invoice.subtotal == done.fee
    else:
        assert done.fee_invoice is None


# --- staff process or reject ---------------------------------------------------------------------


def test_processing_cancels_the_seat_keeps_the_documents_audits_and_emails_the_requester(
    open_request, seat, accountant, django_capture_on_commit_callbacks, outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        done = cancellation_request_process(
            actor=accountant, request=open_request, note="承りました。"
        )
    done.refresh_from_db()
    assert done.state == RequestState.DONE
    assert done.decided_by == accountant and done.decided_at is not None
    assert done.decision_reason == "承りました。"
    assert done.credit_note is not None
    seat.refresh_from_db()
    assert seat.state == Seat.State.CANCELLED
    entry = AuditEntry.objects.get(action="request.cancellation.processed")
    assert entry.actor == accountant
    assert entry.data["credit_note"] == done.credit_note.number
    assert entry.data["contact_date"] == done.contact_date.isoformat()
    decided = OutboxEmail.objects.get(template="request_decided")
    assert decided.to_email == "jinji@sample.example.jp"
    assert decided.context["details"]["credit_note_number"] == done.credit_note.number
    to_requester = [m for m in mail.outbox if m.to == ["jinji@sample.example.jp"]]
    body = "\n".join(m.body for m in to_requester)
    assert done.credit_note.number in body


def test_a_request_cannot_be_processed_twice(open_request, accountant):
    cancellation_request_process(actor=accountant, request=open_request)
    with pytest.raises(InvalidState):
        cancellation_request_process(actor=accountant, request=open_request)
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1


def test_reception_cannot_process_cancellations_but_accounting_and_administrators_can(
    open_request, reception
):
    with pytest.raises(NotPermitted):
        cancellation_request_process(actor=reception, request=open_request)
    open_request.refresh_from_db()
    assert open_request.is_open


def test_a_failure_while_processing_leaves_the_request_open_and_nothing_half_done(
    open_request, seat, accountant, monkeypatch
):
    from kenshu.requests.services import cancellation as module

    def broken(**kwargs):
        raise RuntimeError("mail queue down")

    monkeypatch.setattr(module, "queue_decided_email", broken)
    with pytest.raises(RuntimeError):
        cancellation_request_process(actor=accountant, request=open_request)
    open_request.refresh_from_db()
    seat.refresh_from_db()
    assert open_request.is_open and open_request.fee is None
    assert seat.state == Seat.State.ASSIGNED
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()


def test_rejecting_needs_a_reason(open_request, accountant):
    with pytest.raises(InvalidState):
        request_reject(actor=accountant, request=open_request, reason="   ")
    open_request.refresh_from_db()
    assert open_request.is_open


def test_a_rejection_is_audited_and_emailed_with_its_reason(
    open_request, seat, accountant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_reject(actor=accountant, request=open_request, reason="受講済みのため")
    open_request.refresh_from_db()
    assert open_request.state == RequestState.REJECTED
    assert open_request.decision_reason == "受講済みのため"
    assert actions() == ["request.cancellation.created", "request.cancellation.rejected"]
    (message,) = mail.outbox
    assert message.to == ["jinji@sample.example.jp"]
    assert "受講済みのため" in message.body
    seat.refresh_from_db()
    assert seat.state == Seat.State.ASSIGNED


def test_a_whole_purchase_request_cancels_every_live_seat(applicant, item, administrator):
    request = cancellation_request_create(actor=applicant, item=item)
    cancellation_request_process(actor=administrator, request=request)
    assert {seat.state for seat in seats_of(item)} == {Seat.State.CANCELLED}


def test_accounting_processes_a_request_about_a_self_applied_enrolment(
    accountant, administrator, session, clock
):
    from kenshu.enrollments.services import enrollment_apply

    customer = UserFactory(corporate=True)
    enrollment = enrollment_apply(actor=customer, session=session)
    request = cancellation_request_create(
        actor=administrator, requester=customer, enrollment=enrollment, contact_date=clock.today
    )
    # Processing cancellation requests is enough: accounting need not change enrolments.
    assert not accountant.has_perm("enrollments.change_enrollment")
    done = cancellation_request_process(actor=accountant, request=request)
    enrollment.refresh_from_db()
    assert enrollment.state == Enrollment.State.CANCELLED
    assert done.state == RequestState.DONE and done.credit_note is not None
