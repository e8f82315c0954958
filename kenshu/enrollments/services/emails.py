"""The emails of applying and of the waiting list (DOMAIN.md §8), queued in the
caller's transaction through the outbox. Contexts hold JSON values only (dates
as ISO strings; the templates turn them back with ``enrollment_tags``).

Every email about an enrolment is ``related`` to it, so that cancelling the
enrolment withdraws the scheduled ones (``emails_withdraw_for``).

The acceptance email (申込受付) quotes the invoice, which is issued just after the
application commits (``services.completion``): it is recorded with the application
(in its transaction, as every email), held — its earliest send time
``ACCEPTANCE_HOLD`` ahead —, and released by ``release_acceptance_email`` in the
invoice's transaction, which adds the invoice and the dated cancellation tiers (the
provider's closure days are read there, not in the application) and makes it due at
once. Only if the application could not be completed for that long (the worker and
the safety net both down) does it go as recorded: without them.
"""

import datetime as dt

from django.urls import reverse

from kenshu.billing.models import Invoice
from kenshu.cancellation.quoting import TierWindow
from kenshu.core import time as ktime
from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import email_new, email_queue, emails_queue_new

from ..models import Enrollment, WaitingListEntry
from ..schedule import cancellation_windows, windows_as_json

#: The hour (Asia/Tokyo) scheduled emails go out.
SEND_HOUR = 9
#: Joining instructions go out this many days before the first day.
JOINING_INSTRUCTIONS_DAYS_BEFORE = 7
#: How long the acceptance email waits for its invoice at most (normally a second; the
#: safety net completes a stuck application within two minutes).
ACCEPTANCE_HOLD = dt.timedelta(days=1)


def _session_context(session) -> dict:
    return {
        "session_id": session.pk,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "venue": session.venue,
        "online_url": session.online_url,
        "calendar_path": reverse("enrollments:session_calendar", args=[session.pk]),
    }


def _enrollment_context(enrollment: Enrollment) -> dict:
    course = enrollment.course
    learner = enrollment.learner
    context = {
        "name": learner.full_name or learner.username,
        "enrollment_number": enrollment.number,
        "course_code": course.code,
        "course_title": course.title,
        "delivery": course.delivery,
        "is_partner": course.is_partner,
        "my_enrollments_path": reverse("enrollments:my_enrollments"),
    }
    if enrollment.session_id:
        context.update(_session_context(enrollment.session))
    else:
        context.update(
            {
                "access_starts_on": enrollment.access_starts_on.isoformat(),
                "access_ends_on": enrollment.access_ends_on.isoformat(),
                "access_days": course.access_days,
            }
        )
    return context


def first_day_of(enrollment: Enrollment) -> dt.date:
    """The day the cancellation tiers count to: the session's first day (Tokyo) or the
    e-learning access start date."""
    if enrollment.session_id:
        return ktime.tokyo_date(enrollment.session.starts_at)
    return enrollment.access_starts_on


def acceptance_dedup_key(enrollment: Enrollment) -> str:
    return f"application_accepted:{enrollment.pk}"


def queue_application_emails(
    *,
    enrollment: Enrollment,
    now: dt.datetime,
    windows: list[TierWindow] | None = None,
    invoice: Invoice | None = None,
) -> None:
    """申込受付, and the e-learning access notice (R-ELEARN-3) or the joining
    instructions (受講案内) scheduled for 09:00 JST, in one INSERT. For an enrolment
    created in the caller's transaction (its emails' de-duplication keys are new).

    With its ``invoice`` (and ``windows``, the dated cancellation tiers: read if not
    given) the acceptance is due at once; without, it is held until
    ``release_acceptance_email`` adds both."""
    learner = enrollment.learner
    context = _enrollment_context(enrollment)
    later = _access_or_joining_email(enrollment, now=now, context=dict(context))
    context.update(
        {
            "application_number": enrollment.order.number,
            "fee": enrollment.fee,
            "payment_method": enrollment.order.payment_method,
        }
    )
    if invoice is not None:
        context.update(_invoice_context(enrollment, invoice, windows=windows))
    accepted = email_new(
        template="application_accepted",
        to=learner.email,
        language=learner.language,
        context=context,
        related=enrollment,
        dedup_key=acceptance_dedup_key(enrollment),
        send_after=now if invoice is not None else now + ACCEPTANCE_HOLD,
    )
    emails_queue_new([accepted, email_new(**later)])


