"""Two workers never send the same row (R-MAIL: sent once). PostgreSQL only.

Real threads, each with its own database connection, start together at a
barrier and race to claim the same committed rows.
"""

import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from kenshu.notifications.models import EmailAttempt, OutboxEmail
from kenshu.notifications.services import outbox_dispatch_due, outbox_send

from .helpers import outbox_ids, queue_staff_message

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 4


def run_together(target, workers: int = WORKERS) -> list:
    """Run ``target()`` in ``workers`` threads released at once; return their results."""
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=30)
            results.append(target())
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    assert errors == []
    return results


def test_concurrent_dispatch_loops_send_every_due_row_exactly_once(deferring_task_backend):
    """R-MAIL: 4 workers dispatching 40 due rows at once send 40 emails, not more."""
    with transaction.atomic():
        emails = [queue_staff_message(to=f"learner{i}@example.jp") for i in range(40)]
    assert mail.outbox == []  # committed; no task ran (a lost task is the worst case)

    sent_per_worker = run_together(outbox_dispatch_due)

    assert sum(sent_per_worker) == 40
    assert len(mail.outbox) == 40
    assert sorted(outbox_ids(mail.outbox)) == sorted(str(e.pk) for e in emails)
    rows = OutboxEmail.objects.all()
    assert {(row.state, row.attempts) for row in rows} == {(OutboxEmail.State.SENT, 1)}
    assert EmailAttempt.objects.filter(succeeded=True).count() == 40
    assert not EmailAttempt.objects.filter(succeeded=False).exists()


def test_concurrent_sends_of_the_same_row_send_it_once(deferring_task_backend):
    """R-MAIL: 4 workers handed the same row id (e.g. a task run twice) send it once."""
    with transaction.atomic():
        emails = [queue_staff_message(to=f"learner{i}@example.jp") for i in range(10)]

    for email in emails:
        results = run_together(lambda pk=email.pk: outbox_send(pk))
        assert results.count(OutboxEmail.State.SENT) >= 1
        assert set(results) <= {OutboxEmail.State.SENT, OutboxEmail.State.SENDING}

    assert len(mail.outbox) == 10
    assert sorted(outbox_ids(mail.outbox)) == sorted(str(e.pk) for e in emails)
    rows = OutboxEmail.objects.all()
    assert {(row.state, row.attempts) for row in rows} == {(OutboxEmail.State.SENT, 1)}
    assert EmailAttempt.objects.count() == 10
