"""manage.py send_queued_email: the worker loop's safety net (R-MAIL: never lost)."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kenshu.notifications.models import OutboxEmail

from .helpers import outbox_ids, queue_staff_message

pytestmark = pytest.mark.django_db


def test_command_sends_due_emails_and_leaves_scheduled_ones():
    """R-MAIL: due rows whose task never ran are sent by the command."""
    due = queue_staff_message(to="due@example.jp")  # never committed: no task ran
    scheduled = queue_staff_message(
        to="later@example.jp", send_after=timezone.now() + dt.timedelta(hours=1)
    )
    out = StringIO()

    call_command("send_queued_email", stdout=out)

    assert out.getvalue().strip() == "sent 1 email(s)"
    assert outbox_ids(mail.outbox) == [str(due.pk)]
    assert dict(OutboxEmail.objects.values_list("pk", "state")) == {
        due.pk: OutboxEmail.State.SENT,
        scheduled.pk: OutboxEmail.State.QUEUED,
    }


def test_command_is_quiet_when_nothing_is_due_unless_verbose():
    out = StringIO()
    call_command("send_queued_email", stdout=out)
    assert out.getvalue() == ""

    call_command("send_queued_email", stdout=out, verbosity=2)
    assert out.getvalue().strip() == "sent 0 email(s)"
    assert mail.outbox == []
