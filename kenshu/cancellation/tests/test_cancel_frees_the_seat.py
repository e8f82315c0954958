"""R-CANCEL-5: cancelling frees the seat for the waiting list (the first person waiting
is offered it, by email) and withdraws the enrolment's pending emails, which are then
never sent."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from kenshu.cancellation.services import enrollment_cancel, seats_cancel
from kenshu.core.testing import SessionFactory, UserFactory
from kenshu.core.time import tokyo_date
from kenshu.enrollments.models import WaitingListEntry
from kenshu.enrollments.seats import seats_taken
from kenshu.enrollments.services import waiting_list_join
from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import outbox_dispatch_due

from .helpers import apply, buy_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_session(db):
    """One seat, 30 days ahead: the joining instructions are scheduled, not sent."""
    return SessionFactory(
        capacity=1,
        course__code="WL100",
        course__title="待機研修",
        starts_on=tokyo_date() + dt.timedelta(days=30),
    )


def test_R_CANCEL_5_the_first_person_waiting_is_offered_the_freed_seat(learner, full_session):
    enrollment = apply(learner, full_session)
    first, second = UserFactory(), UserFactory()
    waiting_list_join(actor=first, session=full_session)
    waiting_list_join(actor=second, session=full_session)

    outcome = enrollment_cancel(actor=learner, enrollment=enrollment)

    states = dict(WaitingListEntry.objects.values_list("user_id", "state"))
    assert states == {first.pk: "offered", second.pk: "waiting"}
    assert [entry.user for entry in outcome.waiting_list_offers] == [first]
    # The offer holds the seat: still one taken.
    assert seats_taken([full_session.pk])[full_session.pk] == 1
    assert OutboxEmail.objects.filter(template="waiting_list_offer", to_email=first.email).exists()


def test_R_CANCEL_5_withdrawn_emails_are_never_sent(learner, full_session):
    enrollment = apply(learner, full_session)
    scheduled = OutboxEmail.objects.get(template="joining_instructions", to_email=learner.email)
    assert scheduled.send_after > timezone.now()
    waiting = UserFactory()
    waiting_list_join(actor=waiting, session=full_session)
    mail.outbox.clear()

    enrollment_cancel(actor=learner, enrollment=enrollment)

    scheduled.refresh_from_db()
    assert scheduled.state == OutboxEmail.State.WITHDRAWN
    # Everything due until after the session: the withdrawn email is not among it.
    outbox_dispatch_due(now=timezone.now() + dt.timedelta(days=60))
    subjects = {(m.to[0], m.subject) for m in mail.outbox}
    assert not [s for s in subjects if "受講のご案内" in s[1] or "joining" in s[1].lower()]
    sent_templates = set(
        OutboxEmail.objects.filter(state=OutboxEmail.State.SENT).values_list("template", flat=True)
    )
    assert "joining_instructions" not in sent_templates
    assert {"cancellation_done", "waiting_list_offer"} <= sent_templates
    assert any(m.to == [learner.email] and "キャンセル" in m.subject for m in mail.outbox)
    assert any(m.to == [waiting.email] for m in mail.outbox)


def test_R_CANCEL_5_an_inventory_seat_cancelled_frees_its_capacity_too(
    group_applicant, group_learner, full_session, accountant
):
    item = buy_seats(group_applicant, full_session, 1, assign_to=[group_learner])
    waiting = UserFactory()
    waiting_list_join(actor=waiting, session=full_session)

    seats_cancel(actor=accountant, seats=list(item.seats.all()), contact_date=tokyo_date())

    assert WaitingListEntry.objects.get(user=waiting).state == WaitingListEntry.State.OFFERED
