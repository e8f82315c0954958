"""A real failing transport for the retry tests (R-MAIL).

``FlakySMTPBackend`` raises the error ``smtplib`` raises when the server drops
the connection, for the first ``failures_left`` sends, then delivers through
Django's locmem backend (``django.core.mail.outbox``). Point
``settings.EMAIL_BACKEND`` at it with the ``flaky_smtp`` fixture.
"""

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend


class FlakySMTPBackend(LocmemEmailBackend):
    #: How many of the next sends fail (class-wide: every send opens a new backend).
    failures_left = 0
    #: Every send tried, failed or not.
    sends_tried = 0

    def send_messages(self, email_messages):
        cls = type(self)
        cls.sends_tried += 1
        if cls.failures_left > 0:
            cls.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(email_messages)


class BeforeSendBackend(LocmemEmailBackend):
    """Locmem, but runs ``before_send(message)`` first: stands in for another worker."""

    before_send = None

    def send_messages(self, email_messages):
        hook = type(self).before_send
        if hook is not None:
            for message in email_messages:
                hook(message)
        return super().send_messages(email_messages)
