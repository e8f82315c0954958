"""Helpers of the billing tests."""

import datetime as dt

from kenshu.billing.services import LineSpec, order_place


def place(buyer, *amounts: int, issued_on: dt.date | None = None, **kwargs):
    """Place an order of one line per amount (10 %) for ``buyer``; return its invoice."""
    lines = [LineSpec(f"研修 {i + 1}", amount) for i, amount in enumerate(amounts)]
    order = order_place(buyer=buyer, lines=lines, issued_on=issued_on, **kwargs)
    return order.invoices.get()
