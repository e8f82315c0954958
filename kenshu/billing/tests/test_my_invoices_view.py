"""/account/invoices/ (R-ACCT-5, issue 4 item 7): the user's own invoices, with their
states, an overdue mark and a PDF link; paginated; the same queries for 3 or 25 rows."""

import datetime as dt

import pytest

from kenshu.billing.services import LineSpec, invoice_issue
from kenshu.core.testing import corporate_customer
from kenshu.core.time import tokyo_date

from .helpers import place

pytestmark = pytest.mark.django_db

URL = "/account/invoices/"


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_a_customer_sees_its_own_invoices_and_not_others(client, sato, yamada):
    mine = place(sato, 30_000, issued_on=dt.date(2026, 5, 11))
    place(yamada, 10_000)
    client.force_login(sato)
    response = client.get(URL)
    assert list(response.context["page"].object_list) == [mine]
    html = response.content.decode()
    assert "INV-2026-000001" in html
    assert "¥33,000" in html
    assert 'href="/account/invoices/INV-2026-000001/pdf/"' in html


def test_credit_notes_and_fee_invoices_are_listed_too_newest_first(client, sato):
    invoice = place(sato, 30_000, issued_on=dt.date(2026, 5, 11))
    credit = invoice_issue(
        order=invoice.order,
        lines=[LineSpec("研修 1", 30_000)],
        kind="credit_note",
        original=invoice,
        issued_on=dt.date(2026, 5, 20),
    )
    client.force_login(sato)
    response = client.get(URL)
    assert list(response.context["page"].object_list) == [credit, invoice]
    html = response.content.decode()
    assert "返還請求書" in html
    assert "-¥33,000" in html


def test_states_are_shown_in_words_and_an_unpaid_invoice_past_due_is_marked_overdue(client, sato):
    today = tokyo_date()
    overdue = place(sato, 10_000, issued_on=today - dt.timedelta(days=100))
    current = place(sato, 10_000, issued_on=today)
    client.force_login(sato)
    response = client.get(URL)
    rows = {invoice.number: invoice.overdue for invoice in response.context["page"].object_list}
    assert rows == {overdue.number: True, current.number: False}
    html = response.content.decode()
    assert "支払期限超過" in html
    assert "発行済み" in html


def test_a_customer_without_invoices_is_told_so(client, yamada):
    client.force_login(yamada)
    assert "請求書はまだありません" in client.get(URL).content.decode()


def test_the_list_is_paginated_by_20(client, sato):
    for _ in range(21):
        place(sato, 1_000)
    client.force_login(sato)
    assert len(client.get(URL).context["page"].object_list) == 20
    assert len(client.get(URL, {"page": 2}).context["page"].object_list) == 1


@pytest.mark.parametrize("rows", [3, 25])
def test_the_list_costs_the_same_number_of_queries_for_3_and_25_invoices(
    client, django_assert_num_queries, rows
):
    buyer = corporate_customer()
    for _ in range(rows):
        place(buyer, 1_000)
    client.force_login(buyer)
    # session, user, count, page
    with django_assert_num_queries(4):
        client.get(URL)