def _invoice_context(
    enrollment: Enrollment, invoice: Invoice | None, *, windows: list[TierWindow] | None = None
) -> dict:
    """What the acceptance email adds once the application is complete: the dated
    cancellation tiers and the invoice (if it has one)."""
    if windows is None:
        windows = cancellation_windows(
            tiers=enrollment.cancellation_tiers, first_day=first_day_of(enrollment)
        )
    context = {"tiers": windows_as_json(windows)}
    if invoice is not None:
        context.update(
            {
                "invoice_number": invoice.number,
                "invoice_path": reverse("billing:invoice_pdf", kwargs={"number": invoice.number}),
                "subtotal": invoice.subtotal,
                "tax": invoice.tax,
                "total": invoice.total,
                "due_on": invoice.due_on.isoformat() if invoice.due_on else "",
            }
        )
    return context


def release_acceptance_email(*, enrollment: Enrollment, invoice: Invoice | None) -> int | None:
    """Add ``invoice`` and the dated cancellation tiers to the held acceptance email of
    ``enrollment`` and make it due now, in the caller's transaction (the invoice's).
    Returns the email's id, or None when it is no longer queued (sent already, or
    withdrawn by a cancellation)."""
    email = (
        OutboxEmail.objects.filter(
            dedup_key=acceptance_dedup_key(enrollment), state=OutboxEmail.State.QUEUED
        )
        .only("pk", "context")
        .first()
    )
    if email is None:
        return None
    context = {**email.context, **_invoice_context(enrollment, invoice)}
    updated = OutboxEmail.objects.filter(pk=email.pk, state=OutboxEmail.State.QUEUED).update(
        context=context, send_after=ktime.now()
    )
    return email.pk if updated else None


def _access_or_joining_email(
    enrollment: Enrollment, *, now: dt.datetime, context: dict | None = None
) -> dict:
    """The ``email_queue`` arguments of the e-learning access notice or the joining
    instructions of ``enrollment`` (``context``: its ``_enrollment_context``, if the
    caller has it)."""
    learner = enrollment.learner
    if enrollment.session_id:
        template = "joining_instructions"
        send_after = joining_instructions_send_after(
            ktime.tokyo_date(enrollment.session.starts_at), now=now
        )
    else:
        template = "elearning_access_start"
        send_after = ktime.tokyo_datetime(enrollment.access_starts_on, SEND_HOUR)
    return {
        "template": template,
        "to": learner.email,
        "language": learner.language,
        "context": context if context is not None else _enrollment_context(enrollment),
        "related": enrollment,
        "dedup_key": f"{template}:{enrollment.pk}",
        "send_after": send_after,
    }


def queue_elearning_access_start(*, enrollment: Enrollment, new: bool = False) -> None:
    """R-ELEARN-3: the access notice, sent at 09:00 JST on the access start date.
    ``new``: the enrolment was created in the caller's transaction."""
    email_queue(**_access_or_joining_email(enrollment, now=ktime.now()), new_dedup_key=new)


def joining_instructions_send_after(first_day: dt.date, *, now: dt.datetime) -> dt.datetime:
    """09:00 JST seven days before the first day, or ``now`` when that has passed."""
    at = ktime.tokyo_datetime(
        first_day - dt.timedelta(days=JOINING_INSTRUCTIONS_DAYS_BEFORE), SEND_HOUR
    )
    return max(at, now)


def queue_joining_instructions(
    *, enrollment: Enrollment, now: dt.datetime, new: bool = False
) -> None:
    """受講案内 for a classroom or live session, 7 days before (or at once).
    ``new``: the enrolment was created in the caller's transaction."""
    email_queue(**_access_or_joining_email(enrollment, now=now), new_dedup_key=new)


def queue_waiting_list_offer(*, entry: WaitingListEntry) -> None:
    """A seat is held for the first person waiting: tell it, with the apply link."""
    user = entry.user
    session = entry.session
    context = {
        "name": user.full_name or user.username,
        "course_code": session.course.code,
        "course_title": session.course.title,
        "delivery": session.course.delivery,
        "offer_expires_at": entry.offer_expires_at.isoformat(),
        "apply_path": reverse("enrollments:apply_session", args=[session.pk]),
        **_session_context(session),
    }
    email_queue(
        template="waiting_list_offer",
        to=user.email,
        language=user.language,
        context=context,
        related=entry,
        dedup_key=f"waiting_list_offer:{entry.pk}:{entry.offered_at.isoformat()}",
    )
