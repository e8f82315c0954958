"""DOMAIN.md §9: consumption tax is computed once per invoice per tax rate and
rounded down, never per line. Figures below are computed by hand."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kenshu.billing.services import LineSpec, TaxSubtotal, due_date_for, tax_breakdown


def test_a_fee_and_three_textbooks_at_10_percent_are_54000_plus_5400():
    lines = [LineSpec("研修", 30_000), LineSpec("テキスト", 8_000, quantity=3)]
    assert tax_breakdown(lines) == [TaxSubtotal(rate=10, base=54_000, tax=5_400)]


def test_tax_on_333_333_and_334_is_100_not_the_sum_of_per_line_taxes():
    lines = [LineSpec("a", 333), LineSpec("b", 333), LineSpec("c", 334)]
    # per line: 33 + 33 + 33 = 99; per invoice: 1,000 × 10 % = 100
    assert tax_breakdown(lines) == [TaxSubtotal(rate=10, base=1_000, tax=100)]


def test_two_lines_of_1005_are_taxed_201_where_per_line_rounding_would_give_200():
    lines = [LineSpec("a", 1_005), LineSpec("b", 1_005)]
    # per line: 100.5 → 100, twice = 200; per invoice: 2,010 × 10 % = 201
    assert tax_breakdown(lines) == [TaxSubtotal(rate=10, base=2_010, tax=201)]


def test_tax_is_rounded_down_once_per_invoice():
    # 1,999 × 10 % = 199.9 → 199
    assert tax_breakdown([LineSpec("a", 1_999)]) == [TaxSubtotal(10, 1_999, 199)]


def test_each_tax_rate_has_its_own_subtotal_and_rounding_highest_rate_first():
    lines = [
        LineSpec("研修", 1_999),  # 10 %
        LineSpec("弁当", 1_080, quantity=2, tax_rate=8),  # 8 %: 2,160
        LineSpec("お茶", 999, tax_rate=8),  # 8 %: 999
        LineSpec("テキスト", 500, quantity=2),  # 10 %: 1,000
    ]
    # 10 %: 2,999 → 299.9 → 299; 8 %: 3,159 → 252.72 → 252
    assert tax_breakdown(lines) == [
        TaxSubtotal(rate=10, base=2_999, tax=299),
        TaxSubtotal(rate=8, base=3_159, tax=252),
    ]


def test_a_zero_rated_line_has_no_tax():
    assert tax_breakdown([LineSpec("非課税", 5_000, tax_rate=0)]) == [TaxSubtotal(0, 5_000, 0)]


def test_a_credit_notes_negative_base_mirrors_the_invoice_rounding():
    lines = [LineSpec("a", -1_005), LineSpec("b", -1_005)]
    assert tax_breakdown(lines) == [TaxSubtotal(rate=10, base=-2_010, tax=-201)]


def test_no_lines_no_subtotals():
    assert tax_breakdown([]) == []


@given(
    st.lists(
        st.tuples(st.integers(0, 500_000), st.integers(1, 50), st.sampled_from([8, 10])),
        min_size=1,
        max_size=20,
    )
)
def test_per_invoice_tax_is_at_least_the_per_line_taxes_and_less_than_one_yen_a_line_more(rows):
    lines = [LineSpec("x", price, quantity, rate) for price, quantity, rate in rows]
    for item in tax_breakdown(lines):
        same_rate = [line for line in lines if line.tax_rate == item.rate]
        per_line = sum(line.amount * line.tax_rate // 100 for line in same_rate)
        assert item.base == sum(line.amount for line in same_rate)
        assert item.tax == item.base * item.rate // 100
        assert per_line <= item.tax < per_line + len(same_rate)


@pytest.mark.parametrize(
    ("issued_on", "due_on"),
    [
        pytest.param(dt.date(2026, 5, 11), dt.date(2026, 6, 30), id="May → end of June"),
        pytest.param(dt.date(2026, 1, 31), dt.date(2026, 2, 28), id="Jan 31 → Feb 28"),
        pytest.param(dt.date(2028, 1, 31), dt.date(2028, 2, 29), id="Jan 31 → Feb 29 (leap)"),
        pytest.param(dt.date(2026, 12, 1), dt.date(2027, 1, 31), id="Dec → Jan 31 next year"),
        pytest.param(dt.date(2026, 12, 31), dt.date(2027, 1, 31), id="Dec 31 → Jan 31"),
        pytest.param(dt.date(2026, 11, 30), dt.date(2026, 12, 31), id="Nov 30 → Dec 31"),
        pytest.param(dt.date(2028, 2, 29), dt.date(2028, 3, 31), id="Feb 29 → Mar 31"),
    ],
)
def test_an_invoice_is_due_at_the_end_of_the_following_month(issued_on, due_on):
    assert due_date_for(issued_on) == due_on
