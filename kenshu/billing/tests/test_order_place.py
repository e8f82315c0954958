"""order_place: the order, its lines and its qualified invoice in one unit (DOMAIN.md §9)."""

import datetime as dt

import pytest
from django.db import transaction

from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice, Order, OrderLine, PaymentMethod
from kenshu.billing.services import LineSpec, invoice_is_overdue, order_place
from kenshu.core.time import tokyo_date
from kenshu.notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db

MAY_11 = dt.date(2026, 5, 11)


def test_an_order_is_recorded_with_its_lines_and_its_invoice(sato):
    order = order_place(
        buyer=sato,
        lines=[LineSpec("ビジネス文書研修", 30_000), LineSpec("テキスト", 8_000, quantity=3)],
        issued_on=MAY_11,
    )
    assert order.buyer == sato
    assert order.payment_method == PaymentMethod.INVOICE
    assert order.number == f"A{order.pk:08d}"
    assert [
        (line.description, line.unit_price, line.quantity, line.tax_rate)
        for line in order.lines.all()
    ] == [("ビジネス文書研修", 30_000, 1, 10), ("テキスト", 8_000, 3, 10)]
    invoice = order.invoices.get()
    assert invoice.kind == Invoice.Kind.INVOICE
    assert invoice.state == Invoice.State.ISSUED
    assert (invoice.subtotal, invoice.tax, invoice.total) == (54_000, 5_400, 59_400)
    assert [(line.description, line.amount) for line in invoice.lines.all()] == [
        ("ビジネス文書研修", 30_000),
        ("テキスト", 24_000),
    ]
    assert invoice.issued_on == MAY_11
    assert invoice.due_on == dt.date(2026, 6, 30)


@pytest.mark.parametrize(
    ("lines", "subtotal", "tax", "total"),
    [
        pytest.param(
            [("a", 333, 1, 10), ("b", 333, 1, 10), ("c", 334, 1, 10)],
            1_000,
            100,
            1_100,
            id="333+333+334 → tax 100",
        ),
        pytest.param(
            [("a", 1_005, 1, 10), ("b", 1_005, 1, 10)],
            2_010,
            201,
            2_211,
            id="1,005×2 → 201 (not 200 per line)",
        ),
        pytest.param(
            [("研修", 1_999, 1, 10), ("弁当", 1_080, 2, 8), ("お茶", 999, 1, 8)],
            5_158,
            451,
            5_609,
            id="10 % and 8 % → 199 + 252",
        ),
        pytest.param([("研修", 49_800, 12, 10)], 597_600, 59_760, 657_360, id="12 seats"),
    ],
)
def test_the_invoice_totals_match_hand_computed_figures(sato, lines, subtotal, tax, total):
    order = order_place(buyer=sato, lines=[LineSpec(*line) for line in lines], issued_on=MAY_11)
    invoice = order.invoices.get()
    assert (invoice.subtotal, invoice.tax, invoice.total) == (subtotal, tax, total)


def test_the_issuer_and_registration_number_come_from_the_settings(sato, settings):
    settings.KENSHU_PROVIDER_NAME = "株式会社研修センター"
    settings.KENSHU_INVOICE_REGISTRATION_NUMBER = "T9876543210987"
    invoice = order_place(buyer=sato, lines=[LineSpec("研修", 10_000)]).invoices.get()
    assert invoice.issuer_name == "株式会社研修センター"
    assert invoice.registration_number == "T9876543210987"


def test_the_recipient_is_copied_at_issue_and_never_changes_afterwards(sato):
    invoice = order_place(buyer=sato, lines=[LineSpec("研修", 10_000)]).invoices.get()
    assert invoice.recipient_name == "佐藤 花子"
    assert invoice.recipient_organisation == "株式会社サンプル"
    assert invoice.recipient_email == "sato@example.jp"
    sato.last_name = "鈴木"
    sato.email = "suzuki@example.jp"
    sato.save()
    sato.organisation.name = "株式会社新社名"
    sato.organisation.save()
    invoice.refresh_from_db()
    assert (invoice.recipient_name, invoice.recipient_organisation, invoice.recipient_email) == (
        "佐藤 花子",
        "株式会社サンプル",
        "sato@example.jp",
    )


def test_an_individual_is_invoiced_without_an_organisation(yamada):
    invoice = order_place(buyer=yamada, lines=[LineSpec("研修", 10_000)]).invoices.get()
    assert invoice.recipient_name == "山田 一郎"
    assert invoice.recipient_organisation == ""


def test_the_invoice_is_issued_today_in_tokyo_by_default(sato):
    invoice = order_place(buyer=sato, lines=[LineSpec("研修", 10_000)]).invoices.get()
    assert invoice.issued_on == tokyo_date()


def test_an_invoice_with_nothing_to_pay_is_paid_from_the_start_and_never_overdue(sato):
    order = order_place(buyer=sato, lines=[LineSpec("無料説明会", 0)], issued_on=MAY_11)
    invoice = order.invoices.get()
    assert (invoice.total, invoice.state) == (0, Invoice.State.PAID)
    assert not invoice_is_overdue(invoice, dt.date(2030, 1, 1))


def test_placing_an_order_is_audited_and_sends_no_email(sato):
    order = order_place(buyer=sato, lines=[LineSpec("研修", 10_000)], issued_on=MAY_11)
    invoice = order.invoices.get()
    placed = AuditEntry.objects.get(action="order.placed")
    assert placed.actor == sato
    assert placed.target == order
    assert placed.data == {
        "number": order.number,
        "payment_method": "invoice",
        "invoice": invoice.number,
        "total": 11_000,
    }
    issued = AuditEntry.objects.get(action="invoice.issued")
    assert issued.actor == sato
    assert issued.target == invoice
    assert OutboxEmail.objects.count() == 0


def test_a_failure_in_the_callers_transaction_leaves_no_order_no_invoice_and_no_number(sato):
    with pytest.raises(RuntimeError), transaction.atomic():
        order_place(buyer=sato, lines=[LineSpec("研修", 10_000)], issued_on=MAY_11)
        raise RuntimeError("the seat could not be taken")
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()
    assert not Invoice.objects.exists()
    assert not AuditEntry.objects.exists()
    next_invoice = order_place(buyer=sato, lines=[LineSpec("研修", 1)], issued_on=MAY_11)
    assert next_invoice.invoices.get().number == "INV-2026-000001"


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param([], id="no line"),
        pytest.param([LineSpec("研修", -1)], id="negative price"),
        pytest.param([LineSpec("研修", 100, quantity=0)], id="zero quantity"),
        pytest.param([LineSpec(" ", 100)], id="no description"),
    ],
)
def test_malformed_lines_are_a_programming_error_and_save_nothing(sato, lines):
    with pytest.raises(ValueError):
        order_place(buyer=sato, lines=lines)
    assert not Order.objects.exists()
