"""email_resend: staff resend an email as a new, audited row (R-MAIL)."""

import pytest
from django.core import mail
from django.db import transaction

from kenshu.audit.models import AuditEntry
from kenshu.core.testing import UserFactory
from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import email_resend

from .helpers import outbox_ids, queue_staff_message

pytestmark = pytest.mark.django_db


def test_resend_queues_a_linked_copy_and_writes_an_audit_entry(
    django_capture_on_commit_callbacks,
):
    """R-MAIL: staff can resend; the copy is a new row linked to the original."""
    staff = UserFactory(staff=True)
    learner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        original = queue_staff_message(
            to=learner.email, related=learner, language="en", dedup_key="welcome:learner"
        )

    with django_capture_on_commit_callbacks(execute=True):
        copy = email_resend(email=original, actor=staff)

    assert copy.pk != original.pk
    assert copy.resent_from == original
    copy.refresh_from_db()
    assert copy.resent_from_id == original.pk
    assert list(original.resends.all()) == [copy]
    assert (copy.template, copy.to_email, copy.language, copy.context, copy.from_email) == (
        original.template,
        original.to_email,
        original.language,
        original.context,
        original.from_email,
    )
    assert copy.related == learner
    assert copy.dedup_key == ""  # a resend is never merged into the original
    assert copy.state == OutboxEmail.State.SENT

    assert outbox_ids(mail.outbox) == [str(original.pk), str(copy.pk)]
    assert mail.outbox[0].body == mail.outbox[1].body

    entry = AuditEntry.objects.get(action="email.resent")
    assert entry.actor == staff
    assert entry.target == original
    assert entry.data == {"new_email_id": copy.pk, "to": learner.email}


def test_failed_email_can_be_resent(settings, flaky_smtp, django_capture_on_commit_callbacks):
    """R-MAIL: a failed row stays failed; its resend is sent when the server is back."""
    settings.KENSHU_OUTBOX_MAX_ATTEMPTS = 1
    flaky_smtp.failures_left = 1
    with django_capture_on_commit_callbacks(execute=True):
        original = queue_staff_message()
    original.refresh_from_db()
    assert original.state == OutboxEmail.State.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        copy = email_resend(email=original, actor=UserFactory(staff=True))

    copy.refresh_from_db()
    original.refresh_from_db()
    assert copy.state == OutboxEmail.State.SENT
    assert original.state == OutboxEmail.State.FAILED
    assert outbox_ids(mail.outbox) == [str(copy.pk)]


def test_resend_rolls_back_with_its_audit_entry_if_the_transaction_fails(
    django_capture_on_commit_callbacks,
):
    """R-MAIL: the copy, its audit entry and its send belong to one transaction."""
    with django_capture_on_commit_callbacks(execute=True):
        original = queue_staff_message()
    staff = UserFactory(staff=True)

    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        email_resend(email=original, actor=staff)
        raise Boom

    assert OutboxEmail.objects.count() == 1
    assert not AuditEntry.objects.filter(action="email.resent").exists()
    assert len(mail.outbox) == 1
