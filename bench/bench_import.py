"""Benchmark: the legacy import (issue 7, DOMAIN.md §10).

Run: .venv/bin/python bench/bench_import.py [--members 100000] [--bookings 100000]
                                           [--sqlite] [--notices]

Generates synthetic legacy files in CP932 (Shift_JIS, as the old system exports them)
in a temporary directory: individuals and corporate members of a few thousand
companies written with full- and half-width variants, and bookings of which about
half are before the cut-off, a tenth cancelled and the rest live, a third of those
for colleagues (→ group applicants, inventory seats, group learners). Then, on a
fresh database (PostgreSQL ``kenshu_bench_import`` by default, dropped and
re-created; ``--sqlite``: a temporary SQLite file):

1. baseline: a plain ``User.objects.bulk_create`` of as many users as members
   (rolled back);
2. ``manage.py import_legacy`` (a separate process: wall time and peak memory);
3. the same command again: the idempotent run (everything unchanged).

Prints rows per second, wall time and peak memory (maximum resident set size) of
each run and the ratio of the first run to the baseline. The goal of issue 7:
100,000 members and 100,000 bookings on PostgreSQL in at most 30 s and 500 MB.
"""

import argparse
import csv
import datetime as dt
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "kenshu_bench_import"
COURSES = 50
SESSIONS_PER_COURSE = 20  # from the cut-off on
CUTOFF = dt.date(2023, 11, 1)

MEMBER_HEADER = [
    "legacy_member_id",
    "login_id",
    "email",
    "last_name",
    "first_name",
    "last_name_kana",
    "first_name_kana",
    "member_type",
    "company_name",
    "department",
    "phone",
    "postal_code",
    "address",
    "registered_at",
]
BOOKING_HEADER = [
    "legacy_booking_id",
    "legacy_member_id",
    "course_code",
    "session_start",
    "participant_name",
    "participant_email",
    "status",
    "applied_at",
    "fee",
]
FAMILY = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"]
GIVEN = ["太郎", "花子", "一郎", "次郎", "美咲", "健太", "陽子", "翔太", "愛", "誠"]
KANA = ["ヤマダ", "サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ", "ナカムラ"]


FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def company_name(c: int) -> str:
    """The same company written three ways (full-width digits and space, half-width kana)."""
    variant = c % 3
    if variant == 0:
        return f"株式会社サンプル{c}"
    if variant == 1:
        return f"株式会社　サンプル{str(c).translate(FULL_WIDTH_DIGITS)}"
    return f"株式会社ｻﾝﾌﾟﾙ{c}"


def session_start(course: int, index: int) -> dt.datetime:
    return dt.datetime.combine(CUTOFF, dt.time(10, 0)) + dt.timedelta(days=index * 7 + course % 7)


