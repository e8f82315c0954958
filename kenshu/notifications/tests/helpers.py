"""Small helpers shared by the outbox tests."""

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import email_queue

MESSAGE = {
    "subject": "研修会場の変更について",
    "body": "次回の研修会場が変わりました。\n詳しくはマイページをご覧ください。",
}


def queue_staff_message(*, to: str = "learner@example.jp", **kwargs: Any) -> OutboxEmail:
    """``email_queue`` of the ``staff_message`` template, with a default message."""
    kwargs.setdefault("template", "staff_message")
    kwargs.setdefault("context", dict(MESSAGE))
    return email_queue(to=to, **kwargs)


def outbox_ids(outbox) -> list[str]:
    """The X-Kenshu-Outbox-Id header of every message in ``django.core.mail.outbox``."""
    return [message.extra_headers["X-Kenshu-Outbox-Id"] for message in outbox]


def expected_subject(subject: str, language: str = "ja") -> str:
    """The staff_message subject line as the catalogue of ``language`` words it."""
    with translation.override(language):
        return gettext("[%(provider_name)s] %(subject)s") % {
            "provider_name": settings.KENSHU_PROVIDER_NAME,
            "subject": subject,
        }
