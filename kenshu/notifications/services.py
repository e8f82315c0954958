"""The email outbox (ARCHITECTURE.md §6, DOMAIN.md R-MAIL).

- ``email_queue`` records an email in the caller's transaction; after commit a
  task is enqueued to send it if it is due then. A scheduled email (a future
  earliest send time) gets no task: the dispatch loop sends it when it is due.
- ``email_new`` + ``emails_queue_new`` record several emails of one change in
  one INSERT, with at most one task for those due at once (the apply POST).
- ``outbox_send`` claims one row atomically (a conditional UPDATE, so two
  workers can never both claim it), renders it in the recipient's language,
  hands it to Django's mail machinery and records the attempt. A failure is
  retried with exponential back-off until ``KENSHU_OUTBOX_MAX_ATTEMPTS``,
  then the row is ``failed`` (visible to staff, never silent).
- ``outbox_dispatch_due`` sends every due row: the safety net run by the
  worker loop, so that an email whose task was lost still goes out.
- ``email_withdraw`` / ``emails_withdraw_for`` stop queued rows from being sent.
"""

import datetime as dt
import logging
import re
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from .models import EmailAttempt, OutboxEmail

logger = logging.getLogger(__name__)

#: A row left in ``sending`` longer than this was interrupted mid-send. It is
#: marked failed for staff to check and resend, never sent again automatically:
#: the message may already have left.
STALE_CLAIM_AFTER = dt.timedelta(minutes=15)


