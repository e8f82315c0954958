"""Completing an application after it commits (DOMAIN.md §8, §9; docs/performance.md):
the qualified invoice is issued by ``application_complete`` in a transaction of its
own, run by ``manage.py complete_applications`` (which finds the recent applications by
their held acceptance emails, and every minute any application left without its
invoice), and the acceptance email — recorded with the application, held — is released
with it.

These tests use the database task backend, as deployed (``deployed`` fixture): applying
then leaves the completion to the loop. In the test profile (tasks run at once),
applying completes the application itself (the other test files).
"""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice
from kenshu.core import time as ktime
from kenshu.core.testing import SessionFactory, UserFactory
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.services import enrollment_apply
from kenshu.enrollments.services.completion import (
    application_complete,
    applications_complete_held,
    applications_complete_pending,
    applications_held,
    applications_pending,
)
from kenshu.enrollments.services.emails import ACCEPTANCE_HOLD
from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import emails_withdraw_for, outbox_dispatch_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def deployed(settings):
    """The database task backend (as deployed): background work waits for its workers."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def run_loop(django_capture_on_commit_callbacks, **kwargs):
    """One turn of ``complete_applications --loop``: the recent applications (and what
    their completions do after commit)."""
    with django_capture_on_commit_callbacks(execute=True):
        return applications_complete_held(**kwargs)


def acceptance_of(enrollment):
    return OutboxEmail.objects.get(dedup_key=f"application_accepted:{enrollment.pk}")


def test_the_application_commits_with_its_order_without_its_invoice_nor_a_task_row(
    deployed, learner, session
):
    from django_tasks_db.models import DBTaskResult

    before = timezone.now()
    enrollment = enrollment_apply(actor=learner, session=session)

    assert enrollment.order.lines.count() == 1  # every application makes its order
    assert not Invoice.objects.exists()
    assert not DBTaskResult.objects.exists()
    email = acceptance_of(enrollment)  # recorded with the application …
    assert email.state == OutboxEmail.State.QUEUED
    assert email.send_after >= before + ACCEPTANCE_HOLD  # … and held for its invoice
    assert "invoice_number" not in email.context
    assert outbox_dispatch_due() == 0  # the dispatch loop does not send it early
    assert applications_held() == [enrollment.pk]


def test_a_refused_application_leaves_nothing_to_complete(deployed, learner):
    from kenshu.enrollments.exceptions import SessionFull

    session = SessionFactory(capacity=1)
    first = enrollment_apply(actor=UserFactory(), session=session)
    with pytest.raises(SessionFull):
        enrollment_apply(actor=learner, session=session)
    assert applications_held() == [first.pk]


def test_the_loop_issues_the_invoice_and_sends_the_acceptance_email_that_quotes_it(
    deployed, learner, session, django_capture_on_commit_callbacks
):
    enrollment = enrollment_apply(actor=learner, session=session)
    assert run_loop(django_capture_on_commit_callbacks) == 1

    invoice = enrollment.order.invoices.get()
    assert (invoice.subtotal, invoice.tax, invoice.total) == (50_000, 5_000, 55_000)
    assert invoice.number == f"INV-{ktime.tokyo_date().year}-000001"
    assert AuditEntry.objects.filter(action="invoice.issued", target_id=str(invoice.pk)).exists()
    placed = AuditEntry.objects.get(action="order.placed")
    assert placed.actor == learner and placed.data["invoice"] == invoice.number
    email = acceptance_of(enrollment)
    assert email.state == OutboxEmail.State.SENT
    assert email.context["invoice_number"] == invoice.number
    assert [t["rate"] for t in email.context["tiers"]] == [0, 50, 100]
    (message,) = [m for m in mail.outbox if "受付" in m.subject]
    assert invoice.number in message.body and "55,000円" in message.body
    assert f"/account/invoices/{invoice.number}/pdf/" in message.body
    assert applications_held() == []  # released: the next turn has nothing to do
    assert run_loop(django_capture_on_commit_callbacks) == 0


def test_the_loop_looks_at_the_last_hour_and_the_sweep_at_every_application(
    deployed, learner, session, django_capture_on_commit_callbacks
):
    enrollment = enrollment_apply(actor=learner, session=session)
    two_hours_later = timezone.now() + dt.timedelta(hours=2)
    assert applications_held(now=two_hours_later) == []  # the loop was down meanwhile …
    assert list(applications_pending(now=two_hours_later)) == [enrollment]  # … the sweep
    with django_capture_on_commit_callbacks(execute=True):
        assert applications_complete_pending(now=two_hours_later) == 1
    assert enrollment.order.invoices.count() == 1
    assert acceptance_of(enrollment).state == OutboxEmail.State.SENT
    assert applications_complete_pending(now=two_hours_later) == 0


def test_invoice_numbers_follow_the_order_of_completion_without_gaps(
    deployed, django_capture_on_commit_callbacks
):
    session = SessionFactory()
    applied = [enrollment_apply(actor=UserFactory(), session=session) for _ in range(4)]
    assert applications_held() == [e.pk for e in applied]  # oldest first
    run_loop(django_capture_on_commit_callbacks)
    year = ktime.tokyo_date().year
    assert [e.order.invoices.get().number for e in applied] == [
        f"INV-{year}-{n:06d}" for n in range(1, 5)
    ]


def test_completing_twice_issues_one_invoice(deployed, learner, session):
    enrollment = enrollment_apply(actor=learner, session=session)
    first = application_complete(enrollment_id=enrollment.pk)
    second = application_complete(enrollment_id=enrollment.pk)
    assert first == second
    assert Invoice.objects.count() == 1


def test_an_application_cancelled_before_its_invoice_gets_none_and_no_acceptance_email(
    deployed, learner, session, django_capture_on_commit_callbacks
):
    """The cancellation came first (it takes the same row lock): the order stays
    unbilled and the held acceptance email was withdrawn with the enrolment's emails."""
    enrollment = enrollment_apply(actor=learner, session=session)
    Enrollment.objects.filter(pk=enrollment.pk).update(state=Enrollment.State.CANCELLED)
    emails_withdraw_for(related=enrollment)

    assert applications_held() == []
    assert application_complete(enrollment_id=enrollment.pk) is None
    assert not Invoice.objects.exists()
    assert acceptance_of(enrollment).state == OutboxEmail.State.WITHDRAWN
    assert mail.outbox == []
    assert not applications_pending(now=timezone.now() + dt.timedelta(hours=1)).exists()


