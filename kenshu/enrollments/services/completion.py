"""Completing an application once it has committed: its qualified invoice and the
release of its acceptance email (DOMAIN.md §8, §9; docs/performance.md).

The invoice number is gapless: its series counter is locked from the moment a number
is taken until commit, and every invoice of the series waits for it. Taken inside the
application's transaction, that lock serialised every application of every session,
and the invoice's statements were a third of the apply POST's. So ``enrollment_apply``
records the order (with its lines), the enrolment and the emails — the acceptance
held for its invoice —, and ``application_complete`` follows in a short transaction
of its own: the number, the invoice and its audit entries, the acceptance email
released with them; after commit it sends that email.

Who completes: ``manage.py complete_applications --loop 1`` (one or more), which
finds the applications of the last hour by their held acceptance emails (one index
range of the outbox: ``applications_held``) and, every minute, every application
left without its invoice (``applications_pending``: after a failure, or with the loop
down for longer). No task row is written per application: in the POST it cost as
much as the audit entry. Where background work runs at once (the task backend is
``ImmediateBackend``: the test profile) the service completes the application itself,
in its transaction, as the task would have.

- Idempotent, and safe to run twice at once: the enrolment's row is locked first, an
  order that has its invoice gets no second one.
- A cancellation that came first wins (it takes the same row lock): a cancelled
  enrolment gets no invoice (its order is unbilled: the cancellation charged any fee
  on a fee invoice of its own) and its acceptance email was withdrawn.
- Callers that need the invoice at once (the demo data, a cancellation) call
  ``application_complete`` themselves.
"""

import datetime as dt
import logging

from django.db import transaction

from kenshu.billing.models import Invoice
from kenshu.billing.services import LineSpec, order_invoice
from kenshu.core import time as ktime
from kenshu.core.locking import bounded_lock_wait

from ..models import Enrollment
from .emails import ACCEPTANCE_HOLD, release_acceptance_email

logger = logging.getLogger(__name__)

#: ``applications_held`` looks at the acceptance emails held this long at most.
RECENT = dt.timedelta(hours=1)
#: ``applications_pending`` leaves younger applications to ``applications_held``.
PENDING_AFTER = dt.timedelta(minutes=1)


def complete_at_once() -> bool:
    """Background work runs at once here (the test profile's task backend): applying
    completes the application in its own transaction."""
    from django_tasks import task_backends
    from django_tasks.backends.immediate import ImmediateBackend

    return isinstance(task_backends["default"], ImmediateBackend)


def application_complete(*, enrollment_id: int) -> Invoice | None:
    """Issue the invoice of the application ``enrollment_id`` if it has none yet and
    release its acceptance email; send that email after commit. Returns the order's
    invoice (None for an enrolment cancelled before it was invoiced, or one without an
    order). Raises ``Busy`` when the counter's lock could not be had in time."""
    with transaction.atomic():
        with bounded_lock_wait():
            # The enrolment's row only (a cancellation locks it too), with what the
            # invoice and the email need.
            enrollment = (
                Enrollment.objects.select_related(
                    "order__buyer__organisation", "course", "session", "learner"
                )
                .select_for_update(of=("self",))
                .filter(pk=enrollment_id)
                .first()
            )
        if enrollment is None:
            return None
        order = enrollment.order
        if order is None:
            return None
        invoice = (
            Invoice.objects.filter(order=order, kind=Invoice.Kind.INVOICE).order_by("pk").first()
        )
        if invoice is None and enrollment.state == Enrollment.State.CANCELLED:
            return None
        if invoice is None:
            lines = [
                LineSpec(line.description, line.unit_price, line.quantity, line.tax_rate)
                for line in order.lines.order_by("pk")
            ]
            # The invoice's date is the day it is issued (normally that of the
            # application, a second earlier).
            invoice = order_invoice(order=order, lines=lines)
        email_id = release_acceptance_email(enrollment=enrollment, invoice=invoice)
        if email_id is not None:
            transaction.on_commit(lambda: _send(email_id))
    return invoice


def _send(email_id: int) -> None:
    from kenshu.notifications.services import outbox_send

    try:
        outbox_send(email_id)
    except Exception:  # the dispatch loop sends it
        logger.exception("acceptance email %s not sent; the dispatch loop will", email_id)


def applications_held(*, now: dt.datetime | None = None) -> list[int]:
    """The enrolments whose acceptance email was held for its invoice within the last
    ``RECENT`` (oldest first): one range of the outbox's ``(state, send_after)`` index —
    a held email's send time is its application's plus ``ACCEPTANCE_HOLD``."""
    from kenshu.notifications.models import OutboxEmail

    now = now or ktime.now()
    rows = (
        OutboxEmail.objects.filter(
            state=OutboxEmail.State.QUEUED,
            send_after__gt=now + ACCEPTANCE_HOLD - RECENT,
            send_after__lte=now + ACCEPTANCE_HOLD,
            template="application_accepted",
        )
        .order_by("send_after", "pk")
        .values_list("related_id", flat=True)
    )
    return [int(pk) for pk in rows]


def applications_pending(*, now: dt.datetime | None = None, older_than=PENDING_AFTER):
    """Live applications for oneself applied before ``now - older_than`` whose order
    has no invoice yet, oldest first (the safety net's look: every one, however old)."""
    now = now or ktime.now()
    return (
        Enrollment.objects.filter(
            source=Enrollment.Source.SELF,
            order__isnull=False,
            applied_at__lte=now - older_than,
        )
        .exclude(state=Enrollment.State.CANCELLED)
        .exclude(order__invoices__kind=Invoice.Kind.INVOICE)
        .order_by("applied_at", "pk")
    )


def applications_complete_held(*, now: dt.datetime | None = None) -> int:
    """Complete the applications of ``applications_held``; returns how many got their
    invoice. One that fails (``Busy``: the counter's lock could not be had in time) is
    logged and tried again on the next run."""
    return _complete_each(applications_held(now=now))


def applications_complete_pending(
    *, now: dt.datetime | None = None, older_than=PENDING_AFTER, limit: int = 200
) -> int:
    """The safety net: complete every pending application (``applications_pending``);
    returns how many got their invoice."""
    pending = applications_pending(now=now, older_than=older_than)
    return _complete_each(list(pending.values_list("pk", flat=True)[:limit]))


def _complete_each(enrollment_ids: list[int]) -> int:
    done = 0
    for pk in enrollment_ids:
        try:
            if application_complete(enrollment_id=pk) is not None:
                done += 1
        except Exception:
            logger.exception("application %s could not be completed; will retry", pk)
    return done
