"""lock_rows: rows locked in pk order inside the caller's transaction (ARCHITECTURE.md §5).

The concurrency tests use real threads with their own connections, so they
need PostgreSQL (row locks and ``lock_timeout``) and committed data
(``transaction=True``).
"""

import contextlib
import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from kenshu.core.exceptions import Busy
from kenshu.core.locking import lock_rows
from kenshu.core.models import ClosureDay

D = dt.date


def _closure_days_in_reverse_date_order() -> list[ClosureDay]:
    """Rows whose pk order is the opposite of their default (date) ordering."""
    return [
        ClosureDay.objects.create(date=D(2027, 1, 3), reason="c"),
        ClosureDay.objects.create(date=D(2027, 1, 2), reason="b"),
        ClosureDay.objects.create(date=D(2027, 1, 1), reason="a"),
    ]


@pytest.mark.django_db(transaction=True)
def test_lock_rows_outside_a_transaction_raises_runtime_error():
    day = ClosureDay.objects.create(date=D(2026, 12, 29))
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        lock_rows(ClosureDay.objects.all(), [day.pk])


@pytest.mark.django_db
def test_lock_rows_returns_the_rows_in_primary_key_order():
    rows = _closure_days_in_reverse_date_order()
    assert [r.pk for r in ClosureDay.objects.all()] == [r.pk for r in reversed(rows)]
    with transaction.atomic():
        locked = lock_rows(ClosureDay.objects.all())
    assert [r.pk for r in locked] == sorted(r.pk for r in rows)


@pytest.mark.django_db
def test_lock_rows_with_pks_returns_only_those_rows_in_pk_order_without_duplicates():
    c, _b, a = _closure_days_in_reverse_date_order()
    with transaction.atomic():
        locked = lock_rows(ClosureDay.objects.all(), [a.pk, c.pk, a.pk])
    assert [r.pk for r in locked] == sorted([a.pk, c.pk])


@pytest.mark.django_db
def test_lock_rows_with_no_pks_locks_nothing():
    _closure_days_in_reverse_date_order()
    with transaction.atomic():
        assert lock_rows(ClosureDay.objects.all(), []) == []


# --- PostgreSQL: real row locks between threads -------------------------------------

WAIT = 10  # seconds: generous upper bound so a broken lock fails instead of hanging


@contextlib.contextmanager
def _locked_by_another_transaction(pk: int):
    """Hold the row's lock in a thread (its own connection) for the duration of the block."""
    has_lock = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def holder():
        try:
            with transaction.atomic():
                lock_rows(ClosureDay.objects.all(), [pk])
                has_lock.set()
                release.wait(WAIT)
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            has_lock.set()
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert has_lock.wait(WAIT)
        assert not errors, errors
        yield
    finally:
        release.set()
        thread.join(WAIT)
    assert not errors, errors


def _in_thread(target) -> None:
    """Run ``target`` in a thread with its own connection; fail if it hangs."""

    def run():
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(WAIT)
    assert not thread.is_alive(), "the thread waited for the lock instead of timing out"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_locker_gets_busy_while_the_row_is_locked_and_its_transaction_rolls_back():
    day = ClosureDay.objects.create(date=D(2026, 12, 29), reason="年末年始")
    outcome: dict[str, object] = {}

    def contender():
        try:
            with transaction.atomic():
                # A write before the lock attempt: it must be rolled back with the
                # transaction, although the Busy is caught inside the block.
                ClosureDay.objects.create(date=D(2026, 12, 30), reason="must roll back")
                started = time.monotonic()
                try:
                    lock_rows(ClosureDay.objects.all(), [day.pk], timeout_ms=200)
                except Busy as exc:
                    outcome["busy"] = exc
                    outcome["waited"] = time.monotonic() - started
                    outcome["marked_for_rollback"] = transaction.get_rollback()
                else:
                    outcome["locked"] = True
        except Exception as exc:
            outcome["error"] = exc

    with _locked_by_another_transaction(day.pk):
        _in_thread(contender)

    assert "error" not in outcome, outcome
    assert "locked" not in outcome, "the contender got a row that another transaction held"
    busy = outcome["busy"]
    assert isinstance(busy, Busy)
    assert busy.code == "busy"
    assert 0.15 <= outcome["waited"] < 5
    assert outcome["marked_for_rollback"] is True
    assert not ClosureDay.objects.filter(date=D(2026, 12, 30)).exists()
    assert ClosureDay.objects.get(pk=day.pk).reason == "年末年始"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_zero_timeout_does_not_wait_at_all():
    """PostgreSQL's lock_timeout = 0 would mean "wait forever": 0 ms is NOWAIT instead."""
    day = ClosureDay.objects.create(date=D(2026, 12, 29))
    outcome: dict[str, object] = {}

    def contender():
        with pytest.raises(Busy), transaction.atomic():
            started = time.monotonic()
            try:
                lock_rows(ClosureDay.objects.all(), [day.pk], timeout_ms=0)
            finally:
                outcome["waited"] = time.monotonic() - started
        outcome["busy"] = True

    with _locked_by_another_transaction(day.pk):
        _in_thread(contender)

    assert outcome.get("busy") is True
    assert outcome["waited"] < 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_lock_is_free_again_once_the_holder_commits():
    day = ClosureDay.objects.create(date=D(2026, 12, 29))
    holder_done = threading.Event()

    def holder():
        try:
            with transaction.atomic():
                lock_rows(ClosureDay.objects.all(), [day.pk])
                ClosureDay.objects.filter(pk=day.pk).update(reason="held")
        finally:
            holder_done.set()
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert holder_done.wait(WAIT)
    thread.join(WAIT)

    with transaction.atomic():
        (locked,) = lock_rows(ClosureDay.objects.all(), [day.pk], timeout_ms=200)
    assert locked.reason == "held"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_lock_timeout_is_local_to_the_locking_transaction():
    """set_config(..., true): the short timeout must not leak into later transactions."""
    day = ClosureDay.objects.create(date=D(2026, 12, 29))
    with transaction.atomic():
        lock_rows(ClosureDay.objects.all(), [day.pk], timeout_ms=123)
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "123ms"
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"
