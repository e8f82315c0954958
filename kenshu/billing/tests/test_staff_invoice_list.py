"""/staff/invoices/: every invoice, filtered by state (issued, paid, overdue, credited),
searched by number or recipient, paginated by 50, at a pinned query count."""

import datetime as dt

import pytest

from kenshu.accounts import roles
from kenshu.billing.models import Invoice, Payment
from kenshu.billing.services import LineSpec, invoice_issue, payment_record
from kenshu.core.testing import NO_ROLE, OrganisationFactory, UserFactory, make_staff
from kenshu.core.time import tokyo_date

from .helpers import place

pytestmark = pytest.mark.django_db

URL = "/staff/invoices/"


def found(client, **params) -> list[Invoice]:
    return list(client.get(URL, params).context["page"].object_list)


@pytest.fixture
def book(sato, yamada, accountant):
    """One invoice in each state: issued (not yet due), overdue, paid, credited."""
    today = tokyo_date()
    issued = place(sato, 10_000, issued_on=today)
    overdue = place(yamada, 20_000, issued_on=today - dt.timedelta(days=100))
    paid = place(yamada, 30_000, issued_on=today)
    payment_record(
        actor=accountant,
        invoice=paid,
        amount=33_000,
        received_on=today,
        method=Payment.Method.BANK_TRANSFER,
    )
    credited = place(sato, 40_000, issued_on=today)
    credit = invoice_issue(
        order=credited.order,
        lines=[LineSpec("研修 1", 40_000)],
        kind="credit_note",
        original=credited,
    )
    return {
        "issued": issued,
        "overdue": overdue,
        "paid": paid,
        "credited": credited,
        "credit": credit,
    }


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


@pytest.mark.parametrize(
    ("role", "status"),
    [(roles.RECEPTION, 200), (roles.ACCOUNTING, 200), (roles.ADMINISTRATOR, 200), (NO_ROLE, 403)],
)
def test_staff_see_the_list_with_billing_view_invoice_only(client, role, status):
    client.force_login(make_staff(role))
    assert client.get(URL).status_code == status


def test_customers_are_refused(client, sato):
    client.force_login(sato)
    assert client.get(URL).status_code == 403


def test_without_a_filter_every_invoice_is_listed(client, accountant, book):
    client.force_login(accountant)
    assert set(found(client)) == set(book.values())


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("issued", {"issued", "overdue"}),  # awaiting payment, due or not yet
        ("overdue", {"overdue"}),
        ("paid", {"paid"}),
        ("credited", {"credited"}),
    ],
)
def test_the_list_is_filtered_by_state(client, accountant, book, state, expected):
    client.force_login(accountant)
    assert set(found(client, state=state)) == {book[name] for name in expected}


def test_overdue_invoices_are_marked(client, accountant, book):
    client.force_login(accountant)
    response = client.get(URL)
    marks = {invoice.number: invoice.overdue for invoice in response.context["page"].object_list}
    assert [number for number, overdue in marks.items() if overdue] == [book["overdue"].number]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("INV-2026", None, id="part of the number"),
        pytest.param("山田", "yamada", id="recipient name"),
        pytest.param("山田 一郎", "yamada", id="full name with a space"),
        pytest.param("サンプル", "sato", id="organisation"),
        pytest.param("yamada@example", "yamada", id="email"),
    ],
)
def test_the_search_box_finds_by_number_or_recipient(
    client, accountant, sato, yamada, query, expected
):
    today = dt.date(2026, 5, 11)
    invoices = {
        "sato": place(sato, 1_000, issued_on=today),
        "yamada": place(yamada, 1_000, issued_on=today),
    }
    client.force_login(accountant)
    result = set(found(client, q=query))
    assert result == (set(invoices.values()) if expected is None else {invoices[expected]})


def test_an_exact_number_finds_one_invoice(client, accountant, sato):
    invoices = [place(sato, 1_000, issued_on=dt.date(2026, 5, 11)) for _ in range(3)]
    client.force_login(accountant)
    assert found(client, q="INV-2026-000002") == [invoices[1]]


def test_each_row_links_to_the_invoice_page(client, accountant, sato):
    invoice = place(sato, 1_000)
    client.force_login(accountant)
    html = client.get(URL).content.decode()
    assert f'href="/staff/invoices/{invoice.number}/"' in html
    assert "株式会社サンプル" in html


def test_nothing_found_is_said_plainly(client, accountant):
    client.force_login(accountant)
    assert "該当する請求書はありません" in client.get(URL, {"q": "存在しない"}).content.decode()


def test_the_list_is_paginated_by_50_and_the_pages_keep_the_filter(client, accountant, sato):
    for _ in range(51):
        place(sato, 1_000)
    client.force_login(accountant)
    first = client.get(URL, {"state": "issued"})
    assert len(first.context["page"].object_list) == 50
    assert 'href="?state=issued&amp;page=2"' in first.content.decode()
    assert len(client.get(URL, {"state": "issued", "page": 2}).context["page"].object_list) == 1


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_costs_the_same_number_of_queries_for_5_and_50_rows(
    client, accountant, django_assert_num_queries, rows
):
    for i in range(rows):
        buyer = (
            UserFactory(corporate=True, organisation=OrganisationFactory())
            if i % 2
            else UserFactory()
        )
        place(buyer, 1_000)
    client.force_login(accountant)
    # session, user, the user's and its groups' permissions, count, page
    with django_assert_num_queries(6):
        response = client.get(URL, {"q": "INV"})
    assert len(response.context["page"].object_list) == rows
