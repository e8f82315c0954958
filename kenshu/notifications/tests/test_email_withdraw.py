"""email_withdraw / emails_withdraw_for: a withdrawn email is never sent (R-MAIL).

ARCHITECTURE §6: cancelling an enrolment withdraws its scheduled emails in
the same transaction.
"""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from kenshu.core.testing import UserFactory
from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import (
    email_withdraw,
    emails_withdraw_for,
    outbox_dispatch_due,
    outbox_send,
)

from .helpers import queue_staff_message

pytestmark = pytest.mark.django_db

LATER = dt.timedelta(days=30)


def test_withdrawn_email_is_never_sent():
    """R-MAIL: email_withdraw stops a queued row for good."""
    email = queue_staff_message()

    assert email_withdraw(email=email, reason="enrolment cancelled") is True
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.WITHDRAWN
    assert email.last_error == "enrolment cancelled"

    assert outbox_dispatch_due(now=timezone.now() + LATER) == 0
    assert outbox_send(email.pk, now=timezone.now() + LATER) == OutboxEmail.State.WITHDRAWN
    assert mail.outbox == []
    assert email_withdraw(email=email) is False  # already withdrawn


def test_email_withdrawn_in_the_transaction_that_queued_it_is_not_sent_after_commit(
    django_capture_on_commit_callbacks,
):
    """R-MAIL: the task that runs on commit finds the row withdrawn."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        email = queue_staff_message()
        email_withdraw(email=email)

    assert len(callbacks) == 1  # the send task did run...
    assert mail.outbox == []  # ...and sent nothing
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.WITHDRAWN
    assert email.attempts == 0


def test_sent_email_cannot_be_withdrawn(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_staff_message()

    assert email_withdraw(email=email) is False
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.SENT


def test_withdrawing_emails_about_a_record_stops_only_its_queued_emails():
    """R-MAIL: emails_withdraw_for(related=...) withdraws what is queued about that record."""
    learner, other = UserFactory(), UserFactory()
    now = timezone.now()
    soon = queue_staff_message(to=learner.email, related=learner)
    scheduled = queue_staff_message(to=learner.email, related=learner, send_after=now + LATER)
    about_other = queue_staff_message(to=other.email, related=other)
    unrelated = queue_staff_message(to=learner.email)

    assert emails_withdraw_for(related=learner, reason="cancelled") == 2

    states = dict(OutboxEmail.objects.values_list("pk", "state"))
    assert states[soon.pk] == states[scheduled.pk] == OutboxEmail.State.WITHDRAWN
    assert states[about_other.pk] == states[unrelated.pk] == OutboxEmail.State.QUEUED

    assert outbox_dispatch_due(now=now + 2 * LATER) == 2
    assert sorted(m.extra_headers["X-Kenshu-Outbox-Id"] for m in mail.outbox) == sorted(
        [str(about_other.pk), str(unrelated.pk)]
    )


def test_withdrawing_emails_about_a_record_leaves_sent_ones_alone(
    django_capture_on_commit_callbacks,
):
    learner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        sent = queue_staff_message(to=learner.email, related=learner)

    assert emails_withdraw_for(related=learner) == 0
    sent.refresh_from_db()
    assert sent.state == OutboxEmail.State.SENT
