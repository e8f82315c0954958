"""The embedded default mail transport: keeps each message in the database.

Used when ``EMAIL_URL`` is not set, so that ``make run`` needs no SMTP server
and the sent mail can be read at ``/dev/mail/`` (DEBUG only).
"""

from django.core.mail.backends.base import BaseEmailBackend


class DatabaseMailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        from .models import SentMail

        count = 0
        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []) or []:
                if mimetype == "text/html":
                    html = content
            SentMail.objects.create(
                from_email=message.from_email,
                to=", ".join(message.recipients()),
                subject=message.subject[:255],
                body=message.body,
                html=html,
                headers={k: str(v) for k, v in (message.extra_headers or {}).items()},
            )
            count += 1
        return count
