"""Benchmark: the cancellation quote (kenshu.cancellation.quote, R-CANCEL-4).

Run: .venv/bin/python bench/bench_quote.py [--cases N] [--seed S]

Prints quotes per second over N random cases (default 10,000): the default tiers of
a random delivery type (classroom, live, e-learning) as the dict snapshot stored on an
enrolment, a random first day in 2025–2029, a contact date from 120 days before to 10
days after it, a random amount, on a calendar with the new-year closures 12/29–1/3.
Also times ``tier_schedule`` over the same first days. Needs no database and no Django
settings (quote is pure).
"""

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kenshu.cancellation import quote, tier_schedule  # noqa: E402  (needs sys.path above)
from kenshu.cancellation.defaults import DEFAULT_TIERS  # noqa: E402
from kenshu.core.time import BusinessCalendar  # noqa: E402

FIRST_DAY = dt.date(2025, 1, 1)
SPAN_DAYS = 5 * 365


def new_year_closures(first_year: int, last_year: int) -> list[dt.date]:
    return [
        dt.date(year, 12, 29) + dt.timedelta(days=i)
        for year in range(first_year, last_year + 1)
        for i in range(6)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20260511)
    options = parser.parse_args()

    rng = random.Random(options.seed)  # noqa: S311  (reproducible inputs, not crypto)
    calendar = BusinessCalendar.with_closures(new_year_closures(2024, 2031))
    snapshots = {d: [t.as_dict() for t in tiers] for d, tiers in DEFAULT_TIERS.items()}
    deliveries = sorted(snapshots)

    cases = []
    for _ in range(options.cases):
        first_day = FIRST_DAY + dt.timedelta(days=rng.randrange(SPAN_DAYS))
        contact = first_day + dt.timedelta(days=rng.randint(-120, 10))
        amount = rng.randrange(0, 500_001)
        cases.append((snapshots[rng.choice(deliveries)], first_day, contact, amount))

    # Warm the holiday cache (one holidays.JP lookup per year) outside the timing.
    for year in range(2024, 2032):
        calendar.is_business_day(dt.date(year, 1, 1))

    print(f"quote, seed {options.seed}, {len(cases):,} cases, first days {FIRST_DAY} + {SPAN_DAYS}")
    started = time.perf_counter()
    total_fee = 0
    rates = {0: 0, 50: 0, 100: 0}
    for tiers, first_day, contact, amount in cases:
        q = quote(
            tiers=tiers,
            first_day=first_day,
            contact_date=contact,
            amount=amount,
            calendar=calendar,
        )
        total_fee += q.fee
        rates[q.rate] += 1
    elapsed = time.perf_counter() - started
    print(
        f"{'quote':<14} {len(cases):>7,} quotes  {elapsed * 1000:9.1f} ms  "
        f"{len(cases) / elapsed:>10,.0f} quotes/s  {elapsed / len(cases) * 1e6:8.2f} µs/quote  "
        f"(rates 0/50/100 %: {rates[0]}/{rates[50]}/{rates[100]}, fees {total_fee:,} JPY)"
    )

    started = time.perf_counter()
    windows = 0
    for tiers, first_day, _contact, _amount in cases:
        windows += len(tier_schedule(tiers=tiers, first_day=first_day, calendar=calendar))
    elapsed = time.perf_counter() - started
    print(
        f"{'tier_schedule':<14} {len(cases):>7,} schedules {elapsed * 1000:8.1f} ms  "
        f"{len(cases) / elapsed:>10,.0f} schedules/s  ({windows:,} windows)"
    )


if __name__ == "__main__":
    main()
