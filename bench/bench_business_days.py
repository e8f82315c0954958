"""Benchmark: business-day arithmetic (kenshu.core.time.BusinessCalendar).

Run: .venv/bin/python bench/bench_business_days.py [--pairs N] [--seed S]

Prints calls per second for ``business_days_between`` over N random
(start, end) pairs within ±120 days of each other (ordered so that
start <= end: a reversed pair would just return 0), and for
``add_business_days`` over N random (day, n) pairs with |n| <= 60, on a
calendar with the new-year closures 12/29–1/3. Needs no database and no
Django settings (BusinessCalendar is pure).
"""

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kenshu.core.time import BusinessCalendar  # noqa: E402  (needs sys.path above)

FIRST_DAY = dt.date(2025, 1, 1)
SPAN_DAYS = 5 * 365
WINDOW_DAYS = 120


def new_year_closures(first_year: int, last_year: int) -> list[dt.date]:
    return [
        dt.date(year, 12, 29) + dt.timedelta(days=i)
        for year in range(first_year, last_year + 1)
        for i in range(6)
    ]


def random_day(rng: random.Random) -> dt.date:
    return FIRST_DAY + dt.timedelta(days=rng.randrange(SPAN_DAYS))


def timed(label: str, func, args: list[tuple]) -> float:
    started = time.perf_counter()
    checksum = 0
    for a, b in args:
        result = func(a, b)
        checksum += result if isinstance(result, int) else result.toordinal()
    elapsed = time.perf_counter() - started
    rate = len(args) / elapsed
    print(
        f"{label:<24} {len(args):>7,} calls  {elapsed * 1000:9.1f} ms  "
        f"{rate:>12,.0f} calls/s  {elapsed / len(args) * 1e6:8.2f} µs/call  "
        f"(checksum {checksum})"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20260506)
    options = parser.parse_args()

    rng = random.Random(options.seed)  # noqa: S311  (reproducible inputs, not crypto)
    calendar = BusinessCalendar.with_closures(new_year_closures(2024, 2031))

    between_args = []
    for _ in range(options.pairs):
        day = random_day(rng)
        other = day + dt.timedelta(days=rng.randint(-WINDOW_DAYS, WINDOW_DAYS))
        between_args.append((min(day, other), max(day, other)))
    add_args = [(random_day(rng), rng.randint(-60, 60)) for _ in range(options.pairs)]

    # Warm the holiday cache (one holidays.JP lookup per year) outside the timing.
    for year in range(2024, 2032):
        calendar.is_business_day(dt.date(year, 1, 1))

    print(f"BusinessCalendar, seed {options.seed}, dates {FIRST_DAY} + {SPAN_DAYS} days")
    timed("business_days_between", calendar.business_days_between, between_args)
    timed("add_business_days", calendar.add_business_days, add_args)


if __name__ == "__main__":
    main()
