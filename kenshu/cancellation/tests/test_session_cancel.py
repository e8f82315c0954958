"""session_cancel (R-CANCEL-6): the provider cancels a session; every enrolment and
inventory seat is refunded in full, everyone concerned is emailed once, pending emails
and the waiting list are withdrawn."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from kenshu.accounts import roles
from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice, Refund
from kenshu.cancellation.services import session_cancel, session_cancel_preview
from kenshu.catalog.models import Session
from kenshu.core.exceptions import DomainError, InvalidState, NotPermitted
from kenshu.core.testing import UserFactory, make_staff
from kenshu.enrollments.models import Enrollment, WaitingListEntry
from kenshu.enrollments.services import waiting_list_join
from kenshu.inventory.models import Seat
from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import outbox_dispatch_due

from .helpers import apply, buy_seats, invoice_of, pay

pytestmark = pytest.mark.django_db

REASON = "講師の急病のため"


@pytest.fixture
def booked(session, learner, group_applicant, group_learner, accountant):
    """The session with: 山田 (paid), another individual (unpaid), the group applicant's
    own enrolment, and its purchase of 2 seats (one assigned to 鈴木, paid)."""
    paid = apply(learner, session)
    pay(invoice_of(paid.order), accountant)
    unpaid = apply(UserFactory(username="unpaid", email="unpaid@example.jp"), session)
    own = apply(group_applicant, session)
    item = buy_seats(group_applicant, session, 2, assign_to=[group_learner])
    pay(invoice_of(item.order), accountant)
    return {"paid": paid, "unpaid": unpaid, "own": own, "item": item}


def test_R_CANCEL_6_everyone_is_refunded_in_full(session, booked, administrator):
    outcome = session_cancel(actor=administrator, session=session, reason=REASON)

    session.refresh_from_db()
    assert session.state == Session.State.CANCELLED
    assert (session.decided_by, session.decision_reason) == (administrator, REASON)
    assert session.decided_at is not None
    assert not Enrollment.objects.filter(session=session, state="applied").exists()
    assert set(Enrollment.objects.values_list("cancellation_fee", flat=True)) == {0}
    assert set(Seat.objects.values_list("state", flat=True)) == {"cancelled"}
    # Every invoice credited in full, no fee invoice; refunds for what was paid.
    assert not Invoice.objects.filter(kind=Invoice.Kind.FEE_INVOICE).exists()
    originals = Invoice.objects.filter(kind=Invoice.Kind.INVOICE)
    assert originals.count() == 4
    assert set(originals.values_list("state", flat=True)) == {"credited"}
    for original in originals:
        (note,) = original.corrections.all()
        assert note.total == -original.total
    refunds = {r.invoice: r.amount for r in Refund.objects.all()}
    assert refunds == {
        invoice_of(booked["paid"].order): 55_000,
        invoice_of(booked["item"].order): 110_000,
    }
    assert len(outcome.credit_notes) == 4 and len(outcome.refunds) == 2


def test_R_CANCEL_6_each_learner_and_applicant_is_emailed_once(
    session, booked, administrator, learner, group_applicant, group_learner
):
    preview = session_cancel_preview(session=session)
    expected = {learner.email, "unpaid@example.jp", group_applicant.email, group_learner.email}
    assert {person.user.email for person in preview} == expected
    applicant = next(p for p in preview if p.user == group_applicant)
    assert applicant.as_applicant and applicant.as_learner  # its own enrolment, and seats
    assert len(applicant.places) == 3

    session_cancel(actor=administrator, session=session, reason=REASON)

    emails = OutboxEmail.objects.filter(template="session_cancelled")
    assert sorted(e.to_email for e in emails) == sorted(expected)
    to_applicant = emails.get(to_email=group_applicant.email).context
    assert to_applicant["reason"] == REASON
    assert to_applicant["refund"] == 110_000
    assert emails.get(to_email=group_learner.email).context["show_money"] is False
    mail.outbox.clear()
    outbox_dispatch_due()
    assert sorted(m.to[0] for m in mail.outbox if REASON in m.body) == sorted(expected)


def test_R_CANCEL_6_pending_emails_and_the_waiting_list_are_withdrawn(
    session, booked, administrator, learner
):
    session.capacity = 5
    session.save()  # full: 3 enrolments for oneself + 2 seats
    waiting = UserFactory()
    entry = waiting_list_join(actor=waiting, session=session)
    scheduled = OutboxEmail.objects.get(template="joining_instructions", to_email=learner.email)

    outcome = session_cancel(actor=administrator, session=session, reason=REASON)

    scheduled.refresh_from_db()
    entry.refresh_from_db()
    assert scheduled.state == OutboxEmail.State.WITHDRAWN
    assert entry.state == WaitingListEntry.State.WITHDRAWN
    assert list(outcome.waiting_list_withdrawn) == [entry]
    outbox_dispatch_due(now=timezone.now() + dt.timedelta(days=90))
    assert not OutboxEmail.objects.filter(
        template="joining_instructions", state=OutboxEmail.State.SENT
    ).exists()


def test_R_CANCEL_6_a_reason_is_required(session, booked, administrator):
    with pytest.raises(DomainError) as refused:
        session_cancel(actor=administrator, session=session, reason="  ")
    assert refused.value.code == "reason_required"
    session.refresh_from_db()
    assert session.state == Session.State.OPEN
    assert not Invoice.objects.filter(kind="credit_note").exists()


def test_a_cancelled_session_cannot_be_cancelled_again(session, administrator):
    session_cancel(actor=administrator, session=session, reason=REASON)
    with pytest.raises(InvalidState):
        session_cancel(actor=administrator, session=session, reason=REASON)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(roles.RECEPTION, False), (roles.ACCOUNTING, False), (roles.ADMINISTRATOR, True)],
)
def test_only_staff_with_catalog_change_session_cancel_a_session(session, role, allowed):
    staff = make_staff(role)
    if allowed:
        session_cancel(actor=staff, session=session, reason=REASON)
    else:
        with pytest.raises(NotPermitted):
            session_cancel(actor=staff, session=session, reason=REASON)
    session.refresh_from_db()
    assert (session.state == Session.State.CANCELLED) is allowed


def test_a_customer_cannot_cancel_a_session(session, learner):
    with pytest.raises(NotPermitted):
        session_cancel(actor=learner, session=session, reason=REASON)


def test_the_cancellation_is_audited(session, booked, administrator):
    session_cancel(actor=administrator, session=session, reason=REASON)
    entry = AuditEntry.objects.get(action="session.cancelled")
    assert (entry.actor, entry.target_id) == (administrator, str(session.pk))
    assert entry.data["reason"] == REASON
    assert len(entry.data["enrollments"]) == 4
    assert len(entry.data["seats"]) == 2
