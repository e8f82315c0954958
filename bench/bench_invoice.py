"""Benchmark: orders and qualified invoices (kenshu.billing, DOMAIN.md §9).

Run: .venv/bin/python bench/bench_invoice.py [--orders N] [--pdfs M]

On a throwaway SQLite database in a temporary directory (migrated first,
deleted at the end), with the "test" settings profile:

1. issue: ``order_place`` of N orders (default 500), each in its own transaction,
   as an application would: the order, its lines, the invoice with the next
   number of its series under the counter's lock, the audit entries;
2. render: ``invoice_pdf`` of M of those invoices (default 50): fpdf2 with Noto
   Sans JP embedded (subset) in each.

Prints invoices issued per second (and the queries each costs), and PDFs
rendered per second (and their average size).
"""

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(tmp: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["KENSHU_ENV"] = "test"
    os.environ["KENSHU_VAR_DIR"] = str(tmp)
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    assert settings.DATABASES["default"]["NAME"].startswith(str(tmp))
    call_command("migrate", verbosity=0, interactive=False)


def make_buyers(n: int) -> list:
    from kenshu.accounts.models import Organisation, User

    organisation = Organisation.objects.create(
        name="株式会社ベンチマーク", name_kana="ベンチマーク"
    )
    buyers = [
        User(
            username=f"buyer{i}",
            email=f"buyer{i}@example.jp",
            last_name="佐藤",
            first_name=f"花子{i}",
            user_type=User.UserType.CORPORATE if i % 2 else User.UserType.INDIVIDUAL,
            organisation=organisation if i % 2 else None,
        )
        for i in range(n)
    ]
    return User.objects.bulk_create(buyers)


def place_orders(buyers: list, n: int, issued_on: dt.date) -> list:
    from django.db import transaction

    from kenshu.billing.services import LineSpec, order_place

    orders = []
    for i in range(n):
        lines = [
            LineSpec(f"ビジネス文書作成研修 ILC{1000 + i % 50} 2026年6月{1 + i % 28}日", 30_000)
        ]
        if i % 3 == 0:
            lines.append(LineSpec("テキスト代", 2_000, quantity=1 + i % 4))
        with transaction.atomic():
            orders.append(
                order_place(buyer=buyers[i % len(buyers)], lines=lines, issued_on=issued_on)
            )
    return orders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--pdfs", type=int, default=50)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kenshu-bench-invoice-"))
    try:
        started = time.perf_counter()
        setup_django(tmp)
        print(
            f"database: {tmp / 'bench.sqlite3'} (migrated in {time.perf_counter() - started:.1f} s)"
        )
        run(args.orders, args.pdfs)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(tmp, ignore_errors=True)


def run(orders: int, pdfs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kenshu.billing.models import Invoice
    from kenshu.billing.pdf import invoice_pdf

    issued_on = dt.date(2026, 6, 1)
    buyers = make_buyers(20)
    # Warm up (content types, the counter row, the font file), then measure.
    place_orders(buyers, 5, dt.date(2025, 6, 1))
    invoice_pdf(Invoice.objects.prefetch_related("lines").first())
    with CaptureQueriesContext(connection) as queries:
        place_orders(buyers, 10, dt.date(2024, 6, 1))
    per_order = len(queries) / 10

    started = time.perf_counter()
    place_orders(buyers, orders, issued_on)
    issue_seconds = time.perf_counter() - started

    invoices = list(
        Invoice.objects.filter(issued_on=issued_on).prefetch_related("lines").order_by("number")
    )
    numbers = [int(invoice.number.rsplit("-", 1)[1]) for invoice in invoices]
    assert numbers == list(range(1, orders + 1)), "invoice numbers are not gapless"

    started = time.perf_counter()
    sizes = [len(invoice_pdf(invoice)) for invoice in invoices[:pdfs]]
    pdf_seconds = time.perf_counter() - started
    assert all(size > 1000 for size in sizes)

    print(
        f"order_place:  {orders:5d} orders (one transaction each) in {issue_seconds:6.2f} s"
        f" = {orders / issue_seconds:7.0f} invoices issued/s  ({per_order:.0f} queries/order)"
    )
    kib = sum(sizes) / len(sizes) / 1024
    print(
        f"invoice_pdf:  {len(sizes):5d} PDFs                          in {pdf_seconds:6.2f} s"
        f" = {len(sizes) / pdf_seconds:7.1f} PDFs/s  ({kib:.0f} KiB each)"
    )


if __name__ == "__main__":
    main()