def generate(tmp: Path, members: int, bookings: int) -> tuple[Path, Path]:
    rng = random.Random(7)  # noqa: S311 (synthetic data)
    companies = max(members // 25, 1)
    corporate = {}
    members_path, bookings_path = tmp / "members.csv", tmp / "bookings.csv"
    with members_path.open("w", encoding="cp932", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(MEMBER_HEADER)
        for m in range(members):
            is_corporate = m % 10 < 4
            company = company_name(m % companies) if is_corporate else ""
            if is_corporate:
                corporate[m] = m % companies
            writer.writerow(
                [
                    f"M{m:07d}",
                    f"user{m:07d}" if m % 3 else f"member{m}@example.jp",
                    f"member{m}@example.jp",
                    FAMILY[m % 10],
                    GIVEN[(m // 10) % 10],
                    KANA[m % 8],
                    "ﾀﾛｳ" if m % 2 else "タロウ",  # half-width kana half of the time
                    "法人" if is_corporate else "個人",
                    company,
                    "人事部" if is_corporate else "",
                    f"03-{m % 10000:04d}-{m % 9999:04d}",
                    "100-0001",
                    "東京都千代田区千代田１－１ ",  # full-width digits, a trailing space
                    f"20{10 + m % 13}/{1 + m % 12}/{1 + m % 28}",
                ]
            )
    with bookings_path.open("w", encoding="cp932", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(BOOKING_HEADER)
        for b in range(bookings):
            m = b % members
            lap = b // members
            course = (m + lap) % COURSES
            kind = rng.random()
            status = "キャンセル" if kind < 0.1 else "申込"
            if kind < 0.55:  # before the cut-off: not imported
                start = dt.datetime(2023, 1 + m % 9, 1 + m % 28, 10, 0)
            else:
                start = session_start(course, (m * 7 + lap) % SESSIONS_PER_COURSE)
            participant_name = participant_email = ""
            if m in corporate and rng.random() < 0.35:
                participant_name = f"{FAMILY[b % 10]} {GIVEN[b % 7]}"
                participant_email = f"staff{b % 40}.{m}@corp{corporate[m]}.example.jp"
            writer.writerow(
                [
                    f"B{b:08d}",
                    f"M{m:07d}",
                    f"ILC{course:04d}",
                    f"{start:%Y/%m/%d %H:%M}",
                    participant_name,
                    participant_email,
                    status,
                    f"{start - dt.timedelta(days=30):%Y-%m-%d %H:%M}",
                    "３００００" if b % 5 == 0 else "30,000",
                ]
            )
    return members_path, bookings_path


SEED = f"""
import datetime as dt
from kenshu.catalog.models import Course, Session
from kenshu.core.time import TOKYO
courses = Course.objects.bulk_create([
    Course(code=f"ILC{{i:04d}}", title=f"ベンチマーク研修 {{i}}", delivery="classroom",
           fee=30000, is_published=True) for i in range({COURSES})
])
start = dt.datetime({CUTOFF.year}, {CUTOFF.month}, {CUTOFF.day}, 10, 0, tzinfo=TOKYO)
Session.objects.bulk_create([
    Session(course=c, starts_at=start + dt.timedelta(days=j * 7 + i % 7),
            ends_at=start + dt.timedelta(days=j * 7 + i % 7, hours=7),
            deadline=start + dt.timedelta(days=j * 7 + i % 7 - 1), capacity=100000,
            venue="東京研修センター")
    for i, c in enumerate(courses) for j in range({SESSIONS_PER_COURSE})
])
"""

BASELINE = """
import time
from django.db import transaction
from kenshu.accounts.models import User
users = [User(username=f"baseline{i}", email=f"baseline{i}@example.jp", last_name="山田",
              first_name="太郎", password="!unusable") for i in range(COUNT)]
started = time.perf_counter()
with transaction.atomic():
    User.objects.bulk_create(users, batch_size=1000)
    elapsed = time.perf_counter() - started
    transaction.set_rollback(True)
print(f"{elapsed:.3f}")
"""


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True, text=True)


def timed_import(env: dict, members: Path, bookings: Path, extra: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [
            PYTHON,
            "manage.py",
            "import_legacy",
            "--members",
            str(members),
            "--bookings",
            str(bookings),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(
            f"import_legacy exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return elapsed, result.stdout


def peak_mb() -> float:
    """Maximum resident set size of the finished children so far (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite database")
    parser.add_argument("--notices", action="store_true", help="also --send-notices")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kenshu-bench-import-"))
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"},
        # As deployed: production settings (DEBUG off, the database task backend).
        "KENSHU_ENV": "production",
        "SECRET_KEY": "bench-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "KENSHU_VAR_DIR": str(tmp),
        "LOG_LEVEL": "WARNING",
    }
    try:
        if args.sqlite:
            env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
            where = f"SQLite {tmp / 'bench.sqlite3'}"
        else:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {DB_NAME}")
            env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME
            where = f"PostgreSQL {DB_NAME}"
        started = time.perf_counter()
        members, bookings = generate(tmp, args.members, args.bookings)
        size = (members.stat().st_size + bookings.stat().st_size) / 1e6
        print(
            f"generated {args.members:,} members and {args.bookings:,} bookings "
            f"(CP932, {size:.1f} MB) in {time.perf_counter() - started:.1f} s"
        )
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        run([PYTHON, "manage.py", "shell", "-c", SEED], env)
        print(f"database: {where}, {COURSES} courses × {SESSIONS_PER_COURSE} sessions")

        extra = ["--report", str(tmp / "report.csv"), "--verbosity", "1"]
        if args.notices:
            extra.append("--send-notices")
        rows = args.members + args.bookings
        first, output = timed_import(env, members, bookings, extra)
        first_peak = peak_mb()  # the largest child so far: this import (migrate is smaller)
        print(output.rstrip())
        second, output = timed_import(env, members, bookings, extra)
        both_peak = peak_mb()
        print(output.rstrip())
        # The baseline last: its 100,000 model instances would otherwise be the peak.
        baseline = float(
            run(
                [PYTHON, "manage.py", "shell", "-c", BASELINE.replace("COUNT", str(args.members))],
                env,
            ).stdout.split()[-1]
        )
        print()
        print(f"baseline:   {baseline:6.2f} s  bulk_create of {args.members:,} users")
        print(
            f"first run:  {first:6.2f} s  {rows / first:9,.0f} rows/s  peak {first_peak:4.0f} MB"
            f"  ({first / baseline:.1f}× the baseline)"
        )
        print(
            f"second run: {second:6.2f} s  {rows / second:9,.0f} rows/s  peak {both_peak:4.0f} MB"
            "  (of both runs; idempotent: everything unchanged)"
        )
        if not args.sqlite and rows >= 200_000:
            ok = first <= 30 and first_peak <= 500 and both_peak <= 500
            print(f"goal (≤ 30 s, ≤ 500 MB for 100,000 + 100,000): {'met' if ok else 'NOT met'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
