"""Invoice numbers stay gapless and unique under concurrency (issue 4, DOMAIN.md §9).
PostgreSQL only: real threads, each with its own connection, released together at a
barrier; the series counter row lock is what keeps them apart."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from kenshu.billing.models import Invoice, InvoiceCounter, Order
from kenshu.billing.services import LineSpec, order_place
from kenshu.core.testing import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
MAY_11 = dt.date(2026, 5, 11)


class Abandoned(Exception):
    """Raised inside a thread's transaction to roll it back on purpose."""


def run_together(targets) -> tuple[list, list]:
    """Run each callable in its own thread, released at once; return results and errors."""
    barrier = threading.Barrier(len(targets))
    results, errors = [], []

    def worker(target):
        try:
            barrier.wait(timeout=30)
            results.append(target())
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors


def apply(buyer, *, abandon: bool = False):
    def target():
        with transaction.atomic():
            order = order_place(buyer=buyer, lines=[LineSpec("研修", 10_000)], issued_on=MAY_11)
            number = order.invoices.get().number
            if abandon:
                raise Abandoned(number)
        return number

    return target


def sequence_numbers() -> list[int]:
    numbers = Invoice.objects.order_by("number").values_list("number", flat=True)
    return [int(number.rsplit("-", 1)[1]) for number in numbers]


def test_20_invoices_issued_at_once_are_numbered_1_to_20_without_gap_or_duplicate():
    buyers = UserFactory.create_batch(THREADS, corporate=True)

    results, errors = run_together([apply(buyer) for buyer in buyers])

    assert errors == []
    assert sorted(results) == [f"INV-2026-{n:06d}" for n in range(1, THREADS + 1)]
    assert sequence_numbers() == list(range(1, THREADS + 1))
    assert InvoiceCounter.objects.get(series="INV-2026").last_number == THREADS


def test_applications_rolled_back_while_others_commit_leave_no_gap():
    buyers = UserFactory.create_batch(THREADS, corporate=True)

    results, errors = run_together(
        [apply(buyer, abandon=i % 2 == 1) for i, buyer in enumerate(buyers)]
    )

    assert len(errors) == THREADS // 2
    assert all(isinstance(error, Abandoned) for error in errors)
    assert sorted(results) == [f"INV-2026-{n:06d}" for n in range(1, THREADS // 2 + 1)]
    assert sequence_numbers() == list(range(1, THREADS // 2 + 1))
    assert Order.objects.count() == THREADS // 2
    assert InvoiceCounter.objects.get(series="INV-2026").last_number == THREADS // 2


def test_the_first_invoices_of_a_new_series_racing_to_create_its_counter_do_not_collide():
    buyers = UserFactory.create_batch(8, corporate=True)

    def first_of_2027(buyer):
        def target():
            order = order_place(
                buyer=buyer, lines=[LineSpec("研修", 1_000)], issued_on=dt.date(2027, 1, 4)
            )
            return order.invoices.get().number

        return target

    results, errors = run_together([first_of_2027(buyer) for buyer in buyers])

    assert errors == []
    assert sorted(results) == [f"INV-2027-{n:06d}" for n in range(1, 9)]
    assert InvoiceCounter.objects.filter(series="INV-2027").count() == 1