def email_queue(
    *,
    template: str,
    to: str,
    language: str = "ja",
    context: dict[str, Any] | None = None,
    related: models.Model | None = None,
    dedup_key: str | None = None,
    new_dedup_key: bool = False,
    send_after: dt.datetime | None = None,
    from_email: str | None = None,
) -> OutboxEmail:
    """Record an email to send once the current transaction commits.

    With a ``dedup_key`` that was already used, nothing new is queued and the
    existing row is returned. ``new_dedup_key=True`` says the key cannot have been
    used: it names a row the caller's transaction has just created (e.g.
    ``application_accepted:<new enrolment id>``), which no other transaction can
    see; the row is then inserted without the look-up and its savepoint.
    """
    email = email_new(
        template=template,
        to=to,
        language=language,
        context=context,
        related=related,
        dedup_key=dedup_key,
        send_after=send_after,
        from_email=from_email,
    )
    if dedup_key and not new_dedup_key:
        existing = OutboxEmail.objects.filter(dedup_key=dedup_key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                email.save(force_insert=True)
        except IntegrityError:  # lost a race with another transaction using the same key
            return OutboxEmail.objects.get(dedup_key=dedup_key)
    else:
        email.save(force_insert=True)
    _send_after_commit([email])
    return email


def email_new(
    *,
    template: str,
    to: str,
    language: str = "ja",
    context: dict[str, Any] | None = None,
    related: models.Model | None = None,
    dedup_key: str | None = None,
    send_after: dt.datetime | None = None,
    from_email: str | None = None,
) -> OutboxEmail:
    """An outbox row as ``email_queue`` would record it, not saved yet: give it (with
    the other emails of the same change) to ``emails_queue_new``."""
    email = OutboxEmail(
        template=template,
        to_email=to,
        from_email=from_email or settings.KENSHU_NOREPLY_EMAIL,
        language=_supported_language(language),
        context=context or {},
        dedup_key=dedup_key or "",
        send_after=send_after or timezone.now(),
    )
    if related is not None:
        email.related_type = ContentType.objects.get_for_model(related, for_concrete_model=False)
        email.related_id = str(related.pk)
    return email


def emails_queue_new(emails: list[OutboxEmail]) -> list[OutboxEmail]:
    """Record the rows of ``email_new`` in the caller's transaction, in one INSERT.

    For emails of a change the caller's transaction has just made: their
    de-duplication keys must be new (as ``email_queue(new_dedup_key=True)``; a key
    used already fails the whole transaction with an ``IntegrityError``). After
    commit one task sends those due then; the dispatch loop sends the others when
    they are due.
    """
    if not emails:
        return emails
    OutboxEmail.objects.bulk_create(emails)
    if any(email.pk is None for email in emails):  # a backend without RETURNING
        raise RuntimeError("emails_queue_new needs a database that returns the new ids")
    _send_after_commit(emails)
    return emails


def email_withdraw(*, email: OutboxEmail, reason: str = "") -> bool:
    """Withdraw a queued email; returns False if it was no longer queued."""
    updated = OutboxEmail.objects.filter(pk=email.pk, state=OutboxEmail.State.QUEUED).update(
        state=OutboxEmail.State.WITHDRAWN, last_error=reason
    )
    return bool(updated)


def emails_withdraw_for(*, related: models.Model, reason: str = "") -> int:
    """Withdraw every still-queued email about ``related`` (e.g. a cancelled enrolment)."""
    ct = ContentType.objects.get_for_model(related, for_concrete_model=False)
    return OutboxEmail.objects.filter(
        related_type=ct, related_id=str(related.pk), state=OutboxEmail.State.QUEUED
    ).update(state=OutboxEmail.State.WITHDRAWN, last_error=reason)


def email_render(email: OutboxEmail) -> EmailMultiAlternatives:
    """Build the message from the template trio, in the recipient's language.

    The subject and the text body are plain text: rendered without HTML
    autoescaping (``A & B`` stays ``A & B``); the HTML body is autoescaped.
    """
    context = {
        **email.context,
        "provider_name": settings.KENSHU_PROVIDER_NAME,
        "site_url": settings.KENSHU_SITE_URL.rstrip("/"),
        "to_email": email.to_email,
    }
    base = f"notifications/email/{email.template}"
    with translation.override(email.language):
        subject = _render_plain_text(f"{base}/subject.txt", context)
        text = _render_plain_text(f"{base}/body.txt", context)
        html = render_to_string(f"{base}/body.html", context)
    subject = " ".join(subject.split())[:255]
    message = EmailMultiAlternatives(
        subject=subject,
        body=_tidy_text(text),
        from_email=email.from_email,
        to=[email.to_email],
        headers={
            "X-Kenshu-Outbox-Id": str(email.pk),
            "Auto-Submitted": "auto-generated",
            "Content-Language": email.language,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _render_plain_text(template_name: str, context: dict[str, Any]) -> str:
    """Render a Django template as plain text (no HTML escaping)."""
    template = get_template(template_name).template  # the engine's own Template
    return template.render(Context(context, autoescape=False))


def _tidy_text(text: str) -> str:
    """Drop the blank lines template tags leave behind: at most one empty line in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def retry_delay(attempts: int) -> dt.timedelta:
    """Back-off after the n-th failed attempt: base × 2^(n-1), at most a day."""
    seconds = settings.KENSHU_OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, 86400))


def outbox_send(email_id: int, *, now: dt.datetime | None = None) -> str:
    """Send one outbox row if it is due and still queued; return its state afterwards.

    The claim is a single conditional UPDATE: of any number of workers trying
    the same row, exactly one gets it. ``now`` decides what is due (tests and
    the dispatch loop pass it); the claim itself is stamped with the real
    clock, so that a long dispatch batch never makes a fresh claim look stale.
    """
    _claimed, state = _outbox_claim_and_send(email_id, now=now or timezone.now())
    return state


def _outbox_claim_and_send(email_id: int, *, now: dt.datetime) -> tuple[bool, str]:
    """``outbox_send``; also says whether this call claimed the row.

    Returned state ``sent`` alone does not mean "sent by me": another worker
    may have sent it. The dispatch loop counts only its own sends.
    """
    claimed = OutboxEmail.objects.filter(
        pk=email_id, state=OutboxEmail.State.QUEUED, send_after__lte=now
    ).update(state=OutboxEmail.State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1)
    if not claimed:
        row = OutboxEmail.objects.filter(pk=email_id).values_list("state", flat=True).first()
        return False, row or "missing"

    email = OutboxEmail.objects.get(pk=email_id)
    try:
        message = email_render(email)
        message.send(fail_silently=False)
    except Exception as exc:  # any transport or template failure is recorded and retried
        logger.warning("outbox email %s failed (attempt %s): %s", email.pk, email.attempts, exc)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        EmailAttempt.objects.create(email=email, succeeded=False, error=error)
        if email.attempts >= settings.KENSHU_OUTBOX_MAX_ATTEMPTS:
            state, send_after = OutboxEmail.State.FAILED, email.send_after
        else:
            state, send_after = OutboxEmail.State.QUEUED, now + retry_delay(email.attempts)
        updated = OutboxEmail.objects.filter(pk=email.pk, state=OutboxEmail.State.SENDING).update(
            state=state, last_error=error, send_after=send_after, claimed_at=None
        )
        if not updated:  # marked failed as stale meanwhile: leave it to staff
            return True, OutboxEmail.State.FAILED
        if state == OutboxEmail.State.QUEUED:
            _enqueue_send(email.pk, send_after)
        return True, state

    EmailAttempt.objects.create(email=email, succeeded=True)
    OutboxEmail.objects.filter(pk=email.pk).update(
        state=OutboxEmail.State.SENT, sent_at=timezone.now(), subject=message.subject, last_error=""
    )
    return True, OutboxEmail.State.SENT


def outbox_dispatch_due(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send every due queued row (oldest first); return how many were sent.

    Also marks rows interrupted mid-send (claimed longer ago than
    ``STALE_CLAIM_AFTER``) as failed so that staff see them.
    """
    now = now or timezone.now()
    _outbox_fail_stale_claims(now=now)
    due = list(
        OutboxEmail.objects.filter(state=OutboxEmail.State.QUEUED, send_after__lte=now)
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in due:
        claimed, state = _outbox_claim_and_send(pk, now=now)
        # Count only what this call sent: a row another worker sent meanwhile
        # also reads "sent" afterwards.
        if claimed and state == OutboxEmail.State.SENT:
            sent += 1
    return sent


def _outbox_fail_stale_claims(*, now: dt.datetime) -> int:
    """Mark rows left in ``sending`` since before ``now - STALE_CLAIM_AFTER`` as failed.

    Each gets a failed attempt in its log; none is sent again automatically.
    """
    error = "Interrupted while sending; it may or may not have been delivered."
    stale = OutboxEmail.objects.filter(
        state=OutboxEmail.State.SENDING, claimed_at__lt=now - STALE_CLAIM_AFTER
    )
    failed = 0
    for pk in list(stale.values_list("pk", flat=True)):
        # Conditional again: the row may have finished sending meanwhile.
        if stale.filter(pk=pk).update(state=OutboxEmail.State.FAILED, last_error=error):
            EmailAttempt.objects.create(email_id=pk, succeeded=False, error=error)
            logger.error("outbox email %s was interrupted while sending; marked failed", pk)
            failed += 1
    return failed


def email_resend(*, email: OutboxEmail, actor) -> OutboxEmail:
    """Queue a copy of ``email`` as a new row (staff action, audited)."""
    from kenshu.audit.services import audit_log

    with transaction.atomic():
        copy = email_queue(
            template=email.template,
            to=email.to_email,
            language=email.language,
            context=email.context,
            related=email.related,
            from_email=email.from_email,
        )
        OutboxEmail.objects.filter(pk=copy.pk).update(resent_from=email)
        copy.resent_from = email
        audit_log(
            actor=actor,
            action="email.resent",
            target=email,
            data={"new_email_id": copy.pk, "to": email.to_email},
        )
    return copy


def _supported_language(language: str) -> str:
    """``en``, ``en-us`` → ``en``; anything unsupported → the default (Japanese)."""
    try:
        return translation.get_supported_language_variant(
            (language or settings.LANGUAGE_CODE).lower()
        )
    except LookupError:
        return settings.LANGUAGE_CODE


def _send_after_commit(emails: list[OutboxEmail]) -> None:
    """After commit, one task sends the emails already due (none for scheduled ones:
    the dispatch loop sends them when due, so no task row waits for days)."""
    now = timezone.now()
    due = [email.pk for email in emails if email.send_after <= now]
    if len(due) == 1:
        transaction.on_commit(lambda: _enqueue_send(due[0], now))
    elif due:
        transaction.on_commit(lambda: _enqueue_send_many(due))


def _enqueue_send(email_id: int, send_after: dt.datetime) -> None:
    """Hand a due row to the task backend; a row due later is left to the dispatch
    loop, which also covers any task that is lost."""
    from .tasks import send_outbox_email

    if send_after > timezone.now():
        return  # the dispatch loop sends it when due
    try:
        send_outbox_email.enqueue(email_id)
    except Exception:  # never let a queue hiccup break the caller's request
        logger.exception(
            "could not enqueue outbox email %s; the dispatch loop will send it", email_id
        )


def _enqueue_send_many(email_ids: list[int]) -> None:
    """One task for several due rows (``emails_queue_new``)."""
    from .tasks import send_outbox_emails

    try:
        send_outbox_emails.enqueue(email_ids)
    except Exception:  # never let a queue hiccup break the caller's request
        logger.exception(
            "could not enqueue outbox emails %s; the dispatch loop will send them", email_ids
        )