def test_the_command_completes_recent_and_older_applications(
    deployed, learner, session, django_capture_on_commit_callbacks
):
    recent = enrollment_apply(actor=learner, session=session)
    older = enrollment_apply(actor=UserFactory(), session=session)
    Enrollment.objects.filter(pk=older.pk).update(applied_at=timezone.now() - dt.timedelta(hours=3))
    OutboxEmail.objects.filter(dedup_key=f"application_accepted:{older.pk}").update(
        send_after=timezone.now() + ACCEPTANCE_HOLD - dt.timedelta(hours=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("complete_applications", verbosity=0)
    assert recent.order.invoices.count() == 1 and older.order.invoices.count() == 1
    assert (
        OutboxEmail.objects.filter(
            template="application_accepted", state=OutboxEmail.State.SENT
        ).count()
        == 2
    )


def test_a_completion_that_fails_is_tried_again_by_the_next_turn(
    deployed, learner, session, django_capture_on_commit_callbacks, monkeypatch
):
    """``Busy`` (the counter's lock not had in time), or any error: logged, left held."""
    from kenshu.core.exceptions import Busy
    from kenshu.enrollments.services import completion

    enrollment = enrollment_apply(actor=learner, session=session)

    def busy(**kwargs):
        raise Busy()

    monkeypatch.setattr(completion, "application_complete", busy)
    assert run_loop(django_capture_on_commit_callbacks) == 0
    assert applications_held() == [enrollment.pk]
    monkeypatch.undo()
    assert run_loop(django_capture_on_commit_callbacks) == 1
    assert enrollment.order.invoices.count() == 1


def test_held_longer_than_the_hold_the_acceptance_email_goes_without_the_invoice(
    deployed, learner, session
):
    """The last resort (the worker and the safety net down for a day): never lost."""
    enrollment = enrollment_apply(actor=learner, session=session)
    email = acceptance_of(enrollment)
    assert outbox_dispatch_due(now=email.send_after) == 1
    (message,) = mail.outbox
    assert enrollment.order.number in message.subject
    assert "INV-" not in message.body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_completions_racing_for_the_same_and_other_applications_number_without_gaps(
    deployed,
):
    """PostgreSQL: 12 applications, each completed by two threads at once (its task and
    the safety net): one invoice each, numbers 1…12 without a gap."""
    import threading

    from django.db import connection

    session = SessionFactory()
    ids = [enrollment_apply(actor=UserFactory(), session=session).pk for _ in range(12)]
    barrier = threading.Barrier(24)
    errors = []

    def complete(pk):
        try:
            barrier.wait()
            application_complete(enrollment_id=pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=(pk,)) for pk in ids + ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    year = ktime.tokyo_date().year
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-{year}-{n:06d}" for n in range(1, 13)]
    assert sorted(Invoice.objects.values_list("order__enrollments", flat=True)) == sorted(ids)


def test_a_rolled_back_caller_takes_the_invoice_and_its_number_back(deployed, learner, session):
    enrollment = enrollment_apply(actor=learner, session=session)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        application_complete(enrollment_id=enrollment.pk)
        raise Boom
    assert not Invoice.objects.exists()
    invoice = application_complete(enrollment_id=enrollment.pk)
    assert invoice.number.endswith("-000001")
