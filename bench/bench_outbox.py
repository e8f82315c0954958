"""Benchmark: the email outbox (kenshu.notifications, R-MAIL).

Run: .venv/bin/python bench/bench_outbox.py [--rows N]

On a throwaway SQLite database in a temporary directory (migrated first,
deleted at the end), with the "test" settings profile:

1. queue: ``email_queue`` of N rows (default 2,000) in one transaction,
   committed; the task backend records the send tasks without running them,
   so that the figure is the cost of recording (and enqueueing) only;
2. send: ``outbox_dispatch_due`` until nothing is due, through Django's
   locmem mail backend: claim, render the template trio, hand over, record.

Prints rows per second for each, and the queries each row costs.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DUMMY_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
}


def setup_django(tmp: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["KENSHU_ENV"] = "test"
    os.environ["KENSHU_VAR_DIR"] = str(tmp)
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.pop("EMAIL_URL", None)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    assert settings.DATABASES["default"]["NAME"].startswith(str(tmp))
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0, interactive=False)


def queue_rows(n: int, offset: int = 0) -> None:
    from django.db import transaction

    from kenshu.notifications.services import email_queue

    with transaction.atomic():
        for i in range(offset, offset + n):
            email_queue(
                template="staff_message",
                to=f"learner{i}@example.jp",
                language="en" if i % 5 == 0 else "ja",
                context={
                    "subject": f"研修のご案内 {i}",
                    "body": "次回の研修についてご案内します。\n詳しくはマイページをご覧ください。",
                    "recipient_name": f"山田 太郎{i}",
                },
                dedup_key=f"bench:{i}",
            )


def dispatch_all() -> int:
    from kenshu.notifications.services import outbox_dispatch_due

    total = 0
    while sent := outbox_dispatch_due():
        total += sent
    return total


def queries_per_row(func, rows: int) -> float:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        func()
    return len(queries) / rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kenshu-bench-outbox-"))
    try:
        started = time.perf_counter()
        setup_django(tmp)
        print(
            f"database: {tmp / 'bench.sqlite3'} (migrated in {time.perf_counter() - started:.1f} s)"
        )
        run(args.rows)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(tmp, ignore_errors=True)


def run(rows: int) -> None:
    from django.core import mail
    from django.test.utils import override_settings

    from kenshu.notifications.models import OutboxEmail

    mail.outbox = []
    with override_settings(TASKS=DUMMY_TASKS):
        # Warm up (template loading, content types, first queries), then measure.
        queue_rows(20, offset=10**6)
        dispatch_all()
        sample = 50
        queue_q = queries_per_row(lambda: queue_rows(sample, offset=2 * 10**6), sample)
        send_q = queries_per_row(dispatch_all, sample)
        OutboxEmail.objects.all().delete()
        mail.outbox = []

        started = time.perf_counter()
        queue_rows(rows)
        queue_seconds = time.perf_counter() - started

        started = time.perf_counter()
        sent = dispatch_all()
        send_seconds = time.perf_counter() - started

    assert sent == rows == len(mail.outbox), (sent, rows, len(mail.outbox))
    assert OutboxEmail.objects.filter(state=OutboxEmail.State.SENT).count() == rows
    assert len({m.extra_headers["X-Kenshu-Outbox-Id"] for m in mail.outbox}) == rows

    print(
        f"email_queue:          {rows:6d} rows in one transaction in {queue_seconds:6.2f} s"
        f" = {rows / queue_seconds:8.0f} rows/s  ({queue_q:.1f} queries/row)"
    )
    print(
        f"outbox_dispatch_due:  {sent:6d} rows sent (locmem)        in {send_seconds:6.2f} s"
        f" = {sent / send_seconds:8.0f} rows/s  ({send_q:.1f} queries/row)"
    )


if __name__ == "__main__":
    main()
