"""outbox_send / outbox_dispatch_due: retried on failure, sent once, never lost (R-MAIL).

The failing transport is real: ``FlakySMTPBackend`` raises
``smtplib.SMTPServerDisconnected`` as Django's SMTP backend does when the
server drops the connection.
"""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from kenshu.notifications.models import EmailAttempt, OutboxEmail
from kenshu.notifications.services import (
    STALE_CLAIM_AFTER,
    outbox_dispatch_due,
    outbox_send,
    retry_delay,
)

from .helpers import outbox_ids, queue_staff_message

pytestmark = pytest.mark.django_db


def test_failing_smtp_send_is_retried_later_and_then_sent_exactly_once(
    flaky_smtp, django_capture_on_commit_callbacks
):
    """R-MAIL: retried on failure, with back-off; sent once."""
    flaky_smtp.failures_left = 1
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_staff_message()
    after = timezone.now()

    email.refresh_from_db()
    assert email.state == OutboxEmail.State.QUEUED
    assert email.attempts == 1
    assert email.last_error.startswith("SMTPServerDisconnected")
    assert before + retry_delay(1) <= email.send_after <= after + retry_delay(1)
    assert email.claimed_at is None
    assert mail.outbox == []

    # Not before the back-off is over.
    assert outbox_dispatch_due() == 0
    assert outbox_dispatch_due(now=email.send_after - dt.timedelta(seconds=1)) == 0
    assert mail.outbox == []
    assert flaky_smtp.sends_tried == 1

    assert outbox_dispatch_due(now=email.send_after) == 1
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.SENT
    assert email.attempts == 2
    assert email.last_error == ""
    attempts = list(email.attempt_log.all())
    assert [a.succeeded for a in attempts] == [False, True]
    assert attempts[0].error.startswith("SMTPServerDisconnected")
    assert attempts[1].error == ""
    assert outbox_ids(mail.outbox) == [str(email.pk)]

    # And never again.
    assert outbox_dispatch_due(now=timezone.now() + dt.timedelta(days=2)) == 0
    assert len(mail.outbox) == 1
    assert flaky_smtp.sends_tried == 2


def test_retry_delay_doubles_from_the_base_up_to_a_day(settings):
    settings.KENSHU_OUTBOX_RETRY_BASE_SECONDS = 60
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_delay(30) == dt.timedelta(days=1)


def test_email_failing_max_attempts_times_is_marked_failed_and_never_sent_afterwards(
    settings, flaky_smtp
):
    """R-MAIL: after KENSHU_OUTBOX_MAX_ATTEMPTS failures the row is failed (visible to staff)."""
    settings.KENSHU_OUTBOX_MAX_ATTEMPTS = 3
    flaky_smtp.failures_left = 1000
    email = queue_staff_message()

    now = timezone.now()
    for attempt in (1, 2, 3):
        assert outbox_dispatch_due(now=now) == 0
        email.refresh_from_db()
        assert email.attempts == attempt
        expected = OutboxEmail.State.QUEUED if attempt < 3 else OutboxEmail.State.FAILED
        assert email.state == expected
        if attempt < 3:
            assert email.send_after == now + retry_delay(attempt)
        now = email.send_after

    assert email.last_error.startswith("SMTPServerDisconnected")
    assert [a.succeeded for a in email.attempt_log.all()] == [False, False, False]

    flaky_smtp.failures_left = 0  # the server is back: a failed row still stays unsent
    assert outbox_dispatch_due(now=timezone.now() + dt.timedelta(days=30)) == 0
    assert outbox_send(email.pk, now=timezone.now() + dt.timedelta(days=30)) == "failed"
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.FAILED
    assert email.attempts == 3
    assert mail.outbox == []
    assert flaky_smtp.sends_tried == 3


def test_missing_template_is_recorded_as_a_failed_attempt_not_an_exception():
    """R-MAIL: never silent — a broken template shows in the row's log."""
    email = queue_staff_message(template="no_such_template")
    assert outbox_send(email.pk) == OutboxEmail.State.QUEUED
    email.refresh_from_db()
    assert email.last_error.startswith("TemplateDoesNotExist")
    assert EmailAttempt.objects.filter(email=email, succeeded=False).count() == 1
    assert mail.outbox == []


def test_outbox_send_of_an_unknown_row_sends_nothing():
    assert outbox_send(987654) == "missing"
    assert mail.outbox == []


def test_stale_sending_row_is_marked_failed_by_the_dispatch_loop_not_sent_again():
    """R-MAIL: a row interrupted mid-send may have left already: staff decide, no resend."""
    email = queue_staff_message()
    claimed_long_ago = timezone.now() - STALE_CLAIM_AFTER - dt.timedelta(minutes=1)
    OutboxEmail.objects.filter(pk=email.pk).update(
        state=OutboxEmail.State.SENDING, attempts=1, claimed_at=claimed_long_ago
    )

    assert outbox_dispatch_due() == 0
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.FAILED
    assert email.attempts == 1
    assert "Interrupted while sending" in email.last_error
    [attempt] = email.attempt_log.all()
    assert not attempt.succeeded
    assert "Interrupted while sending" in attempt.error

    assert outbox_dispatch_due(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert mail.outbox == []


def test_recently_claimed_sending_row_is_left_to_its_worker():
    """R-MAIL: a worker still sending is not interrupted, and nobody else sends the row."""
    email = queue_staff_message()
    OutboxEmail.objects.filter(pk=email.pk).update(
        state=OutboxEmail.State.SENDING, attempts=1, claimed_at=timezone.now()
    )

    assert outbox_dispatch_due() == 0
    assert outbox_send(email.pk) == OutboxEmail.State.SENDING
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.SENDING
    assert email.attempts == 1
    assert mail.outbox == []


def test_dispatch_sends_due_rows_oldest_first_up_to_the_limit():
    now = timezone.now()
    rows = [
        queue_staff_message(to=f"learner{i}@example.jp", send_after=now - dt.timedelta(minutes=i))
        for i in range(5)
    ]
    assert outbox_dispatch_due(now=now, limit=3) == 3
    assert outbox_ids(mail.outbox) == [str(r.pk) for r in reversed(rows)][:3]
    assert outbox_dispatch_due(now=now) == 2
    assert len(mail.outbox) == 5


def test_dispatch_counts_only_the_emails_it_sent_itself(settings):
    """R-MAIL: a row another worker sent meanwhile is neither re-sent nor counted."""
    from .mail_backends import BeforeSendBackend

    first = queue_staff_message(to="first@example.jp")
    second = queue_staff_message(to="second@example.jp")

    def another_worker_sends_the_second(message):
        if message.extra_headers["X-Kenshu-Outbox-Id"] == str(first.pk):
            BeforeSendBackend.before_send = None
            assert outbox_send(second.pk) == OutboxEmail.State.SENT

    settings.EMAIL_BACKEND = f"{BeforeSendBackend.__module__}.BeforeSendBackend"
    BeforeSendBackend.before_send = another_worker_sends_the_second
    try:
        assert outbox_dispatch_due() == 1
    finally:
        BeforeSendBackend.before_send = None

    assert sorted(outbox_ids(mail.outbox)) == sorted([str(first.pk), str(second.pk)])
    assert {(e.state, e.attempts) for e in OutboxEmail.objects.all()} == {
        (OutboxEmail.State.SENT, 1)
    }
