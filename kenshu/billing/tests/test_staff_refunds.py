"""/staff/invoices/refunds/: the refunds by state, paginated, at a pinned query count;
"mark paid out" asks for the date and a confirmation (billing.pay_out_refund)."""

import pytest

from kenshu.accounts import roles
from kenshu.billing.models import Payment, Refund
from kenshu.billing.refunds import settlement_apply
from kenshu.billing.services import LineSpec, payment_record
from kenshu.core.testing import NO_ROLE, UserFactory, make_staff
from kenshu.core.time import tokyo_date
from kenshu.notifications.models import OutboxEmail

from .helpers import place

pytestmark = pytest.mark.django_db

URL = "/staff/invoices/refunds/"


def make_refund(buyer, accountant, amount=50_000) -> Refund:
    invoice = place(buyer, amount)
    payment_record(
        actor=accountant,
        invoice=invoice,
        amount=invoice.total,
        received_on=tokyo_date(),
        method=Payment.Method.BANK_TRANSFER,
    )
    return settlement_apply(
        actor=accountant, original=invoice, credit_lines=[LineSpec("研修 1", amount)]
    ).refund


def pay_out_url(refund) -> str:
    return f"{URL}{refund.pk}/pay-out/"


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


@pytest.mark.parametrize(
    ("role", "status"),
    [(roles.RECEPTION, 403), (roles.ACCOUNTING, 200), (roles.ADMINISTRATOR, 200), (NO_ROLE, 403)],
)
def test_staff_see_the_refunds_with_billing_view_refund_only(client, role, status):
    client.force_login(make_staff(role))
    assert client.get(URL).status_code == status


def test_customers_are_refused(client, sato):
    client.force_login(sato)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}1/pay-out/").status_code == 403


def test_the_list_shows_each_refund_and_filters_by_state(client, accountant, sato, yamada):
    pending = make_refund(sato, accountant)
    paid_out = make_refund(yamada, accountant, 20_000)
    Refund.objects.filter(pk=paid_out.pk).update(
        state=Refund.State.PAID_OUT, paid_out_on=tokyo_date(), paid_out_by=accountant
    )
    client.force_login(accountant)
    html = client.get(URL).content.decode()
    assert "¥55,000" in html and "¥22,000" in html
    assert pending.credit_note.number in html
    assert f'href="{pay_out_url(pending)}"' in html
    assert f'href="{pay_out_url(paid_out)}"' not in html
    assert list(client.get(URL, {"state": "pending"}).context["page"].object_list) == [pending]
    assert list(client.get(URL, {"state": "paid_out"}).context["page"].object_list) == [paid_out]


def test_the_list_is_paginated_by_50(client, accountant, sato):
    for _ in range(51):
        make_refund(sato, accountant, 1_000)
    client.force_login(accountant)
    assert len(client.get(URL).context["page"].object_list) == 50
    assert len(client.get(URL, {"page": 2}).context["page"].object_list) == 1


@pytest.mark.parametrize("rows", [2, 20])
def test_the_list_costs_the_same_number_of_queries_for_2_and_20_rows(
    client, accountant, django_assert_num_queries, rows
):
    for _ in range(rows):
        make_refund(UserFactory(), accountant, 1_000)
    client.force_login(accountant)
    # session, user, the user's and its groups' permissions, count, page
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert len(response.context["page"].object_list) == rows


@pytest.mark.parametrize(
    ("role", "get", "post"),
    [(roles.RECEPTION, 403, 403), (roles.ACCOUNTING, 200, 302), (roles.ADMINISTRATOR, 200, 302)],
)
def test_who_may_mark_a_refund_paid_out(client, sato, accountant, role, get, post):
    refund = make_refund(sato, accountant)
    client.force_login(make_staff(role))
    assert client.get(pay_out_url(refund)).status_code == get
    data = {"paid_out_on": tokyo_date().isoformat(), "confirm": "on"}
    assert client.post(pay_out_url(refund), data).status_code == post
    refund.refresh_from_db()
    assert refund.state == ("paid_out" if post == 302 else "pending")


def test_marking_paid_out_needs_the_confirmation(client, sato, accountant):
    refund = make_refund(sato, accountant)
    client.force_login(accountant)
    response = client.post(pay_out_url(refund), {"paid_out_on": tokyo_date().isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["confirm"]
    refund.refresh_from_db()
    assert refund.state == "pending"


def test_marking_paid_out_redirects_to_the_list_and_emails_the_payer(client, sato, accountant):
    refund = make_refund(sato, accountant)
    client.force_login(accountant)
    response = client.post(
        pay_out_url(refund), {"paid_out_on": tokyo_date().isoformat(), "confirm": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    assert OutboxEmail.objects.filter(template="refund_issued", to_email=sato.email).exists()
    # Twice: a form error, nothing more.
    again = client.post(
        pay_out_url(refund), {"paid_out_on": tokyo_date().isoformat(), "confirm": "on"}
    )
    assert again.status_code == 200
    assert again.context["form"].non_field_errors()
    assert OutboxEmail.objects.filter(template="refund_issued").count() == 1


def test_an_unknown_refund_is_404(client, accountant):
    client.force_login(accountant)
    assert client.get(f"{URL}999/pay-out/").status_code == 404


def test_the_invoice_page_lists_its_refunds(client, sato, accountant):
    refund = make_refund(sato, accountant)
    client.force_login(accountant)
    html = client.get(f"/staff/invoices/{refund.invoice.number}/").content.decode()
    assert refund.credit_note.number in html
    assert f'href="{pay_out_url(refund)}"' in html


def test_the_buyer_downloads_its_credit_note_and_fee_invoice_as_pdf(client, sato, accountant):
    invoice = place(sato, 30_000)
    settlement = settlement_apply(
        actor=sato,
        original=invoice,
        credit_lines=[LineSpec("研修 1", 30_000)],
        fee_lines=[LineSpec("キャンセル料(50%)", 15_000)],
    )
    client.force_login(sato)
    listing = client.get("/account/invoices/").content.decode()
    for document in (settlement.credit_note, settlement.fee_invoice):
        assert f"/account/invoices/{document.number}/pdf/" in listing
        response = client.get(f"/account/invoices/{document.number}/pdf/")
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
