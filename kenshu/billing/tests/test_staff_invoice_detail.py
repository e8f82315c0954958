"""/staff/invoices/<number>/: the invoice, its payments and the "record payment" form.
Accounting (and administrators) record payments; reception may look but not record."""

import datetime as dt

import pytest
from django.test import Client

from kenshu.accounts import roles
from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice, Payment
from kenshu.billing.services import LineSpec, invoice_issue, payment_record
from kenshu.core.testing import NO_ROLE, make_staff
from kenshu.core.time import tokyo_date

from .helpers import place

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(sato):
    return place(sato, 30_000, 8_000, 8_000, 8_000, issued_on=dt.date(2026, 5, 11))  # 59,400


def url(invoice) -> str:
    return f"/staff/invoices/{invoice.number}/"


def payment_data(**overrides) -> dict:
    return {
        "amount": "59400",
        "received_on": tokyo_date().isoformat(),
        "method": "bank_transfer",
        **overrides,
    }


def test_anonymous_visitors_are_sent_to_the_login_page(client, invoice):
    response = client.get(url(invoice))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url(invoice)}"


@pytest.mark.parametrize(
    ("role", "get", "post"),
    [
        (roles.RECEPTION, 200, 403),
        (roles.ACCOUNTING, 200, 302),
        (roles.ADMINISTRATOR, 200, 302),
        (NO_ROLE, 403, 403),
    ],
)
def test_who_may_see_the_invoice_and_who_may_record_a_payment(client, invoice, role, get, post):
    client.force_login(make_staff(role))
    assert client.get(url(invoice)).status_code == get
    assert client.post(url(invoice), payment_data()).status_code == post
    invoice.refresh_from_db()
    expected = Invoice.State.PAID if post == 302 else Invoice.State.ISSUED
    assert invoice.state == expected


def test_customers_are_refused_even_the_buyer(client, sato, invoice):
    client.force_login(sato)
    assert client.get(url(invoice)).status_code == 403
    assert client.post(url(invoice), payment_data()).status_code == 403
    assert not Payment.objects.exists()


def test_an_unknown_number_is_a_404(client, accountant):
    client.force_login(accountant)
    assert client.get("/staff/invoices/INV-2026-999999/").status_code == 404


def test_the_page_shows_the_lines_the_tax_per_rate_and_the_total(client, accountant, invoice):
    client.force_login(accountant)
    html = client.get(url(invoice)).content.decode()
    assert "INV-2026-000001" in html
    assert "株式会社サンプル" in html
    assert "¥54,000" in html
    assert "¥5,400" in html
    assert "¥59,400" in html
    assert f'href="/account/invoices/{invoice.number}/pdf/"' in html


def test_accounting_records_a_payment_and_is_redirected_back_to_the_page(
    client, accountant, invoice
):
    client.force_login(accountant)
    response = client.post(url(invoice), payment_data(received_on="2026-06-20"))
    assert response.status_code == 302
    assert response["Location"] == url(invoice)
    payment = Payment.objects.get()
    assert (payment.amount, payment.received_on, payment.method, payment.recorded_by) == (
        59_400,
        dt.date(2026, 6, 20),
        "bank_transfer",
        accountant,
    )
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.PAID
    entry = AuditEntry.objects.get(action="payment.recorded")
    assert entry.actor == accountant
    assert entry.target == invoice
    page = client.get(response["Location"]).content.decode()
    assert "¥59,400 の入金を INV-2026-000001 に記録しました" in page
    assert "支払済み" in page
    assert "入金を記録する" not in page  # a paid invoice takes no more payments


def test_a_partial_payment_leaves_the_rest_outstanding(client, accountant, invoice):
    client.force_login(accountant)
    client.post(url(invoice), payment_data(amount="40000"))
    response = client.get(url(invoice))
    assert response.context["paid"] == 40_000
    assert response.context["outstanding"] == 19_400
    assert response.context["form"].initial["amount"] == 19_400


def test_a_refused_payment_is_shown_as_a_form_error_and_nothing_is_saved(
    client, accountant, invoice
):
    client.force_login(accountant)
    response = client.post(url(invoice), payment_data(amount="60000"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "¥60,000 は未入金額 ¥59,400 を超えています。"
    ]
    assert "error-summary" in response.content.decode()
    assert not Payment.objects.exists()


def test_a_payment_against_a_credited_invoice_is_refused_with_a_form_error(
    client, accountant, invoice
):
    invoice_issue(
        order=invoice.order,
        lines=[LineSpec("研修", 30_000), LineSpec("教材", 8_000, 3)],  # all of it
        kind="credit_note",
        original=invoice,
    )
    client.force_login(accountant)
    assert client.get(url(invoice)).context["form"] is None  # no form offered
    response = client.post(url(invoice), payment_data(amount="100"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"amount": ""}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"received_on": "2026-13-01"}, "received_on"),
        ({"method": "bitcoin"}, "method"),
    ],
)
def test_bad_input_is_answered_with_field_errors(client, accountant, invoice, data, field):
    client.force_login(accountant)
    response = client.post(url(invoice), payment_data(**data))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Payment.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(accountant, invoice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(accountant)
    assert client.post(url(invoice), payment_data()).status_code == 403
    assert not Payment.objects.exists()
    page = client.get(url(invoice)).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_reception_sees_the_invoice_but_neither_the_payments_nor_the_form(
    client, reception, accountant, invoice
):
    payment_record(
        actor=accountant,
        invoice=invoice,
        amount=1_000,
        received_on=tokyo_date(),
        method=Payment.Method.CASH,
    )
    client.force_login(reception)
    response = client.get(url(invoice))
    assert response.context["form"] is None
    assert response.context["payments"] is None
    assert "経理または管理者" in response.content.decode()


def test_accounting_sees_the_payments_received(client, accountant, invoice):
    for amount in (1_000, 2_000):
        payment_record(
            actor=accountant,
            invoice=invoice,
            amount=amount,
            received_on=dt.date(2026, 6, 1),
            method=Payment.Method.BANK_TRANSFER,
        )
    client.force_login(accountant)
    response = client.get(url(invoice))
    assert [p.amount for p in response.context["payments"]] == [2_000, 1_000]
    assert "¥3,000" in response.content.decode()


def test_the_page_links_the_original_and_its_credit_notes(client, accountant, invoice):
    credit = invoice_issue(
        order=invoice.order, lines=[LineSpec("研修", 30_000)], kind="credit_note", original=invoice
    )
    client.force_login(accountant)
    original_page = client.get(url(invoice)).content.decode()
    assert f'href="/staff/invoices/{credit.number}/"' in original_page
    credit_page = client.get(url(credit)).content.decode()
    assert f'href="/staff/invoices/{invoice.number}/"' in credit_page


@pytest.mark.parametrize("payments", [1, 6])
def test_the_page_costs_the_same_number_of_queries_for_1_and_6_payments(
    client, accountant, invoice, django_assert_num_queries, payments
):
    for _ in range(payments):
        payment_record(
            actor=accountant,
            invoice=invoice,
            amount=100,
            received_on=dt.date(2026, 6, 1),
            method=Payment.Method.BANK_TRANSFER,
        )
    client.force_login(accountant)
    # session, user, permissions (user, groups), invoice (+ order, buyer, original),
    # lines, payments (+ recorded_by), corrections, refunds (+ credit notes)
    with django_assert_num_queries(9):
        client.get(url(invoice))
