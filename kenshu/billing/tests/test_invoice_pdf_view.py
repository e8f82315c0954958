"""/account/invoices/<number>/pdf/: the buyer, or staff with billing.view_invoice, get
the PDF inline as <number>.pdf; anyone else gets a 404, as if it did not exist."""

import pytest

from kenshu.accounts import roles
from kenshu.core.testing import NO_ROLE, UserFactory, make_staff

from .helpers import place

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(sato):
    return place(sato, 30_000)


def url(invoice) -> str:
    return f"/account/invoices/{invoice.number}/pdf/"


def test_the_url_is_named_billing_invoice_pdf(invoice):
    from django.urls import reverse

    assert reverse("billing:invoice_pdf", kwargs={"number": invoice.number}) == url(invoice)


def test_the_buyer_gets_the_pdf_inline_named_after_its_number(client, sato, invoice):
    client.force_login(sato)
    response = client.get(url(invoice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{invoice.number}.pdf"'
    assert "private" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")


def test_anonymous_visitors_are_sent_to_the_login_page(client, invoice):
    response = client.get(url(invoice))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url(invoice)}"


@pytest.mark.parametrize(
    "user_type", ["individual", "corporate", "group_applicant", "group_learner"]
)
def test_another_customer_gets_a_404(client, invoice, user_type):
    client.force_login(UserFactory(user_type=user_type))
    assert client.get(url(invoice)).status_code == 404


def test_a_colleague_of_the_same_organisation_gets_a_404(client, sato, invoice):
    client.force_login(UserFactory(corporate=True, organisation=sato.organisation))
    assert client.get(url(invoice)).status_code == 404


def test_an_unknown_number_is_a_404(client, sato, invoice):
    client.force_login(sato)
    assert client.get("/account/invoices/INV-2026-999999/pdf/").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (roles.RECEPTION, 200),
        (roles.ACCOUNTING, 200),
        (roles.ADMINISTRATOR, 200),
        (NO_ROLE, 404),
    ],
)
def test_staff_get_the_pdf_only_with_billing_view_invoice(client, invoice, role, status):
    client.force_login(make_staff(role))
    assert client.get(url(invoice)).status_code == status


def test_an_inactive_buyer_gets_nothing(client, sato, invoice):
    client.force_login(sato)
    sato.is_active = False
    sato.save()
    assert client.get(url(invoice)).status_code in {302, 404}
