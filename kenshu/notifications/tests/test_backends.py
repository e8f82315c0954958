"""DatabaseMailBackend: the embedded default transport keeps each message (R-MAIL)."""

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from kenshu.notifications.models import OutboxEmail, SentMail

from .helpers import expected_subject, queue_staff_message

pytestmark = pytest.mark.django_db

DATABASE_BACKEND = "kenshu.notifications.backends.DatabaseMailBackend"


def test_database_backend_stores_subject_recipient_text_and_html(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = DATABASE_BACKEND
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_staff_message(
            to="hanako@example.jp",
            context={
                "subject": "会場変更",
                "body": "会場が変わりました。",
                "recipient_name": "花子",
            },
        )

    stored = SentMail.objects.get()
    assert stored.subject == expected_subject("会場変更")
    assert stored.to == "hanako@example.jp"
    assert stored.from_email == settings.KENSHU_NOREPLY_EMAIL
    assert "会場が変わりました。" in stored.body
    assert "<" not in stored.body
    assert stored.html.startswith("<!DOCTYPE html>")
    assert "会場が変わりました。" in stored.html
    assert stored.headers["X-Kenshu-Outbox-Id"] == str(email.pk)
    assert mail.outbox == []  # it went to the database, not to locmem
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.SENT


def test_database_backend_stores_a_text_only_message_with_every_recipient(settings):
    settings.EMAIL_BACKEND = DATABASE_BACKEND
    sent = EmailMessage(
        "件名", "本文", "from@example.jp", to=["a@example.jp"], cc=["b@example.jp"]
    ).send()

    assert sent == 1
    stored = SentMail.objects.get()
    assert (stored.subject, stored.body, stored.html) == ("件名", "本文", "")
    assert stored.to == "a@example.jp, b@example.jp"
