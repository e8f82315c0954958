"""The email log in the admin: staff see what was sent to whom, and resend (R-MAIL)."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from kenshu.audit.models import AuditEntry
from kenshu.core.testing import UserFactory
from kenshu.notifications.models import OutboxEmail

from .helpers import queue_staff_message

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:notifications_outboxemail_changelist")


def change_url(email: OutboxEmail) -> str:
    return reverse("admin:notifications_outboxemail_change", args=[email.pk])


def staff_with(*codenames: str):
    user = UserFactory(staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="notifications", codename__in=codenames)
    )
    return user


def resend(client, *emails: OutboxEmail):
    return client.post(CHANGELIST, {"action": "resend", "_selected_action": [e.pk for e in emails]})


@pytest.fixture
def sent_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return queue_staff_message(to="hanako@example.jp")


def test_superuser_sees_the_email_log_and_an_email_read_only(client, sent_email):
    """R-MAIL: staff can see what was sent to whom."""
    client.force_login(UserFactory(staff=True, is_superuser=True))

    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert "hanako@example.jp" in response.content.decode()
    assert '<option value="resend">' in response.content.decode()

    response = client.get(change_url(sent_email))
    assert response.status_code == 200
    page = response.content.decode()
    assert "hanako@example.jp" in page
    assert 'name="_save"' not in page  # read-only: nothing to save


def test_email_log_cannot_be_edited_even_by_a_superuser(client, sent_email):
    """R-MAIL: the log is a record; a stale form must never overwrite a row being sent."""
    client.force_login(UserFactory(staff=True, is_superuser=True))

    response = client.post(change_url(sent_email), {"state": "queued", "attempts": "0"})

    assert response.status_code == 403
    sent_email.refresh_from_db()
    assert sent_email.state == OutboxEmail.State.SENT
    assert client.get(reverse("admin:notifications_outboxemail_add")).status_code == 403
    delete = reverse("admin:notifications_outboxemail_delete", args=[sent_email.pk])
    assert client.get(delete).status_code == 403


def test_resend_action_queues_and_sends_a_linked_copy(
    client, sent_email, django_capture_on_commit_callbacks
):
    """R-MAIL: staff can resend; the copy is a new row and the action is audited."""
    superuser = UserFactory(staff=True, is_superuser=True)
    client.force_login(superuser)

    with django_capture_on_commit_callbacks(execute=True):
        response = resend(client, sent_email)

    assert response.status_code == 302
    copy = OutboxEmail.objects.get(resent_from=sent_email)
    assert copy.state == OutboxEmail.State.SENT
    assert [m.to for m in mail.outbox] == [["hanako@example.jp"], ["hanako@example.jp"]]
    assert AuditEntry.objects.get(action="email.resent").actor == superuser


def test_staff_with_the_change_permission_may_resend(
    client, sent_email, django_capture_on_commit_callbacks
):
    client.force_login(staff_with("view_outboxemail", "change_outboxemail"))

    with django_capture_on_commit_callbacks(execute=True):
        resend(client, sent_email)

    assert OutboxEmail.objects.filter(resent_from=sent_email).count() == 1


def test_staff_who_may_only_view_the_log_cannot_resend(client, sent_email):
    client.force_login(staff_with("view_outboxemail"))

    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert '<option value="resend">' not in response.content.decode()
    assert client.get(change_url(sent_email)).status_code == 200

    resend(client, sent_email)

    assert not OutboxEmail.objects.filter(resent_from=sent_email).exists()
    assert not AuditEntry.objects.filter(action="email.resent").exists()
    assert len(mail.outbox) == 1


def test_staff_without_permission_cannot_open_the_email_log(client, sent_email):
    client.force_login(UserFactory(staff=True))

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(sent_email)).status_code == 403
    assert resend(client, sent_email).status_code == 403
    assert not OutboxEmail.objects.filter(resent_from=sent_email).exists()
