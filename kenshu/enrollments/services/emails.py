"""The emails of applying and of the waiting list (DOMAIN.md §8), queued in the
caller's transaction through the outbox. Contexts hold JSON values only (dates
as ISO strings; the templates turn them back with ``enrollment_tags``).

Every email about an enrolment is ``related`` to it, so that cancelling the
enrolment withdraws the scheduled ones (``emails_withdraw_for``).
"""

import datetime as dt

from django.urls import reverse

from kenshu.billing.models import Invoice
from kenshu.cancellation.quoting import TierWindow
from kenshu.core import time as ktime
from kenshu.notifications.services import email_queue

from ..models import Enrollment, WaitingListEntry
from ..schedule import cancellation_windows, windows_as_json

#: The hour (Asia/Tokyo) scheduled emails go out.
SEND_HOUR = 9
#: Joining instructions go out this many days before the first day.
JOINING_INSTRUCTIONS_DAYS_BEFORE = 7


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


def queue_application_emails(
    *,
    enrollment: Enrollment,
    now: dt.datetime,
    windows: list[TierWindow] | None = None,
    invoice: Invoice | None = None,
) -> None:
    """申込受付 at once; then the e-learning access notice (R-ELEARN-3) or the joining
    instructions (受講案内), each scheduled for 09:00 JST. For an enrolment created in
    the caller's transaction (its emails' de-duplication keys are new). ``windows``:
    the dated cancellation tiers, and ``invoice``: the order's invoice, if the caller
    has them already."""
    learner = enrollment.learner
    order = enrollment.order
    if invoice is None:
        invoice = order.invoices.first()
    context = _enrollment_context(enrollment)
    if windows is None:
        windows = cancellation_windows(
            tiers=enrollment.cancellation_tiers, first_day=first_day_of(enrollment)
        )
    context.update(
        {
            "application_number": order.number,
            "fee": enrollment.fee,
            "payment_method": order.payment_method,
            "tiers": windows_as_json(windows),
        }
    )
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
    email_queue(
        template="application_accepted",
        to=learner.email,
        language=learner.language,
        context=context,
        related=enrollment,
        dedup_key=f"application_accepted:{enrollment.pk}",
        new_dedup_key=True,
    )
    if enrollment.session_id:
        queue_joining_instructions(enrollment=enrollment, now=now, new=True)
    else:
        queue_elearning_access_start(enrollment=enrollment, new=True)


def queue_elearning_access_start(*, enrollment: Enrollment, new: bool = False) -> None:
    """R-ELEARN-3: the access notice, sent at 09:00 JST on the access start date.
    ``new``: the enrolment was created in the caller's transaction."""
    learner = enrollment.learner
    email_queue(
        template="elearning_access_start",
        to=learner.email,
        language=learner.language,
        context=_enrollment_context(enrollment),
        related=enrollment,
        dedup_key=f"elearning_access_start:{enrollment.pk}",
        new_dedup_key=new,
        send_after=ktime.tokyo_datetime(enrollment.access_starts_on, SEND_HOUR),
    )


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
    learner = enrollment.learner
    email_queue(
        template="joining_instructions",
        to=learner.email,
        language=learner.language,
        context=_enrollment_context(enrollment),
        related=enrollment,
        dedup_key=f"joining_instructions:{enrollment.pk}",
        new_dedup_key=new,
        send_after=joining_instructions_send_after(
            ktime.tokyo_date(enrollment.session.starts_at), now=now
        ),
    )


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
