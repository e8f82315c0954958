"""Row locking for services (ARCHITECTURE.md §5).

Lock rows in primary-key order inside the caller's transaction, with a
bounded wait: a lock that cannot be had in time raises ``Busy`` (nothing is
changed) instead of waiting forever or overselling.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import OperationalError, connection, transaction
from django.db.models import Model, QuerySet

from .exceptions import Busy

DEFAULT_LOCK_TIMEOUT_MS = 5000

M = TypeVar("M", bound=Model)


def _require_transaction(what: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError(f"{what} must be called inside transaction.atomic()")


@contextmanager
def bounded_lock_wait(timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS) -> Iterator[None]:
    """Inside this block a statement waits at most ``timeout_ms`` (> 0) for a row lock;
    a timeout raises ``Busy`` and marks the transaction for rollback.

    For writes that lock a row themselves (``UPDATE … RETURNING``); ``lock_rows`` uses
    it too. Must run inside ``transaction.atomic()``; on PostgreSQL it sets the
    transaction's ``lock_timeout`` (until the transaction ends).
    """
    _require_transaction("bounded_lock_wait()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(timeout_ms)}ms"])
    try:
        yield
    except OperationalError as exc:
        transaction.set_rollback(True)
        raise Busy() from exc


def lock_rows(
    queryset: QuerySet[M],
    pks: Iterable[int] | None = None,
    *,
    timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS,
) -> list[M]:
    """Lock and return the rows of ``queryset`` (optionally only ``pks``) in pk order.

    Must run inside ``transaction.atomic()``. On PostgreSQL the wait is bounded
    by ``lock_timeout`` (``timeout_ms <= 0``: no wait at all, ``NOWAIT``); SQLite
    serialises writers at the start of the transaction
    (``transaction_mode=IMMEDIATE`` in settings) so the lock is already held.
    """
    _require_transaction("lock_rows()")
    qs = queryset
    if pks is not None:
        qs = qs.filter(pk__in=sorted(set(pks)))
    # PostgreSQL reads lock_timeout = 0 as "wait forever": timeout_ms <= 0 means
    # "do not wait at all" (NOWAIT) instead.
    timeout_ms = int(timeout_ms)
    if connection.vendor == "postgresql" and timeout_ms <= 0:
        try:
            return list(qs.select_for_update(nowait=True).order_by("pk"))
        except OperationalError as exc:
            transaction.set_rollback(True)
            raise Busy() from exc
    with bounded_lock_wait(timeout_ms):
        return list(qs.select_for_update().order_by("pk"))
