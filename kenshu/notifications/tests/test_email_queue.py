"""email_queue: recorded in the caller's transaction, sent once after commit (R-MAIL)."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import (
    email_new,
    emails_queue_new,
    outbox_dispatch_due,
    outbox_send,
)

from .helpers import MESSAGE, outbox_ids, queue_staff_message

pytestmark = pytest.mark.django_db

A_DAY_LATER = dt.timedelta(days=1)


class Boom(Exception):
    pass


def test_email_queued_in_a_transaction_that_rolls_back_is_never_sent(
    django_capture_on_commit_callbacks,
):
    """R-MAIL: the email is recorded in the same transaction as the change that caused it."""
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        queue_staff_message()
        raise Boom

    assert callbacks == []
    assert not OutboxEmail.objects.exists()
    assert outbox_dispatch_due(now=timezone.now() + A_DAY_LATER) == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_email_queued_in_a_real_transaction_that_rolls_back_is_never_sent():
    """R-MAIL: the same with real commits and rollbacks (no test transaction around it)."""
    with pytest.raises(Boom), transaction.atomic():
        queue_staff_message()
        raise Boom

    assert not OutboxEmail.objects.exists()
    assert outbox_dispatch_due(now=timezone.now() + A_DAY_LATER) == 0
    assert mail.outbox == []


def test_email_queued_in_a_committed_transaction_is_sent_once_after_commit(
    django_capture_on_commit_callbacks,
):
    """R-MAIL: sent once, after commit, from the no-reply address."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email = queue_staff_message(to="hanako@example.jp")
        assert mail.outbox == []  # nothing leaves before the commit
        assert OutboxEmail.objects.get().state == OutboxEmail.State.QUEUED

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hanako@example.jp"]
    assert message.from_email == settings.KENSHU_NOREPLY_EMAIL
    assert outbox_ids(mail.outbox) == [str(email.pk)]
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.SENT
    assert email.attempts == 1
    assert email.sent_at is not None
    assert email.subject == message.subject
    assert [a.succeeded for a in email.attempt_log.all()] == [True]

    # Sent once: neither the dispatch loop nor a stray task sends it again.
    assert outbox_dispatch_due(now=timezone.now() + A_DAY_LATER) == 0
    assert outbox_send(email.pk) == OutboxEmail.State.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_email_queued_in_a_real_committed_transaction_is_sent_by_the_task_after_commit():
    """R-MAIL: with real commits, the task runs on commit (ImmediateBackend in tests)."""
    with transaction.atomic():
        email = queue_staff_message()
        assert mail.outbox == []

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.SENT
    assert email.attempts == 1


def test_the_same_dedup_key_queues_once(django_capture_on_commit_callbacks):
    """R-MAIL: sent once — a second event with the same key neither queues nor sends."""
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_staff_message(dedup_key="welcome:user:42")
        second = queue_staff_message(
            dedup_key="welcome:user:42", context={"subject": "again", "body": "again"}
        )
    assert second.pk == first.pk
    assert OutboxEmail.objects.count() == 1
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        third = queue_staff_message(dedup_key="welcome:user:42")  # after it was sent
    assert third.pk == first.pk
    assert third.state == OutboxEmail.State.SENT
    assert OutboxEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_different_or_empty_dedup_keys_queue_separate_emails(django_capture_on_commit_callbacks):
    """R-MAIL: the key only merges what is the same event."""
    with django_capture_on_commit_callbacks(execute=True):
        queue_staff_message(dedup_key="welcome:user:1")
        queue_staff_message(dedup_key="welcome:user:2")
        queue_staff_message()
        queue_staff_message()
    assert OutboxEmail.objects.count() == 4
    assert len(mail.outbox) == 4


def test_email_with_a_future_send_time_is_not_sent_early(django_capture_on_commit_callbacks):
    """R-MAIL / ARCHITECTURE §6: a scheduled email is a row with a future send time."""
    send_at = timezone.now() + dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_staff_message(send_after=send_at)

    assert mail.outbox == []
    assert outbox_dispatch_due() == 0
    assert outbox_send(email.pk) == OutboxEmail.State.QUEUED  # a task run early sends nothing
    assert outbox_dispatch_due(now=send_at - dt.timedelta(seconds=1)) == 0
    assert mail.outbox == []
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.QUEUED
    assert email.attempts == 0

    assert outbox_dispatch_due(now=send_at) == 1
    assert outbox_ids(mail.outbox) == [str(email.pk)]
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.SENT


def test_a_scheduled_email_gets_no_task_row_the_dispatch_loop_sends_it_when_due(
    deferring_task_backend, django_capture_on_commit_callbacks
):
    """R-MAIL / ARCHITECTURE §6: no task waits days for a scheduled email (nor runs in
    vain for one withdrawn meanwhile); the dispatch loop sends it when it is due."""
    send_at = timezone.now() + dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_staff_message(send_after=send_at)

    assert deferring_task_backend.results == []
    assert outbox_dispatch_due(now=send_at - dt.timedelta(seconds=1)) == 0
    assert outbox_dispatch_due(now=send_at) == 1
    assert outbox_ids(mail.outbox) == [str(email.pk)]


def test_an_email_due_at_once_is_handed_to_the_task_backend_after_commit(
    deferring_task_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = queue_staff_message()
    assert deferring_task_backend.results == []  # nothing before commit
    for callback in callbacks:
        callback()
    [result] = deferring_task_backend.results
    assert result.task.name == "send_outbox_email"
    assert result.args == [email.pk]


def test_emails_of_one_change_are_recorded_in_one_insert_and_sent_by_one_task(
    deferring_task_backend, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """emails_queue_new: one statement for the rows, one task for those due at once;
    the scheduled one is left to the dispatch loop."""
    later = timezone.now() + dt.timedelta(days=3)
    emails = [
        email_new(template="staff_message", to="a@example.jp", context=dict(MESSAGE)),
        email_new(template="staff_message", to="b@example.jp", context=dict(MESSAGE)),
        email_new(
            template="staff_message", to="c@example.jp", context=dict(MESSAGE), send_after=later
        ),
    ]
    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(1):
        emails_queue_new(emails)
    assert all(email.pk for email in emails)
    [result] = deferring_task_backend.results
    assert result.task.name == "send_outbox_emails"
    assert result.args == [[emails[0].pk, emails[1].pk]]

    result.task.call(*result.args)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.jp", "b@example.jp"]
    assert outbox_dispatch_due(now=later) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.jp", "b@example.jp", "c@example.jp"]


def test_emails_queued_together_in_a_transaction_that_rolls_back_are_never_sent(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        emails_queue_new([email_new(template="staff_message", to="a@example.jp")])
        raise Boom
    assert callbacks == []
    assert not OutboxEmail.objects.exists()


def test_email_whose_task_was_lost_is_sent_by_the_dispatch_loop():
    """R-MAIL: never lost — outbox_dispatch_due sends a due row no task sent."""
    email = queue_staff_message()  # the test transaction never commits: no task runs

    assert mail.outbox == []
    assert outbox_dispatch_due() == 1
    assert outbox_ids(mail.outbox) == [str(email.pk)]
