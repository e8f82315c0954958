"""policy_tiers_for, quote_for and tier_schedule_for: the policy and the closure days
from the database (R-CANCEL-4 defaults from migration 0002)."""

import datetime as dt

import pytest

from kenshu.cancellation import BUSINESS_DAYS, CALENDAR_DAYS
from kenshu.cancellation.defaults import DEFAULT_TIERS
from kenshu.cancellation.models import CancellationPolicy, CancellationTier
from kenshu.cancellation.selectors import policy_tiers_for, quote_for, tier_schedule_for
from kenshu.catalog.models import Course
from kenshu.core.testing import new_year_closures

pytestmark = pytest.mark.django_db

D = dt.date
SESSION_DEFAULTS = [
    {"min_days_before": 8, "rate": 0, "unit": BUSINESS_DAYS},
    {"min_days_before": 3, "rate": 50, "unit": BUSINESS_DAYS},
    {"min_days_before": 0, "rate": 100, "unit": BUSINESS_DAYS},
]
ELEARNING_DEFAULTS = [
    {"min_days_before": 1, "rate": 0, "unit": CALENDAR_DAYS},
    {"min_days_before": 0, "rate": 100, "unit": CALENDAR_DAYS},
]


def test_r_cancel_4_a_fresh_database_has_the_default_policy_of_every_delivery_type():
    policies = {p.delivery: p for p in CancellationPolicy.objects.all()}
    assert set(policies) == set(Course.Delivery.values)
    assert policies["classroom"].unit == policies["live"].unit == BUSINESS_DAYS
    assert policies["elearning"].unit == CALENDAR_DAYS


@pytest.mark.parametrize(
    ("delivery", "expected"),
    [
        ("classroom", SESSION_DEFAULTS),
        ("live", SESSION_DEFAULTS),
        ("elearning", ELEARNING_DEFAULTS),
    ],
)
def test_r_cancel_4_policy_tiers_for_returns_the_migration_defaults(delivery, expected):
    assert policy_tiers_for(delivery) == expected


def test_the_defaults_in_code_are_the_ones_the_migration_wrote():
    for delivery, tiers in DEFAULT_TIERS.items():
        assert policy_tiers_for(delivery) == [t.as_dict() for t in tiers]
    assert set(DEFAULT_TIERS) == set(Course.Delivery.values)


def test_policy_tiers_for_falls_back_to_the_defaults_when_the_row_is_missing():
    CancellationPolicy.objects.filter(delivery="live").delete()
    assert policy_tiers_for("live") == SESSION_DEFAULTS


def test_policy_tiers_for_falls_back_to_the_defaults_when_the_policy_has_no_tier():
    CancellationTier.objects.filter(policy__delivery="elearning").delete()
    assert policy_tiers_for("elearning") == ELEARNING_DEFAULTS


def test_policy_tiers_for_returns_the_tiers_staff_set_most_days_first():
    policy = CancellationPolicy.objects.get(delivery="classroom")
    CancellationTier.objects.create(policy=policy, min_days_before=15, rate=0)
    CancellationTier.objects.filter(policy=policy, min_days_before=8).update(rate=20)
    assert policy_tiers_for("classroom") == [
        {"min_days_before": 15, "rate": 0, "unit": BUSINESS_DAYS},
        {"min_days_before": 8, "rate": 20, "unit": BUSINESS_DAYS},
        {"min_days_before": 3, "rate": 50, "unit": BUSINESS_DAYS},
        {"min_days_before": 0, "rate": 100, "unit": BUSINESS_DAYS},
    ]
    assert policy_tiers_for("live") == SESSION_DEFAULTS  # other deliveries unchanged


def test_policy_tiers_for_takes_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        policy_tiers_for("classroom")


def test_policy_tiers_for_refuses_an_unknown_delivery():
    with pytest.raises(ValueError, match="unknown delivery"):
        policy_tiers_for("carrier pigeon")


def test_r_cancel_4_quote_for_uses_the_closure_days_in_the_database():
    tiers = policy_tiers_for("classroom")
    args = {"tiers": tiers, "first_day": D(2027, 1, 7), "contact_date": D(2026, 12, 24)}
    assert quote_for(**args, amount=40_000).rate == 0  # 9 business days before
    new_year_closures(2026)  # ClosureDay 12/29 … 1/3
    q = quote_for(**args, amount=40_000)
    assert (q.days_before, q.rate, q.fee) == (6, 50, 20_000)


def test_r_cancel_4_tier_schedule_for_uses_the_closure_days_in_the_database():
    new_year_closures(2026)
    schedule = tier_schedule_for(tiers=policy_tiers_for("live"), first_day=D(2027, 1, 7))
    assert [(w.starts_on, w.ends_on, w.rate) for w in schedule] == [
        (None, D(2026, 12, 22), 0),
        (D(2026, 12, 23), D(2027, 1, 4), 50),
        (D(2027, 1, 5), None, 100),
    ]


def test_the_policy_units_are_the_quote_units():
    assert set(CancellationPolicy.Unit.values) == {BUSINESS_DAYS, CALENDAR_DAYS}
